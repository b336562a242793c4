/* The orchestrator's end of the worker channel: hello, heartbeats, stop. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "log.h"
#include "orch.h"
#include "paths.h"
#include "worker.pb-c.h"

int orch_worker_link_open(struct orch *o)
{
	char endpoint[256], path[256];
	int one = 1, linger = 0;

	endpoint_workers(o->cfg.instance, endpoint, sizeof(endpoint));
	path_workers_socket(o->cfg.instance, path, sizeof(path));
	o->zworkers = zmq_socket(o->zctx, ZMQ_ROUTER);
	if (!o->zworkers)
		return -1;
	/* A restarted worker reuses its predecessor's identity. */
	zmq_setsockopt(o->zworkers, ZMQ_ROUTER_HANDOVER, &one, sizeof(one));
	zmq_setsockopt(o->zworkers, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(o->zworkers, endpoint) != 0) {
		LOG_ERR("cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
		return -1;
	}
	chmod(path, 0600);
	return 0;
}

static struct orch_worker *by_identity(struct orch *o, const char *id, size_t len)
{
	char buf[32], *dot;
	enum node_kind kind;
	uint16_t node;

	if (len == 0 || len >= sizeof(buf))
		return NULL;
	memcpy(buf, id, len);
	buf[len] = '\0';
	dot = strchr(buf, '.');
	if (!dot)
		return NULL;
	*dot = '\0';
	kind = topo_kind_from_name(buf);
	if (kind == NODE_KIND_MAX || kind == NODE_ORCH)
		return NULL;
	node = topo_node_id(kind, (unsigned)strtoul(dot + 1, NULL, 10));
	return node == TOPO_NO_NODE ? NULL : &o->workers[node];
}

static void handle(struct orch *o, struct orch_worker *w, const uint8_t *buf, size_t len)
{
	Stellar__Worker__V1__WorkerMsg *msg = stellar__worker__v1__worker_msg__unpack(NULL, len, buf);

	if (!msg) {
		LOG_WARN("undecodable message from %s.%u", topo_kind_name(w->kind), w->index);
		return;
	}
	switch (msg->msg_case) {
	case STELLAR__WORKER__V1__WORKER_MSG__MSG_HELLO:
		/* A late message from a dead predecessor must not revive it. */
		if (msg->hello->pid != w->pid)
			break;
		w->last_seen_ms = orch_now_ms();
		if (w->state == WORKER_STARTING) {
			w->state = WORKER_RUNNING;
			__atomic_store_n(&o->shm->nodes[w->node].state, WORKER_RUNNING, __ATOMIC_RELEASE);
			LOG_INFO("%s.%u (pid %d) is running", topo_kind_name(w->kind), w->index, (int)w->pid);
			if (o->phase >= PHASE_DRAINING && w->kind == NODE_IO)
				orch_worker_send_stop_rx(o, w);
		} else if (w->state == WORKER_STOPPING) {
			/* The stop may have been sent before it connected. */
			orch_worker_send_stop(o, w, true);
		}
		break;
	case STELLAR__WORKER__V1__WORKER_MSG__MSG_PLUGIN_REPLY:
		if (w->kind == NODE_PLUGIN && msg->plugin_reply)
			orch_plugin_command_reply(o, msg->plugin_reply->id, msg->plugin_reply->code,
						  msg->plugin_reply->reply);
		break;
	case STELLAR__WORKER__V1__WORKER_MSG__MSG_CONFIG_ACK:
		if (w->kind == NODE_PLUGIN && msg->config_ack && w->pid && msg->config_ack->pid == w->pid) {
			w->config_acked = msg->config_ack->generation;
			w->config_needs_restart = msg->config_ack->needs_restart;
		}
		break;
	case STELLAR__WORKER__V1__WORKER_MSG__MSG_HEARTBEAT:
	case STELLAR__WORKER__V1__WORKER_MSG__MSG_STOPPED:
		if (w->pid)
			w->last_seen_ms = orch_now_ms();
		break;
	default:
		break;
	}
	stellar__worker__v1__worker_msg__free_unpacked(msg, NULL);
}

