/* stellarctl: the command-line client of a Stellar instance's control API. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "paths.h"
#include "stats_print.h"
#include "stats_json.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: stellarctl [--instance NAME | -e ENDPOINT] [--json] [--timeout MS]\n"
		   "                  [--server-key KEY --key-file FILE] COMMAND\n"
		   "commands:\n"
		   "  status     the instance and its workers\n"
		   "  stats      packet, drop, session and mempool counters\n"
		   "  stats --watch   the same, refreshed every second\n"
		   "  restart KIND IDX [--kill]\n"
		   "             restart a worker (plugin, session, amq, io): gracefully, no packet\n"
		   "             lost; or --kill it as a crash would\n"
		   "  scale plugin N\n"
		   "             run N plugin workers, live, without loss or reordering\n"
		   "  apply FILE a whole new configuration, live: refused whole if anything is wrong\n"
		   "  shutdown   drain the pipeline and stop the instance\n"
		   "  plugin NAME COMMAND [ARGS...]\n"
		   "             a command of the plugin NAME (see its documentation)\n"
		   "  fw status|enable|disable, fw rule list, fw rule add JSON, fw rule del ID\n"
		   "             the firewall plugin's commands (plugin firewall status, rule-add, ...)\n"
		   "  keygen     a CURVE key pair for the tcp:// control endpoint (no instance needed)\n"
		   "a tcp:// endpoint (-e) is CURVE only: --server-key is the server's public key,\n"
		   "--key-file this client's pair (from keygen); or STELLAR_SERVER_KEY, STELLAR_KEY_FILE\n"
		   "exit codes: 0 ok, 1 refused or failed, 2 usage, 3 no orchestrator answered\n");
}

static int print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	json_decref(j);
	return CTL_OK;
}

static int show(const Stellar__Control__V1__Response *resp, bool json)
{
	if (resp->code != STELLAR__CONTROL__V1__CODE__CODE_OK) {
		fprintf(stderr, "stellarctl: %s\n", resp->message && *resp->message ? resp->message : "failed");
		/* What the plugin said about it, if it said anything. */
		if (resp->result_case == STELLAR__CONTROL__V1__RESPONSE__RESULT_PLUGIN_COMMAND && resp->plugin_command &&
		    resp->plugin_command->reply && *resp->plugin_command->reply)
			fprintf(stderr, "%s\n", resp->plugin_command->reply);
		return CTL_FAILED;
	}
	switch (resp->result_case) {
	case STELLAR__CONTROL__V1__RESPONSE__RESULT_STATUS:
		if (json)
			return print_json(status_json_from_pb(resp->status));
		status_print_table(stdout, resp->status);
		break;
	case STELLAR__CONTROL__V1__RESPONSE__RESULT_STATS:
		if (json)
			return print_json(stats_json_from_pb(resp->stats));
		stats_print_table(stdout, resp->stats);
		break;
	case STELLAR__CONTROL__V1__RESPONSE__RESULT_PLUGIN_COMMAND:
		/* The plugin's own answer, as it wrote it (often JSON already). */
		printf("%s\n", resp->plugin_command && resp->plugin_command->reply ? resp->plugin_command->reply : "");
		break;
	default:
		if (json)
			return print_json(json_pack("{s:s}", "message", resp->message ? resp->message : ""));
		printf("%s\n", resp->message && *resp->message ? resp->message : "ok");
		break;
	}
	return CTL_OK;
}

/* What follows the command: flags this tool knows, the rest positional. */
struct rest {
	int n;
	char *pos[8];
	bool kill;
	bool watch;
};

static int split_rest(int argc, char **argv, struct rest *r, bool *json)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			*json = true;
		else if (strcmp(argv[i], "--kill") == 0)
			r->kill = true;
		else if (strcmp(argv[i], "--watch") == 0)
			r->watch = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return -1;
		else if (r->n < 8)
			r->pos[r->n++] = argv[i];
		else
			return -1;
	}
	return 0;
}

