/* Plugin commands (stellarctl plugin NAME COMMAND ARGS): the orchestrator
 * routes them to one plugin worker, which runs the plugin's command
 * callback and answers. */
#ifndef STELLAR_PLUGIN_COMMAND_H
#define STELLAR_PLUGIN_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_host.h"
#include "worker_runtime.h"

void plugin_command_bind(struct worker_rt *rt, struct plugin_host *h);
int plugin_command_run(struct plugin_host *h, uint32_t plugin, const char *command, const char *args, char *reply,
		       size_t reply_size);

#endif