void orch_worker_link_poll(struct orch *o)
{
	for (;;) {
		zmq_msg_t id, body;
		struct orch_worker *w;
		int more;
		size_t more_len = sizeof(more);

		zmq_msg_init(&id);
		if (zmq_msg_recv(&id, o->zworkers, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&id);
			return;
		}
		zmq_msg_init(&body);
		zmq_getsockopt(o->zworkers, ZMQ_RCVMORE, &more, &more_len);
		if (more && zmq_msg_recv(&body, o->zworkers, 0) >= 0) {
			w = by_identity(o, zmq_msg_data(&id), zmq_msg_size(&id));
			if (w)
				handle(o, w, zmq_msg_data(&body), zmq_msg_size(&body));
		}
		/* Drop any further frames of a malformed multipart message. */
		while (zmq_getsockopt(o->zworkers, ZMQ_RCVMORE, &more, &more_len) == 0 && more) {
			zmq_msg_close(&body);
			zmq_msg_init(&body);
			if (zmq_msg_recv(&body, o->zworkers, 0) < 0)
				break;
		}
		zmq_msg_close(&body);
		zmq_msg_close(&id);
	}
}

static void send_to(struct orch *o, struct orch_worker *w, const Stellar__Worker__V1__OrchMsg *msg)
{
	char id[32];
	static uint8_t buf[64 * 1024 + 256];
	size_t len = stellar__worker__v1__orch_msg__get_packed_size(msg);
	int n = snprintf(id, sizeof(id), "%s.%u", topo_kind_name(w->kind), w->index);

	if (len > sizeof(buf))
		return;
	stellar__worker__v1__orch_msg__pack(msg, buf);
	if (zmq_send(o->zworkers, id, (size_t)n, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(o->zworkers, buf, len, ZMQ_DONTWAIT) < 0)
		LOG_DEBUG("cannot reach %s", id);
	/* It may be asleep on its doorbell. */
	doorbell_ring(&o->shm->nodes[w->node].bell);
}

void orch_worker_send_config(struct orch *o, struct orch_worker *w, uint32_t generation)
{
	Stellar__Worker__V1__OrchMsg msg = STELLAR__WORKER__V1__ORCH_MSG__INIT;
	Stellar__Worker__V1__ConfigPush push = STELLAR__WORKER__V1__CONFIG_PUSH__INIT;

	push.generation = generation;
	msg.msg_case = STELLAR__WORKER__V1__ORCH_MSG__MSG_CONFIG_PUSH;
	msg.config_push = &push;
	w->config_pushed_ms = orch_now_ms();
	send_to(o, w, &msg);
}

void orch_worker_send_stop(struct orch *o, struct orch_worker *w, bool graceful)
{
	Stellar__Worker__V1__OrchMsg msg = STELLAR__WORKER__V1__ORCH_MSG__INIT;
	Stellar__Worker__V1__Stop stop = STELLAR__WORKER__V1__STOP__INIT;

	stop.graceful = graceful;
	msg.msg_case = STELLAR__WORKER__V1__ORCH_MSG__MSG_STOP;
	msg.stop = &stop;
	send_to(o, w, &msg);
	w->stop_sent_ms = orch_now_ms();
}

void orch_worker_send_stop_rx(struct orch *o, struct orch_worker *w)
{
	Stellar__Worker__V1__OrchMsg msg = STELLAR__WORKER__V1__ORCH_MSG__INIT;
	Stellar__Worker__V1__StopRx stop_rx = STELLAR__WORKER__V1__STOP_RX__INIT;

	msg.msg_case = STELLAR__WORKER__V1__ORCH_MSG__MSG_STOP_RX;
	msg.stop_rx = &stop_rx;
	send_to(o, w, &msg);
}

void orch_worker_send_command(struct orch *o, struct orch_worker *w, uint64_t token, uint32_t plugin,
			      const char *command, const char *args)
{
	Stellar__Worker__V1__OrchMsg msg = STELLAR__WORKER__V1__ORCH_MSG__INIT;
	Stellar__Worker__V1__PluginCommand cmd = STELLAR__WORKER__V1__PLUGIN_COMMAND__INIT;

	cmd.id = token;
	cmd.plugin = plugin;
	cmd.command = (char *)command;
	cmd.args = (char *)args;
	msg.msg_case = STELLAR__WORKER__V1__ORCH_MSG__MSG_PLUGIN_COMMAND;
	msg.plugin_command = &cmd;
	send_to(o, w, &msg);
}
