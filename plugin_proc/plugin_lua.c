/* Lua 5.4 plugins: the sandboxed interpreter and its calls (plugin_lua.h). */
#include "plugin_lua.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "log.h"
#include "plugin_host.h"
#include "plugin_lua_internal.h"

#define LUA_MEMORY_MAX (64u << 20) /* per interpreter */
#define HOOK_EVERY     1000        /* instructions between budget checks */
#define LOGGED_ERRORS  10          /* then only counted */

static const char *const cb_names[CB_MAX] = {"on_packet", "on_event", "on_error", "on_command"};


/* The allocator keeps a budget so a script cannot eat the worker. */
static void *lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct plugin_lua *l = ud;
	size_t old = ptr ? osize : 0;

	if (nsize == 0) {
		l->mem -= old;
		free(ptr);
		return NULL;
	}
	if (nsize > old && l->mem + (nsize - old) > LUA_MEMORY_MAX)
		return NULL;
	void *n = realloc(ptr, nsize);
	if (n)
		l->mem += nsize - old;
	return n;
}

/* Installed once: re-arming a hook per call costs more than the call.
 * Each call starts with a fresh budget (ticks = 0). */
static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct plugin_lua *l = *(struct plugin_lua **)lua_getextraspace(L);

	(void)ar;
	if (!l->limit_hit && ++l->ticks * (uint64_t)HOOK_EVERY < l->limit)
		return;
	if (!l->limit_hit) {
		l->limit_hit = true;
		/* From now on every instruction fails, until the call ends. */
		lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
	}
	luaL_error(L, "instruction limit reached");
}

/* load() for text only: bytecode can break out of any sandbox. */
static int l_safe_load(lua_State *L)
{
	int n = lua_gettop(L), args = 3;

	lua_pushvalue(L, lua_upvalueindex(1)); /* the real load */
	lua_pushvalue(L, 1);
	if (n >= 2)
		lua_pushvalue(L, 2);
	else
		lua_pushnil(L);
	lua_pushliteral(L, "t");
	if (n >= 4) {
		lua_pushvalue(L, 4);
		args = 4;
	}
	lua_call(L, args, LUA_MULTRET);
	return lua_gettop(L) - n;
}

static int open_sandbox_protected(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{LUA_GNAME, luaopen_base},       {LUA_TABLIBNAME, luaopen_table},
		{LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
		{LUA_UTF8LIBNAME, luaopen_utf8},
		/* No coroutines: the instruction budget is a per-thread hook,
		 * and a coroutine would run outside it. */
		{NULL, NULL},
	};

	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	/* No files, no modules, no bytecode. */
	for (const char *const *name = (const char *const[]){"dofile", "loadfile", "require", "collectgarbage", NULL};
	     *name; name++) {
		lua_pushnil(L);
		lua_setglobal(L, *name);
	}
	lua_getglobal(L, "load");
	lua_pushcclosure(L, l_safe_load, 1);
	lua_setglobal(L, "load");
	plugin_lua_open_api(L);
	return 0;
}

