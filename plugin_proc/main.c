/*
 * stellar-plugin: N identical workers, each fed by every session shard.
 * Each loads the configured plugins and dispatches packets and session
 * events to them; packets then go on to stellar-amq, event items (sessions
 * closing without a packet) end here.
 */
#include <stdlib.h>

#include "plugin_command.h"
#include "plugin_host.h"
#include "plugin_sessions.h"
#include "stage_loop.h"

struct plugin_worker {
	struct plugin_sessions sessions;
	struct plugin_host host;
	struct worker_rt *rt;
	bool needs_restart;        /* for the configs it runs with */
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
	return plugin_dispatch_packet(&pw->host, m);
}

/* A config apply (ConfigPush): take the plugins' new configs from shared
 * memory and say whether this worker needs a restart for some of them (the
 * orchestrator does it). A push repeated for a generation already taken is
 * only answered again. */
static bool tick(void *ctx)
{
	struct plugin_worker *pw = ctx;

	if (!pw->rt->config_push_pending)
		return false;
	pw->rt->config_push_pending = false;
	if (pw->rt->config_push > pw->host.config_gen)
		pw->needs_restart = plugin_host_reconfigure(&pw->host);
	worker_rt_send_config_ack(pw->rt, pw->host.config_gen, pw->needs_restart);
	return true;
}

static bool has_work(void *ctx)
{
	struct plugin_worker *pw = ctx;

	return pw->rt->config_push_pending;
}

static void close_hook(void *ctx, const struct session_event *ev)
{
	plugin_dispatch_close(ctx, ev);
}

static void worker_env(struct worker_rt *rt, struct plugin_env *env)
{
	struct stellar_shm *shm = rt->shm;

	env->n_shards = shm->n_shards;
	for (unsigned s = 0; s < shm->n_shards; s++) {
		env->tables[s] = shm->sessions[s];
		env->metas[s] = shm->meta[s];
	}
	env->plugins = &shm->plugins;
	env->counts = shm->plugins.counts[rt->index];
	env->node_counts = shm->plugins.node_counts[rt->index];
	env->current = &rt->slot->scratch[PLUGIN_SCRATCH_CURRENT];
	env->groups = shm->amq_groups;
	env->worker_index = rt->index;
}

int main(int argc, char **argv)
{
	static struct worker_rt rt;
	static struct stage st;
	static struct plugin_worker pw;
	struct plugin_env env;
	struct stage_hooks hooks = {.tick = tick, .has_work = has_work};

	worker_rt_init(&rt, NODE_PLUGIN, argc, argv);
	worker_env(&rt, &env);
	pw.rt = &rt;
	/* A crash while loading is not a plugin call: start clean. */
	*env.current = 0;
	plugin_host_init(&pw.host, &env);
	plugin_sessions_init(&pw.sessions, &rt, session_api_run_free_cb, &pw.host.api);
	pw.sessions.on_close = close_hook;
	pw.sessions.on_close_ctx = &pw.host;
	plugin_command_bind(&rt, &pw.host);
	stage_init(&st, &rt, handle, &pw);
	stage_set_hooks(&st, &hooks);
	for (unsigned s = 0; s < rt.shm->n_shards; s++)
		stage_add_input(&st, topo_ring_session_plugin(s, rt.index));
	stage_add_output(&st, topo_ring_plugin_amq(rt.index, 0));
	stage_run(&st);
	plugin_host_fini(&pw.host);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
