/* Test plugin: REST routes onto commands. `echo` answers with its
 * arguments; `refuse` says no. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stellar/plugin.h>

static int command(const char *cmd, const char *args, char *reply, size_t len)
{
	if (strcmp(cmd, "echo") == 0) {
		snprintf(reply, len, "%s", args);
		return 0;
	}
	snprintf(reply, len, "{\"refused\": \"%s\"}", cmd);
	return -EINVAL;
}

STELLAR_PLUGIN(.name = "rest", .command = command,
	       .http_routes = {{"POST", "/rest/echo", "echo"}, {"GET", "/rest/echo", "echo"},
			       {"DELETE", "/rest/refuse", "refuse"}});
