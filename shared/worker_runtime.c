#include "worker_runtime.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <zmq.h>

#include "log.h"
#include "paths.h"
#include "worker.pb-c.h"

#define SERVICE_INTERVAL_US   1000
#define HEARTBEAT_INTERVAL_US 500000
#define SPIN_ROUNDS           64
#define YIELD_ROUNDS          96

static volatile sig_atomic_t term_signal;

static void on_term(int sig)
{
	term_signal = sig;
}

static void die(const char *what)
{
	LOG_ERR("%s", what);
	exit(EXIT_FAILURE);
}

#define COMMAND_MAX  (64 * 1024) /* a plugin command's arguments and its reply */

static void send_msg(struct worker_rt *rt, const Stellar__Worker__V1__WorkerMsg *msg)
{
	static uint8_t buf[COMMAND_MAX + 256];
	size_t len = stellar__worker__v1__worker_msg__get_packed_size(msg);

	if (len > sizeof(buf))
		return;
	stellar__worker__v1__worker_msg__pack(msg, buf);
	/* DONTWAIT: a worker never blocks its data path on the control channel. */
	zmq_send(rt->zsock, buf, len, ZMQ_DONTWAIT);
}

static void send_hello(struct worker_rt *rt)
{
	Stellar__Worker__V1__WorkerMsg msg = STELLAR__WORKER__V1__WORKER_MSG__INIT;
	Stellar__Worker__V1__Hello hello = STELLAR__WORKER__V1__HELLO__INIT;

	hello.kind = (char *)topo_kind_name(rt->kind);
	hello.index = rt->index;
	hello.pid = getpid();
	msg.msg_case = STELLAR__WORKER__V1__WORKER_MSG__MSG_HELLO;
	msg.hello = &hello;
	send_msg(rt, &msg);
}

static void send_heartbeat(struct worker_rt *rt)
{
	Stellar__Worker__V1__WorkerMsg msg = STELLAR__WORKER__V1__WORKER_MSG__INIT;
	Stellar__Worker__V1__Heartbeat hb = STELLAR__WORKER__V1__HEARTBEAT__INIT;

	hb.loops = rt->progress->loops;
	msg.msg_case = STELLAR__WORKER__V1__WORKER_MSG__MSG_HEARTBEAT;
	msg.heartbeat = &hb;
	send_msg(rt, &msg);
}

static void parse_app_args(struct worker_rt *rt, int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"index", required_argument, NULL, 'x'},
		{NULL, 0, NULL, 0},
	};
	int c;
	long index = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			snprintf(rt->instance, sizeof(rt->instance), "%s", optarg);
			break;
		case 'x':
			index = strtol(optarg, NULL, 10);
			break;
		default:
			die("usage: <eal args> -- --instance NAME --index N "
			    "(workers are started by stellar-orchestrator)");
		}
	}
	if (!instance_name_valid(rt->instance) || index < 0)
		die("missing or invalid --instance/--index (workers are started by stellar-orchestrator)");
	rt->index = (unsigned)index;
}

static void attach_shared_memory(struct worker_rt *rt)
{
	const struct rte_memzone *mz = rte_memzone_lookup(STELLAR_SHM_NAME);
	char msg[160];

	if (mz == NULL) {
		snprintf(msg, sizeof(msg), "cannot find memzone %s: is stellar-orchestrator running "
			 "instance '%s'?", STELLAR_SHM_NAME, rt->instance);
		die(msg);
	}
	rt->shm = mz->addr;
	if (rt->shm->magic != STELLAR_SHM_MAGIC || rt->shm->layout_version != STELLAR_SHM_LAYOUT_VERSION)
		die("shared memory layout differs from this binary: rebuild every stellar program together");
	rt->node = topo_node_id(rt->kind, rt->index);
	if (rt->node == TOPO_NO_NODE)
		die("worker index out of range");
	if (rte_lcore_id() != rt->node) {
		snprintf(msg, sizeof(msg), "lcore %u but node %u: workers must run with --lcores %u@...",
			 rte_lcore_id(), rt->node, rt->node);
		die(msg);
	}
	rt->slot = &rt->shm->nodes[rt->node];
	rt->progress = &rt->shm->graph.node[rt->node];
	rt->counters = &rt->slot->counters;
}

