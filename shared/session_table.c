/* Session table storage: layout, the hash index, the free stack. */
#include "session_table.h"

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#define TABLE_MAGIC 0x53455353u /* "SESS" */
#define MAX_LIVE (1u << 27)

static size_t align64(size_t x)
{
	return (x + 63) & ~(size_t)63;
}

static uint32_t buckets_for(uint32_t capacity)
{
	/* At most half the slots in use: two candidate buckets of eight
	 * then practically never both fill up. */
	uint64_t slots = (uint64_t)capacity * 2;

	return (uint32_t)((slots + SESSION_BUCKET_SLOTS - 1) / SESSION_BUCKET_SLOTS);
}

uint32_t session_table_records(uint32_t max_live)
{
	/* Zombies last about one ring's depth of items: a small reserve. */
	return max_live + max_live / 32 + 1024;
}

static size_t layout_size(uint32_t capacity)
{
	return align64(sizeof(struct session_table)) + align64((size_t)capacity * 4) +
	       align64((size_t)buckets_for(capacity) * sizeof(struct session_bucket)) +
	       align64((size_t)capacity * sizeof(struct session)) +
	       align64((size_t)capacity * sizeof(uint32_t));
}

size_t session_table_size(uint32_t max_live)
{
	return layout_size(session_table_records(max_live));
}

double session_table_bytes_per_session(uint32_t max_live)
{
	return max_live ? (double)session_table_size(max_live) / max_live : 0;
}

static uint32_t *free_stack(struct session_table *t)
{
	return (uint32_t *)((char *)t + t->off_free);
}

static void reset_free_stack(struct session_table *t)
{
	uint32_t *fs = free_stack(t);

	/* Lowest indices on top: the first sessions use the first pages. */
	t->free_top = 0;
	for (uint32_t i = t->capacity; i-- > 0;)
		if (!(session_at(t, i)->flags & SF_LIVE))
			fs[t->free_top++] = i;
}

struct session_table *session_table_init(void *mem, uint32_t max_live, const struct session_timeouts *to)
{
	struct session_table *t = mem;
	uint32_t nb, capacity;
	size_t off = align64(sizeof(*t));

	if (max_live == 0 || max_live > MAX_LIVE || mem == NULL) {
		errno = EINVAL;
		return NULL;
	}
	capacity = session_table_records(max_live);
	nb = buckets_for(capacity);
	memset(t, 0, sizeof(*t));
	t->capacity = capacity;
	t->max_live = max_live;
	t->n_buckets = nb;
	t->off_free = off;
	off += align64((size_t)capacity * 4);
	t->off_buckets = off;
	off += align64((size_t)nb * sizeof(struct session_bucket));
	t->off_records = off;
	off += align64((size_t)capacity * sizeof(struct session));
	t->off_zombies = off;
	off += align64((size_t)capacity * sizeof(uint32_t));
	t->zone_size = off;
	t->timeouts = *to;
	t->embryonic_head = t->embryonic_tail = SESSION_NONE;
	for (unsigned i = 0; i < SESSION_WHEEL_SLOTS; i++)
		t->wheel[i] = SESSION_NONE;
	memset(session_buckets(t), 0xff, (size_t)nb * sizeof(struct session_bucket));
	memset(session_at(t, 0), 0, (size_t)capacity * sizeof(struct session));
	for (uint32_t i = 0; i < capacity; i++)
		session_at(t, i)->generation = 1;
	reset_free_stack(t);
	t->magic = TABLE_MAGIC;
	return t;
}

bool session_table_valid(const struct session_table *t)
{
	return t && t->magic == TABLE_MAGIC && t->max_live && t->zone_size == session_table_size(t->max_live);
}

/* Buckets are not a power of two (that would waste up to half the index):
 * a hash maps onto them by multiplication. The hash is mixed first because
 * its high bits already chose the shard (flow_hash_reduce), so within a
 * shard they hardly vary. The second candidate comes from a rehash, so two
 * keys sharing one bucket rarely share the other. */
static inline uint32_t first_bucket(uint32_t hash, uint32_t n)
{
	return (uint32_t)(((uint64_t)(uint32_t)(hash * 0x9e3779b1u) * n) >> 32);
}

static inline uint32_t second_bucket(uint32_t hash, uint32_t n)
{
	return (uint32_t)(((uint64_t)rte_hash_crc_4byte(hash, 0x9e3779b9) * n) >> 32);
}

static inline bool key_equal(const struct session_key *a, const struct session_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static inline uint32_t find_in(struct session_table *t, const struct session_bucket *b,
			       const struct session_key *k, uint32_t hash)
{
	for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++) {
		uint32_t idx = __atomic_load_n(&b->idx[i], __ATOMIC_ACQUIRE);

		if (b->sig[i] == hash && idx != SESSION_NONE && key_equal(&session_at(t, idx)->key, k))
			return idx;
	}
	return SESSION_NONE;
}

