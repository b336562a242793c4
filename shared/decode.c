#include "decode.h"

#include <stddef.h>

#include <rte_byteorder.h>
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
	decode_config_index(cfg);
}

void decode_config_index(struct decode_config *cfg)
{
	static const struct {
		size_t offset;
		uint8_t tunnel;
	} lists[] = {
		/* Later entries win a port claimed twice; GTP-U and Teredo
		 * peers may use the port on either side. */
		{offsetof(struct decode_config, teredo_ports), UDP_TUNNEL_TEREDO | UDP_TUNNEL_EITHER},
		{offsetof(struct decode_config, gtpu_ports), UDP_TUNNEL_GTPU | UDP_TUNNEL_EITHER},
		{offsetof(struct decode_config, geneve_ports), UDP_TUNNEL_GENEVE},
		{offsetof(struct decode_config, vxlan_ports), UDP_TUNNEL_VXLAN},
	};

	memset(cfg->udp_tunnel, 0, sizeof(cfg->udp_tunnel));
	for (unsigned l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		const uint16_t *ports = (const uint16_t *)((const char *)cfg + lists[l].offset);

		for (unsigned i = 0; i < DECODE_MAX_TUNNEL_PORTS; i++)
			if (ports[i])
				cfg->udp_tunnel[ports[i]] = lists[l].tunnel;
	}
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

	/* The encapsulation array is bounded by n_encap: no need to clear it. */
	memset(out, 0, offsetof(struct pkt_decode, encap));
	decode_ether(&c, 0, len);
	if (out->status == DECODE_OK && out->ip_version == 0)
		out->status = DECODE_NOT_IP;
	out->zone = zone_of(out, cfg);
	return (enum decode_status)out->status;
}

static inline uint32_t crc_u64(uint64_t w, uint32_t v)
{
	return rte_hash_crc_8byte(w, v);
}

/*
 * Symmetric: the endpoints are put in a fixed order (address, then port)
 * before hashing, so both directions give the same words. Words are built
 * in registers; the CRC instruction does the mixing.
 */
uint32_t decode_flow_hash(const struct pkt_decode *d)
{
	uint16_t sp = d->sport, dp = d->dport;
	uint32_t v = 0x5354454c ^ d->zone;
	uint64_t tail;

	if (d->ip_version == 0)
		return 0;
	if (d->frag & FRAG_IS_FRAGMENT)
		sp = dp = 0;
	else if (d->l4_proto == 1 || d->l4_proto == 58)
		sp = dp = d->icmp_id; /* echo request and reply share it */

	if (d->ip_version == 4) {
		uint32_t s4, d4;

		memcpy(&s4, d->src, 4);
		memcpy(&d4, d->dst, 4);
		s4 = rte_be_to_cpu_32(s4);
		d4 = rte_be_to_cpu_32(d4);
		if (s4 > d4 || (s4 == d4 && sp > dp)) {
			uint32_t t = s4;
			uint16_t tp = sp;

			s4 = d4;
			d4 = t;
			sp = dp;
			dp = tp;
		}
		v = crc_u64((uint64_t)s4 << 32 | d4, v);
	} else {
		uint64_t s0, s1, d0, d1;

		memcpy(&s0, d->src, 8);
		memcpy(&s1, d->src + 8, 8);
		memcpy(&d0, d->dst, 8);
		memcpy(&d1, d->dst + 8, 8);
		s0 = rte_be_to_cpu_64(s0);
		s1 = rte_be_to_cpu_64(s1);
		d0 = rte_be_to_cpu_64(d0);
		d1 = rte_be_to_cpu_64(d1);
		if (s0 > d0 || (s0 == d0 && (s1 > d1 || (s1 == d1 && sp > dp)))) {
			uint64_t t0 = s0, t1 = s1;
			uint16_t tp = sp;

			s0 = d0;
			s1 = d1;
			d0 = t0;
			d1 = t1;
			sp = dp;
			dp = tp;
		}
		v = crc_u64(s0, v);
		v = crc_u64(s1, v);
		v = crc_u64(d0, v);
		v = crc_u64(d1, v);
	}
	tail = (uint64_t)sp << 48 | (uint64_t)dp << 32 | (uint64_t)d->l4_proto << 24 | d->ip_version;
	return crc_u64(tail, v);
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
