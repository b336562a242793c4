/*
 * Rate-limit groups in stellar-amq: one DPDK srTCM meter per group a
 * plugin defined (amq_group_create), applied to the packets a plugin put in
 * it (session_set_ratelimit_group). A packet the meter colours red is
 * dropped and counted as `ratelimit`. Time is the packet's: a capture gives
 * the same drops on every run. Meters are this process's own: a restarted
 * stellar-amq starts them full.
 */
#ifndef STELLAR_AMQ_RATELIMIT_H
#define STELLAR_AMQ_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_meter.h>

#include "amq_groups.h"

struct amq_meter {
	bool ready;
	bool refused;            /* rte_meter rejected these parameters */
	uint64_t cir, cbs;
	uint64_t last;           /* meter time, never moving back */
	struct rte_meter_srtcm_profile profile;
	struct rte_meter_srtcm meter;
};

struct amq_ratelimit {
	const struct amq_group *groups; /* shared, defined by plugins */
	uint64_t hz;
	struct amq_meter meters[AMQ_MAX_GROUPS];
};

void amq_ratelimit_init(struct amq_ratelimit *rl, const struct amq_group *groups, uint64_t hz);
/* True if the packet conforms (or is in no group). */
bool amq_ratelimit_pass(struct amq_ratelimit *rl, struct rte_mbuf *m);

#endif
