/*
 * The run from start to exit: running; draining (no more input, waiting
 * until every packet received has been sent or dropped); closing (every
 * open session closed with reason eof, and the plugin workers past those
 * closing events); stopping (workers asked to exit); done (final stats
 * written, shared memory released).
 */
#include <stdio.h>

#include <jansson.h>
#include <rte_eal.h>
#include <rte_mempool.h>

#include "log.h"
#include "orch.h"
#include "orch_stats.h"
#include "stats_json.h"
#include "stats_print.h"

const char *orch_phase_name(enum orch_phase phase)
{
	switch (phase) {
	case PHASE_RUNNING: return "running";
	case PHASE_DRAINING: return "draining";
	case PHASE_STOPPING: return "stopping";
	case PHASE_CLOSING: return "closing";
	case PHASE_DONE: return "done";
	}
	return "unknown";
}

static void set_phase(struct orch *o, enum orch_phase p)
{
	o->phase = p;
	o->phase_since_ms = orch_now_ms();
}

static struct conservation totals(struct orch *o)
{
	struct conservation c;

	conservation_reset(&c);
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		conservation_add(&c, &o->shm->nodes[n].counters);
	return c;
}

/* Every capture file read; live ports have no end. */
static bool all_input_read(struct orch *o)
{
	for (unsigned i = 0; i < o->shm->n_ports; i++)
		if (!port_is_ethdev(o->shm->port_cfg[i].type) &&
		    !__atomic_load_n(&o->shm->port[i].rx_eof, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static bool workers_settled(struct orch *o)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++) {
		const struct orch_worker *w = &o->workers[n];

		if (w->enabled && w->state != WORKER_RUNNING)
			return false;
	}
	return true;
}

void orch_begin_drain(struct orch *o, const char *why)
{
	if (o->phase != PHASE_RUNNING)
		return;
	LOG_INFO("%s: draining the pipeline", why);
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		if (o->workers[n].enabled && o->workers[n].kind == NODE_IO)
			orch_worker_send_stop_rx(o, &o->workers[n]);
	set_phase(o, PHASE_DRAINING);
}

/* Asks every shard to close its sessions; their events then flow through
 * the plugin workers like packets. */
static void begin_close(struct orch *o)
{
	uint32_t req = o->shm->close_all_req + 1;

	__atomic_store_n(&o->shm->close_all_req, req, __ATOMIC_RELEASE);
	for (unsigned s = 0; s < o->shm->n_shards; s++)
		doorbell_ring(&o->shm->nodes[topo_node_id(NODE_SESSION, s)].bell);
	set_phase(o, PHASE_CLOSING);
}

/* Every shard has closed everything, and every plugin worker has handled
 * every closing event. */
static bool sessions_closed(struct orch *o)
{
	uint32_t req = __atomic_load_n(&o->shm->close_all_req, __ATOMIC_ACQUIRE);

	for (unsigned s = 0; s < o->shm->n_shards; s++) {
		const struct session_table *t = o->shm->sessions[s];
		uint64_t last;

		/* Done first, then the last key it made before saying so. */
		if (__atomic_load_n(&t->close_all_done, __ATOMIC_ACQUIRE) != req)
			return false;
		last = __atomic_load_n(&t->last_key, __ATOMIC_ACQUIRE);
		for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
			if (o->workers[n].enabled && o->workers[n].kind == NODE_PLUGIN &&
			    progress_effective_wm(&o->shm->graph, n, PROGRESS_MAX_DEPTH) < last)
				return false;
	}
	/* Last, the records: a parked shard frees them when woken. */
	for (unsigned s = 0; s < o->shm->n_shards; s++)
		if (__atomic_load_n(&o->shm->sessions[s]->zombie_count, __ATOMIC_ACQUIRE)) {
			doorbell_ring(&o->shm->nodes[topo_node_id(NODE_SESSION, s)].bell);
			return false;
		}
	return true;
}

static void begin_stop(struct orch *o)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++) {
		struct orch_worker *w = &o->workers[n];

		if (!w->enabled)
			continue;
		if (w->pid) {
			w->state = WORKER_STOPPING;
			__atomic_store_n(&o->shm->nodes[n].state, WORKER_STOPPING, __ATOMIC_RELEASE);
			orch_worker_send_stop(o, w, true);
		} else {
			w->state = WORKER_STOPPED;
			__atomic_store_n(&o->shm->nodes[n].state, WORKER_STOPPED, __ATOMIC_RELEASE);
		}
	}
	set_phase(o, PHASE_STOPPING);
}

