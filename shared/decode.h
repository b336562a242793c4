/*
 * L2-L4 decoding of one packet down to its innermost flow, with the
 * encapsulation stack recorded. Runs once, in stellar-io; the result travels
 * in the mbuf private area so no later process decodes again.
 *
 * Malformed input never makes the decoder read outside the buffer: it stops
 * at the first layer it cannot trust, records why (enum decode_error), and
 * keeps what it decoded up to there.
 */
#ifndef STELLAR_DECODE_H
#define STELLAR_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DECODE_MAX_ENCAP 6
#define DECODE_MAX_TUNNEL_PORTS 4

enum encap_type {
	ENCAP_NONE = 0,
	ENCAP_VLAN,     /* 802.1Q tag; id = VLAN id */
	ENCAP_QINQ,     /* 802.1ad (0x88a8) or 0x9100 outer tag; id = VLAN id */
	ENCAP_MPLS,     /* id = label */
	ENCAP_PPPOE,    /* id = session id */
	ENCAP_GRE,      /* id = key (0 if none) */
	ENCAP_VXLAN,    /* id = VNI */
	ENCAP_GENEVE,   /* id = VNI */
	ENCAP_GTPU,     /* id = TEID */
	ENCAP_TEREDO,
	ENCAP_IPIP,     /* an IP header directly inside another; id = outer << 4 | inner version */
	ENCAP_TYPE_MAX
};

/* Why decoding stopped early; each has a counter in the stats. */
enum decode_error {
	DERR_NONE = 0,
	DERR_ETH_TRUNCATED,
	DERR_VLAN_TRUNCATED,
	DERR_TOO_MANY_LAYERS,
	DERR_MPLS_TRUNCATED,
	DERR_PPPOE_TRUNCATED,
	DERR_IPV4_TRUNCATED,
	DERR_IPV4_BAD_VERSION,
	DERR_IPV4_BAD_IHL,
	DERR_IPV4_BAD_LENGTH,
	DERR_IPV4_BAD_OPTIONS,
	DERR_IPV6_TRUNCATED,
	DERR_IPV6_BAD_VERSION,
	DERR_IPV6_BAD_LENGTH,
	DERR_IPV6_EXT_TRUNCATED,
	DERR_IPV6_TOO_MANY_EXT,
	DERR_FRAG_BAD_OFFSET,
	DERR_TCP_TRUNCATED,
	DERR_TCP_BAD_OFFSET,
	DERR_TCP_BAD_OPTIONS,
	DERR_UDP_TRUNCATED,
	DERR_UDP_BAD_LENGTH,
	DERR_ICMP_TRUNCATED,
	DERR_GRE_TRUNCATED,
	DERR_GRE_BAD_VERSION,
	DERR_VXLAN_TRUNCATED,
	DERR_GENEVE_TRUNCATED,
	DERR_GTPU_TRUNCATED,
	DERR_SCTP_TRUNCATED,
	DERR_MAX
};

const char *decode_error_name(enum decode_error err);
const char *encap_type_name(enum encap_type type);

enum decode_status {
	DECODE_OK = 0,        /* an IP packet, decoded as deep as it goes */
	DECODE_NOT_IP,        /* ARP, LLDP, STP...: no flow */
	DECODE_MALFORMED,     /* see error; fields hold what was decoded */
};

/* Fragment bits (of the innermost IP header reached). */
#define FRAG_IS_FRAGMENT 0x01 /* MF set or offset != 0 */
#define FRAG_MORE        0x02
#define FRAG_TINY        0x04 /* first fragment too short for its transport header */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/* TCP option presence bits (options are read on SYN segments only: that is
 * where MSS, window scale and SACK-permitted are negotiated). */
#define TCPOPT_HAS_MSS    0x01
#define TCPOPT_HAS_WSCALE 0x02
#define TCPOPT_HAS_SACKOK 0x04
#define TCPOPT_HAS_TS     0x08

struct encap_layer {
	uint8_t type;   /* enum encap_type */
	uint8_t pad[3];
	uint32_t id;
};

struct pkt_decode {
	uint8_t status;       /* enum decode_status */
	uint8_t error;        /* enum decode_error */
	uint8_t ip_version;   /* innermost IP: 4, 6, or 0 */
	uint8_t l4_proto;     /* innermost transport protocol number */
	uint8_t frag;         /* FRAG_* */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t n_encap;
	uint8_t tcp_opts;     /* TCPOPT_HAS_* */
	uint8_t tcp_wscale;
	uint8_t ip_ttl;
	uint16_t l3_off;      /* innermost IP header */
	uint16_t l4_off;      /* its transport header, 0 if none */
	uint16_t payload_off; /* application bytes */
	uint16_t payload_len;
	uint16_t sport;       /* host order; 0 for protocols without ports */
	uint16_t dport;
	uint16_t icmp_id;     /* echo identifier */
	uint16_t tcp_mss;
	uint16_t tcp_win;
	uint16_t frag_offset; /* bytes */
	uint32_t frag_id;
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint32_t zone;        /* hash of the encapsulation context a flow lives in */
	uint8_t src[16];      /* IPv4 in the first 4 bytes */
	uint8_t dst[16];
	struct encap_layer encap[DECODE_MAX_ENCAP];
};

struct decode_config {
	uint16_t vxlan_ports[DECODE_MAX_TUNNEL_PORTS];
	uint16_t geneve_ports[DECODE_MAX_TUNNEL_PORTS];
	uint16_t gtpu_ports[DECODE_MAX_TUNNEL_PORTS];
	uint16_t teredo_ports[DECODE_MAX_TUNNEL_PORTS];
	bool zone_vlan;       /* VLAN ids separate flows */
	bool zone_tunnel;     /* tunnel ids (VNI, GRE key, TEID) separate flows */
	/* Derived from the port lists by decode_config_index(): per UDP port,
	 * the tunnel it carries (UDP_TUNNEL_*), so a packet costs one lookup. */
	uint8_t udp_tunnel[65536];
};

#define UDP_TUNNEL_VXLAN  1
#define UDP_TUNNEL_GENEVE 2
#define UDP_TUNNEL_GTPU   3
#define UDP_TUNNEL_TEREDO 4
#define UDP_TUNNEL_EITHER 0x80 /* matches the source port too */

/* Registered ports (VXLAN 4789, Geneve 6081, GTP-U 2152, Teredo 3544),
 * VLANs and tunnel ids both part of the zone; indexed. */
void decode_config_defaults(struct decode_config *cfg);
/* Rebuilds udp_tunnel[] after the port lists changed. */
void decode_config_index(struct decode_config *cfg);

/*
 * Decodes `len` contiguous bytes starting at the Ethernet header.
 * `wire_len` is the packet's length on the wire (>= len when the capture
 * was cut by a snaplen): lengths beyond `len` are then not an error.
 */
enum decode_status decode_packet(const uint8_t *data, uint32_t len, uint32_t wire_len,
				 const struct decode_config *cfg, struct pkt_decode *out);

/* Symmetric hash of the innermost flow and its zone: both directions give
 * the same value; fragments hash on addresses and protocol only. */
uint32_t decode_flow_hash(const struct pkt_decode *d);

/* Maps a hash onto [0, n) using its high bits, so that it does not correlate
 * with the low bits that pick a steering bucket. */
static inline unsigned flow_hash_reduce(uint32_t hash, unsigned n)
{
	return (unsigned)(((uint64_t)hash * n) >> 32);
}

#ifdef __cplusplus
}
#endif
#endif
