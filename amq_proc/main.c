/*
 * stellar-amq: merges the plugin workers' outputs back into one ordered
 * stream and hands it to stellar-io for transmission. Rate-limit groups and
 * AQM queues grow here.
 */
#include <stdlib.h>

#include "stage_loop.h"

static int forward_to_tx(void *ctx, struct rte_mbuf *m)
{
	(void)ctx;
	(void)m;
	return 0;
}

int main(int argc, char **argv)
{
	struct worker_rt rt;
	static struct stage st;

	worker_rt_init(&rt, NODE_AMQ, argc, argv);
	stage_init(&st, &rt, forward_to_tx, NULL);
	for (unsigned w = 0; w < rt.shm->max_plugin_workers; w++)
		stage_add_input(&st, topo_ring_plugin_amq(w, rt.index));
	stage_add_output(&st, topo_ring_amq_io(rt.index, 0));
	stage_run(&st);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
