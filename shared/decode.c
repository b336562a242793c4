#include "decode.h"

#include <rte_hash_crc.h>

#include "decode_internal.h"

void decode_config_defaults(struct decode_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vxlan_ports[0] = 4789;
	cfg->geneve_ports[0] = 6081;
	cfg->gtpu_ports[0] = 2152;
	cfg->teredo_ports[0] = 3544;
	cfg->zone_vlan = true;
	cfg->zone_tunnel = true;
}

static uint32_t zone_of(const struct pkt_decode *d, const struct decode_config *cfg)
{
	uint32_t zone = 0;
	unsigned n = d->n_encap < DECODE_MAX_ENCAP ? d->n_encap : DECODE_MAX_ENCAP;

	for (unsigned i = 0; i < n; i++) {
		const struct encap_layer *e = &d->encap[i];
		bool vlan = e->type == ENCAP_VLAN || e->type == ENCAP_QINQ;
		bool tunnel = e->type == ENCAP_GRE || e->type == ENCAP_VXLAN ||
			      e->type == ENCAP_GENEVE || e->type == ENCAP_GTPU;

		if ((vlan && cfg->zone_vlan) || (tunnel && cfg->zone_tunnel))
			zone = rte_hash_crc_8byte((uint64_t)e->type << 32 | e->id, zone);
	}
	return zone;
}

enum decode_status decode_packet(const uint8_t *data, uint32_t len, uint32_t wire_len,
				 const struct decode_config *cfg, struct pkt_decode *out)
{
	struct dcur c = {
		.data = data,
		.len = len,
		.cut = wire_len > len,
		.cfg = cfg,
		.d = out,
	};

	memset(out, 0, sizeof(*out));
	decode_ether(&c, 0, len);
	if (out->status == DECODE_OK && out->ip_version == 0)
		out->status = DECODE_NOT_IP;
	out->zone = zone_of(out, cfg);
	return (enum decode_status)out->status;
}

struct hash_key {
	uint8_t lo[16], hi[16];
	uint16_t lo_port, hi_port;
	uint32_t zone;
	uint8_t proto;
	uint8_t pad[3];
};

/* rte_hash_crc() reads its input through uint64_t pointers; once inlined,
 * strict aliasing lets the compiler move those reads ahead of the stores
 * that filled the key. Loading each word with memcpy keeps them in order. */
static uint32_t crc_words(const void *data, size_t len, uint32_t v)
{
	const uint8_t *p = data;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		v = rte_hash_crc_8byte(w, v);
	}
	for (; i + 4 <= len; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		v = rte_hash_crc_4byte(w, v);
	}
	return v;
}

uint32_t decode_flow_hash(const struct pkt_decode *d)
{
	struct hash_key k;
	uint16_t sp = d->sport, dp = d->dport;
	int c;

	if (d->ip_version == 0)
		return 0;
	memset(&k, 0, sizeof(k));
	if (d->frag & FRAG_IS_FRAGMENT)
		sp = dp = 0;
	else if (d->l4_proto == 1 || d->l4_proto == 58)
		sp = dp = d->icmp_id; /* echo request and reply share it */
	c = memcmp(d->src, d->dst, sizeof(d->src));
	if (c < 0 || (c == 0 && sp <= dp)) {
		memcpy(k.lo, d->src, 16);
		memcpy(k.hi, d->dst, 16);
		k.lo_port = sp;
		k.hi_port = dp;
	} else {
		memcpy(k.lo, d->dst, 16);
		memcpy(k.hi, d->src, 16);
		k.lo_port = dp;
		k.hi_port = sp;
	}
	k.zone = d->zone;
	k.proto = d->l4_proto;
	return crc_words(&k, sizeof(k), 0x5354454c);
}

static const char *const error_names[DERR_MAX] = {
	[DERR_NONE] = "none",
	[DERR_ETH_TRUNCATED] = "eth_truncated",
	[DERR_VLAN_TRUNCATED] = "vlan_truncated",
	[DERR_TOO_MANY_LAYERS] = "too_many_layers",
	[DERR_MPLS_TRUNCATED] = "mpls_truncated",
	[DERR_PPPOE_TRUNCATED] = "pppoe_truncated",
	[DERR_IPV4_TRUNCATED] = "ipv4_truncated",
	[DERR_IPV4_BAD_VERSION] = "ipv4_bad_version",
	[DERR_IPV4_BAD_IHL] = "ipv4_bad_ihl",
	[DERR_IPV4_BAD_LENGTH] = "ipv4_bad_length",
	[DERR_IPV4_BAD_OPTIONS] = "ipv4_bad_options",
	[DERR_IPV6_TRUNCATED] = "ipv6_truncated",
	[DERR_IPV6_BAD_VERSION] = "ipv6_bad_version",
	[DERR_IPV6_BAD_LENGTH] = "ipv6_bad_length",
	[DERR_IPV6_EXT_TRUNCATED] = "ipv6_ext_truncated",
	[DERR_IPV6_TOO_MANY_EXT] = "ipv6_too_many_ext",
	[DERR_FRAG_BAD_OFFSET] = "frag_bad_offset",
	[DERR_TCP_TRUNCATED] = "tcp_truncated",
	[DERR_TCP_BAD_OFFSET] = "tcp_bad_offset",
	[DERR_TCP_BAD_OPTIONS] = "tcp_bad_options",
	[DERR_UDP_TRUNCATED] = "udp_truncated",
	[DERR_UDP_BAD_LENGTH] = "udp_bad_length",
	[DERR_ICMP_TRUNCATED] = "icmp_truncated",
	[DERR_GRE_TRUNCATED] = "gre_truncated",
	[DERR_GRE_BAD_VERSION] = "gre_bad_version",
	[DERR_VXLAN_TRUNCATED] = "vxlan_truncated",
	[DERR_GENEVE_TRUNCATED] = "geneve_truncated",
	[DERR_GTPU_TRUNCATED] = "gtpu_truncated",
	[DERR_SCTP_TRUNCATED] = "sctp_truncated",
};

const char *decode_error_name(enum decode_error err)
{
	return (unsigned)err < DERR_MAX && error_names[err] ? error_names[err] : "unknown";
}

static const char *const encap_names[ENCAP_TYPE_MAX] = {
	[ENCAP_NONE] = "none",
	[ENCAP_VLAN] = "vlan",
	[ENCAP_QINQ] = "qinq",
	[ENCAP_MPLS] = "mpls",
	[ENCAP_PPPOE] = "pppoe",
	[ENCAP_GRE] = "gre",
	[ENCAP_VXLAN] = "vxlan",
	[ENCAP_GENEVE] = "geneve",
	[ENCAP_GTPU] = "gtpu",
	[ENCAP_TEREDO] = "teredo",
	[ENCAP_IPIP] = "ipip",
};

const char *encap_type_name(enum encap_type type)
{
	return (unsigned)type < ENCAP_TYPE_MAX ? encap_names[type] : "unknown";
}
