#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "ctl.h"

static struct {
	bool on;
	uint8_t server[32], public[32], secret[32];
} curve;

static int decode_key(const char *what, const char *text, uint8_t *out)
{
	if (strlen(text) != 40 || !zmq_z85_decode(out, text)) {
		fprintf(stderr, "stellarctl: the %s is not a CURVE key (40 Z85 characters)\n", what);
		return -1;
	}
	return 0;
}

int ctl_use_curve(const char *server_key, const char *public_key, const char *secret_key)
{
	if (decode_key("server key", server_key, curve.server) < 0 ||
	    decode_key("public key", public_key, curve.public) < 0 ||
	    decode_key("secret key", secret_key, curve.secret) < 0)
		return -1;
	curve.on = true;
	return 0;
}

Stellar__Control__V1__Response *ctl_call(const char *endpoint, const char *instance,
					 const Stellar__Control__V1__Request *req, int timeout_ms)
{
	void *ctx, *sock;
	size_t len = stellar__control__v1__request__get_packed_size(req);
	uint8_t *buf = malloc(len ? len : 1);
	zmq_msg_t reply;
	Stellar__Control__V1__Response *resp = NULL;
	int linger = 0, rc;
	struct stat st;
	const char *who = instance ? instance : endpoint;

	/* An ipc endpoint with no socket file means nothing listens there;
	 * say so at once instead of waiting for a timeout. */
	if (strncmp(endpoint, "ipc://", 6) == 0 && stat(endpoint + 6, &st) != 0) {
		fprintf(stderr, "stellarctl: no orchestrator at %s — is instance '%s' running?\n",
			endpoint, who);
		free(buf);
		return NULL;
	}
	stellar__control__v1__request__pack(req, buf);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_REQ);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (curve.on) {
		zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, curve.server, 32);
		zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, curve.public, 32);
		zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, curve.secret, 32);
	} else if (strncmp(endpoint, "tcp://", 6) == 0) {
		fprintf(stderr, "stellarctl: %s is CURVE only: give --server-key and --key-file "
			"(or STELLAR_SERVER_KEY and STELLAR_KEY_FILE)\n", endpoint);
		goto out;
	}
	if (zmq_connect(sock, endpoint) != 0) {
		fprintf(stderr, "stellarctl: cannot connect to %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
		goto out;
	}
	if (zmq_send(sock, buf, len, 0) < 0) {
		fprintf(stderr, "stellarctl: cannot send to %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
		goto out;
	}
	zmq_msg_init(&reply);
	rc = zmq_msg_recv(&reply, sock, 0);
	if (rc < 0) {
		fprintf(stderr, "stellarctl: no answer from %s within %d ms — is instance '%s' running?%s\n",
			endpoint, timeout_ms, who,
			curve.on ? " (or the CURVE handshake failed: is this client's key in control.clients, "
				   "and --server-key the server's public key?)" : "");
	} else {
		resp = stellar__control__v1__response__unpack(NULL, zmq_msg_size(&reply), zmq_msg_data(&reply));
		if (!resp)
			fprintf(stderr, "stellarctl: the answer from %s is not a stellar.control.v1.Response "
				"(stellarctl and orchestrator from different builds?)\n", endpoint);
	}
	zmq_msg_close(&reply);
out:
	zmq_close(sock);
	zmq_ctx_term(ctx);
	free(buf);
	return resp;
}
