/*
 * FFPF-style filter chains, merged into one trie per worker: every stage is
 * a pcap expression compiled once (libpcap -> rte_bpf_convert -> rte_bpf,
 * JIT-compiled where DPDK can), identical stages under the same parent are
 * one node, and a node runs only when its parent matched, so a prefix that
 * several plugins share costs one evaluation per packet.
 */
#ifndef STELLAR_PLUGIN_FILTER_H
#define STELLAR_PLUGIN_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "plugin_shm.h"

struct rte_bpf;

struct plugin_filter {
	unsigned n;
	uint16_t parent[FILTER_MAX_NODES];    /* parents come before children */
	struct rte_bpf *bpf[FILTER_MAX_NODES];
	uint64_t (*jit[FILTER_MAX_NODES])(void *ctx);
	uint8_t matched[FILTER_MAX_NODES];    /* for the last packet run */
	struct filter_node_counts *counts;    /* this worker's row in shared memory */
};

/* Compiles every node of the plan. Returns 0, or -EINVAL with the
 * expression and libpcap's message in err. */
int plugin_filter_init(struct plugin_filter *f, const struct plugins_shm *ps, struct filter_node_counts *counts,
		       char *err, size_t errlen);
void plugin_filter_fini(struct plugin_filter *f);

/* Runs the trie over a packet; matched[node] tells the outcome. */
void plugin_filter_run(struct plugin_filter *f, struct rte_mbuf *m);

#endif
