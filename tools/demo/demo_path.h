/*
 * Where a demo flow's packets travel: the Ethernet/VLAN framing, the IP
 * endpoints and an optional tunnel around them. Scenarios only build L4
 * segments; flow_emit() wraps them for the flow's path and files them in
 * the trace at the flow's current time, so every scenario works unchanged
 * over plain, tagged and tunnelled paths.
 */
#ifndef STELLAR_DEMO_PATH_H
#define STELLAR_DEMO_PATH_H

#include <stdint.h>

#include "demo_rng.h"
#include "demo_trace.h"
#include "pkt_build.h"

/* Index 0 is always the client (initiator) side, 1 the server side. */
#define DIR_C2S 0
#define DIR_S2C 1

enum tunnel_kind {
	TUNNEL_NONE,
	TUNNEL_GRE,   /* IPv4 outer, GRE, inner IPv4 or IPv6 */
	TUNNEL_VXLAN, /* IPv4 outer, UDP 4789, VXLAN, inner Ethernet */
	TUNNEL_6IN4,  /* IPv4 outer, protocol 41, inner IPv6 */
};

struct demo_path {
	uint8_t mac[2][6];
	unsigned n_tags;
	uint16_t tag_tpid[2]; /* outermost first */
	uint16_t tag_tci[2];
	uint8_t family; /* of the (inner) IP endpoints */
	uint8_t ip[2][16];
	uint8_t ttl[2];
	enum tunnel_kind tunnel;
	uint8_t outer_ip[2][4];
	uint8_t inner_mac[2][6]; /* VXLAN only */
	uint32_t vni;
	uint16_t vxlan_sport; /* fixed per flow, as a VTEP would hash it */
};

struct demo_flow {
	struct demo_path path;
	struct demo_rng rng;
	uint64_t now_us;
	uint16_t ip_id[2];
	struct demo_trace *trace;
	unsigned pkts;
};

void path_ip_pair(const struct demo_path *p, int dir, struct ip_pair *ip);
/* Largest L4 datagram (header included) that keeps the outer IP packet
 * within a 1500-byte MTU. */
size_t path_l4_max(const struct demo_path *p);

void flow_advance(struct demo_flow *f, uint64_t us);
/* b holds an L4 datagram whose checksum used path_ip_pair(dir). */
int flow_emit(struct demo_flow *f, int dir, struct pkt_buf *b, uint8_t proto);
/* b holds one fragment's share of an IPv4 datagram; frag is the wire
 * flags/offset field and id is shared by all fragments. */
int flow_emit_fragment(struct demo_flow *f, int dir, struct pkt_buf *b, uint8_t proto,
		       uint16_t id, uint16_t frag);

#endif
