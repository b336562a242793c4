/*
 * The control API server. Each request is decoded, handed to one action
 * function, and answered; a malformed or unknown request gets
 * CODE_BAD_REQUEST and changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "log.h"
#include "orch.h"
#include "orch_stats.h"
#include "paths.h"

#define CONTROL_MAX_MSG (1 << 20)

int orch_control_open(struct orch *o)
{
	char endpoint[256], path[256];
	int linger = 0;
	int64_t max = CONTROL_MAX_MSG;

	endpoint_control(o->cfg.instance, endpoint, sizeof(endpoint));
	path_control_socket(o->cfg.instance, path, sizeof(path));
	o->zcontrol = zmq_socket(o->zctx, ZMQ_ROUTER);
	if (!o->zcontrol)
		return -1;
	zmq_setsockopt(o->zcontrol, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(o->zcontrol, ZMQ_MAXMSGSIZE, &max, sizeof(max));
	if (zmq_bind(o->zcontrol, endpoint) != 0) {
		LOG_ERR("cannot bind the control socket %s: %s", endpoint, zmq_strerror(zmq_errno()));
		return -1;
	}
	/* Owner and group may control the instance; nobody else. */
	chmod(path, 0660);
	return orch_curve_open(o, max);
}

void orch_control_close(struct orch *o)
{
	void **socks[] = {&o->zcontrol, &o->zcontrol_tcp, &o->zap};

	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (*socks[i])
			zmq_close(*socks[i]);
		*socks[i] = NULL;
	}
}

void orch_control_reply(struct orch *o, const void *client, size_t client_len,
			const Stellar__Control__V1__Response *resp)
{
	orch_control_reply_on(o, o->zanswering ? o->zanswering : o->zcontrol, client, client_len, resp);
}

void orch_control_reply_on(struct orch *o, void *sock, const void *client, size_t client_len,
			   const Stellar__Control__V1__Response *resp)
{
	size_t len = stellar__control__v1__response__get_packed_size(resp);
	uint8_t *buf = malloc(len ? len : 1);

	if (!buf)
		return;
	stellar__control__v1__response__pack(resp, buf);
	(void)o;
	zmq_send(sock, client, client_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sock, buf, len, ZMQ_DONTWAIT);
	free(buf);
}

static void reply(struct orch *o, zmq_msg_t *id, const Stellar__Control__V1__Response *resp)
{
	orch_control_reply(o, zmq_msg_data(id), zmq_msg_size(id), resp);
}

