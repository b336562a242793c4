/* Ethernet, VLAN/QinQ tags, MPLS label stacks and PPPoE sessions. */
#include "decode_internal.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE 0x8864
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

void decode_ether(struct dcur *c, uint32_t off, uint32_t end)
{
	if (!dlayer(c))
		return;
	if (end < off || end - off < ETH_HLEN) {
		dfail(c, DERR_ETH_TRUNCATED);
		return;
	}
	decode_ethertype(c, rd16(c->data + off + 12), off + ETH_HLEN, end);
}

static void decode_vlan(struct dcur *c, uint16_t type, uint32_t off, uint32_t end)
{
	if (!dlayer(c))
		return;
	if (end - off < 4) {
		dfail(c, DERR_VLAN_TRUNCATED);
		return;
	}
	dpush_encap(c, type == ETHERTYPE_VLAN ? ENCAP_VLAN : ENCAP_QINQ, rd16(c->data + off) & 0x0fff);
	decode_ethertype(c, rd16(c->data + off + 2), off + 4, end);
}

static void decode_mpls(struct dcur *c, uint32_t off, uint32_t end)
{
	uint32_t entry;

	do {
		if (!dlayer(c))
			return;
		if (end - off < 4) {
			dfail(c, DERR_MPLS_TRUNCATED);
			return;
		}
		entry = rd32(c->data + off);
		dpush_encap(c, ENCAP_MPLS, entry >> 12);
		off += 4;
	} while (!(entry & 0x100)); /* bottom of stack */

	if (end - off < 1)
		return; /* an empty payload: nothing to decode */
	switch (c->data[off] >> 4) {
	case 4:
	case 6:
		decode_ip_any(c, off, end);
		break;
	case 0:
		/* Pseudowire control word, then an Ethernet frame. */
		if (end - off >= 4)
			decode_ether(c, off + 4, end);
		break;
	default:
		break; /* unknown payload: the flow ends at MPLS */
	}
}

static void decode_pppoe(struct dcur *c, uint32_t off, uint32_t end)
{
	uint16_t proto;

	if (!dlayer(c))
		return;
	/* ver/type, code, session id, length, then the PPP protocol. */
	if (end - off < 8) {
		dfail(c, DERR_PPPOE_TRUNCATED);
		return;
	}
	dpush_encap(c, ENCAP_PPPOE, rd16(c->data + off + 2));
	proto = rd16(c->data + off + 6);
	if (proto == PPP_IPV4)
		decode_ipv4(c, off + 8, end);
	else if (proto == PPP_IPV6)
		decode_ipv6(c, off + 8, end);
}

void decode_ethertype(struct dcur *c, uint16_t type, uint32_t off, uint32_t end)
{
	switch (type) {
	case ETHERTYPE_IPV4:
		decode_ipv4(c, off, end);
		break;
	case ETHERTYPE_IPV6:
		decode_ipv6(c, off, end);
		break;
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_QINQ_OLD:
		decode_vlan(c, type, off, end);
		break;
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		decode_mpls(c, off, end);
		break;
	case ETHERTYPE_PPPOE:
		decode_pppoe(c, off, end);
		break;
	default:
		break; /* ARP, LLDP, ...: not IP */
	}
}
