#include "flow_hash.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>

#define ETHER_IPV4 0x0800
#define ETHER_IPV6 0x86dd
#define ETHER_VLAN 0x8100
#define ETHER_QINQ 0x88a8
#define ETHER_QINQ_OLD 0x9100
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_SCTP 132

struct flow_key {
	uint8_t lo[16], hi[16];
	uint16_t lo_port, hi_port;
	uint8_t proto;
	uint8_t pad[3];
};

static const uint8_t *read_at(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	return rte_pktmbuf_read(m, off, len, buf);
}

static void order_endpoints(struct flow_key *k, const uint8_t *a, const uint8_t *b, unsigned alen,
			    uint16_t aport, uint16_t bport)
{
	int c = memcmp(a, b, alen);

	if (c < 0 || (c == 0 && aport <= bport)) {
		memcpy(k->lo, a, alen);
		memcpy(k->hi, b, alen);
		k->lo_port = aport;
		k->hi_port = bport;
	} else {
		memcpy(k->lo, b, alen);
		memcpy(k->hi, a, alen);
		k->lo_port = bport;
		k->hi_port = aport;
	}
}

static void read_ports(const struct rte_mbuf *m, uint32_t off, uint8_t proto, uint16_t *sport,
		       uint16_t *dport)
{
	uint16_t buf[2];
	const uint16_t *p;

	*sport = *dport = 0;
	if (proto != PROTO_TCP && proto != PROTO_UDP && proto != PROTO_SCTP)
		return;
	p = (const uint16_t *)read_at(m, off, 4, buf);
	if (p) {
		*sport = rte_be_to_cpu_16(p[0]);
		*dport = rte_be_to_cpu_16(p[1]);
	}
}

uint32_t flow_hash_symmetric(const struct rte_mbuf *m)
{
	uint8_t buf[40];
	const uint8_t *h;
	uint32_t off = 12;
	uint16_t type, sport = 0, dport = 0;
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	for (;;) {
		h = read_at(m, off, 2, buf);
		if (!h)
			return 0;
		type = (uint16_t)(h[0] << 8 | h[1]);
		off += 2;
		if (type != ETHER_VLAN && type != ETHER_QINQ && type != ETHER_QINQ_OLD)
			break;
		off += 2; /* tag control information */
	}
	if (type == ETHER_IPV4) {
		unsigned ihl;
		uint16_t frag;

		h = read_at(m, off, 20, buf);
		if (!h || (h[0] >> 4) != 4)
			return 0;
		ihl = (h[0] & 0x0f) * 4u;
		frag = (uint16_t)((h[6] << 8 | h[7]) & 0x3fff); /* MF + offset */
		k.proto = h[9];
		if (!frag && ihl >= 20)
			read_ports(m, off + ihl, k.proto, &sport, &dport);
		order_endpoints(&k, h + 12, h + 16, 4, sport, dport);
	} else if (type == ETHER_IPV6) {
		h = read_at(m, off, 40, buf);
		if (!h || (h[0] >> 4) != 6)
			return 0;
		k.proto = h[6];
		read_ports(m, off + 40, k.proto, &sport, &dport);
		order_endpoints(&k, h + 8, h + 24, 16, sport, dport);
	} else {
		return 0;
	}
	return rte_hash_crc(&k, sizeof(k), 0x5354454c);
}
