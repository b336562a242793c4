/*
 * The session manager of one shard: what stellar-session does with each
 * packet (find or create its session, track TCP, update counters and the
 * timer, pick the plugin worker), and without packets (timeouts, eviction,
 * closing everything at the end of input, freeing zombies).
 *
 * Pure logic over a session table: no rings, no mbufs. Closing events leave
 * through `ops.emit_close`, which the process implements with event items;
 * tests implement it with a list.
 */
#ifndef STELLAR_SESSION_SHARD_H
#define STELLAR_SESSION_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include "session_meta.h"
#include "session_table.h"

#ifdef __cplusplus
extern "C" {
#endif

struct session_shard_ops {
	/* Hands a closing event for session idx (state, close_reason and
	 * worker already set) to its worker. Returns the order key of the
	 * item carrying it, or 0 if it could not be sent now (no buffer):
	 * the session then stays open and the caller stops for this pass. */
	uint64_t (*emit_close)(void *ctx, uint32_t idx);
	/* True once `worker` has finished every item with key <= key. */
	bool (*worker_past)(void *ctx, uint16_t worker, uint64_t key);
	void *ctx;
};

struct session_shard {
	struct session_table *t;
	uint8_t id;
	const uint16_t *steer;   /* flow-hash bucket -> plugin worker; NULL: worker 0 */
	unsigned steer_buckets;
	struct session_shard_ops ops;
	struct meta_store *meta; /* the shard's metadata store, or NULL */
	uint32_t move_cursor;    /* session_shard_move_idle's place in the table */
};

void session_shard_init(struct session_shard *sh, struct session_table *t, uint8_t id,
			const uint16_t *steer, unsigned steer_buckets, const struct session_shard_ops *ops);

/* The worker a flow hash is steered to now. */
static inline uint16_t session_shard_steer(const struct session_shard *sh, uint32_t hash)
{
	return sh->steer ? __atomic_load_n(&sh->steer[hash % sh->steer_buckets], __ATOMIC_RELAXED) : 0;
}

/* A packet's key and lookup, done for a whole burst ahead of handling it
 * so that the table's memory accesses overlap. */
struct session_hint {
	struct session_key key;
	int kdir;            /* session_key_from(): -1 for no session */
	uint32_t idx;        /* what the lookup found, SESSION_NONE if nothing */
	uint32_t generation; /* of that record then: a later close shows */
};

void session_shard_prepare(struct session_shard *sh, const struct pkt_decode *const *d, const uint32_t *hashes,
			   unsigned n, struct session_hint *out);

/*
 * One packet: its decode, symmetric flow hash, capture time, length on the
 * wire and order key. Fills *ps (idx SESSION_NONE for packets without a
 * session: not IP, a fragment, or a full table with nothing evictable) and
 * returns the plugin worker it goes to. `hint` is the packet's
 * session_shard_prepare() result, or NULL to do that here.
 */
uint16_t session_shard_packet(struct session_shard *sh, const struct pkt_decode *d, uint32_t hash,
			      uint64_t ts_ns, uint32_t wire_len, uint64_t key, const struct session_hint *hint,
			      struct pkt_session *ps);

/* Moves the shard's clock to `now_ns` (never backwards) and expires what
 * timed out, at most `budget` sessions. Returns how many closed. */
unsigned session_shard_advance(struct session_shard *sh, uint64_t now_ns, unsigned budget);

/* Closes every open session (reason: its recorded fin/rst, else `reason`),
 * at most `budget` per call. Returns how many closed; call until it
 * returns 0 and session_shard_close_all_done() is true. */
unsigned session_shard_close_all(struct session_shard *sh, enum close_reason reason, unsigned budget);
bool session_shard_close_all_done(const struct session_shard *sh);
void session_shard_close_all_reset(struct session_shard *sh);

/* Frees the records of closed sessions whose workers have handled their
 * closing events (session.worker_flags), and sends again the events a
 * worker got past without handling (lost in a crash). Returns how many
 * zombies it dealt with. */
unsigned session_shard_reap(struct session_shard *sh, unsigned budget);

/* Scaling down: sessions still steered to a retired worker (bit set in
 * retired_mask) that have no packet there in flight move to the worker
 * steer[] names now. Looks at `budget` records per call, round the table.
 * Active sessions move on their next packet anyway (see the .c). */
unsigned session_shard_move_idle(struct session_shard *sh, uint32_t retired_mask, unsigned budget);

/* Closes one session now (reason recorded, event emitted, zombie queued).
 * Returns 0, or -EAGAIN if the event could not be sent. */
int session_shard_close(struct session_shard *sh, uint32_t idx, enum close_reason reason);

#ifdef __cplusplus
}
#endif
#endif
