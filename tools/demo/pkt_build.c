#include "pkt_build.h"

#include <errno.h>
#include <string.h>

void pkt_reset(struct pkt_buf *b)
{
	b->head = PKT_HEADROOM;
	b->tail = PKT_HEADROOM;
}

size_t pkt_len(const struct pkt_buf *b)
{
	return b->tail - b->head;
}

const uint8_t *pkt_bytes(const struct pkt_buf *b)
{
	return b->data + b->head;
}

/* New bytes are zeroed so that reserved fields and anything a builder
 * leaves alone are identical from run to run. */
uint8_t *pkt_prepend(struct pkt_buf *b, size_t len)
{
	if (len > b->head)
		return NULL;
	b->head -= len;
	memset(b->data + b->head, 0, len);
	return b->data + b->head;
}

uint8_t *pkt_append(struct pkt_buf *b, size_t len)
{
	uint8_t *p;

	if (len > PKT_BUF_CAP - b->tail)
		return NULL;
	p = b->data + b->tail;
	memset(p, 0, len);
	b->tail += len;
	return p;
}

int pkt_append_bytes(struct pkt_buf *b, const void *src, size_t len)
{
	uint8_t *p = pkt_append(b, len);

	if (!p)
		return -ENOSPC;
	memcpy(p, src, len);
	return 0;
}

void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Only the last chunk summed may have odd length: the pad byte of RFC 1071
 * is applied here, and every earlier chunk (pseudo-headers) is even. */
uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_l4(const struct ip_pair *ip, uint8_t proto, const uint8_t *l4, size_t len)
{
	uint8_t ph[40];
	size_t phlen;

	memset(ph, 0, sizeof(ph));
	if (ip->family == 4) {
		memcpy(ph, ip->src, 4);
		memcpy(ph + 4, ip->dst, 4);
		ph[9] = proto;
		be16_put(ph + 10, (uint16_t)len);
		phlen = 12;
	} else {
		memcpy(ph, ip->src, 16);
		memcpy(ph + 16, ip->dst, 16);
		be32_put(ph + 32, (uint32_t)len);
		ph[39] = proto;
		phlen = 40;
	}
	return csum_fold(csum_add(csum_add(0, ph, phlen), l4, len));
}

int pkt_push_tcp(struct pkt_buf *b, const struct ip_pair *ip, const struct tcp_seg *s)
{
	size_t hlen = 20 + s->optlen;
	uint8_t *h = pkt_prepend(b, hlen);

	if (!h || s->optlen % 4 || hlen > 60)
		return -ENOSPC;
	be16_put(h, s->sport);
	be16_put(h + 2, s->dport);
	be32_put(h + 4, s->seq);
	be32_put(h + 8, s->flags & TCP_ACK ? s->ack : 0);
	h[12] = (uint8_t)(hlen / 4 << 4);
	h[13] = s->flags;
	be16_put(h + 14, s->win);
	if (s->optlen)
		memcpy(h + 20, s->opt, s->optlen);
	be16_put(h + 16, csum_l4(ip, PROTO_TCP, h, pkt_len(b)));
	return 0;
}

int pkt_push_udp(struct pkt_buf *b, const struct ip_pair *ip, uint16_t sport, uint16_t dport)
{
	uint8_t *h = pkt_prepend(b, 8);
	uint16_t c;

	if (!h)
		return -ENOSPC;
	be16_put(h, sport);
	be16_put(h + 2, dport);
	be16_put(h + 4, (uint16_t)pkt_len(b));
	c = csum_l4(ip, PROTO_UDP, h, pkt_len(b));
	/* Zero means "no checksum" for UDP, so a computed zero is sent as ones. */
	be16_put(h + 6, c ? c : 0xffff);
	return 0;
}

/* ICMPv4 has no pseudo-header; ICMPv6 does (RFC 4443), hence the ip_pair. */
int pkt_push_icmp_echo(struct pkt_buf *b, const struct ip_pair *ip, bool reply, uint16_t id,
		       uint16_t seq)
{
	uint8_t *h = pkt_prepend(b, 8);
	uint16_t c;

	if (!h)
		return -ENOSPC;
	if (ip->family == 4)
		h[0] = reply ? 0 : 8;
	else
		h[0] = reply ? 129 : 128;
	be16_put(h + 4, id);
	be16_put(h + 6, seq);
	if (ip->family == 4)
		c = csum_fold(csum_add(0, h, pkt_len(b)));
	else
		c = csum_l4(ip, PROTO_ICMPV6, h, pkt_len(b));
	be16_put(h + 2, c);
	return 0;
}

int pkt_push_ipv4(struct pkt_buf *b, const struct ipv4_spec *s)
{
	uint8_t *h = pkt_prepend(b, 20);

	if (!h || pkt_len(b) > 0xffff)
		return -ENOSPC;
	h[0] = 0x45;
	be16_put(h + 2, (uint16_t)pkt_len(b));
	be16_put(h + 4, s->id);
	be16_put(h + 6, s->frag);
	h[8] = s->ttl;
	h[9] = s->proto;
	memcpy(h + 12, s->src, 4);
	memcpy(h + 16, s->dst, 4);
	be16_put(h + 10, csum_fold(csum_add(0, h, 20)));
	return 0;
}

int pkt_push_ipv6(struct pkt_buf *b, const uint8_t *src, const uint8_t *dst, uint8_t next,
		  uint8_t hlim)
{
	size_t plen = pkt_len(b);
	uint8_t *h = pkt_prepend(b, 40);

	if (!h || plen > 0xffff)
		return -ENOSPC;
	h[0] = 0x60;
	be16_put(h + 4, (uint16_t)plen);
	h[6] = next;
	h[7] = hlim;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	return 0;
}

/* Basic RFC 2784 header: no checksum, key or sequence number. */
int pkt_push_gre(struct pkt_buf *b, uint16_t proto)
{
	uint8_t *h = pkt_prepend(b, 4);

	if (!h)
		return -ENOSPC;
	be16_put(h + 2, proto);
	return 0;
}

int pkt_push_vxlan(struct pkt_buf *b, uint32_t vni)
{
	uint8_t *h = pkt_prepend(b, 8);

	if (!h)
		return -ENOSPC;
	h[0] = 0x08; /* I flag: the VNI is valid */
	be32_put(h + 4, vni << 8);
	return 0;
}

/* Writes the TCI and the type of what follows; the TPID is the ethertype
 * of the header pushed next (Ethernet or an outer tag). */
int pkt_push_vlan(struct pkt_buf *b, uint16_t tci, uint16_t next_type)
{
	uint8_t *h = pkt_prepend(b, 4);

	if (!h)
		return -ENOSPC;
	be16_put(h, tci);
	be16_put(h + 2, next_type);
	return 0;
}

int pkt_push_eth(struct pkt_buf *b, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	uint8_t *h = pkt_prepend(b, 14);

	if (!h)
		return -ENOSPC;
	memcpy(h, dst, 6);
	memcpy(h + 6, src, 6);
	be16_put(h + 12, type);
	return 0;
}
