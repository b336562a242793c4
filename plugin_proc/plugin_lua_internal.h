/* Inside the Lua plugin host: the interpreter's state (plugin_lua.c) and
 * the `stellar` table of plugin API bindings (plugin_lua_api.c). */
#ifndef STELLAR_PLUGIN_LUA_INTERNAL_H
#define STELLAR_PLUGIN_LUA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

struct plugin_host;

enum { CB_PACKET, CB_EVENT, CB_ERROR, CB_COMMAND, CB_MAX };

struct plugin_lua {
	lua_State *L;
	struct plugin_host *h;
	uint16_t plugin;
	uint32_t limit;
	uint32_t ticks;            /* HOOK_EVERY-instruction steps used by this call */
	unsigned depth;            /* calls into this interpreter in progress */
	bool limit_hit;            /* the running call ran out of budget */
	size_t mem;
	int ref[CB_MAX];           /* LUA_NOREF if the script lacks it */
	unsigned logged;
};

/* Sets the global `stellar`: the seed API for scripts. */
void plugin_lua_open_api(lua_State *L);

#endif
