/*
 * Ordered merge of a process's input rings.
 *
 * Items arrive on each input ring in increasing key order; the merge hands
 * them on in increasing key order across all inputs, waiting, when an input
 * is empty, until that input's producer has provably emitted past the
 * candidate key (see stage_progress.h). With one input it degenerates to a
 * plain dequeue.
 */
#ifndef STELLAR_STAGE_MERGE_H
#define STELLAR_STAGE_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "stage_progress.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MERGE_BURST 32

struct merge_input {
	struct rte_ring *ring;
	uint16_t ring_id;
	uint16_t producer;
	uint16_t pos;       /* staged items are buf[pos..n) */
	uint16_t n;
	uint64_t bound;     /* producer will emit nothing more with key <= bound */
	struct rte_mbuf *buf[MERGE_BURST];
};

struct stage_merge {
	struct progress_graph *graph;
	uint16_t self;
	unsigned n_inputs;
	uint64_t limit;     /* take nothing from rings with key > limit */
	uint64_t taken;     /* packets dequeued from rings */
	uint64_t events_taken; /* event items dequeued from rings */
	uint64_t bytes_taken;
	struct merge_input in[PROGRESS_MAX_INPUTS];
};

void stage_merge_init(struct stage_merge *m, struct progress_graph *g, uint16_t self);
/* Adds the ring with this id (graph->ring[ring_id]) as an input. */
int stage_merge_add_input(struct stage_merge *m, uint16_t ring_id);

/* Releases up to `max` items in key order into out[], tagging them as owned
 * by this node. Returns how many. */
unsigned stage_merge_pull(struct stage_merge *m, struct rte_mbuf **out, unsigned max);

/* Key up to which every item has been released (for this node's watermark). */
uint64_t stage_merge_frontier(const struct stage_merge *m);

/* Nothing staged locally. */
bool stage_merge_idle(const struct stage_merge *m);
/* Some input ring holds items. */
bool stage_merge_rings_pending(const struct stage_merge *m);

/*
 * Drain for a graceful stop: from now on take from the rings only items with
 * key <= the largest key already staged, so that what this process leaves in
 * its rings all comes after what it has released. stage_merge_drained()
 * turns true once nothing at or below that key is left.
 */
void stage_merge_begin_drain(struct stage_merge *m);
bool stage_merge_drained(struct stage_merge *m);

#ifdef __cplusplus
}
#endif
#endif
