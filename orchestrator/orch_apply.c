/*
 * Applying a whole new configuration to a running instance (stellarctl
 * apply FILE). It is checked first, whole: a config that does not parse, a
 * plugin that does not load, a filter that does not compile, or a change
 * only a restart of the instance can make, is refused with the reason and
 * nothing changes. Then, under a new generation number:
 *   - a plugin's new `config:` goes to every worker, which hands it to the
 *     plugin's reconfigure() (Lua: on_config); a plugin without one, or
 *     that refuses, gets its worker restarted gracefully;
 *   - a changed plugin list (added, removed, reordered, another binary) is
 *     a rolling restart of the plugin workers, one at a time, none lost;
 *   - pipeline.plugin_workers scales; timeouts and limits take effect.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "orch.h"

/* A plugin worker that has not answered a ConfigPush gets it again. */
#define CONFIG_RESEND_MS 200

/* Every running plugin worker: take the plugins' configs of ack_gen. */
static void push_config(struct orch *o)
{
	for (unsigned w = 0; w < o->shm->max_plugin_workers; w++) {
		struct orch_worker *wk = &o->workers[topo_node_id(NODE_PLUGIN, w)];

		if (wk->enabled && wk->pid)
			orch_worker_send_config(o, wk, o->ack_gen);
	}
}

/* What only a restart of the instance can change. */
static const char *fixed_difference(const struct stellar_config *a, const struct stellar_config *b)
{
	if (strcmp(a->instance, b->instance) != 0)
		return "instance";
	if (a->n_ports != b->n_ports || memcmp(a->ports, b->ports, sizeof(a->ports)) != 0)
		return "ports";
	if (memcmp(&a->decode, &b->decode, sizeof(a->decode)) != 0)
		return "decode";
	if (memcmp(&a->session, &b->session, sizeof(a->session)) != 0)
		return "session";
	if (a->pipeline.max_plugin_workers != b->pipeline.max_plugin_workers)
		return "pipeline.max_plugin_workers";
	if (a->pipeline.session_shards != b->pipeline.session_shards)
		return "pipeline.session_shards";
	if (a->pipeline.ring_size != b->pipeline.ring_size)
		return "pipeline.ring_size";
	if (a->pipeline.mbufs != b->pipeline.mbufs)
		return "pipeline.mbufs";
	if (strcmp(a->pipeline.cpus, b->pipeline.cpus) != 0)
		return "pipeline.cpus";
	/* The client key list may change (a new handshake checks it); the
	 * endpoint is bound once. */
	if (strcmp(a->control.endpoint, b->control.endpoint) != 0 ||
	    strcmp(a->control.secret_key, b->control.secret_key) != 0)
		return "control.endpoint and control.secret_key";
	if (strcmp(a->http.address, b->http.address) != 0 || a->http.port != b->http.port ||
	    strcmp(a->http.token, b->http.token) != 0)
		return "http";
	return NULL;
}

static bool same_filter(const struct plugin_config *a, const struct plugin_config *b)
{
	return a->n_filter == b->n_filter && memcmp(a->filter, b->filter, sizeof(a->filter)) == 0;
}

static bool same_probe(const struct plugin_probe *a, const struct plugin_probe *b)
{
	return a->kind == b->kind && a->events == b->events && a->flags == b->flags && a->ctx_size == b->ctx_size &&
	       a->global_size == b->global_size;
}

/* The running plugin of that name whose binary and declaration are the
 * same: it keeps its id, its contexts and its memory. */
static int same_plugin(const struct orch *o, const struct plugin_config *pc, const struct plugin_probe *pr)
{
	for (unsigned i = 0; i < o->cfg.n_plugins; i++) {
		const struct plugin_config *old = &o->cfg.plugins[i];

		if (strcmp(old->name, pc->name) == 0 && strcmp(old->path, pc->path) == 0 &&
		    same_probe(&o->probe[i], pr) && same_filter(old, pc))
			return (int)o->plugin_ids[i];
	}
	return -1;
}

static void append(char *buf, size_t len, const char *fmt, const char *arg)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, fmt, arg);
}

