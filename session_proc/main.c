/*
 * stellar-session: one process per shard, the single writer of the shard's
 * session table. Each packet finds or creates its session, moves its TCP
 * state and timer, and goes to the plugin worker that owns the session with
 * what happened (pkt_meta.session). Timeouts, evictions and the end of
 * input close sessions without a packet: those closing events travel as
 * event items. Closed records are freed once their worker is past them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#include "log.h"
#include "session_proc.h"
#include "session_timer.h"

#define TICK_BUDGET  4096 /* sessions closed or freed per pass, so packets keep moving */

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * SESSION_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static bool worker_past(void *ctx, uint16_t worker, uint64_t key)
{
	struct session_proc *p = ctx;
	uint16_t node = topo_node_id(NODE_PLUGIN, worker);

	if (node == TOPO_NO_NODE)
		return true;
	return progress_effective_wm(&p->rt->shm->graph, node, PROGRESS_MAX_DEPTH) >= key;
}

static unsigned budget(const struct session_proc *p, unsigned max)
{
	unsigned left = session_events_keys_left(p);

	return left < max ? left : max;
}

static void before_burst(void *ctx, struct rte_mbuf **m, unsigned n)
{
	struct session_proc *p = ctx;
	const struct pkt_decode *d[MERGE_BURST];
	uint32_t hashes[MERGE_BURST];

	for (unsigned i = 0; i < n; i++) {
		d[i] = &pkt_meta(m[i])->dec;
		hashes[i] = pkt_meta(m[i])->flow_hash;
	}
	session_shard_prepare(&p->shard, d, hashes, n, p->hints);
	p->hint_pos = 0;
}

static int handle_packet(void *ctx, struct rte_mbuf *m)
{
	struct session_proc *p = ctx;
	struct pkt_meta *meta = pkt_meta(m);
	struct pkt_session *ps = (struct pkt_session *)meta->session;
	const struct session_hint *hint = p->hint_pos < MERGE_BURST ? &p->hints[p->hint_pos++] : NULL;
	uint16_t w;

	/* Any promise made for us while we were parked is at most stellar-io's
	 * watermark before it sent this packet: the previous sequence number's
	 * key (stellar-io promises whole packets only). */
	if (meta->key - (1ull << PKT_KEY_SUB_BITS) > p->key_floor && meta->key > (1ull << PKT_KEY_SUB_BITS))
		p->key_floor = meta->key - (1ull << PKT_KEY_SUB_BITS);
	/* Time moves with the packets: what timed out before this one
	 * closes before it. */
	session_shard_advance(&p->shard, meta->ts_ns, budget(p, TICK_BUDGET));
	w = session_shard_packet(&p->shard, &meta->dec, meta->flow_hash, meta->ts_ns, meta->wire_len,
				 meta->key, hint, ps);
	if (w >= p->st->n_out)
		w = 0;
	/* Events for this worker go first: they belong before this packet.
	 * Room for it was kept when it was opened (session_events.c). */
	session_events_flush(p, w);
	return w;
}

static bool close_all_pending(const struct session_proc *p)
{
	return __atomic_load_n(&p->rt->shm->close_all_req, __ATOMIC_ACQUIRE) != p->t->close_all_done;
}

static bool close_all_step(struct session_proc *p)
{
	uint32_t req = __atomic_load_n(&p->rt->shm->close_all_req, __ATOMIC_ACQUIRE);
	unsigned n;

	if (req == p->t->close_all_done)
		return false;
	if (p->closing_req != req) {
		p->closing_req = req;
		session_shard_close_all_reset(&p->shard);
		LOG_DEBUG("closing %llu open session(s)", (unsigned long long)p->t->stats.active);
	}
	n = session_shard_close_all(&p->shard, CLOSE_EOF, budget(p, TICK_BUDGET));
	if (session_shard_close_all_done(&p->shard) && session_events_flush_all(p) >= 0)
		__atomic_store_n(&p->t->close_all_done, req, __ATOMIC_RELEASE);
	return n > 0;
}

static bool live_timers_due(const struct session_proc *p)
{
	return p->live && p->t->stats.active && wall_ns() / SESSION_NS_PER_S > p->t->wheel_now;
}

/*
 * Before making items between packets: only with no input waiting (items
 * made now must not overtake packets still in the ring), running rather
 * than parked, and keyed above stellar-io's watermark, read after
 * unparking (promise first, ring second).
 */
static bool may_make_items(struct session_proc *p)
{
	uint64_t io_wm;

	if (!stage_merge_idle(&p->st->merge) || stage_merge_rings_pending(&p->st->merge))
		return false;
	progress_unpark(p->rt->progress);
	io_wm = progress_effective_wm(&p->rt->shm->graph, topo_node_id(NODE_IO, 0), PROGRESS_MAX_DEPTH);
	if (stage_merge_rings_pending(&p->st->merge))
		return false;
	if (io_wm > p->key_floor)
		p->key_floor = io_wm;
	return true;
}

