#include "stage_loop.h"

#include <errno.h>
#include <string.h>

#include "log.h"

void stage_init(struct stage *st, struct worker_rt *rt, stage_handle_fn handle, void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->rt = rt;
	st->handle = handle;
	st->ctx = ctx;
	stage_merge_init(&st->merge, &rt->shm->graph, rt->node);
}

int stage_add_input(struct stage *st, uint16_t ring_id)
{
	return stage_merge_add_input(&st->merge, ring_id);
}

int stage_add_output(struct stage *st, uint16_t ring_id)
{
	struct stellar_shm *shm = st->rt->shm;
	uint16_t producer, consumer;

	if (st->n_out >= STAGE_MAX_OUTPUTS || topo_ring_ends(ring_id, &producer, &consumer) < 0 ||
	    shm->graph.ring[ring_id] == NULL)
		return -EINVAL;
	stage_output_init(&st->out[st->n_out], shm->graph.ring[ring_id], ring_id,
			  &shm->nodes[consumer].bell);
	return (int)st->n_out++;
}

void stage_set_hooks(struct stage *st, const struct stage_hooks *hooks)
{
	st->hooks = *hooks;
}

bool stage_emit(struct stage *st, unsigned out, struct rte_mbuf *m)
{
	struct stage_output *o;

	if (out >= st->n_out)
		return false;
	o = &st->out[out];
	if (stage_output_full(o) && !stage_output_flush(o, st->rt->counters))
		return false;
	if (pkt_key(m) > st->emitted_key)
		st->emitted_key = pkt_key(m);
	stage_output_push(o, m);
	return true;
}

static bool flush_all(struct stage *st)
{
	bool done = true;

	for (unsigned i = 0; i < st->n_out; i++)
		if (!stage_output_flush(&st->out[i], st->rt->counters))
			done = false;
	return done;
}

static void publish_watermark(struct stage *st)
{
	uint64_t wm = stage_merge_frontier(&st->merge);

	/* Items made here sit between two input items: once they are out,
	 * the promise covers them too (see stage_progress.h). */
	if (st->emitted_key > wm)
		wm = st->emitted_key;
	if (st->hooks.held_key) {
		uint64_t k = st->hooks.held_key(st->ctx);

		if (k != UINT64_MAX && k - 1 < wm)
			wm = k - 1;
	}
	for (unsigned i = 0; i < st->n_out; i++) {
		uint64_t k = stage_output_first_key(&st->out[i]);

		if (k != UINT64_MAX && k - 1 < wm)
			wm = k - 1;
	}
	progress_publish_wm(st->rt->progress, wm);
}

static unsigned process_burst(struct stage *st)
{
	struct rte_mbuf *burst[MERGE_BURST];
	uint64_t taken = st->merge.taken, bytes = st->merge.bytes_taken, events = st->merge.events_taken;
	unsigned n = stage_merge_pull(&st->merge, burst, MERGE_BURST);

	counter_add(&st->rt->counters->in, st->merge.taken - taken);
	counter_add(&st->rt->counters->bytes_in, st->merge.bytes_taken - bytes);
	counter_add(&st->rt->counters->events_in, st->merge.events_taken - events);
	if (n && st->hooks.before_burst)
		st->hooks.before_burst(st->ctx, burst, n);
	for (unsigned i = 0; i < n; i++) {
		int r = st->handle(st->ctx, burst[i]);

		if (r == STAGE_CONSUMED)
			continue;
		if (r < 0)
			stage_drop(burst[i], (enum drop_reason)(-1 - r), st->rt->counters);
		else if ((unsigned)r < st->n_out)
			stage_output_push(&st->out[r], burst[i]);
		else
			stage_drop(burst[i], DROP_PLUGIN, st->rt->counters);
	}
	return n;
}

static bool has_input(void *arg)
{
	struct stage *st = arg;

	return stage_merge_rings_pending(&st->merge) || (st->hooks.has_work && st->hooks.has_work(st->ctx));
}

void stage_run(struct stage *st)
{
	struct worker_rt *rt = st->rt;
	bool draining = false;

	for (;;) {
		bool flushed, worked = false;

		worker_rt_service(rt);
		if (rt->stop && !draining) {
			if (!rt->graceful)
				return;
			stage_merge_begin_drain(&st->merge);
			draining = true;
		}

		/* A burst always fits: only pull once every output is empty. */
		flushed = flush_all(st);
		if (flushed && process_burst(st) > 0)
			worked = true;
		if (st->hooks.tick && st->hooks.tick(st->ctx))
			worked = true;
		if (worked)
			flushed = flush_all(st);
		publish_watermark(st);

		if (draining && flushed && stage_merge_drained(&st->merge))
			return;
		if (worked) {
			worker_rt_busy(rt);
		} else if (flushed && stage_merge_idle(&st->merge) && !has_input(st)) {
			progress_park(rt->progress);
			worker_rt_idle(rt, has_input, st);
		} else {
			/* Waiting for downstream room or an upstream watermark. */
			worker_rt_stalled(rt);
		}
	}
}
