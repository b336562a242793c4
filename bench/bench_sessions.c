/*
 * The session table's cost per operation at 1M and 10M live sessions, each
 * beside the floor for the same work: DPDK's rte_hash with the same keys,
 * the same hashes, the same shuffled order and the same bursts of 32. Then
 * new sessions per second through session_shard_packet, stellar-session's
 * per-packet path, and its cost for packets of sessions that exist.
 *
 * Both structures get transparent huge pages (production puts the table in
 * a hugepage memzone): the table is an mmap with MADV_HUGEPAGE, and the EAL
 * runs --no-huge (only 1 GiB of hugepages here) with its memory advised the
 * same way, so neither side pays 4K TLB misses the other does not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_memory.h>

#include "bench.h"
#include "session_shard.h"
#include "session_timer.h"

#define ROUNDS 3  /* median of three: single runs on a shared machine vary */
#define BURST  32 /* stellar-session's burst */
#define T0_NS  1000000000000ull /* a clock far from 0: the wheel starts at second 1000 */
#define TICK   100              /* ns of packet time per operation */

/* Keys in insertion order, and the same keys shuffled for every access. */
struct flows {
	uint32_t n;
	struct session_key *ins, *seq;
	uint32_t *ins_hash, *seq_hash;
	uint32_t *perm;    /* seq[j] = ins[perm[j]] */
	uint32_t *ins_idx; /* record of ins[i] in this round's table */
	uint32_t *seq_idx; /* record of seq[j], read by the delete pass in order */
};

/* A bijection on 32 bits (Wellons' lowbias32): distinct keys that look random. */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void shuffle(uint32_t *a, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		a[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rand64() % (i + 1)), x = a[i];

		a[i] = a[j];
		a[j] = x;
	}
}

static void key_of(uint32_t i, struct session_key *k)
{
	uint32_t lo = mix32(i), hi = 0xc0a80000u | (i & 0xffff);

	memset(k, 0, sizeof(*k));
	memcpy(k->lo, &lo, 4);
	memcpy(k->hi, &hi, 4);
	k->lo_port = (uint16_t)(1024 + i % 60000);
	k->hi_port = 443;
	k->proto = 17;
	k->ip_version = 4;
}

static int flows_make(struct flows *f, uint32_t n)
{
	f->n = n;
	f->ins = malloc((size_t)n * sizeof(*f->ins));
	f->seq = malloc((size_t)n * sizeof(*f->seq));
	f->ins_hash = malloc((size_t)n * 4);
	f->seq_hash = malloc((size_t)n * 4);
	f->perm = malloc((size_t)n * 4);
	f->ins_idx = malloc((size_t)n * 4);
	f->seq_idx = malloc((size_t)n * 4);
	if (!f->ins || !f->seq || !f->ins_hash || !f->seq_hash || !f->perm || !f->ins_idx || !f->seq_idx)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		key_of(i, &f->ins[i]);
		f->ins_hash[i] = rte_hash_crc(&f->ins[i], sizeof(f->ins[i]), 0);
	}
	shuffle(f->perm, n);
	/* Laid out in access order, so reading the keys is sequential: only
	 * the structure under test misses the cache. */
	for (uint32_t j = 0; j < n; j++) {
		f->seq[j] = f->ins[f->perm[j]];
		f->seq_hash[j] = f->ins_hash[f->perm[j]];
	}
	return 0;
}

static void flows_free(struct flows *f)
{
	free(f->ins);
	free(f->seq);
	free(f->ins_hash);
	free(f->seq_hash);
	free(f->perm);
	free(f->ins_idx);
	free(f->seq_idx);
}

static void *big_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

static int advise_msl(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va && msl->len)
		madvise(msl->base_va, msl->len, MADV_HUGEPAGE);
	return 0;
}

/* MiB of this process in transparent huge pages, to show both sides got them. */
static long thp_mib(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	double s[ROUNDS];

	memcpy(s, v, sizeof(s));
	qsort(s, ROUNDS, sizeof(s[0]), cmp_double);
	return s[ROUNDS / 2];
}

static double per_op(uint64_t t0, uint64_t n)
{
	return (double)(bench_now_ns() - t0) / (double)n;
}

/* What the packet path does to a found record (session_shard_packet). */
static inline void touch(struct session_table *t, uint32_t idx, uint64_t now, uint32_t len, uint64_t key)
{
	struct session *s = session_at(t, idx);
	unsigned dir = key & 1;

	s->pkts[dir]++;
	s->bytes[dir] += len;
	if (now > s->ts_last)
		s->ts_last = now;
	s->last_key = key;
	session_timer_touch(t, idx);
}

