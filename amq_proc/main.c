/*
 * stellar-amq: merges the plugin workers' outputs back into one ordered
 * stream, applies the rate-limit groups plugins defined, and hands what
 * passes to stellar-io for transmission. AQM queues grow here.
 */
#include <stdlib.h>

#include "amq_ratelimit.h"
#include "stage_loop.h"

static int forward_to_tx(void *ctx, struct rte_mbuf *m)
{
	return amq_ratelimit_pass(ctx, m) ? 0 : STAGE_DROP(DROP_RATELIMIT);
}

int main(int argc, char **argv)
{
	struct worker_rt rt;
	static struct stage st;
	static struct amq_ratelimit rl;

	worker_rt_init(&rt, NODE_AMQ, argc, argv);
	amq_ratelimit_init(&rl, rt.shm->amq_groups, rt.hz);
	stage_init(&st, &rt, forward_to_tx, &rl);
	for (unsigned w = 0; w < rt.shm->max_plugin_workers; w++)
		stage_add_input(&st, topo_ring_plugin_amq(w, rt.index));
	stage_add_output(&st, topo_ring_amq_io(rt.index, 0));
	stage_run(&st);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