int orch_apply(struct orch *o, const char *name, const char *yaml, size_t yaml_len, char *msg, size_t len)
{
	static struct stellar_config next;
	static struct plugin_probe probe[CONFIG_MAX_PLUGINS];
	struct plugins_shm *ps = &o->shm->plugins;
	struct config_error err;
	uint16_t ids[CONFIG_MAX_PLUGINS];
	char dir[STELLAR_PATH_MAX], live[512] = "", why[1024];
	const char *fixed;
	bool list_changed, config_changed = false;
	uint32_t gen;

	if (o->phase != PHASE_RUNNING) {
		snprintf(msg, len, "the instance is %s", orch_phase_name(o->phase));
		return -EBUSY;
	}
	if (o->scale_target || o->roll_mask || o->ack_gen) {
		snprintf(msg, len, "the previous change (generation %u) is still being carried out", o->generation);
		return -EBUSY;
	}
	snprintf(dir, sizeof(dir), "%s", name);
	if (config_load_string(yaml, yaml_len, name, dirname(dir), &next, &err) < 0) {
		config_error_format(&err, why, sizeof(why));
		snprintf(msg, len, "bad config, nothing changed: %s", why);
		config_release(&next);
		return -EINVAL;
	}
	if (orch_plugins_check_config(&next, probe, why, sizeof(why)) < 0 ||
	    orch_filters_validate(&next, why, sizeof(why)) < 0) {
		snprintf(msg, len, "bad plugin, nothing changed: %s", why);
		config_release(&next);
		return -EINVAL;
	}
	if ((fixed = fixed_difference(&o->cfg, &next))) {
		snprintf(msg, len, "%s: %s cannot change on a running instance; nothing changed (restart the instance "
			 "with this config)", name, fixed);
		config_release(&next);
		return -EPERM;
	}
	if (next.pipeline.plugin_workers > next.pipeline.max_plugin_workers) {
		snprintf(msg, len, "%s: pipeline.plugin_workers: above max_plugin_workers (%u); nothing changed", name,
			 next.pipeline.max_plugin_workers);
		config_release(&next);
		return -EINVAL;
	}

	/* Plugin ids: kept for the same plugin, new ones taken for others. */
	list_changed = next.n_plugins != o->cfg.n_plugins;
	for (unsigned i = 0, fresh = ps->n_plugins; i < next.n_plugins; i++) {
		int id = same_plugin(o, &next.plugins[i], &probe[i]);

		if (id < 0) {
			if (fresh >= PLUGIN_MAX) {
				snprintf(msg, len, "no plugin id left (%d per instance); nothing changed: restart the "
					 "instance", PLUGIN_MAX);
				config_release(&next);
				return -ENOSPC;
			}
			id = (int)fresh++;
		}
		ids[i] = (uint16_t)id;
		if (i >= o->cfg.n_plugins || o->plugin_ids[i] != ids[i])
			list_changed = true;
	}

	gen = ++o->generation;
	for (unsigned i = 0; i < next.n_plugins; i++) {
		uint16_t id = ids[i];

		if (id >= ps->n_plugins) {
			if (orch_plugin_slot_fill(o, id, &next.plugins[i], &probe[i], gen) < 0)
				goto failed;
			ps->n_plugins = id + 1u;
			continue;
		}
		if (strcmp(ps->p[id].config_json, next.plugins[i].config_json ? next.plugins[i].config_json : "{}") == 0)
			continue;
		if (orch_plugin_set_config(o, id, next.plugins[i].config_json, gen) < 0)
			goto failed;
		config_changed = true;
		append(live, sizeof(live), "%s", live[0] ? ", " : "");
		append(live, sizeof(live), "%s", next.plugins[i].name);
	}
	if (list_changed) {
		for (unsigned i = 0; i < o->cfg.n_plugins; i++) {
			bool kept = false;

			for (unsigned k = 0; k < next.n_plugins; k++)
				kept |= ids[k] == o->plugin_ids[i];
			if (!kept)
				ps->p[o->plugin_ids[i]].retired = 1;
		}
		if (orch_plugins_plan(o, &next, ids) < 0)
			goto failed;
		memcpy(ps->order, ids, sizeof(ids));
		__atomic_store_n(&ps->n_order, next.n_plugins, __ATOMIC_RELEASE);
		__atomic_store_n(&ps->list_gen, gen, __ATOMIC_RELEASE);
	}
	ps->lua_instructions = next.plugin_limits.lua_instructions;
	ps->quarantine_crashes = next.plugin_limits.quarantine_crashes;
	ps->quarantine_window_ms = next.plugin_limits.quarantine_window_ms;
	if (config_changed) {
		__atomic_store_n(&ps->config_gen, gen, __ATOMIC_RELEASE);
		o->ack_gen = gen;
		push_config(o);
	}
	memcpy(o->plugin_ids, ids, sizeof(ids));
	memcpy(o->probe, probe, sizeof(probe));

	snprintf(msg, len, "generation %u applied from %s", gen, name);
	if (config_changed)
		append(msg, len, "; live: the config of %s (a plugin that cannot take it restarts its workers)", live);
	if (list_changed) {
		for (unsigned w = 0; w < o->shm->max_plugin_workers; w++)
			if (o->workers[topo_node_id(NODE_PLUGIN, w)].enabled)
				o->roll_mask |= 1u << w;
		append(msg, len, "%s", "; the plugin list changed: rolling restart of the plugin workers");
	}
	if (next.pipeline.plugin_workers != orch_active_plugin_workers(o)) {
		char scale[160];

		orch_scale_plugins(o, next.pipeline.plugin_workers, scale, sizeof(scale));
		append(msg, len, "; %s", scale);
	}
	if (!config_changed && !list_changed && next.pipeline.plugin_workers == o->cfg.pipeline.plugin_workers)
		append(msg, len, "%s", "; nothing to change");
	o->cfg.pipeline.drain_timeout_ms = next.pipeline.drain_timeout_ms;
	o->cfg.pipeline.heartbeat_timeout_ms = next.pipeline.heartbeat_timeout_ms;
	config_release(&o->cfg);
	o->cfg = next;
	orch_http_routes_update(o);
	memset(&next, 0, sizeof(next)); /* its strings are o->cfg's now */
	o->shm->config_generation = gen;
	LOG_INFO("%s", msg);
	return 0;
failed:
	snprintf(msg, len, "out of shared memory while applying generation %u (see the log); plugins may be in a "
		 "mixed state: restart the instance", gen);
	config_release(&next);
	return -ENOMEM;
}