/* Items made between packets share the gap above stellar-io's watermark
 * with the other shards' items; a consumer merging shards can only move
 * past them once each other shard is known to be past them too, which for
 * a parked shard means stellar-io opening the next gap. */
static void ask_for_next_gap(struct session_proc *p)
{
	if (p->rt->shm->n_shards < 2)
		return;
	__atomic_fetch_add(&p->rt->shm->io_gap_req, 1, __ATOMIC_RELEASE);
	doorbell_ring(&p->rt->shm->nodes[topo_node_id(NODE_IO, 0)].bell);
}

static bool tick(void *ctx)
{
	struct session_proc *p = ctx;
	bool worked = false;
	uint32_t retired;

	if (session_shard_reap(&p->shard, TICK_BUDGET))
		worked = true;
	retired = __atomic_load_n(&p->rt->shm->plugin_retired_mask, __ATOMIC_ACQUIRE);
	if (retired && session_shard_move_idle(&p->shard, retired, TICK_BUDGET))
		worked = true;
	if ((live_timers_due(p) || close_all_pending(p)) && may_make_items(p)) {
		uint64_t before = p->t->last_key;

		if (live_timers_due(p) &&
		    session_shard_advance(&p->shard, wall_ns(), budget(p, TICK_BUDGET)))
			worked = true;
		if (close_all_step(p))
			worked = true;
		if (p->t->last_key != before)
			ask_for_next_gap(p);
	}
	/* Queued items must be flushed by the stage loop this pass. */
	if (session_events_flush_all(p) != 0)
		worked = true;
	/* Live: wake for the next second's timers even without traffic. */
	p->rt->wake_tsc = p->live && p->t->stats.active ? rte_rdtsc() + p->rt->hz : 0;
	return worked;
}

static bool retiring(const struct session_proc *p)
{
	uint32_t retired = __atomic_load_n(&p->rt->shm->plugin_retired_mask, __ATOMIC_ACQUIRE);

	for (unsigned w = 0; retired && w < SESSION_MAX_WORKERS; w++)
		if ((retired & (1u << w)) && p->t->stats.assigned[w])
			return true;
	return false;
}

static bool has_work(void *ctx)
{
	struct session_proc *p = ctx;

	return close_all_pending(p) || live_timers_due(p) || retiring(p);
}

static struct session_table *attach_table(struct worker_rt *rt)
{
	struct session_table *t = rt->index < TOPO_MAX_SHARDS ? rt->shm->sessions[rt->index] : NULL;

	if (!session_table_valid(t)) {
		LOG_ERR("no session table for shard %u in instance '%s' (orchestrator and workers from "
			"different builds?)", rt->index, rt->instance);
		worker_rt_exit(rt, EXIT_FAILURE);
	}
	/* A predecessor may have died half-way through an update. */
	if (t->writer_starts++ > 0) {
		uint64_t t0 = rte_rdtsc();

		session_table_repair(t);
		LOG_WARN("repaired the session table after a restart: %llu open, %u closing, in %.1f ms",
			 (unsigned long long)t->stats.active, t->zombie_count,
			 (double)(rte_rdtsc() - t0) * 1e3 / (double)rt->hz);
	}
	return t;
}

int main(int argc, char **argv)
{
	static struct worker_rt rt;
	static struct stage st;
	static struct session_proc p;
	struct session_shard_ops ops = {.emit_close = session_events_emit_close, .worker_past = worker_past,
					.ctx = &p};
	struct stage_hooks hooks = {.before_burst = before_burst, .tick = tick, .has_work = has_work,
				    .held_key = session_events_held_key};

	worker_rt_init(&rt, NODE_SESSION, argc, argv);
	p.rt = &rt;
	p.st = &st;
	p.t = attach_table(&rt);
	p.live = rt.shm->live_clock != 0;
	session_shard_init(&p.shard, p.t, (uint8_t)rt.index, rt.shm->steer, STELLAR_STEER_BUCKETS, &ops);
	p.shard.meta = rt.shm->meta[rt.index];
	stage_init(&st, &rt, handle_packet, &p);
	stage_set_hooks(&st, &hooks);
	for (unsigned io = 0; io < TOPO_MAX_IO; io++)
		stage_add_input(&st, topo_ring_io_session(io, rt.index));
	/* Output index == plugin worker index, which is what steer[] holds. */
	for (unsigned w = 0; w < rt.shm->max_plugin_workers; w++)
		stage_add_output(&st, topo_ring_session_plugin(rt.index, w));
	stage_run(&st);
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