static void connect_orchestrator(struct worker_rt *rt)
{
	char endpoint[256], identity[32];
	int linger = 0;

	endpoint_workers(rt->instance, endpoint, sizeof(endpoint));
	snprintf(identity, sizeof(identity), "%s.%u", topo_kind_name(rt->kind), rt->index);
	rt->zctx = zmq_ctx_new();
	rt->zsock = zmq_socket(rt->zctx, ZMQ_DEALER);
	if (rt->zsock == NULL)
		die("cannot create the control socket");
	zmq_setsockopt(rt->zsock, ZMQ_ROUTING_ID, identity, strlen(identity));
	zmq_setsockopt(rt->zsock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(rt->zsock, endpoint) != 0)
		die("cannot connect to the orchestrator's worker socket");
}

void worker_rt_init(struct worker_rt *rt, enum node_kind kind, int argc, char **argv)
{
	char prog[32];
	int consumed;

	memset(rt, 0, sizeof(*rt));
	rt->kind = kind;
	snprintf(prog, sizeof(prog), "stellar-%s", topo_kind_name(kind));
	log_init(prog);

	/* The orchestrator owns our lifetime: die with it, ignore the
	 * terminal's Ctrl-C (it coordinates shutdown), treat SIGTERM as a
	 * request to stop gracefully. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);

	consumed = rte_eal_init(argc, argv);
	if (consumed < 0)
		die("DPDK EAL initialisation failed (see the EAL messages above)");
	if (rte_eal_process_type() != RTE_PROC_SECONDARY)
		die("workers must run as DPDK secondary processes (--proc-type=secondary)");
	argc -= consumed;
	argv += consumed;
	parse_app_args(rt, argc, argv);
	snprintf(prog, sizeof(prog), "stellar-%s.%u", topo_kind_name(kind), rt->index);
	log_init(prog);
	attach_shared_memory(rt);
	log_set_level((enum log_level)rt->shm->log_level);
	if (getppid() != rt->shm->orch_pid)
		die("the orchestrator that started this worker is gone");
	connect_orchestrator(rt);

	rt->hz = rte_get_tsc_hz();
	progress_start(rt->progress);
	send_hello(rt);
	rt->next_heartbeat_tsc = rte_rdtsc() + rt->hz * HEARTBEAT_INTERVAL_US / 1000000;
	LOG_DEBUG("running on lcore %u", rt->node);
}

static void run_command(struct worker_rt *rt, const Stellar__Worker__V1__PluginCommand *cmd)
{
	static char reply[COMMAND_MAX];
	Stellar__Worker__V1__WorkerMsg msg = STELLAR__WORKER__V1__WORKER_MSG__INIT;
	Stellar__Worker__V1__PluginReply r = STELLAR__WORKER__V1__PLUGIN_REPLY__INIT;

	reply[0] = '\0';
	r.id = cmd->id;
	if (rt->command)
		r.code = rt->command(rt->command_ctx, cmd->plugin, cmd->command ? cmd->command : "",
				     cmd->args ? cmd->args : "", reply, sizeof(reply));
	else
		r.code = -ENOTSUP;
	reply[sizeof(reply) - 1] = '\0';
	r.reply = reply;
	msg.msg_case = STELLAR__WORKER__V1__WORKER_MSG__MSG_PLUGIN_REPLY;
	msg.plugin_reply = &r;
	send_msg(rt, &msg);
}

void worker_rt_send_config_ack(struct worker_rt *rt, uint32_t generation, bool needs_restart)
{
	Stellar__Worker__V1__WorkerMsg msg = STELLAR__WORKER__V1__WORKER_MSG__INIT;
	Stellar__Worker__V1__ConfigAck ack = STELLAR__WORKER__V1__CONFIG_ACK__INIT;

	ack.generation = generation;
	ack.needs_restart = needs_restart;
	ack.pid = (int32_t)getpid();
	msg.msg_case = STELLAR__WORKER__V1__WORKER_MSG__MSG_CONFIG_ACK;
	msg.config_ack = &ack;
	send_msg(rt, &msg);
}

static void handle_orch_msg(struct worker_rt *rt, const uint8_t *buf, size_t len)
{
	Stellar__Worker__V1__OrchMsg *msg = stellar__worker__v1__orch_msg__unpack(NULL, len, buf);

	if (msg == NULL) {
		LOG_WARN("ignoring an undecodable message from the orchestrator (%zu bytes)", len);
		return;
	}
	switch (msg->msg_case) {
	case STELLAR__WORKER__V1__ORCH_MSG__MSG_STOP:
		rt->stop = true;
		rt->graceful = msg->stop->graceful;
		break;
	case STELLAR__WORKER__V1__ORCH_MSG__MSG_STOP_RX:
		rt->stop_rx = true;
		break;
	case STELLAR__WORKER__V1__ORCH_MSG__MSG_PLUGIN_COMMAND:
		run_command(rt, msg->plugin_command);
		break;
	case STELLAR__WORKER__V1__ORCH_MSG__MSG_CONFIG_PUSH:
		/* Taken between packets by the worker's own loop. */
		rt->config_push = msg->config_push->generation;
		rt->config_push_pending = true;
		break;
	default:
		LOG_WARN("ignoring an unknown message from the orchestrator");
		break;
	}
	stellar__worker__v1__orch_msg__free_unpacked(msg, NULL);
}

