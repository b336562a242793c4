/*
 * What travels with every packet in the mbuf private area, so that later
 * processes never decode twice and the orchestrator can tell who holds an
 * mbuf after a crash.
 */
#ifndef STELLAR_MBUF_META_H
#define STELLAR_MBUF_META_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "decode.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Ownership tags. Whoever hands an mbuf to a ring first tags it as "in
 * transit on ring R"; the consumer re-tags it with its own node id once it
 * has dequeued it. After a crash of node N, the mbufs tagged N, or in transit
 * on a ring of N but no longer in that ring, are the ones N held.
 */
#define MBUF_OWNER_FREE     0x0000u
#define MBUF_OWNER_SEGMENT  0xffffu /* a non-first segment: owned via its head */
#define MBUF_OWNER_ATTACHED 0xfffeu /* an original fragment: owned via its datagram */
#define MBUF_OWNER_TRANSIT  0x8000u /* | ring id */
#define MBUF_OWNER_SHADOW   0x4000u /* | node: a private copy, not a packet of its own */

/* Low bits of an order key left for items a stage creates between two
 * packets (session events raised by timers, for example). */
#define PKT_KEY_SUB_BITS 20

/* pkt_meta.flags */
#define PKT_F_OPAQUE      0x01 /* malformed, forwarded without a flow */
#define PKT_F_REASSEMBLED 0x02 /* a datagram rebuilt from fragments, see frags */
#define PKT_F_EVENT       0x04 /* not a packet: session events (struct session_event[]) */

struct pkt_meta {
	uint64_t key;       /* global order: io sequence << PKT_KEY_SUB_BITS */
	uint64_t ts_ns;     /* packet time: capture timestamp or TSC-derived */
	uint32_t flow_hash; /* symmetric: both directions give the same value */
	uint32_t wire_len;  /* length on the wire; pkt_len may be shorter (snaplen) */
	uint16_t owner;     /* MBUF_OWNER_* or a node id */
	uint16_t rx_port;
	uint16_t tx_port;
	uint8_t verdict;    /* 0: forward; else 1 + enum drop_reason */
	uint8_t flags;      /* PKT_F_* */
	struct pkt_decode dec;
	/* A reassembled datagram carries the fragments as received: those are
	 * what leaves the box, in arrival order, linked through this field. */
	struct rte_mbuf *frags;
	/* On a private copy made for reassembly: the fragment it copies. */
	struct rte_mbuf *orig;
	uint16_t nframes;   /* received frames this item stands for */
	uint16_t rl_group;  /* rate-limit group (amq_groups.h), 0: none */
	uint8_t reserved0[4];
	uint8_t session[72]; /* for stellar-session and the plugins */
};

#define PKT_META_SIZE 256

#ifndef __cplusplus
_Static_assert(sizeof(struct pkt_meta) == PKT_META_SIZE, "pkt_meta must fill the mbuf private area");
#endif

static inline struct pkt_meta *pkt_meta(struct rte_mbuf *m)
{
	return (struct pkt_meta *)rte_mbuf_to_priv(m);
}

static inline uint64_t pkt_key(struct rte_mbuf *m)
{
	return pkt_meta(m)->key;
}

static inline bool pkt_is_event(struct rte_mbuf *m)
{
	return (pkt_meta(m)->flags & PKT_F_EVENT) != 0;
}

/* Received frames behind this item (conservation counts frames); an event
 * item stands for none. */
static inline unsigned pkt_frames(struct rte_mbuf *m)
{
	unsigned n = pkt_meta(m)->nframes;

	if (unlikely(pkt_is_event(m)))
		return 0;
	return n ? n : 1;
}

/* Frees an item and every original fragment attached to it; returns the
 * number of received frames that died with it. */
unsigned pkt_free(struct rte_mbuf *m);

#ifdef __cplusplus
}
#endif
#endif