enum { OP_INSERT, OP_LOOKUP, OP_BULK, OP_BULK_UPDATE, OP_CLOSE, OP_DELETE, OP_MAX };
static const char *const op_name[OP_MAX] = {"insert_ns", "lookup_ns", "lookup_bulk_ns",
					    "lookup_bulk_update_ns", "close_ns", "delete_ns"};

/* One round on our table: fill, look up three ways, then empty it. */
static void table_round(struct session_table *t, struct flows *f, double *ns, uint64_t *fails, uint64_t *misses)
{
	uint32_t n = f->n, out[BURST];
	const struct session_key *kp[BURST];
	uint64_t t0, now = T0_NS;

	t0 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++)
		if ((f->ins_idx[i] = session_insert(t, &f->ins[i], f->ins_hash[i])) == SESSION_NONE)
			(*fails)++;
	ns[OP_INSERT] = per_op(t0, n);
	/* Not timed: what the creating packet would have set, timer armed,
	 * so that later touches are the lazy compare they are in production. */
	for (uint32_t i = 0; i < n; i++) {
		struct session *s;

		if (f->ins_idx[i] == SESSION_NONE)
			continue;
		s = session_at(t, f->ins_idx[i]);
		s->proto_class = PROTO_CLASS_UDP;
		s->state = SS_NEW;
		s->ts_first = s->ts_last = now;
		session_timer_touch(t, f->ins_idx[i]);
	}
	for (uint32_t j = 0; j < n; j++)
		f->seq_idx[j] = f->ins_idx[f->perm[j]];

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j++)
		*misses += session_lookup(t, &f->seq[j], f->seq_hash[j]) != f->seq_idx[j];
	ns[OP_LOOKUP] = per_op(t0, n);

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j += BURST) {
		unsigned m = n - j < BURST ? n - j : BURST;

		for (unsigned i = 0; i < m; i++)
			kp[i] = &f->seq[j + i];
		session_lookup_bulk(t, kp, &f->seq_hash[j], m, out);
		for (unsigned i = 0; i < m; i++)
			*misses += out[i] != f->seq_idx[j + i];
	}
	ns[OP_BULK] = per_op(t0, n);

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j += BURST) {
		unsigned m = n - j < BURST ? n - j : BURST;

		for (unsigned i = 0; i < m; i++)
			kp[i] = &f->seq[j + i];
		session_lookup_bulk(t, kp, &f->seq_hash[j], m, out);
		for (unsigned i = 0; i < m; i++)
			if (out[i] != SESSION_NONE)
				touch(t, out[i], now += TICK, 64 + (j & 1023), j + i);
	}
	ns[OP_BULK_UPDATE] = per_op(t0, n);

	/* First half: close as session_shard_close leaves the table (timer
	 * unlinked too). Second half: unindex + release alone; the wheel is
	 * then reset wholesale, since those records are still on it. */
	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n / 2; j++) {
		if (f->seq_idx[j] == SESSION_NONE)
			continue;
		session_timer_unlink(t, f->seq_idx[j]);
		session_unindex(t, f->seq_idx[j]);
		session_release(t, f->seq_idx[j]);
	}
	ns[OP_CLOSE] = per_op(t0, n / 2);
	t0 = bench_now_ns();
	for (uint32_t j = n / 2; j < n; j++) {
		if (f->seq_idx[j] == SESSION_NONE)
			continue;
		session_unindex(t, f->seq_idx[j]);
		session_release(t, f->seq_idx[j]);
	}
	ns[OP_DELETE] = per_op(t0, n - n / 2);
	for (unsigned i = 0; i < SESSION_WHEEL_SLOTS; i++)
		t->wheel[i] = SESSION_NONE;
}

/* The same round on rte_hash: its add, lookups and delete, no record to touch. */
static void rte_round(struct rte_hash *h, struct flows *f, double *ns, uint64_t *fails, uint64_t *misses)
{
	uint32_t n = f->n;
	const void *kp[BURST];
	int32_t pos[BURST];
	uint64_t t0;

	t0 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++)
		if (rte_hash_add_key_with_hash(h, &f->ins[i], f->ins_hash[i]) < 0)
			(*fails)++;
	ns[OP_INSERT] = per_op(t0, n);

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j++)
		*misses += rte_hash_lookup_with_hash(h, &f->seq[j], f->seq_hash[j]) < 0;
	ns[OP_LOOKUP] = per_op(t0, n);

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j += BURST) {
		unsigned m = n - j < BURST ? n - j : BURST;

		for (unsigned i = 0; i < m; i++)
			kp[i] = &f->seq[j + i];
		rte_hash_lookup_with_hash_bulk(h, kp, &f->seq_hash[j], m, pos);
		for (unsigned i = 0; i < m; i++)
			*misses += pos[i] < 0;
	}
	ns[OP_BULK] = per_op(t0, n);

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j++)
		rte_hash_del_key_with_hash(h, &f->seq[j], f->seq_hash[j]);
	ns[OP_DELETE] = per_op(t0, n);
}

