#include "plugin_check.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#define STELLAR_HOST
#include "include/stellar/plugin.h"

/* The entry is to record the table and return the descriptor; should it
 * call the API anyway, it gets refusals, not a crash of the orchestrator. */
static int no_meta_get(struct stellar_session *s, const char *k, void **v, size_t *n)
{
	(void)s, (void)k, (void)v, (void)n;
	return -ENOTSUP;
}
static int no_meta_set(struct stellar_session *s, const char *k, const void *v, size_t n, session_free_cb f)
{
	(void)s, (void)k, (void)v, (void)n, (void)f;
	return -ENOTSUP;
}
static int no_session_key(struct stellar_session *s, const char *k)
{
	(void)s, (void)k;
	return -ENOTSUP;
}
static int no_session(struct stellar_session *s)
{
	(void)s;
	return -ENOTSUP;
}
static int no_session_u32(struct stellar_session *s, uint32_t x)
{
	(void)s, (void)x;
	return -ENOTSUP;
}
static int no_session_u16(struct stellar_session *s, uint16_t x)
{
	(void)s, (void)x;
	return -ENOTSUP;
}
static int no_group(uint32_t g, uint64_t c, uint64_t b)
{
	(void)g, (void)c, (void)b;
	return -ENOTSUP;
}
static const struct stellar_session_info *no_info(struct stellar_session *s)
{
	(void)s;
	return NULL;
}
static const struct stellar_packet_info *no_packet(struct stellar_session *s)
{
	(void)s;
	return NULL;
}
static const char *no_state(uint8_t st)
{
	(void)st;
	return "unknown";
}
static uint16_t no_id(void)
{
	return 0;
}
static void *no_memory(size_t *size)
{
	if (size)
		*size = 0;
	return NULL;
}
static void no_log(int level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
}

