/*
 * A buffered output ring of a process: items are tagged as in transit on the
 * ring before they are handed over (see mbuf_meta.h), enqueued in bursts, and
 * the consumer's doorbell is rung. What does not fit stays buffered; the
 * caller stops taking input until it has been flushed (backpressure, never a
 * drop inside the pipeline).
 */
#ifndef STELLAR_STAGE_OUTPUT_H
#define STELLAR_STAGE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "counters.h"
#include "doorbell.h"
#include "mbuf_meta.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A burst of 32 and the event items made around it: a process making items
 * only does so while an output keeps room for a burst (stage_room). */
#define STAGE_OUT_CAP 128

struct stage_output {
	struct rte_ring *ring;
	struct doorbell *bell; /* the consumer's */
	uint16_t ring_id;
	uint16_t n;
	struct rte_mbuf *buf[STAGE_OUT_CAP];
};

void stage_output_init(struct stage_output *o, struct rte_ring *ring, uint16_t ring_id,
		       struct doorbell *consumer_bell);

static inline bool stage_output_full(const struct stage_output *o)
{
	return o->n >= STAGE_OUT_CAP;
}

static inline void stage_output_push(struct stage_output *o, struct rte_mbuf *m)
{
	pkt_meta(m)->owner = (uint16_t)(MBUF_OWNER_TRANSIT | o->ring_id);
	o->buf[o->n++] = m;
}

/* Enqueues what it can; returns true when nothing is left buffered. */
bool stage_output_flush(struct stage_output *o, struct node_counters *counters);

/* Smallest key still buffered, or UINT64_MAX. */
static inline uint64_t stage_output_first_key(const struct stage_output *o)
{
	return o->n ? pkt_key(o->buf[0]) : UINT64_MAX;
}

/* Frees a packet that dies here and counts why. */
void stage_drop(struct rte_mbuf *m, enum drop_reason reason, struct node_counters *counters);

#ifdef __cplusplus
}
#endif
#endif
