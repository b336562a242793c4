/*
 * The session table's cost per operation at 1M and 10M live sessions, each
 * beside the floor for the same work: DPDK's rte_hash with the same keys,
 * the same hashes, the same shuffled order and the same bursts of 32.
 * `stellar-bench sessions` then runs bench_session_shard.c (new sessions
 * per second through stellar-session's per-packet path).
 *
 * Both structures live in transparent huge pages (production puts the
 * table in a hugepage memzone), so neither pays TLB misses the other does
 * not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "bench.h"
#include "session_table.h"
#include "session_timer.h"

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
uint32_t bench_mix32(uint32_t x)
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

void bench_shuffle(uint32_t *a, uint32_t n)
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
	uint32_t lo = bench_mix32(i), hi = 0xc0a80000u | (i & 0xffff);

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
	bench_shuffle(f->perm, n);
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

#define THP_SIZE (2u << 20)

static size_t thp_round(size_t size)
{
	return (size + THP_SIZE - 1) & ~(size_t)(THP_SIZE - 1);
}

/* Anonymous memory in transparent huge pages: 2 MiB aligned, so that the
 * kernel can back all of it with huge pages. */
void *bench_thp_alloc(size_t size)
{
	size_t len = thp_round(size);
	char *p = mmap(NULL, len + THP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + THP_SIZE - 1) & ~(uintptr_t)(THP_SIZE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + THP_SIZE)
		munmap(a + len, (size_t)(p + len + THP_SIZE - (a + len)));
	madvise(a, len, MADV_HUGEPAGE);
	return a;
}

void bench_thp_free(void *p, size_t size)
{
	if (p)
		munmap(p, thp_round(size));
}

/*
 * rte_hash's memory: the EAL's --no-huge memory is a shared memfd, which
 * this kernel never backs with huge pages, so rte_hash gets a malloc heap
 * of its own on the same kind of memory as the table.
 */
#define RTE_HEAP      "bench_sessions"
#define RTE_HEAP_SIZE (1024ull << 20) /* rte_hash of 10M 44-byte keys takes 802 MiB */

static void *rte_heap_mem;

static int rte_heap_create(void)
{
	if (!(rte_heap_mem = bench_thp_alloc(RTE_HEAP_SIZE)) || rte_malloc_heap_create(RTE_HEAP) < 0 ||
	    rte_malloc_heap_memory_add(RTE_HEAP, rte_heap_mem, RTE_HEAP_SIZE, NULL,
				       RTE_HEAP_SIZE / THP_SIZE, THP_SIZE) < 0)
		return -1;
	return rte_malloc_heap_get_socket(RTE_HEAP);
}

