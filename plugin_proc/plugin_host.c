/* Loading the configured plugins in a worker. */
#include "plugin_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "plugin_lua.h"

/* A descriptor from an older or newer build: take what both know, zero the
 * rest; refuse another ABI outright. */
static int take_descriptor(struct plugin_rt *rt, const struct stellar_plugin *d, char *err, size_t len)
{
	if (!d) {
		snprintf(err, len, "its %s() refused this Stellar (ABI %d)", STELLAR_PLUGIN_ENTRY, STELLAR_PLUGIN_ABI);
		return -EPROTO;
	}
	if (d->abi_version != STELLAR_PLUGIN_ABI) {
		snprintf(err, len, "built for plugin ABI %u, this Stellar speaks %d: rebuild it against "
			 "include/stellar/plugin.h", d->abi_version, STELLAR_PLUGIN_ABI);
		return -EPROTO;
	}
	if (d->size < offsetof(struct stellar_plugin, on_event)) {
		snprintf(err, len, "descriptor of %u bytes is too small", d->size);
		return -EPROTO;
	}
	memset(&rt->desc, 0, sizeof(rt->desc));
	memcpy(&rt->desc, d, d->size < sizeof(rt->desc) ? d->size : sizeof(rt->desc));
	return 0;
}

static int load_c(struct plugin_host *h, uint16_t id, char *err, size_t len)
{
	struct plugin_rt *rt = &h->p[id];
	stellar_plugin_init_fn init;
	int rc;

	rt->dl = dlopen(rt->slot->path, RTLD_NOW | RTLD_LOCAL);
	if (!rt->dl) {
		snprintf(err, len, "%s", dlerror());
		return -ENOENT;
	}
	init = (stellar_plugin_init_fn)(uintptr_t)dlsym(rt->dl, STELLAR_PLUGIN_ENTRY);
	if (!init) {
		snprintf(err, len, "not a Stellar plugin: no %s symbol", STELLAR_PLUGIN_ENTRY);
		return -ENOEXEC;
	}
	if ((rc = take_descriptor(rt, init(&plugin_api_table), err, len)) < 0)
		return rc;
	for (unsigned i = 0; i < sizeof(rt->desc.free_callbacks) / sizeof(rt->desc.free_callbacks[0]); i++)
		if (rt->desc.free_callbacks[i])
			session_api_declare_free_cb(&h->api, id, rt->desc.free_callbacks[i]);
	rt->events = rt->desc.events;
	if (rt->desc.load) {
		plugin_enter(h, id);
		rc = rt->desc.load(id, rt->slot->config_json ? rt->slot->config_json : "{}");
		plugin_leave(h, 0, false);
		if (rc < 0) {
			snprintf(err, len, "its load() refused its config: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Free callbacks run as the plugin that set the value (session_api.c). */
static uint16_t free_cb_enter(void *ctx, uint16_t plugin)
{
	struct plugin_host *h = ctx;
	uint16_t previous = h->call.plugin;

	h->free_cb_depth++;
	plugin_enter(h, plugin);
	return previous;
}

static void free_cb_leave(void *ctx, uint16_t previous)
{
	struct plugin_host *h = ctx;

	h->free_cb_depth--;
	/* Back inside the caller if a plugin's call set this off, else none. */
	plugin_leave(h, previous, h->in_call || h->free_cb_depth);
}

unsigned plugin_host_init(struct plugin_host *h, const struct plugin_env *env)
{
	char err[512], ferr[512];
	unsigned loaded = 0;

	memset(h, 0, sizeof(*h));
	h->env = *env;
	h->api.quarantined = &env->plugins->quarantined_mask;
	h->api.enter = free_cb_enter;
	h->api.leave = free_cb_leave;
	h->api.ctx = h;
	plugin_api_bind(h);
	if (plugin_filter_init(&h->filter, env->plugins, env->node_counts, ferr, sizeof(ferr)) < 0)
		LOG_ERR("filters: %s; the plugins whose chain has it are left out", ferr);
	h->n = env->plugins->n_plugins;
	h->config_gen = __atomic_load_n(&env->plugins->config_gen, __ATOMIC_ACQUIRE);
	h->n_order = env->plugins->n_order;
	memcpy(h->order, env->plugins->order, sizeof(h->order));
	for (unsigned k = 0; k < h->n_order; k++) {
		uint16_t id = h->order[k];
		struct plugin_rt *rt = &h->p[id];
		int rc;

		rt->slot = &env->plugins->p[id];
		rt->filter_leaf = rt->slot->filter_leaf;
		rt->config_gen = rt->slot->config_gen;
		err[0] = '\0';
		/* Quarantined: no worker runs any of its code again. */
		if (__atomic_load_n(&env->plugins->quarantined_mask, __ATOMIC_ACQUIRE) & (1u << id)) {
			LOG_WARN("plugin %s is quarantined; not loaded", rt->slot->name);
			continue;
		}
		if (!plugin_filter_usable(&h->filter, rt->filter_leaf)) {
			LOG_ERR("plugin %s: its filter chain did not compile in this worker; left out", rt->slot->name);
			continue;
		}
		if (rt->slot->kind == PLUGIN_LUA) {
			plugin_enter(h, id);
			rt->lua = plugin_lua_load(h, id, rt->slot->path, rt->slot->config_json,
						  env->plugins->lua_instructions, err, sizeof(err));
			plugin_leave(h, 0, false);
			rc = rt->lua ? 0 : -EINVAL;
			if (rt->lua)
				rt->events = plugin_lua_events(rt->lua);
		} else {
			rc = load_c(h, id, err, sizeof(err));
		}
		if (rc < 0) {
			LOG_ERR("plugin %s (%s) not loaded: %s", rt->slot->name, rt->slot->path, err);
			continue;
		}
		rt->loaded = true;
		loaded++;
	}
	return loaded;
}

bool plugin_host_reconfigure(struct plugin_host *h)
{
	uint32_t gen = __atomic_load_n(&h->env.plugins->config_gen, __ATOMIC_ACQUIRE);
	bool restart = false;

	if (gen == h->config_gen)
		return false;
	for (unsigned k = 0; k < h->n_order; k++) {
		uint16_t id = h->order[k];
		struct plugin_rt *rt = &h->p[id];
		uint32_t cg = __atomic_load_n(&rt->slot->config_gen, __ATOMIC_ACQUIRE);
		int rc = -ENOTSUP;

		if (!rt->loaded || cg == rt->config_gen)
			continue;
		h->call.rec = NULL;
		plugin_enter(h, id);
		if (rt->lua)
			rc = plugin_lua_reconfigure(rt->lua, rt->slot->config_json);
		else if (rt->desc.reconfigure)
			rc = rt->desc.reconfigure(rt->slot->config_json);
		plugin_leave(h, 0, false);
		if (rc < 0) {
			LOG_INFO("plugin %s needs a restart for its new config", rt->slot->name);
			restart = true;
			continue;
		}
		rt->config_gen = cg;
		LOG_INFO("plugin %s took its new config live", rt->slot->name);
	}
	h->config_gen = gen;
	return restart;
}

void plugin_host_fini(struct plugin_host *h)
{
	for (unsigned k = 0; k < h->n_order; k++) {
		uint16_t id = h->order[k];
		struct plugin_rt *rt = &h->p[id];

		plugin_enter(h, id);
		if (rt->loaded && rt->desc.unload)
			rt->desc.unload();
		if (rt->lua)
			plugin_lua_close(rt->lua);
		plugin_leave(h, 0, false);
		/* Not dlclose()d: a free callback of this plugin may still be
		 * reached through the session API until the process ends. */
		rt->loaded = false;
	}
	plugin_filter_fini(&h->filter);
}
