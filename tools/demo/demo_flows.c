#include "demo_flows.h"

#include <errno.h>
#include <string.h>

#include "demo_dgram.h"
#include "demo_path.h"
#include "demo_tcp.h"

/* Flows start this far apart on average; most last longer than that, so
 * several are always in flight at once. */
#define FLOW_SPACING_US 120000

enum flow_kind { KIND_HTTP, KIND_DNS, KIND_PING, KIND_FRAG };

enum flow_encap { ENCAP_PLAIN, ENCAP_VLAN, ENCAP_QINQ, ENCAP_GRE, ENCAP_VXLAN, ENCAP_6IN4 };

struct flow_template {
	enum flow_kind kind;
	uint8_t family;
	enum flow_encap encap;
	enum tcp_close close;
};

static const struct flow_template flow_showcase[] = {
	{ KIND_HTTP, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_DNS, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_PING, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 6, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_DNS, 6, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_PING, 6, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_DNS, 4, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_QINQ, TCP_CLOSE_FIN },
	{ KIND_PING, 4, ENCAP_GRE, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_VXLAN, TCP_CLOSE_FIN },
	{ KIND_PING, 6, ENCAP_6IN4, TCP_CLOSE_FIN },
	{ KIND_FRAG, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_PLAIN, TCP_CLOSE_CLIENT_RST },
	{ KIND_HTTP, 4, ENCAP_GRE, TCP_CLOSE_FIN },
	{ KIND_HTTP, 6, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_PING, 4, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_PLAIN, TCP_CLOSE_SERVER_RST },
	{ KIND_DNS, 6, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_FRAG, 4, ENCAP_VLAN, TCP_CLOSE_FIN },
};

static const struct flow_template flow_background[] = {
	{ KIND_HTTP, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_DNS, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 6, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_PING, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_DNS, 6, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 4, ENCAP_PLAIN, TCP_CLOSE_FIN },
	{ KIND_DNS, 4, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_HTTP, 6, ENCAP_VLAN, TCP_CLOSE_FIN },
	{ KIND_PING, 6, ENCAP_PLAIN, TCP_CLOSE_FIN },
};

#define N_SHOWCASE (sizeof(flow_showcase) / sizeof(flow_showcase[0]))
#define N_BACKGROUND (sizeof(flow_background) / sizeof(flow_background[0]))

/* Every web host also answers DNS for its name, with the address the HTTP
 * flows then connect to, so lookups and sessions in the capture agree. */
struct demo_host {
	const char *name;
	const char *uris[3];
};

static const struct demo_host demo_hosts[] = {
	{ "www.example.com", { "/", "/index.html", "/css/site.css" } },
	{ "api.example.net", { "/api/v1/items", "/api/v1/items?page=2", "/api/v1/status" } },
	{ "shop.example.org", { "/", "/cart", "/css/shop.css" } },
	{ "news.example.com", { "/", "/world/index.html", "/missing-page.html" } },
	{ "static.example.net", { "/css/main.css", "/css/print.css", "/index.html" } },
	{ "intranet.example.org", { "/", "/login", "/api/v1/whoami" } },
	{ "mail.example.com", { "/", "/inbox", "/api/v1/unread" } },
	{ "cdn.example.net", { "/css/theme.css", "/", "/missing-asset.css" } },
};

#define N_HOSTS (sizeof(demo_hosts) / sizeof(demo_hosts[0]))

static const struct flow_template *flow_template_pick(unsigned i)
{
	if (i < N_SHOWCASE)
		return &flow_showcase[i];
	return &flow_background[(i - N_SHOWCASE) % N_BACKGROUND];
}

unsigned flows_showcase_count(void)
{
	return N_SHOWCASE;
}

static void ip4_set(uint8_t *ip, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(ip, 0, 16);
	ip[0] = a;
	ip[1] = b;
	ip[2] = c;
	ip[3] = d;
}

/* prefix:subnet::host, with prefix 0x20010db8 (documentation) or
 * 0xfd000000 (unique local) in the first 32 bits. */
