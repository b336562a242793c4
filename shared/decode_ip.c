/* IPv4 (with options) and IPv6 (with extension headers), fragments, and
 * IP-in-IP. Each IP header decoded becomes the innermost one. */
#include "decode_internal.h"

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135
#define IPV6_HLEN 40
#define IPV6_MAX_EXT 8

/*
 * An IP header that cannot be trusted (too short, wrong version, lengths
 * that contradict each other) carries no flow: every check runs before the
 * header becomes the innermost one, so the packet keeps the flow it had
 * outside it, or none.
 */
static bool begin_ip(struct dcur *c, uint32_t off, uint8_t version)
{
	struct pkt_decode *d = c->d;

	if (++c->ip_count > DECODE_MAX_IP) {
		dfail(c, DERR_TOO_MANY_LAYERS);
		return false;
	}
	/* An IP header right inside another one is a tunnel. Tunnels that
	 * have a header of their own (GRE, VXLAN...) were recorded already. */
	if (d->ip_version && d->l4_off == 0)
		dpush_encap(c, ENCAP_IPIP, (uint32_t)(d->ip_version << 4 | version));
	d->ip_version = version;
	d->l3_off = (uint16_t)off;
	d->l4_off = 0;
	d->l4_proto = 0;
	d->payload_off = d->payload_len = 0;
	d->sport = d->dport = 0;
	d->frag = 0;
	d->frag_offset = 0;
	d->frag_id = 0;
	return true;
}

/* Option lengths must add up inside the header; a bad one is recorded but
 * the header length (IHL) still tells where the payload starts. */
static void check_ipv4_options(struct dcur *c, uint32_t off, uint32_t hlen)
{
	uint32_t i = 20;

	while (i < hlen) {
		uint8_t type = c->data[off + i];

		if (type == 0)
			return; /* end of options */
		if (type == 1) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || c->data[off + i + 1] < 2 || i + c->data[off + i + 1] > hlen) {
			dfail(c, DERR_IPV4_BAD_OPTIONS);
			return;
		}
		i += c->data[off + i + 1];
	}
}

void decode_ipv4(struct dcur *c, uint32_t off, uint32_t end)
{
	struct pkt_decode *d = c->d;
	const uint8_t *h;
	uint32_t hlen, total;
	uint16_t fragw;

	if (!dlayer(c))
		return;
	if (end < off || end - off < 20) {
		dfail(c, DERR_IPV4_TRUNCATED);
		return;
	}
	h = c->data + off;
	if ((h[0] >> 4) != 4) {
		dfail(c, DERR_IPV4_BAD_VERSION);
		return;
	}
	hlen = (h[0] & 0x0f) * 4u;
	if (hlen < 20 || hlen > end - off) {
		dfail(c, hlen < 20 ? DERR_IPV4_BAD_IHL : DERR_IPV4_TRUNCATED);
		return;
	}
	total = rd16(h + 2);
	/* Total length 0 is what segmentation offload leaves in captures
	 * taken before the NIC split the packet: trust the buffer. */
	if (total == 0)
		total = end - off;
	if (total < hlen) {
		dfail(c, DERR_IPV4_BAD_LENGTH);
		return;
	}
	if (!begin_ip(c, off, 4))
		return;
	memcpy(d->src, h + 12, 4);
	memcpy(d->dst, h + 16, 4);
	memset(d->src + 4, 0, 12);
	memset(d->dst + 4, 0, 12);
	d->l4_proto = h[9];
	d->ip_ttl = h[8];
	if (total > end - off) {
		if (!c->cut)
			dfail(c, DERR_IPV4_BAD_LENGTH);
		total = end - off;
	}
	end = off + total; /* drops Ethernet padding */
	if (hlen > 20)
		check_ipv4_options(c, off, hlen);

	fragw = rd16(h + 6);
	if (fragw & 0x3fff) {
		d->frag = FRAG_IS_FRAGMENT | ((fragw & 0x2000) ? FRAG_MORE : 0);
		d->frag_offset = (uint16_t)((fragw & 0x1fff) * 8u);
		d->frag_id = rd16(h + 4);
		if (d->frag_offset + (total - hlen) > 65535u) {
			dfail(c, DERR_FRAG_BAD_OFFSET);
			return;
		}
		if (d->frag_offset)
			return; /* a later fragment: no transport header here */
	}
	decode_l4(c, d->l4_proto, off + hlen, end);
}

