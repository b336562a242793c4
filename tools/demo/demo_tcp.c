#include "demo_tcp.h"

#include <errno.h>
#include <string.h>

#include "demo_http.h"

#define TCP_WSCALE 7
#define TCP_TS_OPTLEN 12
#define TCP_SYN_OPTLEN 20

/* Side 0 is the client, 1 the server, matching DIR_C2S / DIR_S2C. */
struct tcp_conn {
	struct demo_flow *f;
	uint16_t port[2];
	uint32_t nxt[2];
	uint32_t ts_base[2];
	uint32_t ts_sent[2];
	uint16_t win[2];
	uint16_t mss;
	uint32_t rtt_us;
};

/* Linux order: MSS, SACK-permitted, timestamps, NOP, window scale. */
static size_t tcp_syn_opts(uint8_t *o, uint16_t mss, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 2;
	o[1] = 4;
	be16_put(o + 2, mss);
	o[4] = 4;
	o[5] = 2;
	o[6] = 8;
	o[7] = 10;
	be32_put(o + 8, tsval);
	be32_put(o + 12, tsecr);
	o[16] = 1;
	o[17] = 3;
	o[18] = 3;
	o[19] = TCP_WSCALE;
	return TCP_SYN_OPTLEN;
}

static size_t tcp_ts_opts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	be32_put(o + 4, tsval);
	be32_put(o + 8, tsecr);
	return TCP_TS_OPTLEN;
}

static int tcp_conn_send(struct tcp_conn *c, int side, uint8_t flags, const void *data,
			 size_t len)
{
	struct pkt_buf b;
	struct ip_pair ip;
	uint8_t opt[TCP_SYN_OPTLEN];
	/* A millisecond timestamp clock, as Linux uses. */
	uint32_t tsval = c->ts_base[side] + (uint32_t)(c->f->now_us / 1000);
	uint32_t tsecr = flags == TCP_SYN ? 0 : c->ts_sent[!side];
	struct tcp_seg s = {
		.sport = c->port[side],
		.dport = c->port[!side],
		.seq = c->nxt[side],
		.ack = c->nxt[!side],
		.flags = flags,
		.win = c->win[side],
		.opt = opt,
	};
	int rc;

	if (flags & TCP_SYN) {
		s.optlen = tcp_syn_opts(opt, c->mss, tsval, tsecr);
		/* The SYN window is never scaled (RFC 7323). */
		s.win = side == DIR_C2S ? 64240 : 65160;
	} else if (!(flags & TCP_RST)) {
		s.optlen = tcp_ts_opts(opt, tsval, tsecr);
	}
	pkt_reset(&b);
	path_ip_pair(&c->f->path, side, &ip);
	rc = len ? pkt_append_bytes(&b, data, len) : 0;
	if (!rc)
		rc = pkt_push_tcp(&b, &ip, &s);
	if (!rc)
		rc = flow_emit(c->f, side, &b, PROTO_TCP);
	if (rc)
		return rc;
	c->nxt[side] += (uint32_t)len + !!(flags & TCP_SYN) + !!(flags & TCP_FIN);
	c->ts_sent[side] = tsval;
	return 0;
}

/* The capture point sits next to the client: segments the client sends
 * are ACKed a round trip later, segments it receives are ACKed at once. */
static uint32_t tcp_conn_ack_delay(struct tcp_conn *c, int sender)
{
	if (sender == DIR_C2S)
		return c->rtt_us;
	return rng_between(&c->f->rng, 20, 90);
}

/* Cuts the message at MSS minus the timestamp option and has the peer ACK
 * every second segment, like delayed ACK does. */
static int tcp_conn_send_data(struct tcp_conn *c, int side, const char *data, size_t len)
{
	size_t seg = c->mss - TCP_TS_OPTLEN;
	size_t off = 0;
	unsigned unacked = 0;
	int rc;

	while (off < len) {
		size_t n = len - off < seg ? len - off : seg;
		int last = off + n == len;

		if (off)
			flow_advance(c->f, 12 + n / 12); /* serialisation at ~100 Mbit/s */
		rc = tcp_conn_send(c, side, TCP_ACK | (last ? TCP_PSH : 0), data + off, n);
		if (rc)
			return rc;
		off += n;
		if (++unacked == 2 || last) {
			flow_advance(c->f, tcp_conn_ack_delay(c, side));
			rc = tcp_conn_send(c, !side, TCP_ACK, NULL, 0);
			if (rc)
				return rc;
			unacked = 0;
		}
	}
	return 0;
}