static void rte_heap_destroy(void)
{
	if (!rte_heap_mem)
		return;
	rte_malloc_heap_memory_remove(RTE_HEAP, rte_heap_mem, RTE_HEAP_SIZE);
	rte_malloc_heap_destroy(RTE_HEAP);
	munmap(rte_heap_mem, RTE_HEAP_SIZE);
	rte_heap_mem = NULL;
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

double bench_median(const double *v)
{
	double s[BENCH_ROUNDS];

	memcpy(s, v, sizeof(s));
	qsort(s, BENCH_ROUNDS, sizeof(s[0]), cmp_double);
	return s[BENCH_ROUNDS / 2];
}

static json_t *runs(const double *v)
{
	json_t *a = json_array();

	for (int r = 0; r < BENCH_ROUNDS; r++)
		json_array_append_new(a, json_real(v[r]));
	return a;
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
static void table_round(struct session_table *t, struct flows *f, double *ns, uint64_t *fails,
			uint64_t *misses)
{
	uint32_t n = f->n, out[BENCH_BURST];
	const struct session_key *kp[BENCH_BURST];
	uint64_t t0, now = BENCH_T0_NS;

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
	for (uint32_t j = 0; j < n; j += BENCH_BURST) {
		unsigned m = n - j < BENCH_BURST ? n - j : BENCH_BURST;

		for (unsigned i = 0; i < m; i++)
			kp[i] = &f->seq[j + i];
		session_lookup_bulk(t, kp, &f->seq_hash[j], m, out);
		for (unsigned i = 0; i < m; i++)
			*misses += out[i] != f->seq_idx[j + i];
	}
	ns[OP_BULK] = per_op(t0, n);

	t0 = bench_now_ns();
	for (uint32_t j = 0; j < n; j += BENCH_BURST) {
		unsigned m = n - j < BENCH_BURST ? n - j : BENCH_BURST;

		for (unsigned i = 0; i < m; i++)
			kp[i] = &f->seq[j + i];
		session_lookup_bulk(t, kp, &f->seq_hash[j], m, out);
		for (unsigned i = 0; i < m; i++)
			if (out[i] != SESSION_NONE)
				touch(t, out[i], now += BENCH_TICK_NS, 64 + (j & 1023), j + i);
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
	const void *kp[BENCH_BURST];
	int32_t pos[BENCH_BURST];
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
	for (uint32_t j = 0; j < n; j += BENCH_BURST) {
		unsigned m = n - j < BENCH_BURST ? n - j : BENCH_BURST;

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
static int bench_size(uint32_t n, const char *label, int rte_socket, json_t *out)
{
	struct session_timeouts to;
	struct flows f;
	struct rte_hash_parameters hp = {
		.name = "bench_sessions", .entries = n, .key_len = sizeof(struct session_key),
		.hash_func = rte_hash_crc, .hash_func_init_val = 0, .socket_id = rte_socket,
	};
	size_t size = session_table_size(n);
	double ours[OP_MAX][BENCH_ROUNDS] = {{0}}, base[OP_MAX][BENCH_ROUNDS] = {{0}};
	double mo[OP_MAX], mb[OP_MAX], ratio;
	uint64_t fails = 0, misses = 0, rfails = 0, rmisses = 0;
	struct session_table *t = NULL;
	struct rte_hash *h = NULL;
	void *mem = NULL;
	json_t *j;
	int rc = -ENOMEM;

	session_timeouts_defaults(&to);
	if (flows_make(&f, n) < 0 || !(mem = bench_thp_alloc(size))) {
		fprintf(stderr, "bench: cannot allocate %u keys and a %zu MiB table\n", n, size >> 20);
		goto out;
	}
	if (!(h = rte_hash_create(&hp))) {
		fprintf(stderr, "bench: rte_hash of %u entries: %s (is RTE_HEAP_SIZE enough?)\n", n,
			rte_strerror(rte_errno));
		goto out;
	}
	for (int r = 0; r < BENCH_ROUNDS; r++) {
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
	for (int op = 0; op < OP_MAX; op++) {
		mo[op] = bench_median(ours[op]);
		mb[op] = bench_median(base[op]);
	}
	ratio = mo[OP_BULK_UPDATE] / mb[OP_BULK];
	j = json_object();
	for (int op = 0; op < OP_MAX; op++) {
		char name[64];

		snprintf(name, sizeof(name), "rte_hash_%s", op_name[op]);
		json_object_set_new(j, op_name[op], json_real(mo[op]));
		if (op != OP_BULK_UPDATE && op != OP_CLOSE) /* nothing of rte_hash's to compare */
			json_object_set_new(j, name, json_real(mb[op]));
	}
	json_object_set_new(j, "sessions", json_integer(n));
	json_object_set_new(j, "bytes_per_session", json_real(session_table_bytes_per_session(n)));
	json_object_set_new(j, "table_mib", json_integer((json_int_t)(size >> 20)));
	json_object_set_new(j, "insert_failures", json_integer((json_int_t)(fails / BENCH_ROUNDS)));
	json_object_set_new(j, "rte_hash_insert_failures", json_integer((json_int_t)(rfails / BENCH_ROUNDS)));
	json_object_set_new(j, "process_thp_mib", json_integer(thp_mib()));
	json_object_set_new(j, "ratio_bulk_update_vs_rte_hash_bulk", json_pack("{s:f, s:f, s:b}",
		"ratio", ratio, "goal", 1.5, "met", ratio <= 1.5));
	json_object_set_new(j, "ratio_bulk_vs_rte_hash_bulk", json_real(mo[OP_BULK] / mb[OP_BULK]));
	/* The two terms of the ratio round by round: the machine is shared. */
	json_object_set_new(j, "lookup_bulk_update_runs", runs(ours[OP_BULK_UPDATE]));
	json_object_set_new(j, "rte_hash_lookup_bulk_runs", runs(base[OP_BULK]));
	json_object_set_new(out, label, j);
	printf("sessions %-3s ns/op (rte_hash): insert %.1f (%.1f), lookup %.1f (%.1f), bulk %.1f (%.1f), "
	       "bulk+update %.1f, close %.1f, delete %.1f (%.1f); ratio %.2f; %.1f B/session; "
	       "%llu/%llu failed inserts; %ld MiB in THP\n", label, mo[OP_INSERT], mb[OP_INSERT], mo[OP_LOOKUP],
	       mb[OP_LOOKUP], mo[OP_BULK], mb[OP_BULK], mo[OP_BULK_UPDATE], mo[OP_CLOSE], mo[OP_DELETE],
	       mb[OP_DELETE], ratio, session_table_bytes_per_session(n), (unsigned long long)(fails / BENCH_ROUNDS),
	       (unsigned long long)(rfails / BENCH_ROUNDS), thp_mib());
	/* rte_hash misses exactly the keys it could not add, twice a round. */
	rc = misses || rmisses != 2 * rfails ? -EIO : 0;
	if (rc)
		fprintf(stderr, "bench: %s: lookups missed keys that were inserted\n", label);
out:
	rte_hash_free(h);
	bench_thp_free(mem, size);
	flows_free(&f);
	return rc;
}

int bench_sessions(json_t *out)
{
	/* --no-huge: the rte_hash baseline at 10M needs more than the 1 GiB
	 * of hugepages, so its memory is a heap of our own (rte_heap_create);
	 * --no-pci as every process of a multi-process app. */
	char *argv[] = {"stellar-bench", "-l", "0", "--no-pci", "--no-huge", "-m", "64", "--file-prefix",
			"stellar_bench_sessions", "--log-level=error", NULL};
	json_t *res = json_object();
	int rc, sock;

	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "bench: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if ((sock = rte_heap_create()) < 0) {
		fprintf(stderr, "bench: cannot make a %llu MiB malloc heap for rte_hash: %s\n",
			RTE_HEAP_SIZE >> 20, rte_strerror(rte_errno));
		rte_heap_destroy();
		rte_eal_cleanup();
		return -1;
	}
	rc = bench_size(1000000, "live_1M", sock, res);
	if (rc == 0)
		rc = bench_size(10000000, "live_10M", sock, res);
	rte_heap_destroy();
	if (rc == 0)
		rc = bench_session_shard(res);
	json_object_set_new(out, "sessions", res);
	rte_eal_cleanup();
	return rc;
}
