/*
 * Scaling plugin workers live (stellarctl scale plugin N).
 *
 * Up: the new workers start; once every one of them runs, steer[] gives
 * them their share of the flow-hash buckets. Down: steer[] stops naming
 * the workers scaled away at once; the session shards move each of their
 * sessions to its new worker between two of its packets (never while one
 * is in flight there), idle ones by a sweep; a retired worker is stopped
 * once no session (open or closing) is steered to it and its input rings
 * are empty. Sessions keep their order and their per-plugin contexts,
 * which live in shared memory.
 *
 * Placement: every worker may run on any CPU of pipeline.cpus (default:
 * all), and the kernel balances them; idle workers sleep.
 */
#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "orch.h"

unsigned orch_active_plugin_workers(const struct orch *o)
{
	unsigned n = 0;

	for (unsigned i = 0; i < o->shm->max_plugin_workers; i++) {
		const struct orch_worker *w = &o->workers[topo_node_id(NODE_PLUGIN, i)];

		n += w->enabled && !w->retiring;
	}
	return n;
}

static void steer_to(struct orch *o, unsigned n)
{
	for (unsigned b = 0; b < STELLAR_STEER_BUCKETS; b++)
		__atomic_store_n(&o->shm->steer[b], (uint16_t)(b % n), __ATOMIC_RELEASE);
	o->shm->n_plugin_workers = n;
	/* Parked shards re-read steer[] when they next wake. */
	for (unsigned s = 0; s < o->shm->n_shards; s++)
		doorbell_ring(&o->shm->nodes[topo_node_id(NODE_SESSION, s)].bell);
}

int orch_scale_plugins(struct orch *o, unsigned n, char *msg, size_t len)
{
	unsigned cur = orch_active_plugin_workers(o);

	if (n < 1 || n > o->shm->max_plugin_workers) {
		snprintf(msg, len, "plugin workers must be 1 to %u (pipeline.max_plugin_workers)", o->shm->max_plugin_workers);
		return -EINVAL;
	}
	if (o->phase != PHASE_RUNNING) {
		snprintf(msg, len, "the instance is %s", orch_phase_name(o->phase));
		return -EBUSY;
	}
	if (o->scale_target) {
		snprintf(msg, len, "a scale to %u plugin workers is still in progress", o->scale_target);
		return -EBUSY;
	}
	if (n == cur) {
		snprintf(msg, len, "%u plugin worker(s) already", n);
		return 0;
	}
	if (n > cur) {
		for (unsigned i = cur; i < n; i++) {
			struct orch_worker *w = &o->workers[topo_node_id(NODE_PLUGIN, i)];

			/* One still retiring is simply kept. */
			__atomic_fetch_and(&o->shm->plugin_retired_mask, ~(1u << i), __ATOMIC_RELEASE);
			if (w->enabled) {
				w->retiring = false;
				continue;
			}
			w->enabled = true;
			w->gap_start_us = orch_now_us(); /* scale-up time: until its first packet */
			o->shm->nodes[w->node].configured = 1;
			if (orch_worker_spawn(o, w) < 0) {
				snprintf(msg, len, "cannot start plugin worker %u (see the log)", i);
				return -EIO;
			}
		}
		o->scale_target = n;
		orch_scale_tick(o);
		snprintf(msg, len, "scaling up to %u plugin workers", n);
		return 0;
	}
	steer_to(o, n);
	for (unsigned i = n; i < cur; i++) {
		o->workers[topo_node_id(NODE_PLUGIN, i)].retiring = true;
		__atomic_fetch_or(&o->shm->plugin_retired_mask, 1u << i, __ATOMIC_RELEASE);
	}
	LOG_INFO("scaling down to %u plugin worker(s)", n);
	snprintf(msg, len, "scaling down to %u plugin workers", n);
	return 0;
}

static bool drained(struct orch *o, unsigned index)
{
	for (unsigned s = 0; s < o->shm->n_shards; s++) {
		const struct rte_ring *r = o->shm->graph.ring[topo_ring_session_plugin(s, index)];

		if (__atomic_load_n(&o->shm->sessions[s]->stats.assigned[index], __ATOMIC_ACQUIRE) ||
		    progress_ring_pending(r))
			return false;
	}
	return true;
}

void orch_scale_tick(struct orch *o)
{
	if (o->scale_target) {
		bool all = true;

		for (unsigned i = 0; i < o->scale_target; i++)
			if (o->workers[topo_node_id(NODE_PLUGIN, i)].state != WORKER_RUNNING)
				all = false;
		if (all) {
			steer_to(o, o->scale_target);
			LOG_INFO("scaled up to %u plugin worker(s)", o->scale_target);
			o->scale_target = 0;
		}
	}
	for (unsigned i = 0; i < o->shm->max_plugin_workers; i++) {
		struct orch_worker *w = &o->workers[topo_node_id(NODE_PLUGIN, i)];

		if (!w->retiring || w->state != WORKER_RUNNING || !drained(o, i))
			continue;
		LOG_INFO("plugin worker %u has no session left: stopping it", i);
		w->state = WORKER_STOPPING;
		__atomic_store_n(&o->shm->nodes[w->node].state, WORKER_STOPPING, __ATOMIC_RELEASE);
		orch_worker_send_stop(o, w, true);
	}
}
