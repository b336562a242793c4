/*
 * IPv4 and IPv6 reassembly for stellar-io, on DPDK's rte_ip_frag (a table
 * private to the process that creates it).
 *
 * Fragments are what the box forwards; the reassembled datagram is what the
 * session manager and plugins inspect. So each fragment is copied, the copy
 * goes into the table, and the original is kept: when a datagram completes,
 * its rebuilt packet carries the originals (pkt_meta.frags) and stands for
 * all of them (pkt_meta.nframes). Originals whose datagram cannot be
 * completed (timeout, overlap, too many fragments, table full) come back to
 * the caller with a reason, to forward as they are or drop, by policy.
 *
 * Clock: packet timestamps (ns), so offline runs are deterministic.
 */
#ifndef STELLAR_DEFRAG_H
#define STELLAR_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

enum defrag_policy { DEFRAG_FORWARD = 0, DEFRAG_DROP };

struct defrag_config {
	bool enabled;
	uint32_t timeout_ms;       /* an incomplete datagram is given up after this */
	uint32_t max_datagrams;    /* in reassembly at once */
	uint8_t incomplete_policy; /* enum defrag_policy: timed out, table full */
	uint8_t invalid_policy;    /* overlapping, duplicate, too many fragments */
};

void defrag_config_defaults(struct defrag_config *cfg);

enum defrag_release_reason {
	DEFRAG_TIMEOUT = 0,  /* incomplete when its time ran out (or at end of input) */
	DEFRAG_INVALID,      /* overlap, duplicate first/last, too many fragments */
	DEFRAG_NO_ROOM,      /* the table or the mbuf pool was full */
	DEFRAG_UNSUPPORTED,  /* IPv6 with extension headers before the fragment header */
	DEFRAG_REASON_MAX
};

struct defrag_stats {
	uint64_t fragments;     /* fragments taken in */
	uint64_t reassembled;   /* datagrams completed */
	uint64_t absorbed;      /* frames that became part of another item (fragments - datagrams) */
	uint64_t tiny;          /* first fragments too short for their transport header */
	uint64_t released[DEFRAG_REASON_MAX]; /* fragments given back, by reason */
};

const char *defrag_reason_name(enum defrag_release_reason r);

#define DEFRAG_RELEASE_MAX (RTE_IP_FRAG_DEATH_ROW_MBUF_LEN + 1)

/* Originals handed back by one call: forward or drop each per policy. */
struct defrag_released {
	unsigned n;
	struct rte_mbuf *pkts[DEFRAG_RELEASE_MAX];
	uint8_t reason[DEFRAG_RELEASE_MAX];
};

struct defrag {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row dr;
	struct rte_mempool *pool;
	struct defrag_config cfg;
	struct defrag_stats *stats;
	uint16_t shadow_tag;
	uint64_t timeout_ns;
	uint64_t arrivals;
	uint32_t held;      /* originals waiting for the rest of their datagram */
};

/* `stats` may live in shared memory. Returns 0 or -ENOMEM. */
int defrag_init(struct defrag *df, const struct defrag_config *cfg, struct rte_mempool *pool,
		uint16_t node, struct defrag_stats *stats);
void defrag_fini(struct defrag *df);

/*
 * Takes a decoded fragment (pkt_meta.dec). Returns the completed datagram
 * (not yet decoded: the caller decodes it again), or NULL while it waits.
 * Whatever the table gave up on is appended to `rel`.
 */
struct rte_mbuf *defrag_push(struct defrag *df, struct rte_mbuf *m, struct defrag_released *rel);

/* Gives up datagrams older than the timeout at time `now_ns` (UINT64_MAX:
 * all of them, at the end of input). */
void defrag_expire(struct defrag *df, uint64_t now_ns, struct defrag_released *rel);

/* Datagrams waiting for fragments. */
unsigned defrag_pending(const struct defrag *df);

#ifdef __cplusplus
}
#endif
#endif
