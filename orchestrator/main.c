/*
 * stellar-orchestrator: the program users start. DPDK primary and owner of
 * every shared object; starts, watches and restarts the workers; serves the
 * control API; drains and stops everything on request or at end of input.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <zmq.h>

#include "log.h"
#include "orch.h"
#include "paths.h"

#define LOOP_TIMEOUT_MS 100

uint64_t orch_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t orch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: stellar-orchestrator -c CONFIG [--instance NAME] [--until-eof]\n"
		   "                            [--stats-json PATH] [--log-level LEVEL]\n"
		   "  -c, --config PATH     instance configuration (YAML)\n"
		   "      --instance NAME   overrides the config's instance name\n"
		   "      --until-eof       exit once every capture has been read and processed\n"
		   "      --stats-json PATH write the final stats there on exit\n"
		   "      --log-level L     error, warn, info or debug (overrides log.level)\n");
}

static int parse_args(struct orch *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"instance", required_argument, NULL, 'i'},
		{"until-eof", no_argument, NULL, 'e'},
		{"stats-json", required_argument, NULL, 's'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *instance = NULL;
	int c, level = -1;
	struct config_error err;
	char msg[1024];

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'i': instance = optarg; break;
		case 'e': o->until_eof = true; break;
		case 's': snprintf(o->stats_json_path, sizeof(o->stats_json_path), "%s", optarg); break;
		case 'l':
			level = log_level_parse(optarg);
			if (level < 0) {
				fprintf(stderr, "stellar-orchestrator: unknown log level '%s'\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return -1;
	}
	if (config_load(config, &o->cfg, &err) < 0) {
		config_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "stellar-orchestrator: bad config: %s\n", msg);
		return -1;
	}
	if (instance) {
		if (!instance_name_valid(instance)) {
			fprintf(stderr, "stellar-orchestrator: invalid instance name '%s' "
				"(1-32 letters, digits, '_' or '-')\n", instance);
			return -1;
		}
		snprintf(o->cfg.instance, sizeof(o->cfg.instance), "%s", instance);
	}
	if (o->until_eof) {
		bool capture = false;

		for (unsigned i = 0; i < o->cfg.n_ports; i++)
			capture |= !port_is_ethdev(o->cfg.ports[i].type);
		if (!capture) {
			fprintf(stderr, "stellar-orchestrator: --until-eof needs a capture (pcap) port; live "
				"ports have no end: stop the instance with `stellarctl shutdown`\n");
			return -1;
		}
	}
	if (orch_plugins_check(o, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "stellar-orchestrator: bad plugin: %s\n", msg);
		return -1;
	}
	log_set_level((enum log_level)(level >= 0 ? level : o->cfg.log_level));
	return 0;
}

static int find_bin_dir(struct orch *o, const char *argv0)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(self, sizeof(self), "%s", argv0);
		n = (ssize_t)strlen(self);
	}
	self[n] = '\0';
	snprintf(o->bin_dir, sizeof(o->bin_dir), "%s", dirname(self));
	return 0;
}

static int open_signals(struct orch *o)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	o->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return o->signal_fd < 0 ? -1 : 0;
}

static void handle_signals(struct orch *o)
{
	struct signalfd_siginfo si;

	while (read(o->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			orch_workers_reap(o);
		} else if (o->phase == PHASE_RUNNING) {
			orch_begin_drain(o, strsignal((int)si.ssi_signo));
		} else if (si.ssi_signo == SIGINT && o->phase >= PHASE_DRAINING) {
			LOG_WARN("second interrupt: stopping without waiting for the drain");
			o->cfg.pipeline.drain_timeout_ms = 0;
		}
	}
}

static void run(struct orch *o)
{
	zmq_pollitem_t items[5] = {
		{.socket = o->zcontrol, .events = ZMQ_POLLIN},
		{.socket = o->zworkers, .events = ZMQ_POLLIN},
		{.fd = o->signal_fd, .events = ZMQ_POLLIN},
		{.socket = o->zcontrol_tcp, .events = ZMQ_POLLIN},
		{.socket = o->zap, .events = ZMQ_POLLIN},
	};
	int n_items = o->zcontrol_tcp ? 5 : 3;

	while (o->phase != PHASE_DONE) {
		bool waiting = false;

		/* A worker coming back: watch for its first packet closely. */
		for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
			waiting |= o->workers[n].enabled && o->workers[n].gap_start_us && o->workers[n].pid;
		zmq_poll(items, n_items, waiting ? 1 : LOOP_TIMEOUT_MS);
		handle_signals(o);
		orch_worker_link_poll(o);
		orch_control_poll(o);
		orch_workers_reap(o);
		orch_workers_tick(o);
		orch_lifecycle_tick(o);
		orch_plugin_command_tick(o);
		orch_scale_tick(o);
		orch_apply_tick(o);
	}
}

int main(int argc, char **argv)
{
	static struct orch o;
	int rc = EXIT_FAILURE;

	log_init("stellar-orchestrator");
	o.lock_fd = -1;
	o.signal_fd = -1;
	if (parse_args(&o, argc, argv) < 0)
		return 2;
	find_bin_dir(&o, argv[0]);
	if (orch_preflight(&o) < 0)
		return EXIT_FAILURE;
	o.start_ms = orch_now_ms();
	if (open_signals(&o) < 0)
		goto out_files;
	if (orch_memory_create(&o, argv[0]) < 0)
		goto out_eal;
	o.zctx = zmq_ctx_new();
	if (orch_control_open(&o) < 0 || orch_worker_link_open(&o) < 0 || orch_http_start(&o) < 0)
		goto out_zmq;
	orch_workers_init(&o);
	orch_workers_start_all(&o);
	run(&o);
	/* Nobody answers HTTP requests any more. */
	orch_http_stop();
	orch_finish(&o);
	rc = o.exit_code ? EXIT_FAILURE : EXIT_SUCCESS;
out_zmq:
	orch_workers_kill_all(&o, SIGKILL);
	while (!orch_workers_all_exited(&o) && o.zctx) {
		orch_workers_reap(&o);
		usleep(1000);
	}
	orch_http_stop();
	orch_control_close(&o);
	if (o.zworkers)
		zmq_close(o.zworkers);
	if (o.zctx)
		zmq_ctx_term(o.zctx);
out_eal:
	if (rte_eal_process_type() == RTE_PROC_PRIMARY) {
		orch_ports_stop(&o);
		rte_eal_cleanup();
	}
out_files:
	orch_cleanup_dpdk_files(o.cfg.instance);
	orch_cleanup_run_dir(o.cfg.instance);
	orch_release_lock(&o);
	return rc;
}