void worker_rt_service(struct worker_rt *rt)
{
	uint64_t now = rte_rdtsc();
	static uint8_t buf[COMMAND_MAX + 512];
	int n;

	progress_tick(rt->progress);
	if (now < rt->next_service_tsc)
		return;
	rt->next_service_tsc = now + rt->hz * SERVICE_INTERVAL_US / 1000000;

	if (term_signal && !rt->stop) {
		rt->stop = true;
		rt->graceful = true;
	}
	while ((n = zmq_recv(rt->zsock, buf, sizeof(buf), ZMQ_DONTWAIT)) >= 0)
		handle_orch_msg(rt, buf, (size_t)n > sizeof(buf) ? sizeof(buf) : (size_t)n);
	if (now >= rt->next_heartbeat_tsc) {
		send_heartbeat(rt);
		rt->next_heartbeat_tsc = now + rt->hz * HEARTBEAT_INTERVAL_US / 1000000;
	}
}

void worker_rt_idle(struct worker_rt *rt, bool (*has_work)(void *arg), void *arg)
{
	uint64_t now, until;
	uint32_t seen;

	rt->idle_rounds++;
	if (rt->idle_rounds < SPIN_ROUNDS) {
		rte_pause();
		return;
	}
	if (rt->idle_rounds < YIELD_ROUNDS) {
		sched_yield();
		return;
	}
	seen = doorbell_prepare(&rt->slot->bell);
	if (rt->stop || term_signal || has_work(arg)) {
		doorbell_cancel(&rt->slot->bell);
		return;
	}
	now = rte_rdtsc();
	until = rt->next_heartbeat_tsc;
	if (rt->wake_tsc && rt->wake_tsc < until)
		until = rt->wake_tsc;
	until = until > now ? until - now : 0;
	counter_add(&rt->counters->idle_sleeps, 1);
	doorbell_wait(&rt->slot->bell, seen, (uint32_t)(until * 1000000 / rt->hz) + 1);
	/* Whatever woke us, look at the control channel promptly. */
	rt->next_service_tsc = 0;
}

void worker_rt_stalled(struct worker_rt *rt)
{
	rt->idle_rounds++;
	if (rt->idle_rounds < SPIN_ROUNDS)
		rte_pause();
	else if (rt->idle_rounds < YIELD_ROUNDS)
		sched_yield();
	else
		usleep(50);
}

void worker_rt_exit(struct worker_rt *rt, int code)
{
	Stellar__Worker__V1__WorkerMsg msg = STELLAR__WORKER__V1__WORKER_MSG__INIT;
	Stellar__Worker__V1__Stopped stopped = STELLAR__WORKER__V1__STOPPED__INIT;
	int linger = 200;

	stopped.graceful = rt->graceful;
	msg.msg_case = STELLAR__WORKER__V1__WORKER_MSG__MSG_STOPPED;
	msg.stopped = &stopped;
	send_msg(rt, &msg);
	zmq_setsockopt(rt->zsock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_close(rt->zsock);
	zmq_ctx_term(rt->zctx);
	rte_eal_cleanup();
	exit(code);
}
