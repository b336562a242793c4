/*
 * The plugin manager's cost per packet, in-process: dispatch to C plugins
 * (per plugin, over a baseline with none), a Lua plugin call beside a C
 * one, and the filter trie with 1, 10 and 100 subscribers, whose chains
 * either share every stage or differ in their last one, beside the same
 * chains evaluated one by one without the trie.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "plugin_check.h"
#include "plugin_host.h"
#include "session_shard.h"

#define FLOWS    256 /* packets kept to dispatch, at most */
#define PACKETS  2000000
#define N_C      8

struct rig {
	void *table_mem, *meta_mem;
	struct session_table *t;
	struct meta_store *meta;
	struct session_shard sh;
	struct plugins_shm *ps;
	struct amq_group groups[AMQ_MAX_GROUPS];
	uint64_t current;
	struct rte_mbuf *m[FLOWS];
	unsigned n;
	uint64_t keys;
};

static uint64_t emit(void *ctx, uint32_t idx)
{
	struct rig *r = ctx;

	session_at(r->t, idx)->worker_flags |= WF_CLOSED;
	return ++r->keys;
}

static bool past(void *ctx, uint16_t w, uint64_t k)
{
	(void)ctx, (void)w, (void)k;
	return true;
}

/* Real frames (a capture's packets that have a session, FLOWS at most),
 * their sessions made once, their mbufs dispatched again and again. */
static int rig_init(struct rig *r, struct rte_mempool *pool, const struct frames *f)
{
	struct session_timeouts to;
	struct session_shard_ops ops = {emit, past, r};
	struct decode_config dc;
	unsigned got = 0;

	memset(r, 0, sizeof(*r));
	session_timeouts_defaults(&to);
	decode_config_defaults(&dc);
	r->table_mem = aligned_alloc(64, (session_table_size(4096) + 63) & ~(size_t)63);
	r->meta_mem = aligned_alloc(64, (meta_store_size(1 << 20) + 63) & ~(size_t)63);
	r->ps = calloc(1, sizeof(*r->ps));
	if (!r->table_mem || !r->meta_mem || !r->ps)
		return -ENOMEM;
	r->t = session_table_init(r->table_mem, 4096, &to);
	r->meta = meta_store_init(r->meta_mem, 1 << 20);
	session_shard_init(&r->sh, r->t, 0, NULL, 1, &ops);
	for (unsigned i = 0; i < f->n && got < FLOWS; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct pkt_meta *meta;
		struct pkt_session *ps;

		if (!m)
			return -ENOMEM;
		memcpy(rte_pktmbuf_append(m, (uint16_t)f->len[i]), f->data[i], f->len[i]);
		meta = pkt_meta(m);
		memset(meta, 0, sizeof(*meta));
		decode_packet(f->data[i], f->len[i], f->wire[i], &dc, &meta->dec);
		ps = (struct pkt_session *)meta->session;
		session_shard_packet(&r->sh, &meta->dec, decode_flow_hash(&meta->dec), BENCH_T0_NS, f->wire[i],
				     (uint64_t)(i + 1) << 20, NULL, ps);
		if (ps->idx == SESSION_NONE) {
			rte_pktmbuf_free(m);
			continue;
		}
		ps->events = EV_PACKET; /* as for every packet but a session's first */
		r->m[got++] = m;
	}
	r->n = got;
	return got ? 0 : -ENOENT;
}

static void rig_add(struct rig *r, const char *path)
{
	struct plugin_slot *sl = &r->ps->p[r->ps->n_plugins];

	r->ps->order[r->ps->n_order++] = (uint16_t)r->ps->n_plugins++;
	struct plugin_probe pr;
	char err[256];

	plugin_check_file(path, &pr, err, sizeof(err));
	snprintf(sl->path, sizeof(sl->path), "%s", path);
	snprintf(sl->name, sizeof(sl->name), "p%u", r->ps->n_plugins);
	sl->kind = pr.kind;
	sl->events = pr.events;
	sl->ctx_size = (pr.ctx_size + 7) & ~7u;
	sl->filter_leaf = FILTER_NONE;
	sl->config_json = "{}";
	if (sl->ctx_size)
		sl->ctx[0] = calloc(r->t->capacity, sl->ctx_size);
}

static struct plugin_host *rig_host(struct rig *r)
{
	struct plugin_host *h = calloc(1, sizeof(*h));
	struct plugin_env env = {0};

	env.n_shards = 1;
	env.tables[0] = r->t;
	env.metas[0] = r->meta;
	env.plugins = r->ps;
	env.counts = r->ps->counts[0];
	env.node_counts = r->ps->node_counts[0];
	env.current = &r->current;
	env.groups = r->groups;
	r->ps->lua_instructions = 1000000;
	if (h)
		plugin_host_init(h, &env);
	return h;
}

/* ns per packet through plugin_dispatch_packet, median of rounds. */
static double dispatch_ns(struct rig *r, struct plugin_host *h)
{
	double v[BENCH_ROUNDS];

	for (int k = 0; k < BENCH_ROUNDS; k++) {
		uint64_t t0 = bench_now_ns();

		for (unsigned i = 0; i < PACKETS; i++)
			plugin_dispatch_packet(h, r->m[i % r->n]);
		v[k] = (double)(bench_now_ns() - t0) / PACKETS;
	}
	return bench_median(v);
}

static void host_free(struct plugin_host *h)
{
	plugin_host_fini(h);
	free(h);
}

/* Chains: "ip" > "tcp" > a third stage, the same for all (shared) or its
 * own port for each subscriber (distinct). */