/* Carries out what apply started: workers that could not take a config
 * live, and rolling restarts, one worker at a time. */
void orch_apply_tick(struct orch *o)
{
	if (o->ack_gen) {
		bool all = true;

		for (unsigned w = 0; w < o->shm->max_plugin_workers; w++) {
			struct orch_worker *wk = &o->workers[topo_node_id(NODE_PLUGIN, w)];

			/* One still starting may have read the configs just
			 * before they changed, and missed the push. */
			if (!wk->enabled || wk->retiring || !wk->pid ||
			    (wk->state != WORKER_RUNNING && wk->state != WORKER_STARTING))
				continue;
			if (wk->config_acked < o->ack_gen) {
				all = false;
				/* Not connected yet when it was sent, or lost: again. */
				if (orch_now_ms() - wk->config_pushed_ms >= CONFIG_RESEND_MS)
					orch_worker_send_config(o, wk, o->ack_gen);
			} else if (wk->config_needs_restart) {
				o->roll_mask |= 1u << w;
			}
		}
		if (all)
			o->ack_gen = 0;
	}
	if (!o->roll_mask)
		return;
	for (unsigned w = 0; w < o->shm->max_plugin_workers; w++) {
		const struct orch_worker *wk = &o->workers[topo_node_id(NODE_PLUGIN, w)];

		/* One at a time: wait while any plugin worker is not running. */
		if (wk->enabled && (wk->state != WORKER_RUNNING || wk->restart_requested))
			return;
	}
	for (unsigned w = 0; w < o->shm->max_plugin_workers; w++) {
		char msg[160];

		if (!(o->roll_mask & (1u << w)))
			continue;
		o->roll_mask &= ~(1u << w);
		if (!o->workers[topo_node_id(NODE_PLUGIN, w)].enabled)
			continue;
		if (orch_worker_restart(o, NODE_PLUGIN, w, false, msg, sizeof(msg)) == 0)
			LOG_INFO("rolling restart: %s", msg);
		return;
	}
}