static bool parse_uint(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* `fw ...` (ARCHITECTURE §4) is the plugin named firewall's commands:
 * fw status|enable|disable, fw rule list|add JSON|del ID. */
static bool fw_command(const struct rest *r, Stellar__Control__V1__PluginCommandRequest *pc)
{
	static const char *const simple[] = {"status", "enable", "disable", NULL};

	pc->plugin = (char *)"firewall";
	pc->args = (char *)"";
	for (unsigned i = 0; simple[i]; i++)
		if (r->n == 1 && strcmp(r->pos[0], simple[i]) == 0) {
			pc->command = (char *)simple[i];
			return true;
		}
	if (r->n == 2 && strcmp(r->pos[0], "rule") == 0 && strcmp(r->pos[1], "list") == 0)
		pc->command = (char *)"rule-list";
	else if (r->n == 3 && strcmp(r->pos[0], "rule") == 0 && strcmp(r->pos[1], "add") == 0)
		pc->command = (char *)"rule-add";
	else if (r->n == 3 && strcmp(r->pos[0], "rule") == 0 && strcmp(r->pos[1], "del") == 0)
		pc->command = (char *)"rule-del";
	else
		return false;
	if (r->n == 3)
		pc->args = r->pos[2];
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"endpoint", required_argument, NULL, 'e'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"server-key", required_argument, NULL, 'S'},
		{"key-file", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *instance = getenv("STELLAR_INSTANCE"), *endpoint = NULL, *cmd;
	const char *server_key = getenv("STELLAR_SERVER_KEY"), *key_file = getenv("STELLAR_KEY_FILE");
	char ep[256];
	bool json = false;
	int c, timeout_ms = -1, rc;
	struct rest rest;
	Stellar__Control__V1__Request req = STELLAR__CONTROL__V1__REQUEST__INIT;
	Stellar__Control__V1__StatusRequest status = STELLAR__CONTROL__V1__STATUS_REQUEST__INIT;
	Stellar__Control__V1__StatsRequest stats = STELLAR__CONTROL__V1__STATS_REQUEST__INIT;
	Stellar__Control__V1__ShutdownRequest shutdown = STELLAR__CONTROL__V1__SHUTDOWN_REQUEST__INIT;
	Stellar__Control__V1__PluginCommandRequest plugin = STELLAR__CONTROL__V1__PLUGIN_COMMAND_REQUEST__INIT;
	Stellar__Control__V1__RestartRequest restart = STELLAR__CONTROL__V1__RESTART_REQUEST__INIT;
	Stellar__Control__V1__ScaleRequest scale = STELLAR__CONTROL__V1__SCALE_REQUEST__INIT;
	Stellar__Control__V1__ApplyRequest apply = STELLAR__CONTROL__V1__APPLY_REQUEST__INIT;
	static char yaml[1 << 20];
	static char args[60 * 1024];
	Stellar__Control__V1__Response *resp;

	/* Options before the command; those of this tool after it too, except
	 * for `plugin`, whose arguments are the plugin's own. */
	while ((c = getopt_long(argc, argv, "+i:e:jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': instance = optarg; break;
		case 'e': endpoint = optarg; break;
		case 'j': json = true; break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'S': server_key = optarg; break;
		case 'K': key_file = optarg; break;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "plugin") != 0 && split_rest(argc - optind - 1, argv + optind + 1, &rest, &json) < 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	if (strcmp(cmd, "keygen") == 0 && rest.n == 0)
		return ctl_keygen(json);
	/* Past the orchestrator's own 3 s for a plugin's answer: it speaks first. */
	if (timeout_ms < 0)
		timeout_ms = strcmp(cmd, "plugin") == 0 || strcmp(cmd, "fw") == 0 ? 5000 : 3000;
	if (!instance)
		instance = STELLAR_DEFAULT_INSTANCE;
	if (!endpoint) {
		if (!instance_name_valid(instance)) {
			fprintf(stderr, "stellarctl: invalid instance name '%s'\n", instance);
			return CTL_USAGE;
		}
		endpoint_control(instance, ep, sizeof(ep));
		endpoint = ep;
	} else {
		instance = NULL;
	}
	/* Keys (options or environment) are for tcp:// only; the local ipc
	 * socket is guarded by its file mode. */
	if (strncmp(endpoint, "tcp://", 6) == 0 && (server_key || key_file)) {
		char public_key[64], secret_key[64];

		if (!server_key || !key_file) {
			fprintf(stderr, "stellarctl: CURVE needs both --server-key and --key-file\n");
			return CTL_USAGE;
		}
		if (ctl_read_key_file(key_file, public_key, secret_key) < 0 ||
		    ctl_use_curve(server_key, public_key, secret_key) < 0)
			return CTL_USAGE;
	}
	req.id = 1;
	if (strcmp(cmd, "status") == 0 && rest.n == 0) {
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_STATUS;
		req.status = &status;
	} else if (strcmp(cmd, "stats") == 0 && rest.n == 0) {
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_STATS;
		req.stats = &stats;
		if (rest.watch)
			return ctl_watch(endpoint, instance, &req, timeout_ms, json);
	} else if (strcmp(cmd, "shutdown") == 0 && rest.n == 0) {
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_SHUTDOWN;
		req.shutdown = &shutdown;
	} else if (strcmp(cmd, "restart") == 0 && rest.n == 2 && parse_uint(rest.pos[1], &restart.index)) {
		restart.kind = rest.pos[0];
		restart.kill = rest.kill;
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_RESTART;
		req.restart = &restart;
	} else if (strcmp(cmd, "scale") == 0 && rest.n == 2 && parse_uint(rest.pos[1], &scale.workers)) {
		scale.kind = rest.pos[0];
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_SCALE;
		req.scale = &scale;
	} else if (strcmp(cmd, "apply") == 0 && rest.n == 1) {
		FILE *f = fopen(rest.pos[0], "r");
		size_t n;
		static char where[4096];

		if (!f) {
			fprintf(stderr, "stellarctl: cannot read %s: %s\n", rest.pos[0], strerror(errno));
			return CTL_FAILED;
		}
		n = fread(yaml, 1, sizeof(yaml) - 1, f);
		fclose(f);
		yaml[n] = '\0';
		/* The orchestrator resolves relative paths against the file's
		 * directory: it may run elsewhere. */
		if (!realpath(rest.pos[0], where))
			snprintf(where, sizeof(where), "%s", rest.pos[0]);
		apply.name = where;
		apply.yaml = yaml;
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_APPLY;
		req.apply = &apply;
	} else if (strcmp(cmd, "fw") == 0 && fw_command(&rest, &plugin)) {
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_PLUGIN_COMMAND;
		req.plugin_command = &plugin;
	} else if (strcmp(cmd, "plugin") == 0 && argc - optind >= 3) {
		size_t used = 0;

		args[0] = '\0';
		/* Arguments after the command are joined by spaces, as typed. */
		for (int i = optind + 3; i < argc; i++) {
			int n = snprintf(args + used, sizeof(args) - used, "%s%s", used ? " " : "", argv[i]);
			if (n < 0 || (size_t)n >= sizeof(args) - used) {
				fprintf(stderr, "stellarctl: plugin arguments longer than %zu bytes\n", sizeof(args));
				return CTL_USAGE;
			}
			used += (size_t)n;
		}
		plugin.plugin = argv[optind + 1];
		plugin.command = argv[optind + 2];
		plugin.args = args;
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_PLUGIN_COMMAND;
		req.plugin_command = &plugin;
	} else {
		fprintf(stderr, "stellarctl: unknown command or wrong arguments: '%s'\n", cmd);
		usage(stderr);
		return CTL_USAGE;
	}
	resp = ctl_call(endpoint, instance, &req, timeout_ms);
	if (!resp)
		return CTL_UNREACHABLE;
	rc = show(resp, json);
	stellar__control__v1__response__free_unpacked(resp, NULL);
	return rc;
}