static double trie_ns(struct rig *r, unsigned subscribers, bool shared, bool merged, unsigned *nodes)
{
	struct plugin_config *pc = calloc(subscribers, sizeof(*pc));
	uint16_t *leaf = calloc(subscribers, sizeof(*leaf));
	unsigned n_filters = merged ? 1 : subscribers;
	struct plugins_shm *ps = calloc(n_filters, sizeof(*ps));
	struct plugin_filter *f = calloc(n_filters, sizeof(*f));
	char err[256];
	double v[BENCH_ROUNDS], result = -1;

	if (!pc || !leaf || !ps || !f)
		goto out;
	for (unsigned i = 0; i < subscribers; i++) {
		pc[i].n_filter = 3;
		snprintf(pc[i].filter[0], sizeof(pc[i].filter[0]), "ip");
		snprintf(pc[i].filter[1], sizeof(pc[i].filter[1]), "tcp");
		snprintf(pc[i].filter[2], sizeof(pc[i].filter[2]), "port %u", shared ? 80 : 1000 + i);
	}
	*nodes = 0;
	for (unsigned k = 0; k < n_filters; k++) {
		/* Without the trie: every subscriber its own chain. */
		if (plugin_filter_plan(&ps[k], merged ? pc : &pc[k], merged ? subscribers : 1, leaf) < 0 ||
		    plugin_filter_init(&f[k], &ps[k], NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench: filters: %s\n", err);
			goto out;
		}
		*nodes += ps[k].n_nodes;
	}
	for (int k = 0; k < BENCH_ROUNDS; k++) {
		uint64_t t0 = bench_now_ns();

		for (unsigned i = 0; i < PACKETS / 10; i++)
			for (unsigned j = 0; j < n_filters; j++)
				plugin_filter_run(&f[j], r->m[i % r->n]);
		v[k] = (double)(bench_now_ns() - t0) / (PACKETS / 10);
	}
	result = bench_median(v);
out:
	for (unsigned k = 0; f && k < n_filters; k++)
		plugin_filter_fini(&f[k]);
	free(f);
	free(ps);
	free(leaf);
	free(pc);
	return result;
}

int bench_plugins(const char *capture, const char *plugin_dir, json_t *out)
{
	char *argv[] = {"stellar-bench", "-l", "0", "--no-pci", "--no-huge", "-m", "128", "--file-prefix",
			"stellar_bench_plugins", "--log-level=error", NULL};
	char nop_c[512], nop_lua[512];
	struct rte_mempool *pool;
	struct frames f;
	struct plugin_host *h;
	static struct rig r;
	double base, c8, lua1, c1;
	json_t *trie = json_array();

	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("bench_plugins", 1024, 0, PKT_META_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool || frames_load(&f, capture) < 0 || rig_init(&r, pool, &f) < 0) {
		fprintf(stderr, "bench: plugins: cannot set up (%s)\n", capture);
		return -1;
	}
	snprintf(nop_c, sizeof(nop_c), "%s/nop.so", plugin_dir);
	snprintf(nop_lua, sizeof(nop_lua), "%s/../../../bench/plugins/nop.lua", plugin_dir);

	h = rig_host(&r);
	base = dispatch_ns(&r, h);
	host_free(h);
	rig_add(&r, nop_c);
	h = rig_host(&r);
	c1 = dispatch_ns(&r, h) - base;
	host_free(h);
	for (unsigned i = 1; i < N_C; i++)
		rig_add(&r, nop_c);
	h = rig_host(&r);
	c8 = (dispatch_ns(&r, h) - base) / N_C;
	host_free(h);
	r.ps->n_plugins = r.ps->n_order = 0;
	rig_add(&r, nop_lua);
	h = rig_host(&r);
	lua1 = dispatch_ns(&r, h) - base;
	host_free(h);

	for (unsigned s = 0; s < 3; s++) {
		static const unsigned subs[] = {1, 10, 100};
		unsigned n_shared, n_distinct, n_unmerged;
		double shared = trie_ns(&r, subs[s], true, true, &n_shared);
		double distinct = trie_ns(&r, subs[s], false, true, &n_distinct);
		double unmerged = trie_ns(&r, subs[s], true, false, &n_unmerged);

		json_array_append_new(trie, json_pack("{s:i, s:f, s:i, s:f, s:i, s:f, s:i}", "subscribers", subs[s],
			"shared_ns", shared, "shared_nodes", n_shared, "distinct_ns", distinct, "distinct_nodes",
			n_distinct, "unmerged_ns", unmerged, "unmerged_nodes", n_unmerged));
		printf("plugins filter %3u subscribers: shared chains %.1f ns (%u nodes), distinct last stage "
		       "%.1f ns (%u nodes), no trie %.1f ns (%u evaluations)\n", subs[s], shared, n_shared, distinct,
		       n_distinct, unmerged, n_unmerged);
	}
	/* A Lua plugin alone against a C plugin alone: the same dispatch work
	 * around each call. */
	printf("plugins dispatch: base %.1f ns/packet; C %.1f ns per plugin of 8, %.1f alone; Lua %.1f alone "
	       "(%.1fx C)\n", base, c8, c1, lua1, lua1 / c1);
	json_object_set_new(out, "plugins", json_pack("{s:f, s:f, s:f, s:f, s:f, s:o}", "dispatch_base_ns", base,
		"c_per_plugin_ns", c8, "c_single_ns", c1, "lua_single_ns", lua1, "lua_over_c", lua1 / c1,
		"trie", trie));
	frames_free(&f);
	rte_eal_cleanup();
	return 0;
}
