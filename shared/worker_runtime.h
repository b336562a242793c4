/*
 * What every worker process (io, session, plugin, amq) does besides its own
 * job: join the instance as a DPDK secondary, find its slot in shared memory,
 * talk to the orchestrator (hello, heartbeats, stop), and back off when idle.
 */
#ifndef STELLAR_WORKER_RUNTIME_H
#define STELLAR_WORKER_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "shm_layout.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs a plugin command (stellar-plugin); returns 0 or a negative errno,
 * with the reply written to `reply`. */
typedef int (*worker_command_fn)(void *ctx, uint32_t plugin, const char *command, const char *args, char *reply,
				 size_t reply_size);

struct worker_rt {
	enum node_kind kind;
	unsigned index;
	uint16_t node;
	char instance[STELLAR_NAME_MAX];
	struct stellar_shm *shm;
	struct node_slot *slot;
	struct stage_progress *progress;
	struct node_counters *counters;

	void *zctx;
	void *zsock;
	uint64_t hz;
	uint64_t next_service_tsc;
	uint64_t next_heartbeat_tsc;
	unsigned idle_rounds;
	uint64_t wake_tsc;  /* if set, an idle sleep ends no later than this */

	bool stop;      /* leave the main loop */
	bool graceful;  /* ...after finishing what is held */
	bool stop_rx;   /* stellar-io: read nothing more from the ports */

	worker_command_fn command;
	void *command_ctx;

	uint32_t config_push;      /* the last ConfigPush's generation */
	bool config_push_pending;  /* ...not answered yet */
};

/* Answers a ConfigPush: this generation's configs are in effect. */
void worker_rt_send_config_ack(struct worker_rt *rt, uint32_t generation, bool needs_restart);

/* Joins the instance; exits the process with a message on failure. */
void worker_rt_init(struct worker_rt *rt, enum node_kind kind, int argc, char **argv);

/* Once per main-loop pass: cheap unless a control poll or heartbeat is due. */
void worker_rt_service(struct worker_rt *rt);

/* The last pass did useful work. */
static inline void worker_rt_busy(struct worker_rt *rt)
{
	rt->idle_rounds = 0;
}

/* The last pass found nothing to do: spin briefly, then yield, then sleep on
 * the doorbell until a producer rings it or a heartbeat is due. `has_work`
 * is re-checked after announcing the sleep so that no wake-up is lost. */
void worker_rt_idle(struct worker_rt *rt, bool (*has_work)(void *arg), void *arg);

/* The pass could not progress for a reason no doorbell signals (downstream
 * full, waiting for another process's watermark): short sleeps only. */
void worker_rt_stalled(struct worker_rt *rt);

/* Tells the orchestrator, releases DPDK, exits. */
void worker_rt_exit(struct worker_rt *rt, int code) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif
#endif
