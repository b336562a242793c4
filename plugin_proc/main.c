/*
 * stellar-plugin: N identical workers, each fed by every session shard.
 * Packets go on to stellar-amq; event items (sessions closing without a
 * packet) end here. Plugin dispatch grows here.
 */
#include <stdlib.h>

#include "plugin_sessions.h"
#include "session_api.h"
#include "stage_loop.h"

struct plugin_worker {
	struct plugin_sessions sessions;
	struct session_api_host api; /* plugins' free callbacks, once plugins load */
};

static int handle(void *ctx, struct rte_mbuf *m)
{
	struct plugin_worker *pw = ctx;

	if (unlikely(pkt_is_event(m))) {
		plugin_sessions_events(&pw->sessions, m);
		pkt_free(m);
		return STAGE_CONSUMED;
	}
	plugin_sessions_packet(&pw->sessions, m);
	return 0;
}

int main(int argc, char **argv)
{
	static struct worker_rt rt;
	static struct stage st;
	static struct plugin_worker pw;

	worker_rt_init(&rt, NODE_PLUGIN, argc, argv);
	plugin_sessions_init(&pw.sessions, &rt, session_api_run_free_cb, &pw.api);
	stage_init(&st, &rt, handle, &pw);
	for (unsigned s = 0; s < rt.shm->n_shards; s++)
		stage_add_input(&st, topo_ring_session_plugin(s, rt.index));
	stage_add_output(&st, topo_ring_plugin_amq(rt.index, 0));
	stage_run(&st);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
