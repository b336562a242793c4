/*
 * Taking back what a dead worker held.
 *
 * Every mbuf carries an owner tag (mbuf_meta.h). After node N dies:
 *  1. its rings are repaired: a half-done enqueue by N is rolled back, a
 *     half-done dequeue by N is completed (those items are N's now);
 *  2. mbufs tagged N, or in transit on one of N's rings but no longer in
 *     that ring, are candidates;
 *  3. after a grace period in which every live neighbour of N (the other
 *     end of one of its rings) finishes the loop pass it was in (a producer
 *     that tagged an mbuf but had not enqueued it yet, a consumer that
 *     dequeued but had not re-tagged yet), candidates whose tag and position
 *     did not change are N's: freed and counted as worker_crash. Only
 *     neighbours touch N's rings, so a worker elsewhere that is hung (or
 *     dead, not yet reaped) does not hold up the recovery;
 *  4. N's mempool cache (per lcore) goes back to the pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "log.h"
#include "mbuf_meta.h"
#include "orch.h"

#define GRACE_TIMEOUT_MS 500

struct ring_window {
	uint16_t ring;
	unsigned n;
	void **objs; /* sorted */
};

struct sweep {
	uint16_t dead;
	unsigned n_rings;
	uint16_t rings[TOPO_MAX_RINGS];
	struct ring_window win[TOPO_MAX_RINGS];
	struct rte_mbuf **cand;
	uint16_t *cand_tag;
	unsigned n_cand, cap_cand;
};

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Items between the consumer head and the producer tail: still in the ring. */
static void snapshot(struct ring_window *w, struct rte_ring *r)
{
	uint32_t head = __atomic_load_n(&r->cons.head, __ATOMIC_ACQUIRE);
	uint32_t tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	void **slots = (void **)&r[1];

	w->n = 0;
	for (uint32_t i = head; i != tail && w->n < r->size; i++)
		w->objs[w->n++] = slots[i & r->mask];
	qsort(w->objs, w->n, sizeof(void *), cmp_ptr);
}

static bool in_window(const struct ring_window *w, void *obj)
{
	return bsearch(&obj, w->objs, w->n, sizeof(void *), cmp_ptr) != NULL;
}

static const struct ring_window *window_of(const struct sweep *s, uint16_t tag)
{
	if (!(tag & MBUF_OWNER_TRANSIT) || tag == MBUF_OWNER_SEGMENT)
		return NULL;
	for (unsigned i = 0; i < s->n_rings; i++)
		if (s->win[i].ring == (tag & ~MBUF_OWNER_TRANSIT))
			return &s->win[i];
	return NULL;
}

static bool is_suspect(const struct sweep *s, struct rte_mbuf *m, uint16_t *tag_out)
{
	uint16_t tag = pkt_meta(m)->owner;
	const struct ring_window *w;

	*tag_out = tag;
	if (tag == s->dead || tag == (MBUF_OWNER_SHADOW | s->dead))
		return true;
	w = window_of(s, tag);
	return w && !in_window(w, m);
}

static void collect(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct sweep *s = arg;
	uint16_t tag;

	(void)mp;
	(void)idx;
	if (!is_suspect(s, obj, &tag))
		return;
	if (s->n_cand == s->cap_cand) {
		unsigned cap = s->cap_cand ? s->cap_cand * 2 : 256;
		void *c = realloc(s->cand, cap * sizeof(*s->cand));
		void *t = realloc(s->cand_tag, cap * sizeof(*s->cand_tag));

		if (c)
			s->cand = c;
		if (t)
			s->cand_tag = t;
		if (!c || !t)
			return;
		s->cap_cand = cap;
	}
	s->cand[s->n_cand] = obj;
	s->cand_tag[s->n_cand++] = tag;
}

static void repair_rings(struct orch *o, struct sweep *s)
{
	for (uint16_t r = 0; r < TOPO_MAX_RINGS; r++) {
		struct rte_ring *ring = o->shm->graph.ring[r];
		uint16_t prod, cons;

		if (!ring || topo_ring_ends(r, &prod, &cons) < 0 || (prod != s->dead && cons != s->dead))
			continue;
		/* SP/SC: the dead process was the only one moving these. */
		if (prod == s->dead)
			ring->prod.head = ring->prod.tail;
		if (cons == s->dead)
			__atomic_store_n(&ring->cons.tail, ring->cons.head, __ATOMIC_RELEASE);
		s->win[s->n_rings].ring = r;
		s->win[s->n_rings].objs = calloc(ring->size, sizeof(void *));
		s->rings[s->n_rings++] = r;
	}
}

static void snapshot_all(struct orch *o, struct sweep *s)
{
	for (unsigned i = 0; i < s->n_rings; i++)
		if (s->win[i].objs)
			snapshot(&s->win[i], o->shm->graph.ring[s->rings[i]]);
}

