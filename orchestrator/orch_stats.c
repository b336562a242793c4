#include <unistd.h>

#include <rte_mempool.h>

#include "orch_stats.h"

static void build_workers(struct orch *o, struct stats_builder *b, size_t *n_out)
{
	size_t n = 0;

	for (uint16_t id = 0; id < TOPO_MAX_NODES; id++) {
		const struct orch_worker *w = &o->workers[id];
		const struct node_slot *slot = &o->shm->nodes[id];
		Stellar__Control__V1__Worker *pw = &b->workers[n];

		if (!w->enabled)
			continue;
		stellar__control__v1__worker__init(pw);
		pw->kind = (char *)topo_kind_name(w->kind);
		pw->index = w->index;
		pw->pid = w->pid ? w->pid : slot->pid;
		pw->restarts = w->restarts;
		pw->state = (char *)worker_state_name(w->state);
		pw->lcore = id;
		pw->last_gap_us = w->last_gap_us;
		if (w->kind == NODE_IO) {
			pw->packets = counter_read(&slot->counters.rx);
			pw->out = counter_read(&slot->counters.tx);
		} else {
			pw->packets = counter_read(&slot->counters.in);
			pw->out = counter_read(&slot->counters.out);
		}
		b->worker_ptrs[n] = pw;
		n++;
	}
	*n_out = n;
}

/* Named counters of every repeated Counter field come from one pool. */
static Stellar__Control__V1__Counter **counter(struct stats_builder *b, const char *name, uint64_t value)
{
	Stellar__Control__V1__Counter *c = &b->counters[b->n_counters];

	stellar__control__v1__counter__init(c);
	c->name = (char *)name;
	c->value = value;
	b->counter_ptrs[b->n_counters] = c;
	return &b->counter_ptrs[b->n_counters++];
}

static Stellar__Control__V1__Counter **next_counter(struct stats_builder *b)
{
	return &b->counter_ptrs[b->n_counters];
}

static void build_decoder(struct orch *o, struct stats_builder *b)
{
	Stellar__Control__V1__Decoder *d = &b->decoder;
	Stellar__Control__V1__Defrag *f = &b->defrag;
	stellar__control__v1__decoder__init(d);
	stellar__control__v1__defrag__init(f);
	for (unsigned io = 0; io < TOPO_MAX_IO; io++) {
		const struct io_stats *s = &o->shm->io_stats[io];

		d->not_ip += counter_read(&s->not_ip);
		d->opaque += counter_read(&s->opaque);
		f->fragments += counter_read(&s->defrag.fragments);
		f->reassembled += counter_read(&s->defrag.reassembled);
		f->absorbed += counter_read(&s->defrag.absorbed);
		f->tiny += counter_read(&s->defrag.tiny);
	}
	d->errors = next_counter(b);
	for (unsigned e = 1; e < DERR_MAX; e++, d->n_errors++) {
		uint64_t v = 0;

		for (unsigned io = 0; io < TOPO_MAX_IO; io++)
			v += counter_read(&o->shm->io_stats[io].decode_errors[e]);
		counter(b, decode_error_name((enum decode_error)e), v);
	}
	d->encap = next_counter(b);
	for (unsigned t = 1; t < ENCAP_TYPE_MAX; t++, d->n_encap++) {
		uint64_t v = 0;

		for (unsigned io = 0; io < TOPO_MAX_IO; io++)
			v += counter_read(&o->shm->io_stats[io].encap[t]);
		counter(b, encap_type_name((enum encap_type)t), v);
	}
	f->released = next_counter(b);
	for (unsigned r = 0; r < DEFRAG_REASON_MAX; r++, f->n_released++) {
		uint64_t v = 0;

		for (unsigned io = 0; io < TOPO_MAX_IO; io++)
			v += counter_read(&o->shm->io_stats[io].defrag.released[r]);
		counter(b, defrag_reason_name((enum defrag_release_reason)r), v);
	}
	d->defrag = f;
}

static void build_session_events(struct orch *o, struct stats_builder *b)
{
	Stellar__Control__V1__SessionEvents *e = &b->session_events;
	uint64_t by_reason[CLOSE_REASON_MAX] = {0};

	stellar__control__v1__session_events__init(e);
	for (unsigned w = 0; w < TOPO_MAX_PLUGIN_WORKERS; w++) {
		const struct session_event_counts *c = &o->shm->nodes[topo_node_id(NODE_PLUGIN, w)].events;

		e->opening += counter_read(&c->opening);
		e->packets += counter_read(&c->packets);
		e->no_session += counter_read(&c->no_session);
		e->state_changes += counter_read(&c->state_changes);
		e->closing += counter_read(&c->closing);
		e->stale += counter_read(&c->stale);
		e->duplicates += counter_read(&c->duplicates);
		e->meta_freed += counter_read(&c->meta_freed);
		for (unsigned r = 0; r < CLOSE_REASON_MAX; r++)
			by_reason[r] += counter_read(&c->closing_by_reason[r]);
	}
	e->closing_by_reason = next_counter(b);
	for (unsigned r = CLOSE_FIN; r < CLOSE_REASON_MAX; r++, e->n_closing_by_reason++)
		counter(b, close_reason_name((enum close_reason)r), by_reason[r]);
}

