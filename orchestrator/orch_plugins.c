/*
 * Plugins, from the orchestrator's side: checked before anything starts
 * (every plugin loads, speaks our ABI, every filter compiles), given their
 * shared memory (per-session contexts per shard, global memory, config),
 * watched for crashes (a C plugin that takes its worker down K times
 * within T is quarantined), and reached by plugin commands.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "log.h"
#include "orch.h"
#include "plugin_check.h"

int orch_plugins_check(struct orch *o, char *err, size_t errlen)
{
	char why[512];

	for (unsigned i = 0; i < o->cfg.n_plugins; i++) {
		struct plugin_config *pc = &o->cfg.plugins[i];

		if (plugin_check_file(pc->path, &o->probe[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%u: plugins[%u].path: %s: %s", o->cfg.path, pc->line, i, pc->path, why);
			return -1;
		}
		/* The configuration's chain wins; else the plugin's own. */
		if (pc->n_filter == 0) {
			pc->n_filter = o->probe[i].n_filter;
			memcpy(pc->filter, o->probe[i].filter, sizeof(pc->filter));
		}
		if (o->probe[i].kind == PLUGIN_LUA && pc->n_filter == 0)
			o->probe[i].events = 0xf;
		for (unsigned k = 0; k < pc->n_filter; k++)
			if (plugin_filter_check(pc->filter[k], why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s:%u: plugins[%u].filter[%u]: %s", o->cfg.path, pc->line, i, k, why);
				return -1;
			}
	}
	return 0;
}

static void *zone(const char *name, size_t size, const char *what)
{
	const struct rte_memzone *mz = rte_memzone_reserve_aligned(name, size ? size : 64, (int)rte_socket_id(), 0, 64);

	if (!mz) {
		LOG_ERR("cannot reserve %zu KiB for %s: %s (reserve more hugepages, or lower "
			"session.max_sessions)", size >> 10, what, rte_strerror(rte_errno));
		return NULL;
	}
	memset(mz->addr, 0, size ? size : 64);
	return mz->addr;
}

int orch_plugins_setup(struct orch *o)
{
	struct plugins_shm *ps = &o->shm->plugins;
	uint16_t leaf[PLUGIN_MAX];
	char name[RTE_MEMZONE_NAMESIZE], what[128];

	ps->n_plugins = o->cfg.n_plugins;
	ps->lua_instructions = o->cfg.plugin_limits.lua_instructions;
	ps->quarantine_crashes = o->cfg.plugin_limits.quarantine_crashes;
	ps->quarantine_window_ms = o->cfg.plugin_limits.quarantine_window_ms;
	if (plugin_filter_plan(ps, o->cfg.plugins, o->cfg.n_plugins, leaf) < 0) {
		LOG_ERR("the plugins' filters need more than %d trie nodes", FILTER_MAX_NODES);
		return -1;
	}
	for (unsigned i = 0; i < o->cfg.n_plugins; i++) {
		const struct plugin_config *pc = &o->cfg.plugins[i];
		const struct plugin_probe *pr = &o->probe[i];
		struct plugin_slot *sl = &ps->p[i];
		size_t len = strlen(pc->config_json ? pc->config_json : "{}") + 1;
		char *cfg;

		snprintf(sl->name, sizeof(sl->name), "%s", pc->name);
		snprintf(sl->path, sizeof(sl->path), "%s", pc->path);
		sl->kind = pr->kind;
		sl->events = pr->events;
		sl->flags = pr->flags;
		sl->ctx_size = (pr->ctx_size + 7) & ~7u;
		sl->global_size = pr->global_size;
		sl->filter_leaf = leaf[i];
		snprintf(what, sizeof(what), "the config of plugin %s", pc->name);
		snprintf(name, sizeof(name), STELLAR_PLUGIN_CONFIG_FMT, i);
		if (!(cfg = zone(name, len, what)))
			return -1;
		memcpy(cfg, pc->config_json ? pc->config_json : "{}", len);
		sl->config_json = cfg;
		if (sl->global_size) {
			snprintf(what, sizeof(what), "the memory of plugin %s", pc->name);
			snprintf(name, sizeof(name), STELLAR_PLUGIN_MEM_FMT, i);
			if (!(sl->global = zone(name, sl->global_size, what)))
				return -1;
		}
		for (unsigned s = 0; sl->ctx_size && s < o->shm->n_shards; s++) {
			snprintf(what, sizeof(what), "the session contexts of plugin %s (shard %u)", pc->name, s);
			snprintf(name, sizeof(name), STELLAR_PLUGIN_CTX_FMT, i, s);
			sl->ctx[s] = zone(name, (size_t)sl->ctx_size * o->shm->sessions[s]->capacity, what);
			if (!sl->ctx[s])
				return -1;
		}
	}
	return 0;
}

/* A plugin worker died: if it was inside a plugin, that plugin crashed. */
void orch_plugins_worker_died(struct orch *o, uint16_t node)
{
	struct plugins_shm *ps = &o->shm->plugins;
	uint64_t inside = __atomic_load_n(&o->shm->nodes[node].scratch[PLUGIN_SCRATCH_CURRENT], __ATOMIC_ACQUIRE);
	uint64_t now = orch_now_ms();
	struct plugin_slot *sl;
	unsigned recent = 0;
	uint32_t bit;

	o->shm->nodes[node].scratch[PLUGIN_SCRATCH_CURRENT] = 0;
	if (inside == 0 || inside > ps->n_plugins)
		return;
	sl = &ps->p[inside - 1];
	bit = 1u << (inside - 1);
	sl->crash_ms[sl->crashes % PLUGIN_CRASH_HISTORY] = now;
	sl->crashes++;
	for (unsigned i = 0; i < PLUGIN_CRASH_HISTORY && i < sl->crashes; i++)
		if (now - sl->crash_ms[i] <= ps->quarantine_window_ms)
			recent++;
	LOG_WARN("plugin %s crashed its worker (crash %u; %u within %u ms)", sl->name, sl->crashes, recent,
		 ps->quarantine_window_ms);
	if (recent < ps->quarantine_crashes || (ps->quarantined_mask & bit))
		return;
	/* Its sessions are detached from it: workers skip it, and the
	 * session shards stop honouring its locks. */
	__atomic_fetch_or(&ps->quarantined_mask, bit, __ATOMIC_RELEASE);
	for (unsigned s = 0; s < o->shm->n_shards; s++)
		__atomic_fetch_or(&o->shm->sessions[s]->lock_ignore, bit, __ATOMIC_RELEASE);
	LOG_ERR("ALERT: plugin %s quarantined after %u crashes within %u ms: disabled, its sessions "
		"detached; fix it and restart the instance to load it again",
		sl->name, recent, ps->quarantine_window_ms);
}

int orch_plugin_index(const struct orch *o, const char *name)
{
	for (unsigned i = 0; i < o->cfg.n_plugins; i++)
		if (strcmp(o->cfg.plugins[i].name, name) == 0)
			return (int)i;
	return -1;
}
