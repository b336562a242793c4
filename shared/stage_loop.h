/*
 * The main loop shared by stellar-session, stellar-plugin and stellar-amq:
 * merge the input rings in key order, hand each packet to the process's
 * handler, which names an output (or a drop reason), flush the outputs,
 * publish the watermark, back off when idle, and on a graceful stop finish
 * exactly what must precede what is left in the rings.
 */
#ifndef STELLAR_STAGE_LOOP_H
#define STELLAR_STAGE_LOOP_H

#include "stage_merge.h"
#include "stage_output.h"
#include "worker_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STAGE_MAX_OUTPUTS TOPO_MAX_PLUGIN_WORKERS

/* Handler result: an output index >= 0, STAGE_DROP(reason), or
 * STAGE_CONSUMED when the handler kept or freed the item itself. */
#define STAGE_DROP(reason) (-1 - (int)(reason))
#define STAGE_CONSUMED (-1000)
typedef int (*stage_handle_fn)(void *ctx, struct rte_mbuf *m);

/* Optional extras of a process that does more than pass items on. */
struct stage_hooks {
	/* Before the handler sees a burst (bulk lookups, prefetching). */
	void (*before_burst)(void *ctx, struct rte_mbuf **m, unsigned n);
	/* Once per pass, after the burst; true if it did something. */
	bool (*tick)(void *ctx);
	/* Work that no input ring shows (timers, requests): keeps it awake. */
	bool (*has_work)(void *ctx);
	/* Smallest key of an item made but not yet given to stage_emit, or
	 * UINT64_MAX: the watermark stays below it. */
	uint64_t (*held_key)(void *ctx);
};

struct stage {
	struct worker_rt *rt;
	struct stage_merge merge;
	unsigned n_out;
	struct stage_output out[STAGE_MAX_OUTPUTS];
	stage_handle_fn handle;
	void *ctx;
	struct stage_hooks hooks;
	uint64_t emitted_key;  /* highest key of an item the process made itself */
};

void stage_init(struct stage *st, struct worker_rt *rt, stage_handle_fn handle, void *ctx);
/* Ring ids from topology.h; the ring must exist in shared memory. */
int stage_add_input(struct stage *st, uint16_t ring_id);
/* Returns the output's index (what the handler returns to use it). */
int stage_add_output(struct stage *st, uint16_t ring_id);

void stage_set_hooks(struct stage *st, const struct stage_hooks *hooks);

/*
 * Puts an item the process made itself (an event item) on output `out`.
 * Its key must be above every key pushed on that output so far and below
 * the next input item's. Returns false if the output has no room now.
 */
bool stage_emit(struct stage *st, unsigned out, struct rte_mbuf *m);

/* Items output `out` can still take before it must be flushed. */
static inline unsigned stage_room(const struct stage *st, unsigned out)
{
	return out < st->n_out ? STAGE_OUT_CAP - st->out[out].n : 0;
}

/* Runs until the orchestrator (or SIGTERM) asks to stop; returns after a
 * graceful drain, or at once for an immediate stop. */
void stage_run(struct stage *st);

#ifdef __cplusplus
}
#endif
#endif
