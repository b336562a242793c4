/*
 * stellar-session: one process per shard. For now it steers every packet to
 * the plugin worker that owns its flow-hash bucket; the session table, TCP
 * state and timers grow here.
 */
#include <stdlib.h>

#include "mbuf_meta.h"
#include "stage_loop.h"

struct session_shard {
	const struct stellar_shm *shm;
};

static int steer_to_plugin_worker(void *ctx, struct rte_mbuf *m)
{
	const struct session_shard *shard = ctx;

	return shard->shm->steer[pkt_meta(m)->flow_hash % STELLAR_STEER_BUCKETS];
}

int main(int argc, char **argv)
{
	struct worker_rt rt;
	struct session_shard shard;
	static struct stage st;

	worker_rt_init(&rt, NODE_SESSION, argc, argv);
	shard.shm = rt.shm;
	stage_init(&st, &rt, steer_to_plugin_worker, &shard);
	for (unsigned io = 0; io < TOPO_MAX_IO; io++)
		stage_add_input(&st, topo_ring_io_session(io, rt.index));
	/* Output index == plugin worker index, which is what steer[] holds. */
	for (unsigned w = 0; w < rt.shm->max_plugin_workers; w++)
		stage_add_output(&st, topo_ring_session_plugin(rt.index, w));
	stage_run(&st);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
