/*
 * FFPF-style filter chains, merged into one trie per worker: every stage is
 * a pcap expression compiled once (libpcap -> rte_bpf_convert -> rte_bpf),
 * identical stages under the same parent are one node, and a node runs only
 * when its parent matched, so a prefix that several plugins share costs one
 * evaluation per packet.
 *
 * DPDK 22.11's converter gives indirect byte and word loads (ldb/ld [x+k])
 * the wrong base register, and its x86 JIT crashes on some jset forms; the
 * programs are fixed after conversion and run by DPDK's interpreter, and a
 * test checks every node against libpcap on real captures.
 */
#ifndef STELLAR_PLUGIN_FILTER_H
#define STELLAR_PLUGIN_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "plugin_shm.h"

struct rte_bpf;

struct plugin_filter {
	unsigned n;
	uint16_t parent[FILTER_MAX_NODES];    /* parents come before children */
	struct rte_bpf *bpf[FILTER_MAX_NODES];/* NULL: did not compile (never matches) */
	uint8_t matched[FILTER_MAX_NODES];    /* for the last packet run */
	struct filter_node_counts *counts;    /* this worker's row in shared memory */
};

/* One expression to a loaded program (needs DPDK's EAL). Returns 0, or
 * -EINVAL with the expression and the reason in err. */
int plugin_filter_compile_node(const char *expr, struct rte_bpf **out, char *err, size_t errlen);

/* Every node of a chain ending at `leaf` compiled (FILTER_NONE: no chain). */
bool plugin_filter_usable(const struct plugin_filter *f, uint16_t leaf);

/* Compiles every node of the plan. Returns 0, or -EINVAL with the first
 * node that failed in err (the other nodes are usable). */
int plugin_filter_init(struct plugin_filter *f, const struct plugins_shm *ps, struct filter_node_counts *counts,
		       char *err, size_t errlen);
void plugin_filter_fini(struct plugin_filter *f);

/* Runs the trie over a packet; matched[node] tells the outcome. */
void plugin_filter_run(struct plugin_filter *f, struct rte_mbuf *m);

#endif