uint32_t session_lookup(struct session_table *t, const struct session_key *k, uint32_t hash)
{
	struct session_bucket *bs = session_buckets(t);
	uint32_t idx = find_in(t, &bs[first_bucket(hash, t->n_buckets)], k, hash);

	if (idx != SESSION_NONE)
		return idx;
	return find_in(t, &bs[second_bucket(hash, t->n_buckets)], k, hash);
}

/* First slot whose signature matches, for prefetching its record. */
static inline uint32_t first_candidate(const struct session_bucket *b, uint32_t hash)
{
	for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++)
		if (b->sig[i] == hash && b->idx[i] != SESSION_NONE)
			return b->idx[i];
	return SESSION_NONE;
}

static inline void prefetch_record(struct session_table *t, uint32_t idx)
{
	/* Lines 0 (key, state) and 1 (counters, timers): what a packet touches. */
	rte_prefetch0(session_at(t, idx));
	rte_prefetch0((char *)session_at(t, idx) + 64);
}

void session_lookup_bulk(struct session_table *t, const struct session_key *const *keys,
			 const uint32_t *hashes, unsigned n, uint32_t *idx_out)
{
	struct session_bucket *bs = session_buckets(t);

	/* Three passes so that each miss overlaps with the others: the first
	 * bucket (where nearly every key lives: placement tries it first),
	 * then the record its signature points at, then the compares. A key
	 * in its second bucket costs one miss more. */
	for (unsigned i = 0; i < n; i++)
		rte_prefetch0(&bs[first_bucket(hashes[i], t->n_buckets)]);
	for (unsigned i = 0; i < n; i++) {
		uint32_t c = first_candidate(&bs[first_bucket(hashes[i], t->n_buckets)], hashes[i]);

		if (c == SESSION_NONE)
			c = first_candidate(&bs[second_bucket(hashes[i], t->n_buckets)], hashes[i]);
		if (c != SESSION_NONE)
			prefetch_record(t, c);
		idx_out[i] = c;
	}
	for (unsigned i = 0; i < n; i++) {
		if (idx_out[i] != SESSION_NONE && key_equal(&session_at(t, idx_out[i])->key, keys[i]))
			continue;
		idx_out[i] = session_lookup(t, keys[i], hashes[i]);
	}
}

static int free_slot(const struct session_bucket *b)
{
	for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++)
		if (b->idx[i] == SESSION_NONE)
			return (int)i;
	return -1;
}

bool session_buckets_full(struct session_table *t, uint32_t hash)
{
	struct session_bucket *bs = session_buckets(t);

	return free_slot(&bs[first_bucket(hash, t->n_buckets)]) < 0 &&
	       free_slot(&bs[second_bucket(hash, t->n_buckets)]) < 0;
}

unsigned session_bucket_members(struct session_table *t, uint32_t hash, uint32_t *out)
{
	struct session_bucket *bs = session_buckets(t);
	const struct session_bucket *two[2] = {&bs[first_bucket(hash, t->n_buckets)],
					      &bs[second_bucket(hash, t->n_buckets)]};
	unsigned n = 0;

	for (unsigned b = 0; b < (two[0] == two[1] ? 1u : 2u); b++)
		for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++)
			if (two[b]->idx[i] != SESSION_NONE)
				out[n++] = two[b]->idx[i];
	return n;
}

static void put(struct session_bucket *b, int slot, uint32_t idx, uint32_t hash)
{
	b->sig[slot] = hash;
	/* The index entry last: a reader never sees it before the record. */
	__atomic_store_n(&b->idx[slot], idx, __ATOMIC_RELEASE);
}

/* Both candidates full: move one resident of `b` to its other bucket
 * (one cuckoo step). Only this process looks keys up, so an entry in
 * transit is never missed by a reader. */
static int make_room(struct session_table *t, struct session_bucket *b)
{
	struct session_bucket *bs = session_buckets(t);

	for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++) {
		uint32_t h = b->sig[i], idx = b->idx[i];
		struct session_bucket *b1 = &bs[first_bucket(h, t->n_buckets)];
		struct session_bucket *alt = b1 == b ? &bs[second_bucket(h, t->n_buckets)] : b1;
		int slot = free_slot(alt);

		if (alt == b || slot < 0)
			continue;
		put(alt, slot, idx, h);
		__atomic_store_n(&b->idx[i], SESSION_NONE, __ATOMIC_RELEASE);
		return (int)i;
	}
	return -1;
}

static int index_record(struct session_table *t, uint32_t idx, uint32_t hash)
{
	struct session_bucket *bs = session_buckets(t);
	struct session_bucket *b1 = &bs[first_bucket(hash, t->n_buckets)];
	struct session_bucket *b2 = &bs[second_bucket(hash, t->n_buckets)];
	struct session_bucket *b = b1;
	int slot;

	/* First bucket first: lookups then mostly end there; the second and a
	 * cuckoo step are for the few buckets that fill up. */
	if ((slot = free_slot(b1)) < 0) {
		b = b2;
		if ((slot = free_slot(b2)) < 0 && (slot = make_room(t, b1)) >= 0)
			b = b1;
		else if (slot < 0 && (slot = make_room(t, b2)) >= 0)
			b = b2;
	}
	if (slot < 0)
		return -ENOSPC;
	put(b, slot, idx, hash);
	return 0;
}

