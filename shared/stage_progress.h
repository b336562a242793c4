/*
 * Order watermarks: how a process that merges several input rings knows it
 * may release the smallest item it holds.
 *
 * Every item carries an order key (stellar-io's sequence). Each process emits
 * items on every output ring in increasing key order and publishes `wm`: it
 * has emitted every item with key <= wm it will ever emit. A merging consumer
 * may release key x once every other input either shows a head > x or has a
 * producer whose effective watermark is >= x.
 *
 * A parked process (nothing held, inputs found empty) does not keep its
 * watermark up to date; instead its consumers derive it: if its epoch is even
 * and unchanged around the check, and its input rings are empty, then it has
 * emitted everything its producers have emitted. That keeps idle processes
 * asleep without stalling the merge.
 */
#ifndef STELLAR_STAGE_PROGRESS_H
#define STELLAR_STAGE_PROGRESS_H

#include <stdint.h>

#include <rte_ring.h>

#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROGRESS_MAX_INPUTS 16

struct stage_progress {
	uint64_t wm;        /* everything with key <= wm has been emitted */
	uint64_t epoch;     /* odd: running; even: parked and holding nothing */
	uint64_t loops;     /* bumped each main-loop pass: a grace-period clock */
	uint32_t is_source; /* sources (stellar-io) cannot be derived from inputs */
} __attribute__((aligned(64)));

struct order_inputs {
	uint16_t n;
	uint16_t ring[PROGRESS_MAX_INPUTS];
};

/* The part of shared memory the watermark logic reads. Written by the
 * orchestrator (inputs, rings) and by each process (its own progress). */
struct progress_graph {
	struct stage_progress node[TOPO_MAX_NODES];
	struct order_inputs inputs[TOPO_MAX_NODES];
	struct rte_ring *ring[TOPO_MAX_RINGS];
};

/* Depth enough for io -> session -> plugin -> amq. */
#define PROGRESS_MAX_DEPTH 4

/* The key up to which `node` provably has emitted everything. */
uint64_t progress_effective_wm(const struct progress_graph *g, uint16_t node, unsigned depth);

static inline void progress_publish_wm(struct stage_progress *p, uint64_t wm)
{
	if (wm > p->wm)
		__atomic_store_n(&p->wm, wm, __ATOMIC_RELEASE);
}

static inline int progress_is_parked(const struct stage_progress *p)
{
	return (__atomic_load_n(&p->epoch, __ATOMIC_ACQUIRE) & 1) == 0;
}

/* Before taking anything from an input ring. The ring's own release store of
 * its consumer tail orders this store before the items disappear. */
static inline void progress_unpark(struct stage_progress *p)
{
	if ((p->epoch & 1) == 0)
		__atomic_store_n(&p->epoch, p->epoch + 1, __ATOMIC_RELEASE);
}

/* Only when holding nothing and every input ring was seen empty. */
static inline void progress_park(struct stage_progress *p)
{
	if (p->epoch & 1)
		__atomic_store_n(&p->epoch, p->epoch + 1, __ATOMIC_RELEASE);
}

/* A restarted process starts running with an epoch no consumer has seen. */
static inline void progress_start(struct stage_progress *p)
{
	__atomic_store_n(&p->epoch, (p->epoch + 2) | 1, __ATOMIC_RELEASE);
}

static inline void progress_tick(struct stage_progress *p)
{
	__atomic_store_n(&p->loops, p->loops + 1, __ATOMIC_RELEASE);
}

static inline unsigned progress_ring_pending(const struct rte_ring *r)
{
	uint32_t prod = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	uint32_t cons = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);

	return (prod - cons) & r->mask;
}

#ifdef __cplusplus
}
#endif
#endif
