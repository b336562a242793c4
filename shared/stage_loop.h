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

/* Handler result: an output index >= 0, or STAGE_DROP(reason). */
#define STAGE_DROP(reason) (-1 - (int)(reason))
typedef int (*stage_handle_fn)(void *ctx, struct rte_mbuf *m);

struct stage {
	struct worker_rt *rt;
	struct stage_merge merge;
	unsigned n_out;
	struct stage_output out[STAGE_MAX_OUTPUTS];
	stage_handle_fn handle;
	void *ctx;
};

void stage_init(struct stage *st, struct worker_rt *rt, stage_handle_fn handle, void *ctx);
/* Ring ids from topology.h; the ring must exist in shared memory. */
int stage_add_input(struct stage *st, uint16_t ring_id);
/* Returns the output's index (what the handler returns to use it). */
int stage_add_output(struct stage *st, uint16_t ring_id);

/* Runs until the orchestrator (or SIGTERM) asks to stop; returns after a
 * graceful drain, or at once for an immediate stop. */
void stage_run(struct stage *st);

#ifdef __cplusplus
}
#endif
#endif
