/*
 * Byte-level packet builders for the demo capture generator. A packet is
 * built back to front: the payload goes in first, then every header is
 * prepended, so a header that needs the length or checksum of what follows
 * it (IP total length, UDP length, L4 checksums) can compute it on the spot.
 * All builders return 0 or -ENOSPC.
 */
#ifndef STELLAR_DEMO_PKT_BUILD_H
#define STELLAR_DEMO_PKT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETHER_IPV4 0x0800
#define ETHER_IPV6 0x86dd
#define ETHER_VLAN 0x8100
#define ETHER_QINQ 0x88a8

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPV6 41
#define PROTO_GRE 47
#define PROTO_ICMPV6 58

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define IPV4_DF 0x4000
#define IPV4_MF 0x2000

#define VXLAN_PORT 4789

/* Headroom covers the deepest stack we build (Eth+QinQ+IPv4+UDP+VXLAN+Eth+
 * IPv6+TCP with options); capacity covers a whole UDP datagram before it is
 * cut into fragments. */
#define PKT_HEADROOM 256
#define PKT_BUF_CAP 8192

struct pkt_buf {
	size_t head;
	size_t tail;
	uint8_t data[PKT_BUF_CAP];
};

/* Source and destination of one IP hop; family is 4 or 6 and IPv4 uses the
 * first four bytes of each address. */
struct ip_pair {
	uint8_t family;
	uint8_t src[16];
	uint8_t dst[16];
};

struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt;
	size_t optlen; /* multiple of 4 */
};

struct ipv4_spec {
	const uint8_t *src, *dst;
	uint8_t proto;
	uint8_t ttl;
	uint16_t id;
	uint16_t frag; /* flags and offset field as it goes on the wire */
};

void pkt_reset(struct pkt_buf *b);
size_t pkt_len(const struct pkt_buf *b);
const uint8_t *pkt_bytes(const struct pkt_buf *b);
uint8_t *pkt_prepend(struct pkt_buf *b, size_t len);
uint8_t *pkt_append(struct pkt_buf *b, size_t len);
int pkt_append_bytes(struct pkt_buf *b, const void *src, size_t len);

void be16_put(uint8_t *p, uint16_t v);
void be32_put(uint8_t *p, uint32_t v);

uint32_t csum_add(uint32_t sum, const void *data, size_t len);
uint16_t csum_fold(uint32_t sum);
uint16_t csum_l4(const struct ip_pair *ip, uint8_t proto, const uint8_t *l4, size_t len);

int pkt_push_tcp(struct pkt_buf *b, const struct ip_pair *ip, const struct tcp_seg *s);
int pkt_push_udp(struct pkt_buf *b, const struct ip_pair *ip, uint16_t sport, uint16_t dport);
int pkt_push_icmp_echo(struct pkt_buf *b, const struct ip_pair *ip, bool reply, uint16_t id,
		       uint16_t seq);
int pkt_push_ipv4(struct pkt_buf *b, const struct ipv4_spec *s);
int pkt_push_ipv6(struct pkt_buf *b, const uint8_t *src, const uint8_t *dst, uint8_t next,
		  uint8_t hlim);
int pkt_push_gre(struct pkt_buf *b, uint16_t proto);
int pkt_push_vxlan(struct pkt_buf *b, uint32_t vni);
int pkt_push_vlan(struct pkt_buf *b, uint16_t tci, uint16_t next_type);
int pkt_push_eth(struct pkt_buf *b, const uint8_t *dst, const uint8_t *src, uint16_t type);

#endif