bool session_index_full(struct session_table *t, uint32_t hash)
{
	struct session_bucket *bs = session_buckets(t);

	if (!session_buckets_full(t, hash))
		return false;
	/* Full only if no resident can move to its other bucket either. */
	for (unsigned k = 0; k < 2; k++) {
		struct session_bucket *b = &bs[k ? second_bucket(hash, t->n_buckets) : first_bucket(hash, t->n_buckets)];

		for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++) {
			uint32_t h = b->sig[i];
			struct session_bucket *b1 = &bs[first_bucket(h, t->n_buckets)];
			struct session_bucket *alt = b1 == b ? &bs[second_bucket(h, t->n_buckets)] : b1;

			if (alt != b && free_slot(alt) >= 0)
				return false;
		}
	}
	return true;
}

void session_index_existing(struct session_table *t, uint32_t idx)
{
	index_record(t, idx, session_at(t, idx)->hash);
}

uint32_t session_insert(struct session_table *t, const struct session_key *k, uint32_t hash)
{
	uint32_t idx, gen;
	struct session *s;

	if (t->free_top == 0)
		return SESSION_NONE;
	idx = free_stack(t)[--t->free_top];
	s = session_at(t, idx);
	gen = s->generation;
	/* One whole clear measures twice as fast as clearing around the
	 * generation; the moment it reads 0 matches no handle, as generations
	 * start at 1 and skip 0. */
	memset(s, 0, sizeof(*s));
	__atomic_store_n(&s->generation, gen, __ATOMIC_RELEASE);
	s->key = *k;
	s->hash = hash;
	s->timer_at = s->timer_prev = s->timer_next = SESSION_NONE;
	s->list_prev = s->list_next = SESSION_NONE;
	s->meta_head = SESSION_NONE;
	if (index_record(t, idx, hash) < 0) {
		free_stack(t)[t->free_top++] = idx;
		return SESSION_NONE;
	}
	s->flags = SF_LIVE;
	return idx;
}

static bool unindex_in(struct session_bucket *b, uint32_t idx)
{
	for (unsigned i = 0; i < SESSION_BUCKET_SLOTS; i++)
		if (b->idx[i] == idx) {
			__atomic_store_n(&b->idx[i], SESSION_NONE, __ATOMIC_RELEASE);
			return true;
		}
	return false;
}

void session_unindex(struct session_table *t, uint32_t idx)
{
	struct session_bucket *bs = session_buckets(t);
	uint32_t hash = session_at(t, idx)->hash;

	if (!unindex_in(&bs[first_bucket(hash, t->n_buckets)], idx))
		unindex_in(&bs[second_bucket(hash, t->n_buckets)], idx);
}

void session_release(struct session_table *t, uint32_t idx)
{
	struct session *s = session_at(t, idx);

	if (s->worker < SESSION_MAX_WORKERS && t->stats.assigned[s->worker])
		t->stats.assigned[s->worker]--;
	/* Handles (idx, generation) held elsewhere become stale first. */
	__atomic_store_n(&s->generation, s->generation + 1 ? s->generation + 1 : 1, __ATOMIC_RELEASE);
	s->flags = 0;
	free_stack(t)[t->free_top++] = idx;
}

void session_embryonic_add(struct session_table *t, uint32_t idx)
{
	struct session *s = session_at(t, idx);

	if (s->flags & SF_EMBRYONIC)
		return;
	s->flags |= SF_EMBRYONIC;
	s->list_next = SESSION_NONE;
	s->list_prev = t->embryonic_tail;
	if (t->embryonic_tail != SESSION_NONE)
		session_at(t, t->embryonic_tail)->list_next = idx;
	else
		t->embryonic_head = idx;
	t->embryonic_tail = idx;
	t->embryonic_count++;
}

void session_embryonic_remove(struct session_table *t, uint32_t idx)
{
	struct session *s = session_at(t, idx);

	if (!(s->flags & SF_EMBRYONIC))
		return;
	if (s->list_prev != SESSION_NONE)
		session_at(t, s->list_prev)->list_next = s->list_next;
	else
		t->embryonic_head = s->list_next;
	if (s->list_next != SESSION_NONE)
		session_at(t, s->list_next)->list_prev = s->list_prev;
	else
		t->embryonic_tail = s->list_prev;
	s->flags &= (uint8_t)~SF_EMBRYONIC;
	s->list_prev = s->list_next = SESSION_NONE;
	t->embryonic_count--;
}

void session_zombie_push(struct session_table *t, uint32_t idx)
{
	uint32_t *z = (uint32_t *)((char *)t + t->off_zombies);

	z[(t->zombie_head + t->zombie_count) % t->capacity] = idx;
	t->zombie_count++;
}

void session_zombie_pop(struct session_table *t)
{
	if (t->zombie_count == 0)
		return;
	t->zombie_head = (t->zombie_head + 1) % t->capacity;
	t->zombie_count--;
}