static void build_sessions(struct orch *o, struct stats_builder *b)
{
	Stellar__Control__V1__Sessions *ss = &b->sessions;
	uint64_t closed[CLOSE_REASON_MAX] = {0}, active[PROTO_CLASS_MAX] = {0};

	stellar__control__v1__sessions__init(ss);
	for (unsigned s = 0; s < o->shm->n_shards; s++) {
		const struct session_table *t = o->shm->sessions[s];
		const struct session_stats *st = &t->stats;

		/* Single-writer counters read without a lock: each value is
		 * whole, the set may be a few packets apart. */
		ss->created += counter_read(&st->created);
		ss->closed += counter_read(&st->closed);
		ss->active += counter_read(&st->active);
		ss->tcp += counter_read(&st->created_by_proto[PROTO_CLASS_TCP]);
		ss->udp += counter_read(&st->created_by_proto[PROTO_CLASS_UDP]);
		ss->icmp += counter_read(&st->created_by_proto[PROTO_CLASS_ICMP]);
		ss->other += counter_read(&st->created_by_proto[PROTO_CLASS_OTHER]);
		ss->evicted += counter_read(&st->evicted);
		ss->not_created += counter_read(&st->not_created);
		ss->midstream += counter_read(&st->midstream);
		ss->port_reuse += counter_read(&st->port_reuse);
		ss->syn_retransmit += counter_read(&st->syn_retransmit);
		ss->simultaneous_open += counter_read(&st->simultaneous_open);
		ss->tcp_invalid_flags += counter_read(&st->tcp_invalid_flags);
		ss->tcp_out_of_window += counter_read(&st->tcp_out_of_window);
		ss->zombies += counter_read(&st->zombies);
		ss->repairs += counter_read(&st->repairs);
		ss->events_resent += counter_read(&st->events_resent);
		ss->meta_reclaimed += counter_read(&st->meta_reclaimed);
		ss->moved += counter_read(&st->moved);
		for (unsigned r = 0; r < CLOSE_REASON_MAX; r++)
			closed[r] += counter_read(&st->closed_by_reason[r]);
		for (unsigned p = 0; p < PROTO_CLASS_MAX; p++)
			active[p] += counter_read(&st->active_by_proto[p]);
	}
	ss->capacity = o->cfg.session.max_sessions;
	ss->bytes_per_session = session_table_bytes_per_session(o->cfg.session.max_sessions);
	ss->closed_by_reason = next_counter(b);
	for (unsigned r = CLOSE_FIN; r < CLOSE_REASON_MAX; r++, ss->n_closed_by_reason++)
		counter(b, close_reason_name((enum close_reason)r), closed[r]);
	ss->active_by_proto = next_counter(b);
	for (unsigned p = 0; p < PROTO_CLASS_MAX; p++, ss->n_active_by_proto++)
		counter(b, proto_class_name((enum proto_class)p), active[p]);
	build_session_events(o, b);
	ss->events = &b->session_events;
}

size_t orch_stats_plugins(struct orch *o, struct stats_builder *b)
{
	const struct plugins_shm *ps = &o->shm->plugins;

	/* The configured list, in order; counters by plugin id. */
	for (unsigned k = 0; k < ps->n_order; k++) {
		unsigned i = ps->order[k];
		Stellar__Control__V1__PluginState *p = &b->plugins[k];

		stellar__control__v1__plugin_state__init(p);
		p->name = (char *)ps->p[i].name;
		p->kind = (char *)(ps->p[i].kind == PLUGIN_LUA ? "lua" : "c");
		p->state = (char *)((__atomic_load_n(&ps->quarantined_mask, __ATOMIC_ACQUIRE) & (1u << i)) ?
					    "quarantined" : "running");
		p->crashes = ps->p[i].crashes;
		for (unsigned w = 0; w < TOPO_MAX_PLUGIN_WORKERS; w++) {
			const struct plugin_counts *c = &ps->counts[w][i];

			p->packets += counter_read(&c->packets);
			p->events += counter_read(&c->events);
			p->errors += counter_read(&c->errors);
			p->detached += counter_read(&c->detached);
			p->dropped += counter_read(&c->dropped);
		}
		b->plugin_ptrs[k] = p;
	}
	return ps->n_order;
}

