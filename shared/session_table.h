/*
 * A shard's session table in one shared-memory zone: records, a hash index,
 * a free stack, the timer wheel, the embryonic list and the zombie queue,
 * all addressed by offsets from the zone's start, so every process can use
 * it wherever the zone is mapped. The orchestrator creates it; the shard's
 * stellar-session process is its only writer, and a restarted one repairs
 * it (session_table_repair) and carries on.
 *
 * Readers in other processes (plugin workers, the orchestrator's stats)
 * never lock anything: records are reached through (idx, generation)
 * handles, and a record is only reused once every worker that could hold a
 * handle to it has moved past its closing event (zombies).
 */
#ifndef STELLAR_SESSION_TABLE_H
#define STELLAR_SESSION_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SESSION_BUCKET_SLOTS 8
#define SESSION_MAX_WORKERS  16 /* = TOPO_MAX_PLUGIN_WORKERS */
#define SESSION_WHEEL_SLOTS  4096 /* one-second slots; longer timeouts go round again */

/* One cache line: 8 signatures (the full 32-bit hash) and record indices. */
struct session_bucket {
	uint32_t sig[SESSION_BUCKET_SLOTS];
	uint32_t idx[SESSION_BUCKET_SLOTS]; /* SESSION_NONE: free slot */
};

/* Seconds a session may stay idle, by state. */
struct session_timeouts {
	uint32_t tcp[SS_STATE_MAX]; /* indexed by the TCP states */
	uint32_t udp_new, udp_active;
	uint32_t icmp_new, icmp_active;
	uint32_t other_new, other_active;
};

/* Close to Linux conntrack (and Suricata for established TCP). */
void session_timeouts_defaults(struct session_timeouts *t);

/* Idle timeout of a session in its current state. */
uint32_t session_timeout_of(const struct session_timeouts *t, const struct session *s);

struct session_stats {
	uint64_t created;
	uint64_t created_by_proto[PROTO_CLASS_MAX];
	uint64_t closed;
	uint64_t closed_by_reason[CLOSE_REASON_MAX];
	uint64_t active;
	uint64_t active_by_proto[PROTO_CLASS_MAX];
	uint64_t evicted;          /* also counted in closed_by_reason[evicted] */
	uint64_t not_created;      /* table full and nothing evictable: packet had no session */
	uint64_t midstream;
	uint64_t port_reuse;
	uint64_t syn_retransmit;
	uint64_t simultaneous_open;
	uint64_t tcp_invalid_flags;
	uint64_t tcp_out_of_window;
	uint64_t zombies;          /* closed, waiting for their worker */
	uint64_t repairs;          /* times a restarted writer rebuilt the table */
	uint64_t events;           /* event items raised without a packet */
	uint64_t events_resent;    /* closing events sent again: the first was lost in a crash */
	uint64_t meta_reclaimed;   /* metadata blocks taken back from freed records, unfreed */
	uint64_t moved;            /* sessions moved to another worker (scaling) */
	/* Records (open or closing) steered to each plugin worker: a worker
	 * scaled away stops once none is left. */
	uint64_t assigned[SESSION_MAX_WORKERS];
};

struct zombie {
	uint32_t idx;
	uint16_t worker;
	uint16_t pad;
	uint64_t key;  /* order key of the item carrying its closing event */
};

struct session_table {
	uint32_t magic;
	uint32_t capacity;           /* records: max_live plus the zombie reserve */
	uint32_t max_live;           /* sessions open at once before eviction */
	uint32_t n_buckets;
	uint32_t free_top;           /* entries in the free stack */
	uint64_t off_free;           /* uint32_t[capacity] */
	uint64_t off_buckets;        /* struct session_bucket[n_buckets] */
	uint64_t off_records;        /* struct session[capacity] */
	uint64_t off_zombies;        /* uint32_t[capacity], a ring of record indices */
	uint64_t zone_size;
	uint32_t zombie_head, zombie_count;
	uint32_t embryonic_head, embryonic_tail;
	uint32_t embryonic_count;
	uint32_t writer_starts;      /* stellar-session processes that have run on it */
	uint64_t wheel_now;          /* every slot up to this second has fired; 0: not started */
	uint64_t clock_ns;           /* the shard's clock: packet time, or wall time when live */
	uint64_t last_key;           /* order key of the last item taken or made */
	uint32_t close_all_done;     /* close-all requests served (see stellar_shm) */
	uint32_t lock_ignore;        /* orchestrator: lock bits of quarantined plugins */
	uint32_t close_cursor;       /* next record a close-all visits */
	uint32_t wheel[SESSION_WHEEL_SLOTS];
	struct session_timeouts timeouts;
	struct session_stats stats;
};