static bool is_ipv6_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_FRAGMENT_ ||
	       nh == IPPROTO_DSTOPTS_ || nh == IPPROTO_AH_ || nh == IPPROTO_MH_;
}

void decode_ipv6(struct dcur *c, uint32_t off, uint32_t end)
{
	struct pkt_decode *d = c->d;
	const uint8_t *h;
	uint32_t payload, pos;
	uint8_t nh;

	if (!dlayer(c))
		return;
	if (end < off || end - off < IPV6_HLEN) {
		dfail(c, DERR_IPV6_TRUNCATED);
		return;
	}
	h = c->data + off;
	if ((h[0] >> 4) != 6) {
		dfail(c, DERR_IPV6_BAD_VERSION);
		return;
	}
	if (!begin_ip(c, off, 6))
		return;
	memcpy(d->src, h + 8, 16);
	memcpy(d->dst, h + 24, 16);
	d->ip_ttl = h[7];
	payload = rd16(h + 4);
	/* Payload length 0 with a jumbo option, or offload: trust the buffer. */
	if (payload == 0)
		payload = end - off - IPV6_HLEN;
	if (payload > end - off - IPV6_HLEN) {
		if (!c->cut)
			dfail(c, DERR_IPV6_BAD_LENGTH);
		payload = end - off - IPV6_HLEN;
	}
	end = off + IPV6_HLEN + payload;
	nh = h[6];
	pos = off + IPV6_HLEN;
	d->l4_proto = nh;

	for (unsigned n = 0; is_ipv6_ext(nh); n++) {
		uint32_t elen;

		if (n >= IPV6_MAX_EXT) {
			dfail(c, DERR_IPV6_TOO_MANY_EXT);
			return;
		}
		if (end - pos < 8) {
			dfail(c, DERR_IPV6_EXT_TRUNCATED);
			return;
		}
		if (nh == IPPROTO_FRAGMENT_) {
			uint16_t w = rd16(c->data + pos + 2);

			d->frag = FRAG_IS_FRAGMENT | ((w & 1) ? FRAG_MORE : 0);
			d->frag_offset = w & 0xfff8;
			d->frag_id = rd32(c->data + pos + 4);
			/* An atomic fragment (offset 0, no more) is a whole packet. */
			if (!d->frag_offset && !(w & 1))
				d->frag = 0;
			elen = 8;
		} else if (nh == IPPROTO_AH_) {
			elen = (c->data[pos + 1] + 2u) * 4u;
		} else {
			elen = (c->data[pos + 1] + 1u) * 8u;
		}
		if (elen > end - pos) {
			dfail(c, DERR_IPV6_EXT_TRUNCATED);
			return;
		}
		nh = c->data[pos];
		pos += elen;
		d->l4_proto = nh;
		if ((d->frag & FRAG_IS_FRAGMENT) && d->frag_offset) {
			if (d->frag_offset + (end - pos) > 65535u)
				dfail(c, DERR_FRAG_BAD_OFFSET);
			return; /* a later fragment: no transport header here */
		}
	}
	decode_l4(c, nh, pos, end);
}

void decode_ip_any(struct dcur *c, uint32_t off, uint32_t end)
{
	if (end <= off)
		return;
	if ((c->data[off] >> 4) == 4)
		decode_ipv4(c, off, end);
	else if ((c->data[off] >> 4) == 6)
		decode_ipv6(c, off, end);
}