static const struct stellar_api probe_api = {
	.size = sizeof(struct stellar_api),
	.abi_version = STELLAR_PLUGIN_ABI,
	.session_get_metadata = no_meta_get,
	.session_set_metadata = no_meta_set,
	.session_del_metadata = no_session_key,
	.session_drop_current_packet = no_session,
	.session_set_ratelimit_group = no_session_u32,
	.session_lock = no_session_u16,
	.session_unlock = no_session_u16,
	.pm_session_dettach_me = no_session,
	.pm_session_dettach_others = no_session,
	.amq_group_create = no_group,
	.session_info = no_info,
	.session_packet = no_packet,
	.state_name = no_state,
	.plugin_id = no_id,
	.plugin_memory = no_memory,
	.log = no_log,
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int probe_lua(const char *path, struct plugin_probe *out, char *err, size_t errlen)
{
	lua_State *L = luaL_newstate();
	int rc = 0;

	if (!L) {
		snprintf(err, errlen, "cannot create a Lua state");
		return -ENOMEM;
	}
	if (luaL_loadfilex(L, path, "t") != LUA_OK) {
		snprintf(err, errlen, "%s", lua_tostring(L, -1));
		rc = -EINVAL;
	}
	lua_close(L);
	out->kind = PLUGIN_LUA;
	out->events = 0xf;
	return rc;
}

_Static_assert(sizeof(((struct stellar_plugin *)0)->http_routes) / sizeof(struct stellar_http_route) ==
		       HTTP_ROUTES_MAX, "the descriptor's routes and the probe's must agree");

static int copy_routes(const struct stellar_plugin *d, struct plugin_probe *out, char *err, size_t errlen)
{
	for (unsigned i = 0; i < HTTP_ROUTES_MAX && d->http_routes[i].method; i++) {
		const struct stellar_http_route *r = &d->http_routes[i];
		struct http_route *o = &out->routes[out->n_routes];

		if (!r->path || !r->command || !http_route_method_valid(r->method) || r->path[0] != '/' ||
		    !r->command[0] || strlen(r->method) >= sizeof(o->method) || strlen(r->path) >= sizeof(o->path) ||
		    strlen(r->command) >= sizeof(o->command)) {
			snprintf(err, errlen, "its http_routes[%u] is not a method (GET, POST, PUT, DELETE, PATCH), a "
				 "path from '/' (under %zu characters) and a command", i, sizeof(o->path));
			return -EINVAL;
		}
		snprintf(o->method, sizeof(o->method), "%s", r->method);
		snprintf(o->path, sizeof(o->path), "%s", r->path);
		snprintf(o->command, sizeof(o->command), "%s", r->command);
		out->n_routes++;
	}
	return 0;
}

static int probe_c(const char *path, struct plugin_probe *out, char *err, size_t errlen)
{
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	stellar_plugin_init_fn init;
	const struct stellar_plugin *d;
	int rc = 0;

	if (!dl) {
		snprintf(err, errlen, "%s", dlerror());
		return -ENOENT;
	}
	init = (stellar_plugin_init_fn)(uintptr_t)dlsym(dl, STELLAR_PLUGIN_ENTRY);
	if (!init) {
		snprintf(err, errlen, "not a Stellar plugin: it has no %s()", STELLAR_PLUGIN_ENTRY);
		rc = -ENOEXEC;
		goto out;
	}
	d = init(&probe_api);
	if (!d) {
		snprintf(err, errlen, "%s() refused plugin ABI %d", STELLAR_PLUGIN_ENTRY, STELLAR_PLUGIN_ABI);
		rc = -EPROTO;
		goto out;
	}
	if (d->abi_version != STELLAR_PLUGIN_ABI || d->size < offsetof(struct stellar_plugin, on_event)) {
		snprintf(err, errlen, "built for plugin ABI %u (descriptor of %u bytes); this Stellar speaks ABI %d: "
			 "rebuild it against include/stellar/plugin.h", d->abi_version, d->size, STELLAR_PLUGIN_ABI);
		rc = -EPROTO;
		goto out;
	}
	out->kind = PLUGIN_C;
	out->events = d->events;
	out->flags = d->flags;
	out->ctx_size = d->ctx_size;
	out->global_size = d->global_size;
	snprintf(out->self_name, sizeof(out->self_name), "%s", d->name ? d->name : "");
	if (d->size >= offsetof(struct stellar_plugin, filter) + sizeof(d->filter))
		for (unsigned i = 0; i < PLUGIN_FILTER_STAGES && i < 8 && d->filter[i]; i++) {
			if (strlen(d->filter[i]) >= PLUGIN_FILTER_MAX) {
				snprintf(err, errlen, "its filter stage %u is longer than %d characters", i,
					 PLUGIN_FILTER_MAX - 1);
				rc = -E2BIG;
				goto out;
			}
			snprintf(out->filter[out->n_filter++], PLUGIN_FILTER_MAX, "%s", d->filter[i]);
		}
	if (d->size >= offsetof(struct stellar_plugin, http_routes) + sizeof(d->http_routes) &&
	    (rc = copy_routes(d, out, err, errlen)) < 0)
		goto out;
	if (d->ctx_size > (1u << 16)) {
		snprintf(err, errlen, "asks for %u bytes of context per session (at most 65536)", d->ctx_size);
		rc = -E2BIG;
	}
out:
	dlclose(dl);
	return rc;
}

int plugin_check_file(const char *path, struct plugin_probe *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (ends_with(path, ".lua"))
		return probe_lua(path, out, err, errlen);
	if (ends_with(path, ".so"))
		return probe_c(path, out, err, errlen);
	snprintf(err, errlen, "a plugin is a .so (C) or a .lua file");
	return -EINVAL;
}

int plugin_filter_compile(const char *expr, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	int rc = 0;

	if (!dead) {
		snprintf(err, errlen, "libpcap could not start");
		return -ENOMEM;
	}
	if (pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "'%s': %s", expr, pcap_geterr(dead));
		rc = -EINVAL;
	}
	pcap_close(dead);
	return rc;
}

int plugin_filter_check(const char *expr, char *err, size_t errlen)
{
	struct bpf_program prog;
	int rc = plugin_filter_compile(expr, &prog, err, errlen);

	if (rc == 0)
		pcap_freecode(&prog);
	return rc;
}

int plugin_filter_plan(struct plugins_shm *ps, const struct plugin_config *plugins, unsigned n_plugins,
		       uint16_t *leaf)
{
	ps->n_nodes = 0;
	for (unsigned p = 0; p < n_plugins; p++) {
		uint16_t parent = FILTER_NONE;

		for (unsigned k = 0; k < plugins[p].n_filter; k++) {
			uint16_t found = FILTER_NONE;

			for (uint16_t i = 0; i < ps->n_nodes; i++)
				if (ps->node[i].parent == parent && strcmp(ps->node[i].expr, plugins[p].filter[k]) == 0)
					found = i;
			if (found == FILTER_NONE) {
				if (ps->n_nodes >= FILTER_MAX_NODES)
					return -ENOSPC;
				found = (uint16_t)ps->n_nodes++;
				snprintf(ps->node[found].expr, sizeof(ps->node[found].expr), "%s", plugins[p].filter[k]);
				ps->node[found].parent = parent;
				ps->node[found].subscribers = 0;
			}
			parent = found;
		}
		leaf[p] = parent;
		if (parent != FILTER_NONE)
			ps->node[parent].subscribers++;
	}
	return 0;
}