void orch_lifecycle_tick(struct orch *o)
{
	struct conservation c;
	uint64_t now = orch_now_ms();

	switch (o->phase) {
	case PHASE_RUNNING:
		if (!o->until_eof || !all_input_read(o) || !workers_settled(o))
			break;
		c = totals(o);
		if (conservation_balanced(&c)) {
			LOG_INFO("every capture has been read and the pipeline is empty");
			begin_close(o);
		}
		break;
	case PHASE_DRAINING:
		c = totals(o);
		if (conservation_balanced(&c) && workers_settled(o)) {
			begin_close(o);
		} else if (now - o->phase_since_ms > o->cfg.pipeline.drain_timeout_ms) {
			LOG_WARN("drain timed out after %u ms with %lld packet(s) in flight; stopping anyway",
				 o->cfg.pipeline.drain_timeout_ms, (long long)conservation_in_flight(&c));
			o->drain_timed_out = true;
			begin_stop(o);
		}
		break;
	case PHASE_CLOSING:
		c = totals(o);
		if (sessions_closed(o) && conservation_balanced(&c) && workers_settled(o)) {
			begin_stop(o);
		} else if (now - o->phase_since_ms > o->cfg.pipeline.drain_timeout_ms) {
			LOG_WARN("closing the open sessions timed out after %u ms; stopping anyway",
				 o->cfg.pipeline.drain_timeout_ms);
			o->drain_timed_out = true;
			begin_stop(o);
		}
		break;
	case PHASE_STOPPING:
		if (orch_workers_all_exited(o))
			set_phase(o, PHASE_DONE);
		break;
	case PHASE_DONE:
		break;
	}
}

/* The run's result for whoever started it: a table on stdout, and the
 * stats JSON if asked for. */
static void report(struct orch *o)
{
	static struct stats_builder b;
	json_t *j;

	orch_stats_build(o, &b);
	printf("stellar: instance %s ran for %.2f s\n", o->cfg.instance, (double)b.stats.uptime_ms / 1000.0);
	stats_print_table(stdout, &b.stats);
	fflush(stdout);
	if (!o->stats_json_path[0])
		return;
	j = stats_json_from_pb(&b.stats);
	if (!j || json_dump_file(j, o->stats_json_path, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
		LOG_ERR("cannot write the stats to %s", o->stats_json_path);
		o->exit_code = 1;
	}
	json_decref(j);
}

void orch_finish(struct orch *o)
{
	struct conservation c;
	uint64_t left;

	if (o->drain_timed_out) {
		left = orch_sweep_leftovers(o);
		if (left)
			LOG_WARN("%llu packet(s) were still in the pipeline at exit (counted as dropped: "
				 "shutdown)", (unsigned long long)left);
	}
	c = totals(o);
	report(o);
	LOG_INFO("exit: rx %llu, tx %llu, dropped %llu, mbufs in use %u",
		 (unsigned long long)c.rx, (unsigned long long)c.tx,
		 (unsigned long long)c.dropped_total, rte_mempool_in_use_count(o->shm->pool));
	if (!conservation_balanced(&c)) {
		LOG_ERR("accounting mismatch: rx %llu != tx %llu + dropped %llu",
			(unsigned long long)c.rx, (unsigned long long)c.tx,
			(unsigned long long)c.dropped_total);
		o->exit_code = 1;
	}
}
