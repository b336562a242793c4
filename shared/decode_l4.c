/* Transport headers: TCP (with options), UDP (and the tunnels it carries),
 * ICMP, ICMPv6, SCTP; GRE and IP-in-IP hand over to the tunnel decoders. */
#include "decode_internal.h"

#define PROTO_ICMP 1
#define PROTO_IPIP 4
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPV6 41
#define PROTO_GRE 47
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

/* A first fragment too short for its transport header is not malformed,
 * just tiny (a classic evasion); later fragments hold the rest. */
static bool short_header(struct dcur *c, uint32_t have, uint32_t need, enum decode_error err)
{
	if (have >= need)
		return false;
	if (c->d->frag & FRAG_IS_FRAGMENT)
		c->d->frag |= FRAG_TINY;
	else
		dfail(c, err);
	return true;
}

static void set_payload(struct dcur *c, uint32_t off, uint32_t end)
{
	c->d->payload_off = (uint16_t)(off < end ? off : end);
	c->d->payload_len = (uint16_t)(off < end ? end - off : 0);
}

static void parse_tcp_options(struct dcur *c, const uint8_t *o, uint32_t len)
{
	struct pkt_decode *d = c->d;
	uint32_t i = 0;

	while (i < len) {
		uint8_t kind = o[i], olen;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || (olen = o[i + 1]) < 2 || i + olen > len) {
			dfail(c, DERR_TCP_BAD_OPTIONS);
			return;
		}
		if (kind == 2 && olen == 4) {
			d->tcp_opts |= TCPOPT_HAS_MSS;
			d->tcp_mss = rd16(o + i + 2);
		} else if (kind == 3 && olen == 3) {
			d->tcp_opts |= TCPOPT_HAS_WSCALE;
			d->tcp_wscale = o[i + 2];
		} else if (kind == 4 && olen == 2) {
			d->tcp_opts |= TCPOPT_HAS_SACKOK;
		} else if (kind == 8 && olen == 10) {
			d->tcp_opts |= TCPOPT_HAS_TS;
		}
		i += olen;
	}
}

static void decode_tcp(struct dcur *c, uint32_t off, uint32_t end)
{
	struct pkt_decode *d = c->d;
	const uint8_t *h = c->data + off;
	uint32_t hlen;

	if (short_header(c, end - off, 20, DERR_TCP_TRUNCATED))
		return;
	d->l4_off = (uint16_t)off;
	d->sport = rd16(h);
	d->dport = rd16(h + 2);
	d->tcp_seq = rd32(h + 4);
	d->tcp_ack = rd32(h + 8);
	d->tcp_flags = h[13];
	d->tcp_win = rd16(h + 14);
	hlen = (h[12] >> 4) * 4u;
	if (hlen < 20) {
		dfail(c, DERR_TCP_BAD_OFFSET);
		return;
	}
	if (hlen > end - off) {
		if (!(d->frag & FRAG_IS_FRAGMENT))
			dfail(c, DERR_TCP_BAD_OFFSET);
		return;
	}
	/* MSS, window scale and SACK-permitted only mean something on SYNs. */
	if (d->tcp_flags & TCP_SYN)
		parse_tcp_options(c, h + 20, hlen - 20);
	set_payload(c, off + hlen, end);
}

static void decode_udp(struct dcur *c, uint32_t off, uint32_t end)
{
	struct pkt_decode *d = c->d;
	const uint8_t *h = c->data + off;
	uint32_t ulen;

	if (short_header(c, end - off, 8, DERR_UDP_TRUNCATED))
		return;
	d->l4_off = (uint16_t)off;
	d->sport = rd16(h);
	d->dport = rd16(h + 2);
	ulen = rd16(h + 4);
	if (!(d->frag & FRAG_IS_FRAGMENT)) {
		if (ulen < 8) {
			dfail(c, DERR_UDP_BAD_LENGTH);
			set_payload(c, off + 8, end);
			return;
		}
		if (ulen > end - off) {
			if (!c->cut)
				dfail(c, DERR_UDP_BAD_LENGTH);
		} else {
			end = off + ulen;
		}
	}
	set_payload(c, off + 8, end);
	if (!(d->frag & FRAG_IS_FRAGMENT))
		decode_udp_tunnel(c, d->sport, d->dport, off + 8, end);
}

static void decode_icmp(struct dcur *c, uint32_t off, uint32_t end, bool v6)
{
	struct pkt_decode *d = c->d;
	const uint8_t *h = c->data + off;
	bool echo;

	if (short_header(c, end - off, 4, DERR_ICMP_TRUNCATED))
		return;
	d->l4_off = (uint16_t)off;
	d->icmp_type = h[0];
	d->icmp_code = h[1];
	echo = v6 ? (h[0] == 128 || h[0] == 129) : (h[0] == 8 || h[0] == 0);
	if (echo && end - off >= 8)
		d->icmp_id = rd16(h + 4);
	/* Errors quote the offending packet; that is not a flow of its own. */
	set_payload(c, off + (end - off >= 8 ? 8 : 4), end);
}

static void decode_sctp(struct dcur *c, uint32_t off, uint32_t end)
{
	struct pkt_decode *d = c->d;

	if (short_header(c, end - off, 12, DERR_SCTP_TRUNCATED))
		return;
	d->l4_off = (uint16_t)off;
	d->sport = rd16(c->data + off);
	d->dport = rd16(c->data + off + 2);
	set_payload(c, off + 12, end);
}

void decode_l4(struct dcur *c, uint8_t proto, uint32_t off, uint32_t end)
{
	c->d->l4_proto = proto;
	if (!dlayer(c))
		return;
	switch (proto) {
	case PROTO_TCP:
		decode_tcp(c, off, end);
		break;
	case PROTO_UDP:
		decode_udp(c, off, end);
		break;
	case PROTO_ICMP:
		decode_icmp(c, off, end, false);
		break;
	case PROTO_ICMPV6:
		decode_icmp(c, off, end, true);
		break;
	case PROTO_SCTP:
		decode_sctp(c, off, end);
		break;
	case PROTO_GRE:
		decode_gre(c, off, end);
		break;
	case PROTO_IPIP:
		if (!(c->d->frag & FRAG_IS_FRAGMENT))
			decode_ipv4(c, off, end);
		break;
	case PROTO_IPV6:
		if (!(c->d->frag & FRAG_IS_FRAGMENT))
			decode_ipv6(c, off, end);
		break;
	default:
		set_payload(c, off, end);
		break;
	}
}
