/*
 * HTTP/1.1 over TCP scenario: handshake with the options a Linux client
 * and server negotiate, keep-alive request/response exchanges segmented to
 * the path MSS, delayed ACKs, and a FIN or RST teardown. Sequence, ACK
 * and timestamp values are tracked per side so analysers see a clean
 * conversation.
 */
#ifndef STELLAR_DEMO_TCP_H
#define STELLAR_DEMO_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "demo_path.h"

#define HTTP_SESSION_MAX_EX 3

enum tcp_close {
	TCP_CLOSE_FIN,
	TCP_CLOSE_CLIENT_RST, /* client aborts after the last response */
	TCP_CLOSE_SERVER_RST, /* server drops the idle keep-alive connection */
};

struct http_exchange {
	const char *host;
	const char *uri;
	int status;
	size_t body_min;
};

struct http_session {
	uint16_t cport, sport;
	unsigned n_ex;
	struct http_exchange ex[HTTP_SESSION_MAX_EX];
	enum tcp_close close;
	uint32_t rtt_us;
};

/* Returns the number of packets emitted or -errno. */
int http_session_run(struct demo_flow *f, const struct http_session *s);

#endif
