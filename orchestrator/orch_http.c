/*
 * The optional HTTP listener (libmicrohttpd, a thread per connection, so a
 * slow plugin does not hold up a scrape): Prometheus /metrics, /status and
 * /stats as JSON, and the plugins' REST routes. It is a client of the
 * control API like stellarctl, over inproc, so everything it does goes
 * through the one single-threaded control path — no shared state with the
 * orchestrator but the route table below.
 *
 * Reading is open (like any Prometheus exporter); plugin routes change
 * things, so they need `http.token` as a bearer token — the ipc socket is
 * 0660 and TCP is CURVE, and HTTP must not be the way around them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <zmq.h>

#include "log.h"
#include "orch.h"
#include "orch_http.h"
#include "stats_json.h"
#include "stats_prometheus.h"

#define INPROC_CONTROL "inproc://stellar-control"
/* Within what a plugin command may carry (orch_plugin_command.c). */
#define BODY_MAX       (60 * 1024 - 64)
/* Past the orchestrator's own 3 s for a plugin's answer: it speaks first. */
#define CALL_TIMEOUT_MS 5000

static struct {
	struct MHD_Daemon *daemon;
	void *zctx;
	char token[sizeof(((struct http_config *)0)->token)];
	uint64_t next_id;
} http;

/* One request to the control API; NULL if it did not answer. A socket per
 * request (inproc: cheap), on the connection's own thread. */
static Stellar__Control__V1__Response *call(Stellar__Control__V1__Request *req)
{
	int timeout = CALL_TIMEOUT_MS, linger = 0;
	size_t len;
	uint8_t *buf;
	zmq_msg_t m;
	Stellar__Control__V1__Response *resp = NULL;
	void *sock = zmq_socket(http.zctx, ZMQ_REQ);

	if (!sock)
		return NULL;
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	req->id = __atomic_add_fetch(&http.next_id, 1, __ATOMIC_RELAXED);
	len = stellar__control__v1__request__get_packed_size(req);
	buf = malloc(len ? len : 1);
	if (buf && zmq_connect(sock, INPROC_CONTROL) == 0) {
		stellar__control__v1__request__pack(req, buf);
		zmq_msg_init(&m);
		if (zmq_send(sock, buf, len, 0) >= 0 && zmq_msg_recv(&m, sock, 0) >= 0)
			resp = stellar__control__v1__response__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		zmq_msg_close(&m);
	}
	free(buf);
	zmq_close(sock);
	return resp;
}

/* `allow` is the Allow header of a 405, or WWW-Authenticate of a 401. */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned code, const char *type, const char *body,
			       size_t len, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, code == MHD_HTTP_UNAUTHORIZED ? MHD_HTTP_HEADER_WWW_AUTHENTICATE
									  : MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned code, json_t *j, const char *allow)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	enum MHD_Result ret = text ? respond(c, code, "application/json", text, strlen(text), allow) : MHD_NO;

	free(text);
	json_decref(j);
	return ret;
}

static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned code, const char *msg, const char *allow)
{
	return respond_json(c, code, json_pack("{s:s}", "error", msg), allow);
}

static enum MHD_Result unreachable(struct MHD_Connection *c)
{
	return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the orchestrator did not answer", NULL);
}

static enum MHD_Result serve_builtin(struct MHD_Connection *c, const char *path)
{
	Stellar__Control__V1__Request req = STELLAR__CONTROL__V1__REQUEST__INIT;
	Stellar__Control__V1__StatsRequest stats = STELLAR__CONTROL__V1__STATS_REQUEST__INIT;
	Stellar__Control__V1__StatusRequest status = STELLAR__CONTROL__V1__STATUS_REQUEST__INIT;
	Stellar__Control__V1__Response *resp;
	enum MHD_Result ret;

	if (strcmp(path, "/status") == 0) {
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_STATUS;
		req.status = &status;
	} else {
		req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_STATS;
		req.stats = &stats;
	}
	if (!(resp = call(&req)))
		return unreachable(c);
	if (resp->result_case == STELLAR__CONTROL__V1__RESPONSE__RESULT_STATUS) {
		ret = respond_json(c, MHD_HTTP_OK, status_json_from_pb(resp->status), NULL);
	} else if (resp->result_case != STELLAR__CONTROL__V1__RESPONSE__RESULT_STATS) {
		ret = respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, resp->message ? resp->message : "no stats", NULL);
	} else if (strcmp(path, "/stats") == 0) {
		ret = respond_json(c, MHD_HTTP_OK, stats_json_from_pb(resp->stats), NULL);
	} else {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (!f || stats_prometheus_write(f, resp->stats) < 0 || fclose(f) != 0)
			ret = respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot write the metrics", NULL);
		else
			ret = respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL);
		free(text);
	}
	stellar__control__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	json_object_set_new((json_t *)cls, key, json_string(value ? value : ""));
	return MHD_YES;
}

/* A plugin's answer: its reply as the body; 400 when it refused. */
static enum MHD_Result serve_plugin(struct MHD_Connection *c, const struct orch_http_route *rt, const char *body, size_t len)
{
	Stellar__Control__V1__Request req = STELLAR__CONTROL__V1__REQUEST__INIT;
	Stellar__Control__V1__PluginCommandRequest pc = STELLAR__CONTROL__V1__PLUGIN_COMMAND_REQUEST__INIT;
	Stellar__Control__V1__Response *resp;
	enum MHD_Result ret;
	char *args = NULL;
	const char *reply;
	unsigned code;