/* A process that exited (or was killed) but is not reaped yet. */
static bool is_zombie(pid_t pid)
{
	char path[64], buf[256], *close_paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

/* Waits until every live neighbour of the dead node has completed a loop
 * pass, or sleeps on its doorbell (it only sleeps between passes). */
static bool grace_period(struct orch *o, const struct sweep *s)
{
	uint64_t seen[TOPO_MAX_NODES], deadline = orch_now_ms() + GRACE_TIMEOUT_MS;
	bool neighbour[TOPO_MAX_NODES] = {false}, pending = true;

	for (unsigned i = 0; i < s->n_rings; i++) {
		uint16_t prod, cons;

		if (topo_ring_ends(s->rings[i], &prod, &cons) == 0)
			neighbour[prod] = neighbour[cons] = true;
	}
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++) {
		const struct orch_worker *w = &o->workers[n];

		seen[n] = __atomic_load_n(&o->shm->graph.node[n].loops, __ATOMIC_ACQUIRE);
		/* Killed for hanging, or gone: it makes no more passes, and
		 * its own recovery takes what it held. */
		if (neighbour[n] && w->pid && (w->watchdog_kill || is_zombie(w->pid)))
			neighbour[n] = false;
	}
	while (pending && orch_now_ms() < deadline) {
		pending = false;
		for (uint16_t n = 1; n < TOPO_MAX_NODES; n++) {
			const struct orch_worker *w = &o->workers[n];

			if (n == s->dead || !neighbour[n] || !w->pid || w->state == WORKER_STARTING)
				continue;
			if (__atomic_load_n(&o->shm->graph.node[n].loops, __ATOMIC_ACQUIRE) > seen[n] + 1 ||
			    __atomic_load_n(&o->shm->nodes[n].bell.sleeping, __ATOMIC_ACQUIRE))
				continue;
			pending = true;
		}
		if (pending)
			usleep(200);
	}
	return !pending;
}

/* Heap memory a dead process allocated for itself and recorded for us. */
static void release_private_memory(struct orch *o, uint16_t node)
{
	uint64_t *table = &o->shm->nodes[node].scratch[IO_SCRATCH_FRAG_TABLE];
	enum node_kind kind;
	unsigned index;

	if (topo_node_kind_index(node, &kind, &index) == 0 && kind == NODE_IO && *table) {
		/* Its mbufs were swept above; only the table's memory is left. */
		rte_free((void *)(uintptr_t)*table);
		*table = 0;
	}
}

uint64_t orch_recover_node(struct orch *o, uint16_t node)
{
	struct rte_mempool *mp = o->shm->pool;
	struct sweep s;
	uint64_t freed = 0;
	bool graced;

	memset(&s, 0, sizeof(s));
	s.dead = node;
	repair_rings(o, &s);
	snapshot_all(o, &s);
	rte_mempool_obj_iter(mp, collect, &s);
	graced = s.n_cand ? grace_period(o, &s) : true;
	snapshot_all(o, &s);
	for (unsigned i = 0; i < s.n_cand; i++) {
		struct rte_mbuf *m = s.cand[i];
		uint16_t tag;

		if (!is_suspect(&s, m, &tag) || tag != s.cand_tag[i])
			continue;
		/* Without a full grace period only what was tagged with the dead
		 * node itself is certain to be its own. */
		if (!graced && tag != node && tag != (MBUF_OWNER_SHADOW | node))
			continue;
		if (tag & MBUF_OWNER_SHADOW && !(tag & MBUF_OWNER_TRANSIT)) {
			/* A private copy (reassembly): its original is counted. */
			pkt_meta(m)->orig = NULL;
			pkt_meta(m)->owner = MBUF_OWNER_FREE;
			rte_pktmbuf_free(m);
			continue;
		}
		freed += pkt_free(m);
	}
	release_private_memory(o, node);
	if (!graced)
		LOG_WARN("recovery of node %u: a worker did not reach a quiescent point; some mbufs "
			 "may stay leaked", node);
	rte_mempool_cache_flush(rte_mempool_default_cache(mp, node), mp);
	counter_add(&o->shm->nodes[TOPO_NODE_ORCH].counters.dropped[DROP_WORKER_CRASH], freed);
	for (unsigned i = 0; i < s.n_rings; i++)
		free(s.win[i].objs);
	free(s.cand);
	free(s.cand_tag);
	return freed;
}

static void count_leftover(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	uint64_t *freed = arg;
	struct rte_mbuf *m = obj;
	uint16_t tag = pkt_meta(m)->owner;

	(void)mp;
	(void)idx;
	if (tag == MBUF_OWNER_FREE || tag == MBUF_OWNER_SEGMENT || tag == MBUF_OWNER_ATTACHED)
		return;
	if (tag & MBUF_OWNER_SHADOW && !(tag & MBUF_OWNER_TRANSIT)) {
		pkt_meta(m)->orig = NULL;
		pkt_meta(m)->owner = MBUF_OWNER_FREE;
		rte_pktmbuf_free(m);
		return;
	}
	*freed += pkt_free(m);
}

uint64_t orch_sweep_leftovers(struct orch *o)
{
	uint64_t freed = 0;

	/* Only called once every worker has exited: nothing moves any more. */
	rte_mempool_obj_iter(o->shm->pool, count_leftover, &freed);
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		rte_mempool_cache_flush(rte_mempool_default_cache(o->shm->pool, n), o->shm->pool);
	counter_add(&o->shm->nodes[TOPO_NODE_ORCH].counters.dropped[DROP_SHUTDOWN], freed);
	return freed;
}
