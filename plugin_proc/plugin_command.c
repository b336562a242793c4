#include "plugin_command.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin_lua.h"

int plugin_command_run(struct plugin_host *h, uint32_t plugin, const char *command, const char *args, char *reply,
		       size_t reply_size)
{
	struct plugin_rt *rt;
	int rc;

	if (plugin >= h->n || !h->p[plugin].loaded) {
		snprintf(reply, reply_size, "plugin %u is not loaded in this worker", plugin);
		return -ENOENT;
	}
	rt = &h->p[plugin];
	if (h->env.plugins->quarantined_mask & (1u << plugin)) {
		snprintf(reply, reply_size, "plugin %s is quarantined", rt->slot->name);
		return -EPERM;
	}
	h->call.rec = NULL;
	plugin_enter(h, (uint16_t)plugin);
	if (rt->lua) {
		rc = plugin_lua_command(rt->lua, command, args, reply, reply_size);
	} else if (rt->desc.command) {
		rc = rt->desc.command(command, args, reply, reply_size);
	} else {
		snprintf(reply, reply_size, "plugin %s has no commands", rt->slot->name);
		rc = -ENOTSUP;
	}
	plugin_leave(h, 0, false);
	return rc;
}

static int from_worker(void *ctx, uint32_t plugin, const char *command, const char *args, char *reply,
		       size_t reply_size)
{
	return plugin_command_run(ctx, plugin, command, args, reply, reply_size);
}

void plugin_command_bind(struct worker_rt *rt, struct plugin_host *h)
{
	rt->command = from_worker;
	rt->command_ctx = h;
}