static int tcp_conn_open(struct tcp_conn *c)
{
	int rc = tcp_conn_send(c, DIR_C2S, TCP_SYN, NULL, 0);

	flow_advance(c->f, c->rtt_us);
	if (!rc)
		rc = tcp_conn_send(c, DIR_S2C, TCP_SYN | TCP_ACK, NULL, 0);
	flow_advance(c->f, rng_between(&c->f->rng, 30, 90));
	if (!rc)
		rc = tcp_conn_send(c, DIR_C2S, TCP_ACK, NULL, 0);
	return rc;
}

static int tcp_conn_close(struct tcp_conn *c, enum tcp_close how)
{
	struct demo_rng *r = &c->f->rng;
	int rc;

	switch (how) {
	case TCP_CLOSE_CLIENT_RST:
		flow_advance(c->f, rng_between(r, 1000, 50000));
		return tcp_conn_send(c, DIR_C2S, TCP_RST | TCP_ACK, NULL, 0);
	case TCP_CLOSE_SERVER_RST:
		flow_advance(c->f, rng_between(r, 500000, 1500000));
		return tcp_conn_send(c, DIR_S2C, TCP_RST | TCP_ACK, NULL, 0);
	case TCP_CLOSE_FIN:
		break;
	}
	flow_advance(c->f, rng_between(r, 5000, 200000));
	rc = tcp_conn_send(c, DIR_C2S, TCP_FIN | TCP_ACK, NULL, 0);
	flow_advance(c->f, c->rtt_us);
	if (!rc)
		rc = tcp_conn_send(c, DIR_S2C, TCP_FIN | TCP_ACK, NULL, 0);
	flow_advance(c->f, rng_between(r, 20, 90));
	if (!rc)
		rc = tcp_conn_send(c, DIR_C2S, TCP_ACK, NULL, 0);
	return rc;
}

static int http_exchange_run(struct tcp_conn *c, const struct http_exchange *ex)
{
	char msg[HTTP_MSG_MAX];
	int n, rc;

	n = http_request_format(msg, sizeof(msg), ex->host, ex->uri);
	if (n < 0)
		return n;
	rc = tcp_conn_send_data(c, DIR_C2S, msg, (size_t)n);
	if (rc)
		return rc;
	flow_advance(c->f, rng_between(&c->f->rng, 500, 30000)); /* server think time */
	n = http_response_format(msg, sizeof(msg), ex->uri, ex->status, ex->body_min,
				 c->f->now_us);
	if (n < 0)
		return n;
	return tcp_conn_send_data(c, DIR_S2C, msg, (size_t)n);
}

int http_session_run(struct demo_flow *f, const struct http_session *s)
{
	struct tcp_conn c;
	unsigned before = f->pkts, i;
	size_t mss = path_l4_max(&f->path) - 20;
	int rc;

	if (s->n_ex > HTTP_SESSION_MAX_EX)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.f = f;
	c.port[DIR_C2S] = s->cport;
	c.port[DIR_S2C] = s->sport;
	c.nxt[DIR_C2S] = (uint32_t)rng_next(&f->rng);
	c.nxt[DIR_S2C] = (uint32_t)rng_next(&f->rng);
	c.ts_base[DIR_C2S] = (uint32_t)rng_next(&f->rng);
	c.ts_base[DIR_S2C] = (uint32_t)rng_next(&f->rng);
	c.win[DIR_C2S] = 502; /* 64256 >> TCP_WSCALE */
	c.win[DIR_S2C] = 509;
	c.mss = (uint16_t)mss;
	c.rtt_us = s->rtt_us;

	rc = tcp_conn_open(&c);
	for (i = 0; i < s->n_ex && !rc; i++) {
		/* The first request follows the handshake; later ones come
		 * after the browser has digested the previous page. */
		flow_advance(f, i ? rng_between(&f->rng, 20000, 600000) : rng_between(&f->rng, 100, 400));
		rc = http_exchange_run(&c, &s->ex[i]);
	}
	if (!rc)
		rc = tcp_conn_close(&c, s->close);
	return rc ? rc : (int)(f->pkts - before);
}