	/* The body as the command's arguments; without one, the query
	 * arguments as a JSON object. */
	if (len) {
		args = strndup(body, len);
	} else {
		json_t *q = json_object();

		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_arg, q);
		args = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(q);
	}
	if (!args)
		return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
	pc.plugin = (char *)rt->plugin;
	pc.command = (char *)rt->r.command;
	pc.args = args;
	req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_PLUGIN_COMMAND;
	req.plugin_command = &pc;
	resp = call(&req);
	free(args);
	if (!resp)
		return unreachable(c);
	reply = resp->result_case == STELLAR__CONTROL__V1__RESPONSE__RESULT_PLUGIN_COMMAND && resp->plugin_command &&
			resp->plugin_command->reply ? resp->plugin_command->reply : "";
	switch (resp->code) {
	case STELLAR__CONTROL__V1__CODE__CODE_OK: code = MHD_HTTP_OK; break;
	case STELLAR__CONTROL__V1__CODE__CODE_BUSY: code = MHD_HTTP_SERVICE_UNAVAILABLE; break;
	case STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST: code = MHD_HTTP_BAD_REQUEST; break;
	default:
		/* The plugin answered no, or its worker failed to answer. */
		code = resp->result_case == STELLAR__CONTROL__V1__RESPONSE__RESULT_PLUGIN_COMMAND ? MHD_HTTP_BAD_REQUEST
											: MHD_HTTP_BAD_GATEWAY;
		break;
	}
	if (code != MHD_HTTP_OK && !*reply) {
		ret = respond_error(c, code, resp->message && *resp->message ? resp->message : "failed", NULL);
	} else {
		const char *p = reply;

		while (isspace((unsigned char)*p))
			p++;
		ret = respond(c, code, *p == '{' || *p == '[' ? "application/json" : "text/plain; charset=utf-8", reply,
			      strlen(reply), NULL);
	}
	stellar__control__v1__response__free_unpacked(resp, NULL);
	return ret;
}

static bool authorized(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n = strlen(http.token);

	if (!h || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != n)
		return false;
	/* In constant time: how much of a guess matched must not show. */
	return CRYPTO_memcmp(h + 7, http.token, n) == 0;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, const char *url, const char *method, const char *body,
				size_t len)
{
	struct orch_http_route found;
	char allow[64];
	int rc;

	if (orch_http_builtin_path(url))
		return strcmp(method, "GET") == 0 ? serve_builtin(c, url)
						  : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only", "GET");
	rc = orch_http_route_find(url, method, &found, allow, sizeof(allow));
	if (rc < 0)
		return respond_error(c, MHD_HTTP_NOT_FOUND, "no such path (see /status for the plugins)", NULL);
	if (rc == 0)
		return respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed on this path", allow);
	if (!http.token[0])
		return respond_error(c, MHD_HTTP_FORBIDDEN, "plugin routes are off: set http.token in the config", NULL);
	if (!authorized(c))
		return respond_error(c, MHD_HTTP_UNAUTHORIZED, "needs the header Authorization: Bearer <http.token>",
				     "Bearer realm=\"stellar\"");
	return serve_plugin(c, &found, body, len);
}

struct request {
	char *body;
	size_t len;
	bool too_big;
	bool answered;       /* refused from its headers */
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct request *r = *state;

	(void)cls, (void)version;
	if (!r) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		/* Headers only so far: the body, if any, comes in next calls;
		 * one announced too big is refused before it is read. */
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		*state = r;
		if (cl && strtoull(cl, NULL, 10) > BODY_MAX) {
			r->too_big = r->answered = true;
			return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "a request body takes at most 60 KiB", NULL);
		}
		return MHD_YES;
	}
	if (r->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->len + *upload_size > BODY_MAX) {
			r->too_big = true;
		} else if (!r->too_big) {
			char *grown = realloc(r->body, r->len + *upload_size);

			if (!grown)
				return MHD_NO;
			memcpy(grown + r->len, upload, *upload_size);
			r->body = grown;
			r->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "a request body takes at most 60 KiB", NULL);
	return dispatch(c, url, method, r->body, r->len);
}

static void completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
	struct request *r = *state;

	(void)cls, (void)c, (void)why;
	if (r) {
		free(r->body);
		free(r);
	}
	*state = NULL;
}

int orch_http_start(struct orch *o)
{
	const struct http_config *h = &o->cfg.http;
	struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(h->port)};
	struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(h->port)};
	bool is_v6 = inet_pton(AF_INET, h->address, &v4.sin_addr) != 1;

	if (!h->port)
		return 0;
	if (is_v6 && inet_pton(AF_INET6, h->address, &v6.sin6_addr) != 1) {
		LOG_ERR("http.address '%s' is not an address", h->address);
		return -1;
	}
	if (zmq_bind(o->zcontrol, INPROC_CONTROL) != 0) {
		LOG_ERR("cannot bind %s: %s", INPROC_CONTROL, zmq_strerror(zmq_errno()));
		return -1;
	}
	http.zctx = o->zctx;
	snprintf(http.token, sizeof(http.token), "%s", h->token);
	orch_http_routes_update(o);
	/* poll/epoll, not select: EAL's hugepage files push fds past 1024. */
	http.daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
					       (is_v6 ? MHD_USE_IPv6 : 0),
				       h->port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
				       is_v6 ? (struct sockaddr *)&v6 : (struct sockaddr *)&v4,
				       MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
				       (unsigned)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
	if (!http.daemon) {
		LOG_ERR("cannot start the HTTP listener on %s port %u (libmicrohttpd's reason is above)", h->address,
			h->port);
		return -1;
	}
	LOG_INFO("HTTP on %s port %u: /metrics, /status, /stats and %u plugin routes", h->address, h->port,
		 orch_http_route_count());
	return 0;
}

void orch_http_stop(void)
{
	/* Joins every connection's thread, and with them their sockets. */
	if (http.daemon)
		MHD_stop_daemon(http.daemon);
	http.daemon = NULL;
}
