/*
 * stellar-plugin: N identical workers, each fed by every session shard. For
 * now every packet is passed on to stellar-amq; plugin dispatch grows here.
 */
#include <stdlib.h>

#include "stage_loop.h"

static int forward_to_amq(void *ctx, struct rte_mbuf *m)
{
	(void)ctx;
	(void)m;
	return 0;
}

int main(int argc, char **argv)
{
	struct worker_rt rt;
	static struct stage st;

	worker_rt_init(&rt, NODE_PLUGIN, argc, argv);
	stage_init(&st, &rt, forward_to_amq, NULL);
	for (unsigned s = 0; s < rt.shm->n_shards; s++)
		stage_add_input(&st, topo_ring_session_plugin(s, rt.index));
	stage_add_output(&st, topo_ring_plugin_amq(rt.index, 0));
	stage_run(&st);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
