/* The `stellar` table a Lua plugin calls: the seed API, each binding
 * checking that the session passed is the one of the running call. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "log.h"
#include "plugin_host.h"
#include "plugin_lua_internal.h"

/* The session a Lua callback receives: the host's handle of the call. */
static struct stellar_session *check_session(lua_State *L, int arg)
{
	struct plugin_lua *l = *(struct plugin_lua **)lua_getextraspace(L);
	struct stellar_session *s = lua_touserdata(L, arg);

	if (!s || s != &l->h->call.s || !l->h->call.rec)
		luaL_argerror(L, arg, "not the session of this call");
	return s;
}

static struct plugin_lua *self(lua_State *L)
{
	return *(struct plugin_lua **)lua_getextraspace(L);
}

static int push_result(lua_State *L, int rc)
{
	if (rc == 0) {
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_pushnil(L);
	lua_pushstring(L, strerror(-rc));
	return 2;
}

static int l_get(lua_State *L)
{
	struct stellar_session *s = check_session(L, 1);
	const char *key = luaL_checkstring(L, 2);
	void *v;
	size_t n;
	uint8_t type;

	if (session_get_metadata_typed(s, key, &v, &n, &type) != 0) {
		lua_pushnil(L);
		return 1;
	}
	if (type == META_T_NUMBER && n == sizeof(double))
		lua_pushnumber(L, *(double *)v);
	else if (type == META_T_INTEGER && n == sizeof(int64_t))
		lua_pushinteger(L, (lua_Integer) * (int64_t *)v);
	else if (type == META_T_BOOLEAN && n == 1)
		lua_pushboolean(L, *(uint8_t *)v);
	else
		lua_pushlstring(L, v, n);
	return 1;
}

static int l_set(lua_State *L)
{
	struct stellar_session *s = check_session(L, 1);
	const char *key = luaL_checkstring(L, 2);
	size_t n;
	const char *str;
	double d;
	int64_t i;
	uint8_t b;

	switch (lua_type(L, 3)) {
	case LUA_TSTRING:
		str = lua_tolstring(L, 3, &n);
		return push_result(L, session_set_metadata_typed(s, key, str, n, META_T_BYTES));
	case LUA_TNUMBER:
		if (lua_isinteger(L, 3)) {
			i = (int64_t)lua_tointeger(L, 3);
			return push_result(L, session_set_metadata_typed(s, key, &i, sizeof(i), META_T_INTEGER));
		}
		d = lua_tonumber(L, 3);
		return push_result(L, session_set_metadata_typed(s, key, &d, sizeof(d), META_T_NUMBER));
	case LUA_TBOOLEAN:
		b = (uint8_t)lua_toboolean(L, 3);
		return push_result(L, session_set_metadata_typed(s, key, &b, 1, META_T_BOOLEAN));
	default:
		return luaL_argerror(L, 3, "a string, number or boolean");
	}
}

static int l_del(lua_State *L)
{
	struct stellar_session *s = check_session(L, 1);

	return push_result(L, session_del_metadata(s, luaL_checkstring(L, 2)));
}

static int l_drop(lua_State *L)
{
	struct stellar_session *s = check_session(L, 1);

	return push_result(L, plugin_api_table.session_drop_current_packet(s));
}

static int l_ratelimit(lua_State *L)
{
	struct stellar_session *s = check_session(L, 1);

	return push_result(L, plugin_api_table.session_set_ratelimit_group(s, (uint32_t)luaL_checkinteger(L, 2)));
}

static int l_group_create(lua_State *L)
{
	return push_result(L, plugin_api_table.amq_group_create((uint32_t)luaL_checkinteger(L, 1),
								(uint64_t)luaL_checkinteger(L, 2),
								(uint64_t)luaL_checkinteger(L, 3)));
}

static int l_lock(lua_State *L)
{
	return push_result(L, session_lock(check_session(L, 1), self(L)->plugin));
}

static int l_unlock(lua_State *L)
{
	return push_result(L, session_unlock(check_session(L, 1), self(L)->plugin));
}

static int l_dettach_me(lua_State *L)
{
	return push_result(L, plugin_api_table.pm_session_dettach_me(check_session(L, 1)));
}

static int l_dettach_others(lua_State *L)
{
	return push_result(L, plugin_api_table.pm_session_dettach_others(check_session(L, 1)));
}

static void push_ip(lua_State *L, const uint8_t *ip, unsigned version)
{
	char text[64];

	if (version == 4)
		snprintf(text, sizeof(text), "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
	else
		snprintf(text, sizeof(text), "%x:%x:%x:%x:%x:%x:%x:%x", ip[0] << 8 | ip[1], ip[2] << 8 | ip[3],
			 ip[4] << 8 | ip[5], ip[6] << 8 | ip[7], ip[8] << 8 | ip[9], ip[10] << 8 | ip[11],
			 ip[12] << 8 | ip[13], ip[14] << 8 | ip[15]);
	lua_pushstring(L, text);
}

#define SET_INT(name, v) (lua_pushinteger(L, (lua_Integer)(v)), lua_setfield(L, -2, name))

static int l_info(lua_State *L)
{
	struct plugin_lua *l = self(L);
	const struct stellar_session_info *i;

	check_session(L, 1);
	i = plugin_call_info(l->h);
	lua_createtable(L, 0, 14);
	SET_INT("proto", i->proto);
	SET_INT("ip_version", i->ip_version);
	push_ip(L, i->client_ip, i->ip_version);
	lua_setfield(L, -2, "client_ip");
	push_ip(L, i->server_ip, i->ip_version);
	lua_setfield(L, -2, "server_ip");
	SET_INT("client_port", i->client_port);
	SET_INT("server_port", i->server_port);
	lua_pushstring(L, session_state_name((enum session_state)i->state));
	lua_setfield(L, -2, "state");
	SET_INT("packets_c2s", i->packets[0]);
	SET_INT("packets_s2c", i->packets[1]);
	SET_INT("bytes_c2s", i->bytes[0]);
	SET_INT("bytes_s2c", i->bytes[1]);
	SET_INT("first_ns", i->first_ns);
	SET_INT("last_ns", i->last_ns);
	return 1;
}

static int l_packet(lua_State *L)
{
	struct plugin_lua *l = self(L);
	const struct stellar_packet_info *p;

	check_session(L, 1);
	p = plugin_call_packet(l->h);
	if (!p) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 6);
	SET_INT("dir", p->dir);
	SET_INT("len", p->wire_len);
	SET_INT("ts_ns", p->ts_ns);
	SET_INT("tcp_flags", p->tcp_flags);
	lua_pushboolean(L, p->dropped);
	lua_setfield(L, -2, "dropped");
	if (p->payload_off + (uint32_t)p->payload_len <= p->len)
		lua_pushlstring(L, (const char *)p->data + p->payload_off, p->payload_len);
	else
		lua_pushliteral(L, "");
	lua_setfield(L, -2, "payload");
	return 1;
}

static int l_log(lua_State *L)
{
	struct plugin_lua *l = self(L);

	LOG_INFO("%s: %s", l->h->p[l->plugin].slot->name, luaL_checkstring(L, 1));
	return 0;
}

static const luaL_Reg stellar_lib[] = {
	{"session_get_metadata", l_get},
	{"session_set_metadata", l_set},
	{"session_del_metadata", l_del},
	{"session_drop_current_packet", l_drop},
	{"session_set_ratelimit_group", l_ratelimit},
	{"session_lock", l_lock},
	{"session_unlock", l_unlock},
	{"pm_session_dettach_me", l_dettach_me},
	{"pm_session_dettach_others", l_dettach_others},
	{"amq_group_create", l_group_create},
	{"session_info", l_info},
	{"packet", l_packet},
	{"log", l_log},
	{NULL, NULL},
};

void plugin_lua_open_api(lua_State *L)
{
	luaL_newlib(L, stellar_lib);
	lua_setglobal(L, "stellar");
}
