/*
 * The demo traffic mix: which scenario each flow runs, over which path,
 * between which addresses. The first flows cover every protocol and
 * encapsulation once; the rest are ordinary web, DNS and ping traffic, so
 * any --flows value above the showcase size still looks like a LAN uplink.
 */
#ifndef STELLAR_DEMO_FLOWS_H
#define STELLAR_DEMO_FLOWS_H

#include <stdint.h>

#include "demo_trace.h"

/* Appends n_flows flows, starting at start_us, to t. Returns the number of
 * packets added or -errno. */
long flows_generate(struct demo_trace *t, uint64_t seed, unsigned n_flows, uint64_t start_us);
unsigned flows_showcase_count(void);

#endif
