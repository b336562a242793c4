/* Application values of a packet, found the way tshark finds them with its
 * default settings: HTTP in any TCP or UDP payload (SSDP included), DNS on
 * its ports (53, mDNS 5353, LLMNR 5355), TLS hellos in TCP payloads, and
 * QUIC Initials on UDP 443, decrypted, across packets of a connection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app_dns.h"
#include "app_http.h"
#include "app_quic.h"
#include "app_tls.h"
#include "decode_report.h"

#define QUIC_CONNS 64

struct quic_slot {
	uint32_t flow;
	bool used;
	bool done;
	struct app_quic_conn conn;
};

struct app_extract {
	struct app_quic_engine *engine;
	unsigned next;
	struct quic_slot quic[QUIC_CONNS];
	struct app_dns_msg dns;
};

struct app_extract *app_extract_new(void)
{
	struct app_extract *x = calloc(1, sizeof(*x));

	if (x && !(x->engine = app_quic_engine_create())) {
		free(x);
		return NULL;
	}
	return x;
}

void app_extract_free(struct app_extract *x)
{
	if (!x)
		return;
	app_quic_engine_free(x->engine);
	free(x);
}

static bool dns_port(uint16_t p)
{
	return p == 53 || p == 5353 || p == 5355;
}

static void add_qname(struct report *r, const struct app_dns_msg *m)
{
	if (m->has_question)
		report_add_string(r, "dns_qnames", m->qname, m->qname_len);
}

static void extract_dns(struct app_extract *x, struct report *r, const uint8_t *p, uint32_t len, bool tcp)
{
	if (!tcp) {
		int rc = app_dns_parse(p, len, APP_DNS_LOWER, &x->dns);

		if (rc == 0 || rc == -EAGAIN)
			add_qname(r, &x->dns);
		return;
	}
	while (len) {
		size_t used = 0;
		int rc = app_dns_parse_tcp(p, len, APP_DNS_LOWER, &x->dns, &used);

		if (rc == 0 || rc == -EAGAIN)
			add_qname(r, &x->dns);
		if (rc != 0 || used == 0 || used > len)
			return;
		p += used;
		len -= (uint32_t)used;
	}
}

static void extract_quic(struct app_extract *x, struct report *r, const uint8_t *p, uint32_t len,
			 const struct pkt_decode *d)
{
	uint32_t flow = decode_flow_hash(d);
	struct quic_slot *s = NULL;
	struct app_tls_hello hello;

	for (unsigned i = 0; i < QUIC_CONNS; i++)
		if (x->quic[i].used && x->quic[i].flow == flow)
			s = &x->quic[i];
	if (!s) {
		s = &x->quic[x->next++ % QUIC_CONNS];
		s->used = true;
		s->done = false;
		s->flow = flow;
		app_quic_conn_init(&s->conn);
	}
	if (s->done || app_quic_conn_feed(x->engine, &s->conn, p, len) < 0)
		return;
	if (app_quic_conn_hello(&s->conn, &hello) == 0) {
		s->done = true;
		if (hello.sni_len)
			report_add_string(r, "tls_snis", hello.sni, hello.sni_len);
	}
}

void app_extract_packet(struct app_extract *x, struct report *r, const uint8_t *pkt, uint32_t len,
			const struct pkt_decode *d)
{
	const uint8_t *p = pkt + d->payload_off;
	uint32_t plen = d->payload_len;
	bool tcp = d->l4_proto == 6, udp = d->l4_proto == 17;
	struct app_http_msg http;
	struct app_tls_hello hello;
	int rc;

	if ((!tcp && !udp) || plen == 0 || (uint32_t)d->payload_off + plen > len)
		return;
	rc = app_http_parse(p, plen, &http);
	if ((rc == 0 || rc == -EAGAIN) && http.kind == APP_HTTP_REQUEST) {
		if (http.host.len)
			report_add_string(r, "http_hosts", http.host.ptr, http.host.len);
		if (http.uri.len)
			report_add_string(r, "http_uris", http.uri.ptr, http.uri.len);
	}
	if (dns_port(d->sport) || dns_port(d->dport))
		extract_dns(x, r, p, plen, tcp);
	if (tcp && p[0] == 0x16 && app_tls_parse_records(p, plen, &hello) == 0 && hello.sni_len)
		report_add_string(r, "tls_snis", hello.sni, hello.sni_len);
	if (udp && (d->dport == 443 || d->sport == 443))
		extract_quic(x, r, p, plen, d);
}
