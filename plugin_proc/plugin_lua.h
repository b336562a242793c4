/*
 * Lua 5.4 plugins: one sandboxed interpreter per plugin per worker, the
 * plugin API as the `stellar` table, and an instruction budget per call.
 *
 * A script defines any of: on_load(config), on_packet(session),
 * on_event(session, "opening"|"state"|"closing"), on_error(session,
 * "dettach"), on_command(command, args). The sandbox has no io, os,
 * package, debug, require, dofile or loadfile, and load() takes text only.
 * A runtime error or an exhausted budget detaches the plugin from that
 * session (counted) and the worker carries on.
 */
#ifndef STELLAR_PLUGIN_LUA_H
#define STELLAR_PLUGIN_LUA_H

#include <stddef.h>
#include <stdint.h>

struct plugin_host;
struct plugin_lua;

/* Loads and runs the script, then on_load(config). NULL with err set on
 * failure. */
struct plugin_lua *plugin_lua_load(struct plugin_host *h, uint16_t plugin, const char *path,
				   const char *config_json, uint32_t instruction_limit, char *err, size_t errlen);
void plugin_lua_close(struct plugin_lua *l);

/* STELLAR_EV_* for the callbacks the script defines. */
uint32_t plugin_lua_events(const struct plugin_lua *l);

/* Calls for the host's current call (plugin_host.call). A failure detaches
 * the plugin from the session. */
void plugin_lua_packet(struct plugin_host *h, struct plugin_lua *l);
void plugin_lua_event(struct plugin_host *h, struct plugin_lua *l, uint32_t event);
void plugin_lua_error(struct plugin_host *h, struct plugin_lua *l, int error);
/* A new config, live: on_config(config) if the script has it (0), else
 * -ENOTSUP (the worker restarts). */
int plugin_lua_reconfigure(struct plugin_lua *l, const char *config_json);
int plugin_lua_command(struct plugin_lua *l, const char *command, const char *args, char *reply, size_t len);

/* Checks a script compiles (the orchestrator does it at config time). */
int plugin_lua_check(const char *path, char *err, size_t errlen);

#endif
