#include "demo_path.h"

#include <errno.h>
#include <string.h>

#define OUTER_TTL 64

void path_ip_pair(const struct demo_path *p, int dir, struct ip_pair *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = p->family;
	memcpy(ip->src, p->ip[dir], 16);
	memcpy(ip->dst, p->ip[!dir], 16);
}

size_t path_l4_max(const struct demo_path *p)
{
	size_t room = 1500;

	switch (p->tunnel) {
	case TUNNEL_GRE:
		room -= 20 + 4;
		break;
	case TUNNEL_VXLAN:
		room -= 20 + 8 + 8 + 14;
		break;
	case TUNNEL_6IN4:
		room -= 20;
		break;
	case TUNNEL_NONE:
		break;
	}
	return room - (p->family == 4 ? 20 : 40);
}

void flow_advance(struct demo_flow *f, uint64_t us)
{
	f->now_us += us;
}

static int path_push_outer_ipv4(const struct demo_path *p, int dir, struct pkt_buf *b,
				uint8_t proto, uint16_t id)
{
	struct ipv4_spec s = {
		.src = p->outer_ip[dir],
		.dst = p->outer_ip[!dir],
		.proto = proto,
		.ttl = OUTER_TTL,
		/* Tunnel endpoints number their packets independently of the
		 * inner hosts; an offset keeps the two ID series apart. */
		.id = (uint16_t)(id + 0x2000),
		.frag = IPV4_DF,
	};

	return pkt_push_ipv4(b, &s);
}

static int path_push_tunnel(const struct demo_path *p, int dir, struct pkt_buf *b,
			    uint16_t *type, uint16_t id)
{
	struct ip_pair outer;
	int rc;

	switch (p->tunnel) {
	case TUNNEL_NONE:
		return 0;
	case TUNNEL_GRE:
		rc = pkt_push_gre(b, *type);
		if (!rc)
			rc = path_push_outer_ipv4(p, dir, b, PROTO_GRE, id);
		break;
	case TUNNEL_VXLAN:
		memset(&outer, 0, sizeof(outer));
		outer.family = 4;
		memcpy(outer.src, p->outer_ip[dir], 4);
		memcpy(outer.dst, p->outer_ip[!dir], 4);
		rc = pkt_push_eth(b, p->inner_mac[!dir], p->inner_mac[dir], *type);
		if (!rc)
			rc = pkt_push_vxlan(b, p->vni);
		if (!rc)
			rc = pkt_push_udp(b, &outer, p->vxlan_sport, VXLAN_PORT);
		if (!rc)
			rc = path_push_outer_ipv4(p, dir, b, PROTO_UDP, id);
		break;
	case TUNNEL_6IN4:
		if (p->family != 6)
			return -EINVAL;
		rc = path_push_outer_ipv4(p, dir, b, PROTO_IPV6, id);
		break;
	default:
		return -EINVAL;
	}
	*type = ETHER_IPV4;
	return rc;
}

static int path_wrap(const struct demo_path *p, int dir, struct pkt_buf *b, uint8_t proto,
		     uint16_t id, uint16_t frag)
{
	uint16_t type;
	unsigned i;
	int rc;

	if (p->family == 4) {
		struct ipv4_spec s = {
			.src = p->ip[dir],
			.dst = p->ip[!dir],
			.proto = proto,
			.ttl = p->ttl[dir],
			.id = id,
			.frag = frag,
		};

		rc = pkt_push_ipv4(b, &s);
		type = ETHER_IPV4;
	} else {
		rc = pkt_push_ipv6(b, p->ip[dir], p->ip[!dir], proto, p->ttl[dir]);
		type = ETHER_IPV6;
	}
	if (!rc)
		rc = path_push_tunnel(p, dir, b, &type, id);
	for (i = p->n_tags; i-- > 0 && !rc;) {
		rc = pkt_push_vlan(b, p->tag_tci[i], type);
		type = p->tag_tpid[i];
	}
	if (!rc)
		rc = pkt_push_eth(b, p->mac[!dir], p->mac[dir], type);
	return rc;
}

static int flow_store(struct demo_flow *f, const struct pkt_buf *b)
{
	int rc = trace_add(f->trace, f->now_us, pkt_bytes(b), pkt_len(b));

	if (!rc)
		f->pkts++;
	return rc;
}

/* Modern stacks set DF on everything they do not fragment themselves. */
int flow_emit(struct demo_flow *f, int dir, struct pkt_buf *b, uint8_t proto)
{
	int rc = path_wrap(&f->path, dir, b, proto, f->ip_id[dir]++, IPV4_DF);

	return rc ? rc : flow_store(f, b);
}

int flow_emit_fragment(struct demo_flow *f, int dir, struct pkt_buf *b, uint8_t proto,
		       uint16_t id, uint16_t frag)
{
	int rc = path_wrap(&f->path, dir, b, proto, id, frag);

	return rc ? rc : flow_store(f, b);
}