static size_t build_filters(struct orch *o, struct stats_builder *b)
{
	const struct plugins_shm *ps = &o->shm->plugins;

	for (unsigned i = 0; i < ps->n_nodes; i++) {
		Stellar__Control__V1__FilterNode *f = &b->filters[i];

		stellar__control__v1__filter_node__init(f);
		f->expr = (char *)ps->node[i].expr;
		f->parent = ps->node[i].parent == FILTER_NONE ? -1 : ps->node[i].parent;
		f->subscribers = ps->node[i].subscribers;
		for (unsigned w = 0; w < TOPO_MAX_PLUGIN_WORKERS; w++) {
			f->evaluated += counter_read(&ps->node_counts[w][i].evaluated);
			f->matched += counter_read(&ps->node_counts[w][i].matched);
		}
		b->filter_ptrs[i] = f;
	}
	return ps->n_nodes;
}

static size_t build_rings(struct orch *o, struct stats_builder *b)
{
	size_t n = 0;

	for (uint16_t id = 0; id < TOPO_MAX_RINGS; id++) {
		const struct rte_ring *r = o->shm->graph.ring[id];
		Stellar__Control__V1__Ring *pr = &b->rings[n];

		if (!r)
			continue;
		stellar__control__v1__ring__init(pr);
		topo_ring_name(id, b->ring_names[n], sizeof(b->ring_names[n]));
		pr->name = b->ring_names[n];
		pr->used = rte_ring_count(r);
		pr->size = rte_ring_get_capacity(r);
		b->ring_ptrs[n] = pr;
		n++;
	}
	return n;
}

void orch_stats_build(struct orch *o, struct stats_builder *b)
{
	Stellar__Control__V1__Stats *s = &b->stats;
	struct conservation c;

	stellar__control__v1__stats__init(s);
	b->n_counters = 0;
	conservation_reset(&c);
	for (uint16_t id = 0; id < TOPO_MAX_NODES; id++)
		conservation_add(&c, &o->shm->nodes[id].counters);
	s->rx = c.rx;
	s->tx = c.tx;
	s->in_flight = conservation_in_flight(&c);
	s->uptime_ms = orch_now_ms() - o->start_ms;
	for (unsigned r = 0; r < DROP_REASON_MAX; r++) {
		stellar__control__v1__drop__init(&b->drops[r]);
		b->drops[r].reason = (char *)drop_reason_name((enum drop_reason)r);
		b->drops[r].packets = c.dropped[r];
		b->drop_ptrs[r] = &b->drops[r];
	}
	s->n_dropped = DROP_REASON_MAX;
	s->dropped = b->drop_ptrs;

	build_sessions(o, b);
	s->sessions = &b->sessions;

	stellar__control__v1__mempool__init(&b->mempool);
	b->mempool.in_use = rte_mempool_in_use_count(o->shm->pool);
	b->mempool.total = o->shm->pool->size;
	b->mempool.baseline = o->mempool_baseline;
	s->mempool = &b->mempool;

	build_workers(o, b, &s->n_workers);
	s->workers = b->worker_ptrs;

	for (unsigned i = 0; i < o->shm->n_ports; i++) {
		const struct port_state *ps = &o->shm->port[i];
		Stellar__Control__V1__Port *p = &b->ports[i];

		stellar__control__v1__port__init(p);
		p->name = o->shm->port_cfg[i].name;
		p->rx = counter_read(&ps->rx_pkts);
		p->tx = counter_read(&ps->tx_pkts);
		p->missed = counter_read(&ps->missed);
		p->errors = counter_read(&ps->errors) + counter_read(&ps->dev_errors);
		p->eof = __atomic_load_n(&ps->rx_eof, __ATOMIC_ACQUIRE) != 0;
		b->port_ptrs[i] = p;
	}
	s->n_ports = o->shm->n_ports;
	s->ports = b->port_ptrs;
	build_decoder(o, b);
	s->decoder = &b->decoder;
	s->n_plugins = orch_stats_plugins(o, b);
	s->plugins = b->plugin_ptrs;
	s->n_filters = build_filters(o, b);
	s->filters = b->filter_ptrs;
	s->n_rings = build_rings(o, b);
	s->rings = b->ring_ptrs;
}

void orch_status_build(struct orch *o, struct stats_builder *b)
{
	Stellar__Control__V1__Status *s = &b->status;

	stellar__control__v1__status__init(s);
	s->instance = o->cfg.instance;
	s->pid = getpid();
	s->uptime_ms = orch_now_ms() - o->start_ms;
	s->state = (char *)orch_phase_name(o->phase);
	s->config_path = o->cfg.path;
	build_workers(o, b, &s->n_workers);
	s->workers = b->worker_ptrs;
	s->n_plugins = orch_stats_plugins(o, b);
	s->plugins = b->plugin_ptrs;
	s->generation = o->generation;
}
