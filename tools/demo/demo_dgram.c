#include "demo_dgram.h"

#include <errno.h>
#include <string.h>

#include "demo_dns.h"
#include "pkt_build.h"

#define DNS_MSG_MAX 512
#define PING_DATA_LEN 56
#define PING_INTERVAL_US 1000000
/* Largest multiple of 8 that fits a 1500-byte MTU after a 20-byte header. */
#define FRAG_CHUNK 1480

static int udp_send(struct demo_flow *f, int dir, uint16_t sport, uint16_t dport,
		    const uint8_t *data, size_t len)
{
	struct pkt_buf b;
	struct ip_pair ip;
	int rc;

	pkt_reset(&b);
	path_ip_pair(&f->path, dir, &ip);
	rc = pkt_append_bytes(&b, data, len);
	if (!rc)
		rc = pkt_push_udp(&b, &ip, sport, dport);
	return rc ? rc : flow_emit(f, dir, &b, PROTO_UDP);
}

static int dns_query_send(struct demo_flow *f, const struct dns_lookup *l, uint16_t id,
			  uint16_t qtype)
{
	uint8_t msg[DNS_MSG_MAX];
	int n = dns_query_format(msg, sizeof(msg), id, l->qname, qtype);

	return n < 0 ? n : udp_send(f, DIR_C2S, l->cport, DNS_PORT, msg, (size_t)n);
}

static int dns_answer_send(struct demo_flow *f, const struct dns_lookup *l, uint16_t id,
			   uint16_t qtype)
{
	uint8_t msg[DNS_MSG_MAX];
	struct dns_answer ans = {
		.qtype = qtype,
		.ttl = rng_between(&f->rng, 60, 3600),
		.n_addr = 1,
		.addr = qtype == DNS_TYPE_AAAA ? l->aaaa : l->a,
	};
	int n = dns_response_format(msg, sizeof(msg), id, l->qname, &ans);

	return n < 0 ? n : udp_send(f, DIR_S2C, DNS_PORT, l->cport, msg, (size_t)n);
}

int dns_lookup_run(struct demo_flow *f, const struct dns_lookup *l)
{
	unsigned before = f->pkts;
	uint16_t id_a = (uint16_t)rng_next(&f->rng);
	uint16_t id_aaaa = (uint16_t)rng_next(&f->rng);
	int rc;

	/* Both questions leave before either answer arrives, as with
	 * getaddrinfo(AF_UNSPEC). */
	rc = dns_query_send(f, l, id_a, DNS_TYPE_A);
	if (!rc && l->with_aaaa) {
		flow_advance(f, rng_between(&f->rng, 30, 120));
		rc = dns_query_send(f, l, id_aaaa, DNS_TYPE_AAAA);
	}
	flow_advance(f, l->rtt_us);
	if (!rc)
		rc = dns_answer_send(f, l, id_a, DNS_TYPE_A);
	if (!rc && l->with_aaaa) {
		flow_advance(f, rng_between(&f->rng, 50, 400));
		rc = dns_answer_send(f, l, id_aaaa, DNS_TYPE_AAAA);
	}
	return rc ? rc : (int)(f->pkts - before);
}

/* Same layout as iputils ping: a struct timeval (little-endian on the
 * hosts we mimic) followed by the bytes 0x10, 0x11, ... so dissectors
 * recognise the timestamp. */
static void ping_data_fill(uint8_t *d, uint64_t now_us)
{
	uint64_t sec = now_us / 1000000, usec = now_us % 1000000;
	unsigned i;

	for (i = 0; i < 8; i++) {
		d[i] = (uint8_t)(sec >> (8 * i));
		d[8 + i] = (uint8_t)(usec >> (8 * i));
	}
	for (i = 16; i < PING_DATA_LEN; i++)
		d[i] = (uint8_t)i;
}

static int ping_send(struct demo_flow *f, int dir, const uint8_t *data, uint16_t id,
		     uint16_t seq)
{
	struct pkt_buf b;
	struct ip_pair ip;
	int rc;

	pkt_reset(&b);
	path_ip_pair(&f->path, dir, &ip);
	rc = pkt_append_bytes(&b, data, PING_DATA_LEN);
	if (!rc)
		rc = pkt_push_icmp_echo(&b, &ip, dir == DIR_S2C, id, seq);
	return rc ? rc : flow_emit(f, dir, &b, f->path.family == 4 ? PROTO_ICMP : PROTO_ICMPV6);
}

int ping_series_run(struct demo_flow *f, const struct ping_series *p)
{
	unsigned before = f->pkts, i;
	uint8_t data[PING_DATA_LEN];
	int rc = 0;

	for (i = 0; i < p->count && !rc; i++) {
		uint64_t sent = f->now_us;
		uint32_t rtt = p->rtt_us + rng_between(&f->rng, 0, p->rtt_us / 4);

		ping_data_fill(data, sent);
		rc = ping_send(f, DIR_C2S, data, p->id, (uint16_t)(i + 1));
		flow_advance(f, rtt);
		/* The reply echoes the request's data, timestamp included. */
		if (!rc)
			rc = ping_send(f, DIR_S2C, data, p->id, (uint16_t)(i + 1));
		if (rtt < PING_INTERVAL_US)
			flow_advance(f, PING_INTERVAL_US - rtt + rng_between(&f->rng, 0, 300));
	}
	return rc ? rc : (int)(f->pkts - before);
}

/* Builds the whole datagram once so the UDP checksum covers all of it,
 * then sends it in FRAG_CHUNK pieces sharing one IP ID. */
static int frag_dgram_send(struct demo_flow *f, const struct frag_burst *fb, size_t payload)
{
	struct pkt_buf whole, piece;
	struct ip_pair ip;
	uint16_t id = f->ip_id[DIR_C2S]++;
	size_t off, i;
	uint8_t *p;
	int rc;

	if (f->path.family != 4)
		return -EINVAL;
	pkt_reset(&whole);
	p = pkt_append(&whole, payload);
	if (!p)
		return -ENOSPC;
	for (i = 0; i < payload; i++)
		p[i] = (uint8_t)"stellar demo fragmented datagram\n"[i % 33];
	path_ip_pair(&f->path, DIR_C2S, &ip);
	rc = pkt_push_udp(&whole, &ip, fb->sport, fb->dport);
	for (off = 0; !rc && off < pkt_len(&whole); off += FRAG_CHUNK) {
		size_t n = pkt_len(&whole) - off;
		uint16_t mf = n > FRAG_CHUNK ? IPV4_MF : 0;

		if (n > FRAG_CHUNK)
			n = FRAG_CHUNK;
		if (off)
			flow_advance(f, 12 + n / 12);
		pkt_reset(&piece);
		rc = pkt_append_bytes(&piece, pkt_bytes(&whole) + off, n);
		if (!rc)
			rc = flow_emit_fragment(f, DIR_C2S, &piece, PROTO_UDP, id,
						(uint16_t)(mf | off / 8));
	}
	return rc;
}

int frag_burst_run(struct demo_flow *f, const struct frag_burst *fb)
{
	unsigned before = f->pkts, i;
	int rc = 0;

	if (fb->n_dgrams > FRAG_MAX_DGRAMS)
		return -EINVAL;
	for (i = 0; i < fb->n_dgrams && !rc; i++) {
		if (i)
			flow_advance(f, rng_between(&f->rng, 2000, 80000));
		rc = frag_dgram_send(f, fb, fb->payload[i]);
	}
	return rc ? rc : (int)(f->pkts - before);
}
