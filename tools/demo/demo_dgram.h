/*
 * Datagram scenarios: a DNS lookup (A, optionally AAAA in parallel as
 * glibc does), an ICMP/ICMPv6 echo series and fragmented UDP datagrams.
 * Each returns the number of packets emitted or -errno.
 */
#ifndef STELLAR_DEMO_DGRAM_H
#define STELLAR_DEMO_DGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "demo_path.h"

#define FRAG_MAX_DGRAMS 4

struct dns_lookup {
	uint16_t cport;
	const char *qname;
	bool with_aaaa;
	uint8_t a[4];
	uint8_t aaaa[16];
	uint32_t rtt_us;
};

struct ping_series {
	uint16_t id;
	unsigned count;
	uint32_t rtt_us;
};

struct frag_burst {
	uint16_t sport, dport;
	unsigned n_dgrams;
	size_t payload[FRAG_MAX_DGRAMS]; /* UDP payload bytes per datagram */
};

int dns_lookup_run(struct demo_flow *f, const struct dns_lookup *l);
int ping_series_run(struct demo_flow *f, const struct ping_series *p);
int frag_burst_run(struct demo_flow *f, const struct frag_burst *fb);

#endif