/* Both structures at n live sessions, rounds interleaved. */
static int bench_size(uint32_t n, const char *label, json_t *out)
{
	struct session_timeouts to;
	struct flows f;
	struct rte_hash_parameters hp = {
		.name = "bench_sessions", .entries = n, .key_len = sizeof(struct session_key),
		.hash_func = rte_hash_crc, .hash_func_init_val = 0, .socket_id = 0,
	};
	size_t size = session_table_size(n);
	double ours[OP_MAX][ROUNDS] = {{0}}, base[OP_MAX][ROUNDS] = {{0}};
	uint64_t fails = 0, misses = 0, rfails = 0, rmisses = 0;
	struct session_table *t = NULL;
	struct rte_hash *h = NULL;
	void *mem = NULL;
	json_t *j;
	int rc = -ENOMEM;

	session_timeouts_defaults(&to);
	if (flows_make(&f, n) < 0 || !(mem = big_alloc(size)) || !(h = rte_hash_create(&hp))) {
		fprintf(stderr, "bench: cannot allocate %u sessions (%zu MiB table) or their rte_hash: %s\n",
			n, size >> 20, rte_strerror(rte_errno));
		goto out;
	}
	for (int r = 0; r < ROUNDS; r++) {
		double o[OP_MAX], b[OP_MAX] = {0};

		/* A fresh table each round, so each fill starts from the same state. */
		t = session_table_init(mem, n, &to);
		table_round(t, &f, o, &fails, &misses);
		rte_round(h, &f, b, &rfails, &rmisses);
		for (int op = 0; op < OP_MAX; op++) {
			ours[op][r] = o[op];
			base[op][r] = b[op];
		}
	}
	j = json_object();
	for (int op = 0; op < OP_MAX; op++) {
		char name[64];

		json_object_set_new(j, op_name[op], json_real(median(ours[op])));
		snprintf(name, sizeof(name), "rte_hash_%s", op_name[op]);
		if (op != OP_BULK_UPDATE && op != OP_CLOSE)
			json_object_set_new(j, name, json_real(median(base[op])));
	}
	double ratio = median(ours[OP_BULK_UPDATE]) / median(base[OP_BULK]);
	json_object_set_new(j, "sessions", json_integer(n));
	json_object_set_new(j, "bytes_per_session", json_real(session_table_bytes_per_session(n)));
	json_object_set_new(j, "table_mib", json_integer((json_int_t)(size >> 20)));
	json_object_set_new(j, "insert_failures", json_integer((json_int_t)(fails / ROUNDS)));
	json_object_set_new(j, "rte_hash_insert_failures", json_integer((json_int_t)(rfails / ROUNDS)));
	json_object_set_new(j, "lookup_misses", json_integer((json_int_t)misses));
	json_object_set_new(j, "thp_mib", json_integer(thp_mib()));
	json_object_set_new(j, "ratio_bulk_update_vs_rte_hash_bulk", json_pack("{s:f, s:f, s:b}",
		"ratio", ratio, "goal", 1.5, "met", ratio <= 1.5));
	json_object_set_new(j, "ratio_bulk_vs_rte_hash_bulk",
			    json_real(median(ours[OP_BULK]) / median(base[OP_BULK])));
	json_object_set_new(out, label, j);
	printf("sessions %-3s insert %5.1f (rte_hash %5.1f)  lookup %5.1f (%5.1f)  bulk %5.1f (%5.1f)  "
	       "bulk+update %5.1f  close %5.1f  delete %5.1f (%5.1f) ns; ratio %.2f; %.1f B/session; "
	       "%llu/%llu failed inserts, %llu misses; %ld MiB THP\n", label,
	       median(ours[OP_INSERT]), median(base[OP_INSERT]), median(ours[OP_LOOKUP]), median(base[OP_LOOKUP]),
	       median(ours[OP_BULK]), median(base[OP_BULK]), median(ours[OP_BULK_UPDATE]), median(ours[OP_CLOSE]),
	       median(ours[OP_DELETE]), median(base[OP_DELETE]), ratio, session_table_bytes_per_session(n),
	       (unsigned long long)(fails / ROUNDS), (unsigned long long)(rfails / ROUNDS),
	       (unsigned long long)(misses + rmisses), thp_mib());
	rc = misses || rmisses ? -EIO : 0;
	if (rc)
		fprintf(stderr, "bench: %s: lookups missed keys that were inserted\n", label);
out:
	rte_hash_free(h);
	if (mem)
		munmap(mem, size);
	flows_free(&f);
	return rc;
}
