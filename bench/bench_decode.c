/* Decoder cost per packet on real frames, by kind of traffic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "decode.h"

struct traffic {
	const char *name;
	const char *capture;
	/* Which frames of the capture are this kind of traffic. */
	bool (*pick)(const struct pkt_decode *d);
};

static bool plain_tcp(const struct pkt_decode *d)
{
	return d->ip_version == 4 && d->l4_proto == 6 && d->n_encap == 0;
}

static bool vlan_tcp(const struct pkt_decode *d)
{
	return d->l4_proto == 6 && d->n_encap == 1 && d->encap[0].type == ENCAP_VLAN;
}

static bool vxlan(const struct pkt_decode *d)
{
	return d->n_encap && d->encap[0].type == ENCAP_VXLAN && d->l4_proto == 6;
}

static bool ipv6_tcp(const struct pkt_decode *d)
{
	return d->ip_version == 6 && d->l4_proto == 6;
}

static bool fragment(const struct pkt_decode *d)
{
	return d->frag & FRAG_IS_FRAGMENT;
}

static const struct traffic kinds[] = {
	{"tcp_ipv4", "zeek__wikipedia.pcap", plain_tcp},
	{"tcp_vlan", "zeek__http-vlan-0.pcap", vlan_tcp},
	{"tcp_vxlan", "zeek__tunnels__vxlan-encapsulated-http.pcap", vxlan},
	{"tcp_ipv6", "zeek__ftp__ipv6.pcap", ipv6_tcp},
	{"ip_fragment", "zeek__ipv6-fragmented-dns.pcap", fragment},
};

#define ROUNDS_TARGET 4000000u

int bench_decode(const char *data_dir, json_t *out)
{
	struct decode_config cfg;
	json_t *res = json_object();

	decode_config_defaults(&cfg);
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct frames all, mine = {0};
		char path[1024];
		struct pkt_decode d;
		uint64_t t0, t1, n = 0;
		volatile uint32_t sink = 0;

		snprintf(path, sizeof(path), "%s/%s", data_dir, kinds[k].capture);
		if (frames_load(&all, path) < 0) {
			fprintf(stderr, "bench: cannot read %s\n", path);
			return -1;
		}
		mine.data = calloc(all.n, sizeof(*mine.data));
		mine.len = calloc(all.n, sizeof(*mine.len));
		mine.wire = calloc(all.n, sizeof(*mine.wire));
		for (unsigned i = 0; i < all.n; i++) {
			decode_packet(all.data[i], all.len[i], all.wire[i], &cfg, &d);
			if (kinds[k].pick(&d)) {
				mine.data[mine.n] = all.data[i];
				mine.len[mine.n] = all.len[i];
				mine.wire[mine.n++] = all.wire[i];
			}
		}
		if (mine.n == 0)
			return -1;
		t0 = bench_now_ns();
		while (n < ROUNDS_TARGET)
			for (unsigned i = 0; i < mine.n; i++, n++) {
				decode_packet(mine.data[i], mine.len[i], mine.wire[i], &cfg, &d);
				sink += decode_flow_hash(&d);
			}
		t1 = bench_now_ns();
		json_object_set_new(res, kinds[k].name, json_pack("{s:f, s:i, s:s}", "ns_per_packet",
			(double)(t1 - t0) / (double)n, "frames", mine.n, "capture", kinds[k].capture));
		printf("decode %-12s %6.1f ns/packet (decode + flow hash, %u distinct frames)\n", kinds[k].name,
		       (double)(t1 - t0) / (double)n, mine.n);
		free(mine.data);
		free(mine.len);
		free(mine.wire);
		frames_free(&all);
		(void)sink;
	}
	json_object_set_new(out, "decode", res);
	return 0;
}
