/*
 * The control API over TCP: CURVE encryption and authentication only. The
 * server proves itself with its secret key; a client is let in only if its
 * public key is in `control.clients` — ZeroMQ asks our ZAP handler (RFC 27)
 * during each handshake, and a refused client never gets a message through.
 */
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "orch.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

int orch_curve_open(struct orch *o, int64_t max_msg)
{
	const struct control_config *cc = &o->cfg.control;
	uint8_t secret[32];
	int one = 1, linger = 0;

	if (!cc->endpoint[0])
		return 0;
	if (!zmq_has("curve")) {
		LOG_ERR("control.endpoint %s needs CURVE, and this libzmq is built without it", cc->endpoint);
		return -1;
	}
	if (!zmq_z85_decode(secret, cc->secret_key)) {
		LOG_ERR("control.secret_key is not a Z85 CURVE key (make one with `stellarctl keygen`)");
		return -1;
	}
	/* The handler must be bound before the first handshake can start. */
	o->zap = zmq_socket(o->zctx, ZMQ_REP);
	if (!o->zap || zmq_bind(o->zap, ZAP_ENDPOINT) != 0) {
		LOG_ERR("cannot start the CURVE authentication handler: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	zmq_setsockopt(o->zap, ZMQ_LINGER, &linger, sizeof(linger));
	o->zcontrol_tcp = zmq_socket(o->zctx, ZMQ_ROUTER);
	if (!o->zcontrol_tcp)
		return -1;
	zmq_setsockopt(o->zcontrol_tcp, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(o->zcontrol_tcp, ZMQ_MAXMSGSIZE, &max_msg, sizeof(max_msg));
	zmq_setsockopt(o->zcontrol_tcp, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(o->zcontrol_tcp, ZMQ_CURVE_SECRETKEY, secret, sizeof(secret));
	zmq_setsockopt(o->zcontrol_tcp, ZMQ_ZAP_DOMAIN, "stellar", 7);
	if (zmq_bind(o->zcontrol_tcp, cc->endpoint) != 0) {
		LOG_ERR("cannot bind the control endpoint %s: %s", cc->endpoint, zmq_strerror(zmq_errno()));
		return -1;
	}
	LOG_INFO("control API also at %s (CURVE, %u client keys)", cc->endpoint, cc->n_clients);
	return 0;
}

static bool client_allowed(const struct orch *o, const zmq_msg_t *key)
{
	char text[CONTROL_KEY_TEXT];

	if (zmq_msg_size((zmq_msg_t *)key) != 32 || !zmq_z85_encode(text, zmq_msg_data((zmq_msg_t *)key), 32))
		return false;
	for (unsigned i = 0; i < o->cfg.control.n_clients; i++)
		if (strcmp(text, o->cfg.control.clients[i]) == 0)
			return true;
	return false;
}

static void send_str(void *sock, const char *s, bool more)
{
	zmq_send(sock, s, strlen(s), more ? ZMQ_SNDMORE : 0);
}

/* One ZAP request: version, request id, domain, address, identity,
 * mechanism, credentials (the client's public key for CURVE). */
static void answer_one(struct orch *o)
{
	enum { VERSION, REQUEST_ID, DOMAIN, ADDRESS, IDENTITY, MECHANISM, KEY, FRAMES };
	zmq_msg_t f[FRAMES];
	int n = 0, more = 1;
	size_t ml = sizeof(more);
	bool ok;
	char address[64] = "";

	for (; n < FRAMES; n++)
		zmq_msg_init(&f[n]);
	n = 0;
	while (more) {
		zmq_msg_t extra, *slot = n < FRAMES ? &f[n] : &extra;

		if (slot == &extra)
			zmq_msg_init(&extra);
		if (zmq_msg_recv(slot, o->zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0)
			break;
		n++;
		if (zmq_getsockopt(o->zap, ZMQ_RCVMORE, &more, &ml) != 0)
			more = 0;
		if (slot == &extra)
			zmq_msg_close(&extra);
	}
	if (n == 0)
		goto out;
	ok = n == FRAMES && zmq_msg_size(&f[MECHANISM]) == 5 && memcmp(zmq_msg_data(&f[MECHANISM]), "CURVE", 5) == 0 &&
	     client_allowed(o, &f[KEY]);
	if (n > ADDRESS)
		snprintf(address, sizeof(address), "%.*s", (int)zmq_msg_size(&f[ADDRESS]),
			 (const char *)zmq_msg_data(&f[ADDRESS]));
	if (!ok)
		LOG_WARN("control: refused a client from %s (its key is not in control.clients)", address);
	send_str(o->zap, "1.0", true);
	zmq_send(o->zap, n > REQUEST_ID ? zmq_msg_data(&f[REQUEST_ID]) : "", n > REQUEST_ID ? zmq_msg_size(&f[REQUEST_ID]) : 0,
		 ZMQ_SNDMORE);
	send_str(o->zap, ok ? "200" : "400", true);
	send_str(o->zap, ok ? "OK" : "client key not allowed", true);
	send_str(o->zap, "", true); /* user id */
	send_str(o->zap, "", false); /* metadata */
out:
	for (int i = 0; i < FRAMES; i++)
		zmq_msg_close(&f[i]);
}

void orch_curve_serve(struct orch *o)
{
	int events = 0;
	size_t len = sizeof(events);

	while (o->zap && zmq_getsockopt(o->zap, ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN))
		answer_one(o);
}