/*
 * A table holds `max_live` open sessions plus a reserve of records for
 * zombies: a session closed (or evicted) keeps its record until its worker
 * has seen the closing event, so a full table can still take a new session
 * the moment it evicts one.
 */
uint32_t session_table_records(uint32_t max_live);
/* Bytes a table for `max_live` sessions takes. */
size_t session_table_size(uint32_t max_live);
/* Bytes of the table per session (records, reserve, index, free stack,
 * zombie ring). */
double session_table_bytes_per_session(uint32_t max_live);
/* Lays out and clears a table in `mem` (session_table_size bytes, 64-byte
 * aligned). Returns NULL and sets errno for a max_live of 0 or above 2^27. */
struct session_table *session_table_init(void *mem, uint32_t max_live, const struct session_timeouts *t);
bool session_table_valid(const struct session_table *t);

static inline struct session *session_at(struct session_table *t, uint32_t idx)
{
	return (struct session *)((char *)t + t->off_records) + idx;
}

static inline struct session_bucket *session_buckets(struct session_table *t)
{
	return (struct session_bucket *)((char *)t + t->off_buckets);
}

/* The live record a handle names, or NULL if it closed and was reused. */
static inline struct session *session_from_handle(struct session_table *t, uint32_t idx, uint32_t generation)
{
	struct session *s;

	if (idx >= t->capacity)
		return NULL;
	s = session_at(t, idx);
	return __atomic_load_n(&s->generation, __ATOMIC_ACQUIRE) == generation ? s : NULL;
}

/* Pinned by a plugin (session_lock) that is not quarantined. */
static inline bool session_locked(const struct session_table *t, const struct session *s)
{
	return (__atomic_load_n(&s->lock_mask, __ATOMIC_ACQUIRE) &
		~__atomic_load_n(&t->lock_ignore, __ATOMIC_RELAXED)) != 0;
}

/* Index of the indexed session with this key and hash, or SESSION_NONE. */
uint32_t session_lookup(struct session_table *t, const struct session_key *k, uint32_t hash);
/* The same for n keys at once, with the memory accesses overlapped. */
void session_lookup_bulk(struct session_table *t, const struct session_key *const *keys,
			 const uint32_t *hashes, unsigned n, uint32_t *idx_out);
/* A new record, indexed and marked live; SESSION_NONE if neither the
 * records nor the two candidate buckets have room (the caller may evict and
 * retry). */
uint32_t session_insert(struct session_table *t, const struct session_key *k, uint32_t hash);
/* True when the key's two candidate buckets are full. */
bool session_buckets_full(struct session_table *t, uint32_t hash);
/* ...and no resident of theirs can move to its other bucket to make room. */
bool session_index_full(struct session_table *t, uint32_t hash);
/* Indices in the key's two candidate buckets (up to 2 * SESSION_BUCKET_SLOTS). */
unsigned session_bucket_members(struct session_table *t, uint32_t hash, uint32_t *out);
/* Puts a live record back into the index (repair). */
void session_index_existing(struct session_table *t, uint32_t idx);
/* Removes the record from the index (it stays until released). */
void session_unindex(struct session_table *t, uint32_t idx);
/* Moves a record's steering to another worker (counts follow). */
static inline void session_assign(struct session_table *t, struct session *s, uint16_t worker)
{
	if (s->worker < SESSION_MAX_WORKERS && t->stats.assigned[s->worker])
		t->stats.assigned[s->worker]--;
	s->worker = worker;
	if (worker < SESSION_MAX_WORKERS)
		t->stats.assigned[worker]++;
}

/* Returns the record to the free stack; its generation changes. Only for a
 * record already off the index, the timer wheel and the embryonic list
 * (session_shard_close does that, then session_shard_reap releases). */
void session_release(struct session_table *t, uint32_t idx);

/* Embryonic list: TCP sessions not yet established, oldest first. */
void session_embryonic_add(struct session_table *t, uint32_t idx);
void session_embryonic_remove(struct session_table *t, uint32_t idx);

/* Zombie queue, in closing order. A zombie's record holds what freeing it
 * waits for: its worker, and in last_key the key of its closing event. */
void session_zombie_push(struct session_table *t, uint32_t idx);
static inline uint32_t session_zombie_head(struct session_table *t)
{
	const uint32_t *z = (const uint32_t *)((const char *)t + t->off_zombies);

	return t->zombie_count ? z[t->zombie_head] : SESSION_NONE;
}
void session_zombie_pop(struct session_table *t);

/*
 * After the writer died: rebuilds the index, free stack, embryonic list,
 * zombie queue and timer wheel from the records, which are the truth (a
 * writer killed half-way through an update leaves the derived structures
 * inconsistent, never the records it had finished). Counts per protocol
 * are recounted too.
 */
void session_table_repair(struct session_table *t);

#ifdef __cplusplus
}
#endif
#endif
