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
#include <sys/stat.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "log.h"
#include "orch.h"
#include "plugin_check.h"
#include "plugin_filter.h"

#include <rte_bpf.h>

/* The routes the plugin declares join those of the configuration, which
 * win for the same method and path. */
static int merge_routes(struct stellar_config *cfg, unsigned i, const struct plugin_probe *pr, char *err,
			size_t errlen)
{
	struct plugin_config *pc = &cfg->plugins[i];

	for (unsigned r = 0; r < pr->n_routes; r++) {
		bool overridden = false;

		for (unsigned k = 0; k < pc->n_routes; k++)
			overridden |= strcmp(pc->routes[k].method, pr->routes[r].method) == 0 &&
				      strcmp(pc->routes[k].path, pr->routes[r].path) == 0;
		if (overridden)
			continue;
		if (pc->n_routes >= HTTP_ROUTES_MAX) {
			snprintf(err, errlen, "%s:%u: plugins[%u].http_routes: with the plugin's own, more than %d",
				 cfg->path, pc->line, i, HTTP_ROUTES_MAX);
			return -1;
		}
		pc->routes[pc->n_routes++] = pr->routes[r];
	}
	return 0;
}

int orch_plugins_check_config(struct stellar_config *cfg, struct plugin_probe *probe, char *err, size_t errlen)
{
	char why[512];

	for (unsigned i = 0; i < cfg->n_plugins; i++) {
		struct plugin_config *pc = &cfg->plugins[i];

		if (plugin_check_file(pc->path, &probe[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%u: plugins[%u].path: %s: %s", cfg->path, pc->line, i, pc->path, why);
			return -1;
		}
		/* One file, one instance: a shared object loaded twice is the
		 * same code with the same globals in every worker. */
		for (unsigned k = 0; k < i; k++) {
			struct stat a, b;

			if (probe[i].kind == PLUGIN_C && stat(pc->path, &a) == 0 && stat(cfg->plugins[k].path, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
				snprintf(err, errlen, "%s:%u: plugins[%u].path: %s is already plugins[%u]: its globals "
					 "would be shared; copy the file to run it twice", cfg->path, pc->line, i,
					 pc->path, k);
				return -1;
			}
		}
		/* The configuration's chain wins; else the plugin's own. */
		if (pc->n_filter == 0) {
			pc->n_filter = probe[i].n_filter;
			memcpy(pc->filter, probe[i].filter, sizeof(pc->filter));
		}
		for (unsigned k = 0; k < pc->n_filter; k++)
			if (plugin_filter_check(pc->filter[k], why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s:%u: plugins[%u].filter[%u]: %s", cfg->path, pc->line, i, k, why);
				return -1;
			}
		if (merge_routes(cfg, i, &probe[i], err, errlen) < 0)
			return -1;
	}
	return orch_http_routes_check(cfg, err, errlen);
}

/* Every stage through DPDK's BPF as the workers will load it (needs the
 * EAL: called once it is up, at start and by config apply). */
int orch_filters_validate(const struct stellar_config *cfg, char *err, size_t errlen)
{
	char why[512];

	for (unsigned i = 0; i < cfg->n_plugins; i++)
		for (unsigned k = 0; k < cfg->plugins[i].n_filter; k++) {
			struct rte_bpf *bpf;

			if (plugin_filter_compile_node(cfg->plugins[i].filter[k], &bpf, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s:%u: plugins[%u].filter[%u]: %s", cfg->path, cfg->plugins[i].line,
					 i, k, why);
				return -1;
			}
			rte_bpf_destroy(bpf);
		}
	return 0;
}

int orch_plugins_check(struct orch *o, char *err, size_t errlen)
{
	return orch_plugins_check_config(&o->cfg, o->probe, err, errlen);
}

void *orch_zone(const char *name, size_t size, const char *what)
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

/* A new slot for plugin `id` (its memory reserved), from its config and probe. */
int orch_plugin_slot_fill(struct orch *o, unsigned id, const struct plugin_config *pc, const struct plugin_probe *pr,
			  uint32_t gen)
{
	struct plugin_slot *sl = &o->shm->plugins.p[id];
	char name[RTE_MEMZONE_NAMESIZE], what[128];

	memset(sl, 0, sizeof(*sl));
	snprintf(sl->name, sizeof(sl->name), "%s", pc->name);
	snprintf(sl->path, sizeof(sl->path), "%s", pc->path);
	sl->kind = pr->kind;
	sl->events = pr->kind == PLUGIN_LUA ? 0xf : pr->events;
	sl->flags = pr->flags;
	sl->ctx_size = (pr->ctx_size + 7) & ~7u;
	sl->global_size = pr->global_size;
	sl->filter_leaf = FILTER_NONE;
	if (orch_plugin_set_config(o, id, pc->config_json, gen) < 0)
		return -1;
	if (sl->global_size) {
		snprintf(what, sizeof(what), "the memory of plugin %s", pc->name);
		snprintf(name, sizeof(name), STELLAR_PLUGIN_MEM_FMT, id);
		if (!(sl->global = orch_zone(name, sl->global_size, what)))
			return -1;
	}
	for (unsigned s = 0; sl->ctx_size && s < o->shm->n_shards; s++) {
		snprintf(what, sizeof(what), "the session contexts of plugin %s (shard %u)", pc->name, s);
		snprintf(name, sizeof(name), STELLAR_PLUGIN_CTX_FMT, id, s);
		sl->ctx[s] = orch_zone(name, (size_t)sl->ctx_size * o->shm->sessions[s]->capacity, what);
		if (!sl->ctx[s])
			return -1;
	}
	return 0;
}

/* A config JSON of generation `gen` for plugin `id`, in a memzone of its
 * own: workers still reading the previous one keep it intact. */
int orch_plugin_set_config(struct orch *o, unsigned id, const char *json, uint32_t gen)
{
	struct plugin_slot *sl = &o->shm->plugins.p[id];
	char name[RTE_MEMZONE_NAMESIZE], what[128];
	size_t len = strlen(json ? json : "{}") + 1;
	char *cfg;

	snprintf(what, sizeof(what), "the config of plugin %s", sl->name);
	snprintf(name, sizeof(name), STELLAR_PLUGIN_CONFIG_FMT "_%u", id, gen);
	if (!(cfg = orch_zone(name, len, what)))
		return -1;
	memcpy(cfg, json ? json : "{}", len);
	__atomic_store_n(&sl->config_json, cfg, __ATOMIC_RELEASE);
	__atomic_store_n(&sl->config_gen, gen, __ATOMIC_RELEASE);
	return 0;
}

/* The filter trie of the configured list, and each plugin's leaf. */
int orch_plugins_plan(struct orch *o, const struct stellar_config *cfg, const uint16_t *ids)
{
	struct plugins_shm *ps = &o->shm->plugins;
	uint16_t leaf[CONFIG_MAX_PLUGINS];

	if (plugin_filter_plan(ps, cfg->plugins, cfg->n_plugins, leaf) < 0) {
		LOG_ERR("the plugins' filters need more than %d trie nodes", FILTER_MAX_NODES);
		return -1;
	}
	memset(ps->node_counts, 0, sizeof(ps->node_counts));
	for (unsigned i = 0; i < cfg->n_plugins; i++)
		ps->p[ids[i]].filter_leaf = leaf[i];
	return 0;
}

int orch_plugins_setup(struct orch *o)
{
	struct plugins_shm *ps = &o->shm->plugins;
	uint16_t ids[CONFIG_MAX_PLUGINS];
	char err[1024];

	if (orch_filters_validate(&o->cfg, err, sizeof(err)) < 0) {
		LOG_ERR("bad plugin: %s", err);
		return -1;
	}
	ps->lua_instructions = o->cfg.plugin_limits.lua_instructions;
	ps->quarantine_crashes = o->cfg.plugin_limits.quarantine_crashes;
	ps->quarantine_window_ms = o->cfg.plugin_limits.quarantine_window_ms;
	for (unsigned i = 0; i < o->cfg.n_plugins; i++) {
		if (orch_plugin_slot_fill(o, i, &o->cfg.plugins[i], &o->probe[i], 1) < 0)
			return -1;
		ids[i] = (uint16_t)i;
		ps->order[i] = (uint16_t)i;
		o->plugin_ids[i] = (uint16_t)i;
	}
	o->generation = 1;
	o->shm->config_generation = 1;
	if (orch_plugins_plan(o, &o->cfg, ids) < 0)
		return -1;
	ps->n_plugins = o->cfg.n_plugins;
	ps->n_order = o->cfg.n_plugins;
	ps->list_gen = 1;
	ps->config_gen = 1;
	return 0;
}

/* A plugin worker died: if it was inside a plugin, that plugin crashed. */
void orch_plugins_worker_died(struct orch *o, uint16_t node, bool its_fault)
{
	struct plugins_shm *ps = &o->shm->plugins;
	uint64_t inside = __atomic_load_n(&o->shm->nodes[node].scratch[PLUGIN_SCRATCH_CURRENT], __ATOMIC_ACQUIRE);
	uint64_t now = orch_now_ms();
	struct plugin_slot *sl;
	unsigned recent = 0;
	uint32_t bit;

	o->shm->nodes[node].scratch[PLUGIN_SCRATCH_CURRENT] = 0;
	/* A rate-limit group it was defining stays half made: free it. */
	for (unsigned g = 0; g < AMQ_MAX_GROUPS; g++) {
		struct amq_group *grp = &o->shm->amq_groups[g];

		if (__atomic_load_n(&grp->state, __ATOMIC_ACQUIRE) == 1 &&
		    grp->owner == o->workers[node].index)
			__atomic_store_n(&grp->state, 0, __ATOMIC_RELEASE);
	}
	if (!its_fault || inside == 0 || inside > ps->n_plugins)
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
