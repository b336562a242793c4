/* Tunnels: GRE (keys, sequence numbers, PPTP's enhanced GRE, ERSPAN),
 * VXLAN, Geneve, GTP-U and Teredo, on their configured UDP ports. */
#include "decode_internal.h"

#define GRE_C 0x8000
#define GRE_R 0x4000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_A 0x0080 /* enhanced GRE: acknowledgment present */
#define ETHERTYPE_TEB 0x6558
#define ETHERTYPE_ERSPAN2 0x88be
#define ETHERTYPE_ERSPAN3 0x22eb
#define ETHERTYPE_PPP 0x880b
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

static void enter_tunnel(struct dcur *c, uint32_t hdr_off)
{
	/* The tunnel header plays the transport role of the outer packet:
	 * an IP header found inside is not plain IP-in-IP. */
	c->d->l4_off = (uint16_t)hdr_off;
}

static void decode_ppp(struct dcur *c, uint32_t off, uint32_t end)
{
	uint16_t proto;

	if (end - off >= 2 && c->data[off] == 0xff && c->data[off + 1] == 0x03)
		off += 2; /* address and control fields */
	if (end - off < 1)
		return;
	if (c->data[off] & 1) { /* protocol field compressed to one byte */
		proto = c->data[off];
		off += 1;
	} else {
		if (end - off < 2)
			return;
		proto = rd16(c->data + off);
		off += 2;
	}
	if (proto == PPP_IPV4)
		decode_ipv4(c, off, end);
	else if (proto == PPP_IPV6)
		decode_ipv6(c, off, end);
}

void decode_gre(struct dcur *c, uint32_t off, uint32_t end)
{
	uint16_t flags, proto;
	uint32_t hlen = 4, key = 0;

	if (end - off < 4) {
		dfail(c, DERR_GRE_TRUNCATED);
		return;
	}
	flags = rd16(c->data + off);
	proto = rd16(c->data + off + 2);
	if ((flags & 7) == 1) {
		/* PPTP: key holds payload length and call id, always present. */
		hlen = 8 + ((flags & GRE_S) ? 4 : 0) + ((flags & GRE_A) ? 4 : 0);
		if (end - off < hlen) {
			dfail(c, DERR_GRE_TRUNCATED);
			return;
		}
		key = rd16(c->data + off + 6);
	} else if ((flags & 7) == 0) {
		if (flags & GRE_R)
			return; /* source routing (RFC 1701), long deprecated: stop here */
		if (flags & GRE_C)
			hlen += 4;
		if (flags & GRE_K) {
			if (end - off < hlen + 4) {
				dfail(c, DERR_GRE_TRUNCATED);
				return;
			}
			key = rd32(c->data + off + hlen);
			hlen += 4;
		}
		if (flags & GRE_S)
			hlen += 4;
		if (end - off < hlen) {
			dfail(c, DERR_GRE_TRUNCATED);
			return;
		}
	} else {
		dfail(c, DERR_GRE_BAD_VERSION);
		return;
	}
	enter_tunnel(c, off);
	c->d->payload_off = (uint16_t)(off + hlen);
	c->d->payload_len = (uint16_t)(end - off - hlen);
	off += hlen;
	switch (proto) {
	case 0x0800:
		dpush_encap(c, ENCAP_GRE, key);
		decode_ipv4(c, off, end);
		break;
	case 0x86dd:
		dpush_encap(c, ENCAP_GRE, key);
		decode_ipv6(c, off, end);
		break;
	case ETHERTYPE_TEB:
		dpush_encap(c, ENCAP_GRE, key);
		decode_ether(c, off, end);
		break;
	case ETHERTYPE_ERSPAN2:
		dpush_encap(c, ENCAP_GRE, key);
		/* Type II has an 8-byte header and a sequence number; type I
		 * has neither and starts with the mirrored frame. */
		if (flags & GRE_S) {
			if (end - off < 8)
				return;
			off += 8;
		}
		decode_ether(c, off, end);
		break;
	case ETHERTYPE_ERSPAN3:
		dpush_encap(c, ENCAP_GRE, key);
		if (end - off < 12)
			return;
		decode_ether(c, off + 12 + ((c->data[off + 11] & 1) ? 8 : 0), end);
		break;
	case ETHERTYPE_PPP:
		dpush_encap(c, ENCAP_GRE, key);
		decode_ppp(c, off, end);
		break;
	case 0x8847:
		dpush_encap(c, ENCAP_GRE, key);
		decode_ethertype(c, proto, off, end);
		break;
	default:
		break; /* a payload we do not know: the flow is the GRE one */
	}
}