static void ip6_set(uint8_t *ip, uint32_t prefix, uint16_t subnet, uint16_t host)
{
	memset(ip, 0, 16);
	be32_put(ip, prefix);
	be16_put(ip + 4, subnet);
	be16_put(ip + 14, host);
}

static void mac_set(uint8_t *mac, uint8_t role, unsigned i)
{
	/* Locally administered, unicast. */
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = role;
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

/* Tagged and tunnelled IPv6 sits in a private (ULA) site, plain IPv6 in
 * the documentation prefix. */
static uint32_t flow_v6_prefix(const struct flow_template *t)
{
	return t->encap == ENCAP_PLAIN ? 0x20010db8 : 0xfd000000;
}

static void flow_server_set(struct demo_path *p, const struct flow_template *t, uint8_t v4_subnet,
			    uint16_t host)
{
	if (p->family == 4)
		ip4_set(p->ip[DIR_S2C], 192, 168, v4_subnet, (uint8_t)host);
	else
		ip6_set(p->ip[DIR_S2C], flow_v6_prefix(t), v4_subnet, host);
}

static void flow_path_init(struct demo_flow *f, const struct flow_template *t, unsigned i)
{
	struct demo_path *p = &f->path;

	mac_set(p->mac[DIR_C2S], 0x01, i);
	mac_set(p->mac[DIR_S2C], 0x02, i);
	p->family = t->family;
	if (p->family == 4)
		ip4_set(p->ip[DIR_C2S], 10, 1, (uint8_t)(i / 250), (uint8_t)(i % 250 + 2));
	else
		ip6_set(p->ip[DIR_C2S], flow_v6_prefix(t), 1, (uint16_t)(i + 2));
	p->ttl[DIR_C2S] = 64;
	/* Replies have crossed a few routers by the time we see them. */
	p->ttl[DIR_S2C] = (uint8_t)(64 - rng_between(&f->rng, 3, 12));

	switch (t->encap) {
	case ENCAP_PLAIN:
		break;
	case ENCAP_VLAN:
		p->n_tags = 1;
		p->tag_tpid[0] = ETHER_VLAN;
		p->tag_tci[0] = (uint16_t)(100 * (1 + i % 4));
		break;
	case ENCAP_QINQ:
		p->n_tags = 2;
		p->tag_tpid[0] = ETHER_QINQ;
		p->tag_tci[0] = (uint16_t)(1000 + i % 10);
		p->tag_tpid[1] = ETHER_VLAN;
		p->tag_tci[1] = (uint16_t)(3 << 13 | 300); /* PCP 3 on the customer tag */
		break;
	case ENCAP_GRE:
		p->tunnel = TUNNEL_GRE;
		break;
	case ENCAP_VXLAN:
		p->tunnel = TUNNEL_VXLAN;
		p->vni = 5000 + i;
		p->vxlan_sport = (uint16_t)rng_between(&f->rng, 49152, 65535);
		mac_set(p->inner_mac[DIR_C2S], 0x03, i);
		mac_set(p->inner_mac[DIR_S2C], 0x04, i);
		break;
	case ENCAP_6IN4:
		p->tunnel = TUNNEL_6IN4;
		break;
	}
	if (p->tunnel != TUNNEL_NONE) {
		ip4_set(p->outer_ip[DIR_C2S], 10, 255, (uint8_t)p->tunnel, 1);
		ip4_set(p->outer_ip[DIR_S2C], 192, 168, 255, (uint8_t)p->tunnel);
	}
}

static int flow_http_run(struct demo_flow *f, const struct flow_template *t)
{
	unsigned k = rng_between(&f->rng, 0, N_HOSTS - 1);
	unsigned first = rng_between(&f->rng, 0, 2), j;
	const struct demo_host *h = &demo_hosts[k];
	struct http_session s = {
		.cport = (uint16_t)rng_between(&f->rng, 32768, 60999),
		.sport = 80,
		.n_ex = rng_between(&f->rng, 1, HTTP_SESSION_MAX_EX),
		.close = t->close,
		.rtt_us = rng_between(&f->rng, 2000, 60000),
	};

	for (j = 0; j < s.n_ex; j++) {
		const char *uri = h->uris[(first + j) % 3];

		s.ex[j].host = h->name;
		s.ex[j].uri = uri;
		s.ex[j].status = strstr(uri, "missing") ? 404 : 200;
		s.ex[j].body_min = rng_between(&f->rng, 200, 9000);
	}
	flow_server_set(&f->path, t, 10, (uint16_t)(10 + k));
	return http_session_run(f, &s);
}

static int flow_dns_run(struct demo_flow *f, const struct flow_template *t)
{
	unsigned k = rng_between(&f->rng, 0, N_HOSTS - 1);
	struct dns_lookup l = {
		.cport = (uint16_t)rng_between(&f->rng, 32768, 60999),
		.qname = demo_hosts[k].name,
		.with_aaaa = t->family == 6 || rng_between(&f->rng, 0, 1),
		.rtt_us = rng_between(&f->rng, 800, 30000),
	};

	/* Answers name the plain-path web servers that flow_http_run() uses. */
	ip4_set(l.a, 192, 168, 10, (uint8_t)(10 + k));
	ip6_set(l.aaaa, 0x20010db8, 10, (uint16_t)(10 + k));
	flow_server_set(&f->path, t, 53, 53);
	return dns_lookup_run(f, &l);
}

static int flow_ping_run(struct demo_flow *f, const struct flow_template *t, unsigned i)
{
	struct ping_series p = {
		.id = (uint16_t)rng_next(&f->rng),
		.count = rng_between(&f->rng, 3, 4),
		.rtt_us = rng_between(&f->rng, 500, 40000),
	};

	flow_server_set(&f->path, t, 20, (uint16_t)(1 + i % 200));
	return ping_series_run(f, &p);
}

static int flow_frag_run(struct demo_flow *f, const struct flow_template *t)
{
	/* UDP length 1481..2960 gives two fragments, 2961..4440 three. */
	struct frag_burst fb = {
		.sport = (uint16_t)rng_between(&f->rng, 32768, 60999),
		.dport = 9000,
		.n_dgrams = 3,
		.payload = { rng_between(&f->rng, 1600, 2900), rng_between(&f->rng, 3000, 4400),
			     rng_between(&f->rng, 1600, 2900) },
	};

	flow_server_set(&f->path, t, 30, 5);
	return frag_burst_run(f, &fb);
}

static int flow_run(struct demo_flow *f, const struct flow_template *t, unsigned i)
{
	switch (t->kind) {
	case KIND_HTTP:
		return flow_http_run(f, t);
	case KIND_DNS:
		return flow_dns_run(f, t);
	case KIND_PING:
		return flow_ping_run(f, t, i);
	case KIND_FRAG:
		return flow_frag_run(f, t);
	}
	return -EINVAL;
}

long flows_generate(struct demo_trace *t, uint64_t seed, unsigned n_flows, uint64_t start_us)
{
	long total = 0;
	unsigned i;

	for (i = 0; i < n_flows; i++) {
		const struct flow_template *tp = flow_template_pick(i);
		struct demo_flow f;
		int rc;

		memset(&f, 0, sizeof(f));
		rng_seed(&f.rng, seed, i);
		f.trace = t;
		f.now_us = start_us + (uint64_t)i * FLOW_SPACING_US +
			   rng_between(&f.rng, 0, FLOW_SPACING_US);
		f.ip_id[DIR_C2S] = (uint16_t)rng_next(&f.rng);
		f.ip_id[DIR_S2C] = (uint16_t)rng_next(&f.rng);
		flow_path_init(&f, tp, i);
		rc = flow_run(&f, tp, i);
		if (rc < 0)
			return rc;
		total += rc;
	}
	return total;
}