/* Returns false when the answer comes later (a plugin command). */
static bool act(struct orch *o, zmq_msg_t *id, const Stellar__Control__V1__Request *req,
		Stellar__Control__V1__Response *resp, struct stats_builder *b)
{
	switch (req->op_case) {
	case STELLAR__CONTROL__V1__REQUEST__OP_PLUGIN_COMMAND:
		return orch_plugin_command(o, zmq_msg_data(id), zmq_msg_size(id), req->id, req->plugin_command, resp);
	case STELLAR__CONTROL__V1__REQUEST__OP_STATUS:
		orch_status_build(o, b);
		resp->result_case = STELLAR__CONTROL__V1__RESPONSE__RESULT_STATUS;
		resp->status = &b->status;
		break;
	case STELLAR__CONTROL__V1__REQUEST__OP_STATS:
		orch_stats_build(o, b);
		resp->result_case = STELLAR__CONTROL__V1__RESPONSE__RESULT_STATS;
		resp->stats = &b->stats;
		break;
	case STELLAR__CONTROL__V1__REQUEST__OP_RESTART: {
		static char msg[256];
		enum node_kind kind = req->restart && req->restart->kind ? topo_kind_from_name(req->restart->kind)
								      : NODE_KIND_MAX;
		int rc;

		if (kind == NODE_KIND_MAX || kind == NODE_ORCH) {
			resp->code = STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST;
			resp->message = (char *)"restart needs a worker kind: plugin, session, amq or io";
			break;
		}
		rc = orch_worker_restart(o, kind, req->restart->index, req->restart->kill, msg, sizeof(msg));
		resp->code = rc == 0 ? STELLAR__CONTROL__V1__CODE__CODE_OK :
			     rc == -EBUSY ? STELLAR__CONTROL__V1__CODE__CODE_BUSY :
					    STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST;
		resp->message = msg;
		break;
	}
	case STELLAR__CONTROL__V1__REQUEST__OP_SCALE: {
		static char msg[256];
		int rc;

		if (!req->scale || !req->scale->kind || strcmp(req->scale->kind, "plugin") != 0) {
			resp->code = STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST;
			resp->message = (char *)"only plugin workers scale (stellarctl scale plugin N)";
			break;
		}
		rc = orch_scale_plugins(o, req->scale->workers, msg, sizeof(msg));
		resp->code = rc == 0 ? STELLAR__CONTROL__V1__CODE__CODE_OK :
			     rc == -EBUSY ? STELLAR__CONTROL__V1__CODE__CODE_BUSY :
			     rc == -EINVAL ? STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST :
					     STELLAR__CONTROL__V1__CODE__CODE_FAILED;
		resp->message = msg;
		break;
	}
	case STELLAR__CONTROL__V1__REQUEST__OP_APPLY: {
		static char msg[2048];
		int rc;

		if (!req->apply || !req->apply->yaml) {
			resp->code = STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST;
			resp->message = (char *)"apply needs a configuration";
			break;
		}
		rc = orch_apply(o, req->apply->name && *req->apply->name ? req->apply->name : "(control API)",
				req->apply->yaml, strlen(req->apply->yaml), msg, sizeof(msg));
		resp->code = rc == 0 ? STELLAR__CONTROL__V1__CODE__CODE_OK :
			     rc == -EBUSY ? STELLAR__CONTROL__V1__CODE__CODE_BUSY :
			     rc == -EINVAL ? STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST :
					     STELLAR__CONTROL__V1__CODE__CODE_FAILED;
		resp->message = msg;
		break;
	}
	case STELLAR__CONTROL__V1__REQUEST__OP_SHUTDOWN:
		if (o->phase != PHASE_RUNNING) {
			resp->code = STELLAR__CONTROL__V1__CODE__CODE_BUSY;
			resp->message = (char *)"already shutting down";
			break;
		}
		orch_begin_drain(o, "shutdown requested over the control API");
		resp->message = (char *)"shutting down";
		break;
	default:
		resp->code = STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST;
		resp->message = (char *)"request names no known operation";
		break;
	}
	return true;
}

static void serve_one(struct orch *o, zmq_msg_t *id, const void *data, size_t len)
{
	Stellar__Control__V1__Response resp = STELLAR__CONTROL__V1__RESPONSE__INIT;
	Stellar__Control__V1__Request *req = stellar__control__v1__request__unpack(NULL, len, data);
	static struct stats_builder b;
	char msg[96];

	if (!req) {
		snprintf(msg, sizeof(msg), "malformed request: not a stellar.control.v1.Request (%zu bytes)",
			 len);
		resp.code = STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST;
		resp.message = msg;
		reply(o, id, &resp);
		return;
	}
	resp.id = req->id;
	if (act(o, id, req, &resp, &b))
		reply(o, id, &resp);
	stellar__control__v1__request__free_unpacked(req, NULL);
}

static bool more_frames(void *sock)
{
	int more = 0;
	size_t len = sizeof(more);

	return zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more;
}

static void poll_socket(struct orch *o, void *sock)
{
	/* The socket a request came in on is where its answer goes. */
	o->zanswering = sock;
	for (;;) {
		zmq_msg_t f[3], extra;
		int kept = 0, total = 0;

		zmq_msg_init(&f[0]);
		if (zmq_msg_recv(&f[0], sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f[0]);
			o->zanswering = NULL;
			return;
		}
		kept = total = 1;
		/* A REQ envelope is identity, empty delimiter, body; anything
		 * longer is read to its end and refused. */
		while (more_frames(sock)) {
			zmq_msg_t *slot = kept < 3 ? &f[kept] : &extra;

			zmq_msg_init(slot);
			if (zmq_msg_recv(slot, sock, 0) < 0) {
				zmq_msg_close(slot);
				break;
			}
			total++;
			if (kept < 3)
				kept++;
			else
				zmq_msg_close(&extra);
		}
		if (total == 3 && zmq_msg_size(&f[1]) == 0)
			serve_one(o, &f[0], zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));
		else
			LOG_WARN("ignoring a control message that is not a REQ envelope (%d frames)", total);
		for (int i = 0; i < kept; i++)
			zmq_msg_close(&f[i]);
	}
}

void orch_control_poll(struct orch *o)
{
	poll_socket(o, o->zcontrol);
	if (o->zcontrol_tcp) {
		orch_curve_serve(o);
		poll_socket(o, o->zcontrol_tcp);
	}
}
