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

void orch_stats_build(struct orch *o, struct stats_builder *b)
{
	Stellar__Control__V1__Stats *s = &b->stats;
	struct conservation c;

	stellar__control__v1__stats__init(s);
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

	/* The session table arrives with the session manager; until then no
	 * process creates sessions and these stay zero. */
	stellar__control__v1__sessions__init(&b->sessions);
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
		p->errors = counter_read(&ps->errors);
		p->eof = __atomic_load_n(&ps->rx_eof, __ATOMIC_ACQUIRE) != 0;
		b->port_ptrs[i] = p;
	}
	s->n_ports = o->shm->n_ports;
	s->ports = b->port_ptrs;
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
}