static void push_json(lua_State *L, json_t *j, unsigned depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 32 || !j) {
		lua_pushnil(L);
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		lua_createtable(L, 0, (int)json_object_size(j));
		json_object_foreach(j, k, v) {
			push_json(L, v, depth + 1);
			lua_setfield(L, -2, k);
		}
		break;
	case JSON_ARRAY:
		lua_createtable(L, (int)json_array_size(j), 0);
		json_array_foreach(j, i, v) {
			push_json(L, v, depth + 1);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	case JSON_STRING:
		lua_pushlstring(L, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		lua_pushinteger(L, (lua_Integer)json_integer_value(j));
		break;
	case JSON_REAL:
		lua_pushnumber(L, json_real_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		lua_pushboolean(L, json_is_true(j));
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

/* One call into the script, made entirely inside lua_pcall: looking the
 * function up, pushing its arguments, and reading its result can all raise
 * errors (a metatable on _G, memory), and outside a protected call an
 * error aborts the worker. */
struct call_args {
	struct plugin_lua *l;
	int ref;               /* a callback's registry reference, or LUA_NOREF... */
	const char *global;    /* ...then this global, looked up raw */
	void *session;         /* light userdata argument, or NULL */
	const char *str[2];    /* string arguments, or NULL */
	const char *json;      /* a config, as a table */
	char *out;             /* the string result, if wanted */
	size_t out_len;
	bool missing;          /* no such function */
};

static int trampoline(lua_State *L)
{
	struct call_args *a = lua_touserdata(L, 1);
	int n = 0;

	lua_settop(L, 0);
	if (a->ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
	} else {
		lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
		lua_pushstring(L, a->global);
		lua_rawget(L, -2);
		lua_remove(L, -2);
	}
	if (!lua_isfunction(L, -1)) {
		a->missing = true;
		return 0;
	}
	if (a->session) {
		lua_pushlightuserdata(L, a->session);
		n++;
	}
	for (unsigned i = 0; i < 2; i++)
		if (a->str[i]) {
			lua_pushstring(L, a->str[i]);
			n++;
		}
	if (a->json) {
		json_t *cfg = json_loads(a->json, 0, NULL);

		push_json(L, cfg, 0);
		json_decref(cfg);
		n++;
	}
	lua_call(L, n, a->out ? 1 : 0);
	if (a->out) {
		size_t len = 0;
		const char *r = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : "";

		snprintf(a->out, a->out_len, "%.*s", (int)len, r);
	}
	return 0;
}

/* Runs a call under the instruction budget. Once over it, every further
 * instruction fails (the hook fires on each one) until this outermost call
 * returns, so pcall() inside the script cannot swallow the limit. */
static int guarded(struct plugin_lua *l, struct call_args *a, char *err, size_t errlen)
{
	uint32_t ticks = l->ticks;
	bool outer = l->depth++ == 0;
	int rc;

	if (outer) {
		l->ticks = 0;
		l->limit_hit = false;
	}
	a->l = l;
	lua_pushcfunction(l->L, trampoline);
	lua_pushlightuserdata(l->L, a);
	rc = lua_pcall(l->L, 1, 0, 0);
	if (rc != LUA_OK) {
		size_t len = 0;
		const char *msg = lua_type(l->L, -1) == LUA_TSTRING ? lua_tolstring(l->L, -1, &len) : NULL;

		snprintf(err, errlen, "%s", msg ? msg : "error object is not a string");
		lua_pop(l->L, 1);
	}
	if (--l->depth == 0) {
		if (l->limit_hit)
			lua_sethook(l->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	} else {
		l->ticks = ticks;
	}
	return rc == LUA_OK ? 0 : -1;
}

/* The callbacks the script defines, kept as registry references. */
static int find_callbacks(lua_State *L)
{
	struct plugin_lua *l = lua_touserdata(L, 1);

	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	for (unsigned i = 0; i < CB_MAX; i++) {
		lua_pushstring(L, cb_names[i]);
		lua_rawget(L, -2);
		l->ref[i] = lua_isfunction(L, -1) ? luaL_ref(L, LUA_REGISTRYINDEX) : (lua_pop(L, 1), LUA_NOREF);
	}
	return 0;
}

static int at_panic(lua_State *L)
{
	/* Not reached through guarded(); if it is, the worker dies with the
	 * plugin noted as the one running, and it counts as its crash. */
	LOG_ERR("Lua: unprotected error: %s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
	abort();
}

struct plugin_lua *plugin_lua_load(struct plugin_host *h, uint16_t plugin, const char *path,
				   const char *config_json, uint32_t instruction_limit, char *err, size_t errlen)
{
	struct plugin_lua *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->h = h;
	l->plugin = plugin;
	l->limit = instruction_limit ? instruction_limit : 1000000;
	l->L = lua_newstate(lua_alloc, l);
	if (!l->L) {
		free(l);
		snprintf(err, errlen, "cannot create a Lua state");
		return NULL;
	}
	*(struct plugin_lua **)lua_getextraspace(l->L) = l;
	lua_atpanic(l->L, at_panic);
	for (unsigned i = 0; i < CB_MAX; i++)
		l->ref[i] = LUA_NOREF;
	lua_sethook(l->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	lua_pushcfunction(l->L, open_sandbox_protected);
	if (lua_pcall(l->L, 0, 0, 0) != LUA_OK) {
		snprintf(err, errlen, "cannot set up the sandbox (out of memory?)");
		plugin_lua_close(l);
		return NULL;
	}
	if (luaL_loadfilex(l->L, path, "t") != LUA_OK) {
		snprintf(err, errlen, "%s", lua_type(l->L, -1) == LUA_TSTRING ? lua_tostring(l->L, -1) : "cannot load");
		plugin_lua_close(l);
		return NULL;
	}
	/* The main chunk, under the budget like any call. */
	l->ticks = 0;
	l->depth = 1;
	if (lua_pcall(l->L, 0, 0, 0) != LUA_OK) {
		snprintf(err, errlen, "%s", lua_type(l->L, -1) == LUA_TSTRING ? lua_tostring(l->L, -1) : "error");
		l->depth = 0;
		plugin_lua_close(l);
		return NULL;
	}
	l->depth = 0;
	lua_sethook(l->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	lua_pushcfunction(l->L, find_callbacks);
	lua_pushlightuserdata(l->L, l);
	if (lua_pcall(l->L, 1, 0, 0) != LUA_OK) {
		snprintf(err, errlen, "cannot read its callbacks (out of memory?)");
		plugin_lua_close(l);
		return NULL;
	}
	struct call_args a = {.ref = LUA_NOREF, .global = "on_load", .json = config_json ? config_json : "{}"};
	h->call.plugin = plugin;
	if (guarded(l, &a, err, errlen) < 0) {
		plugin_lua_close(l);
		return NULL;
	}
	return l;
}

void plugin_lua_close(struct plugin_lua *l)
{
	if (!l)
		return;
	if (l->L)
		lua_close(l->L);
	free(l);
}

uint32_t plugin_lua_events(const struct plugin_lua *l)
{
	uint32_t ev = 0;

	if (l->ref[CB_PACKET] != LUA_NOREF)
		ev |= STELLAR_EV_PACKET;
	if (l->ref[CB_EVENT] != LUA_NOREF)
		ev |= STELLAR_EV_OPENING | STELLAR_EV_STATE | STELLAR_EV_CLOSING;
	return ev;
}

/* A failed call detaches the plugin from the session it was called for. */
static void failed(struct plugin_host *h, struct plugin_lua *l, const char *what, const char *err)
{
	struct plugin_counts *c = &h->env.counts[l->plugin];

	c->errors++;
	if (l->limit_hit)
		c->limit_hits++;
	if (l->logged < LOGGED_ERRORS) {
		l->logged++;
		LOG_WARN("plugin %s: %s: %s; detached from this session%s", h->p[l->plugin].slot->name, what, err,
			 l->logged == LOGGED_ERRORS ? " (further errors are only counted)" : "");
	}
	if (h->call.rec)
		plugin_detach(h, l->plugin);
}

static void call_session(struct plugin_host *h, struct plugin_lua *l, int cb, const char *arg)
{
	struct call_args a = {.ref = l->ref[cb], .session = &h->call.s, .str = {arg, NULL}};
	char err[256];

	if (l->ref[cb] == LUA_NOREF)
		return;
	if (guarded(l, &a, err, sizeof(err)) < 0)
		failed(h, l, cb_names[cb], err);
}

void plugin_lua_packet(struct plugin_host *h, struct plugin_lua *l)
{
	call_session(h, l, CB_PACKET, NULL);
}

void plugin_lua_event(struct plugin_host *h, struct plugin_lua *l, uint32_t event)
{
	call_session(h, l, CB_EVENT, event == STELLAR_EV_OPENING ? "opening" : event == STELLAR_EV_STATE ? "state"
											 : "closing");
}

void plugin_lua_error(struct plugin_host *h, struct plugin_lua *l, int error)
{
	call_session(h, l, CB_ERROR, error == ERROR_EVENT_DETTACH ? "dettach" : "error");
}

int plugin_lua_reconfigure(struct plugin_lua *l, const char *config_json)
{
	struct call_args a = {.ref = LUA_NOREF, .global = "on_config", .json = config_json ? config_json : "{}"};
	char err[256];

	if (guarded(l, &a, err, sizeof(err)) < 0) {
		LOG_WARN("plugin %s: on_config: %s", l->h->p[l->plugin].slot->name, err);
		return -EINVAL;
	}
	return a.missing ? -ENOTSUP : 0;
}

int plugin_lua_command(struct plugin_lua *l, const char *command, const char *args, char *reply, size_t len)
{
	struct call_args a = {.ref = l->ref[CB_COMMAND], .str = {command, args ? args : ""}, .out = reply,
			      .out_len = len};
	char err[256];

	if (l->ref[CB_COMMAND] == LUA_NOREF) {
		snprintf(reply, len, "this plugin has no commands (no on_command)");
		return -ENOTSUP;
	}
	if (guarded(l, &a, err, sizeof(err)) < 0) {
		snprintf(reply, len, "%s", err);
		return -EINVAL;
	}
	return 0;
}

int plugin_lua_check(const char *path, char *err, size_t errlen)
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
	return rc;
}