static bool decode_vxlan(struct dcur *c, uint32_t off, uint32_t end)
{
	if (end - off < 8) {
		dfail(c, DERR_VXLAN_TRUNCATED);
		return true;
	}
	dpush_encap(c, ENCAP_VXLAN, rd32(c->data + off + 4) >> 8);
	decode_ether(c, off + 8, end);
	return true;
}

static bool decode_geneve(struct dcur *c, uint32_t off, uint32_t end)
{
	uint32_t hlen;
	uint16_t proto;

	if (end - off < 8) {
		dfail(c, DERR_GENEVE_TRUNCATED);
		return true;
	}
	hlen = 8 + (c->data[off] & 0x3f) * 4u;
	if (end - off < hlen) {
		dfail(c, DERR_GENEVE_TRUNCATED);
		return true;
	}
	proto = rd16(c->data + off + 2);
	dpush_encap(c, ENCAP_GENEVE, rd32(c->data + off + 4) >> 8);
	if (proto == ETHERTYPE_TEB)
		decode_ether(c, off + hlen, end);
	else
		decode_ethertype(c, proto, off + hlen, end);
	return true;
}

static bool decode_gtpu(struct dcur *c, uint32_t off, uint32_t end)
{
	const uint8_t *h = c->data + off;
	uint32_t hlen = 8;

	if (end - off < 8) {
		dfail(c, DERR_GTPU_TRUNCATED);
		return true;
	}
	/* Version 1, protocol type GTP; only G-PDUs (0xff) carry user data. */
	if ((h[0] >> 5) != 1 || !(h[0] & 0x10) || h[1] != 0xff)
		return false;
	dpush_encap(c, ENCAP_GTPU, rd32(h + 4));
	if (h[0] & 0x07) {
		uint8_t next;

		if (end - off < 12) {
			dfail(c, DERR_GTPU_TRUNCATED);
			return true;
		}
		next = h[11];
		hlen = 12;
		while (next) {
			uint32_t elen;

			if (end - off < hlen + 1 || (elen = c->data[off + hlen] * 4u) == 0 ||
			    end - off < hlen + elen) {
				dfail(c, DERR_GTPU_TRUNCATED);
				return true;
			}
			next = c->data[off + hlen + elen - 1];
			hlen += elen;
		}
	}
	decode_ip_any(c, off + hlen, end);
	return true;
}

/* Teredo carries IPv6 right after UDP, optionally behind authentication
 * and origin indications. Anything that is not a plausible IPv6 header is
 * left as plain UDP. */
static bool decode_teredo(struct dcur *c, uint32_t off, uint32_t end)
{
	const uint8_t *p = c->data;

	if (end - off >= 2 && rd16(p + off) == 0x0001) {
		uint32_t alen;

		if (end - off < 4)
			return false;
		alen = 4u + p[off + 2] + p[off + 3] + 9u;
		if (end - off < alen)
			return false;
		off += alen;
	}
	if (end - off >= 8 && rd16(p + off) == 0x0000)
		off += 8;
	if (end - off < 40 || (p[off] >> 4) != 6 || rd16(p + off + 4) + 40u != end - off)
		return false;
	dpush_encap(c, ENCAP_TEREDO, 0);
	decode_ipv6(c, off, end);
	return true;
}

bool decode_udp_tunnel(struct dcur *c, uint16_t sport, uint16_t dport, uint32_t off, uint32_t end)
{
	uint8_t t = c->cfg->udp_tunnel[dport];

	if (!t) {
		t = c->cfg->udp_tunnel[sport];
		if (!(t & UDP_TUNNEL_EITHER))
			return false;
	}
	switch (t & ~UDP_TUNNEL_EITHER) {
	case UDP_TUNNEL_VXLAN:
		return decode_vxlan(c, off, end);
	case UDP_TUNNEL_GENEVE:
		return decode_geneve(c, off, end);
	case UDP_TUNNEL_GTPU:
		return decode_gtpu(c, off, end);
	case UDP_TUNNEL_TEREDO:
		return decode_teredo(c, off, end);
	default:
		return false;
	}
}
