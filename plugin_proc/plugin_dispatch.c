/*
 * Dispatch: every packet of a session visits the plugins in configuration
 * order. A plugin is skipped when it is quarantined, detached from the
 * session, filtered out, or the packet was dropped by an earlier plugin
 * and it did not ask to see dropped packets. A plugin is attached to a
 * session from the first packet it is called for; it gets its opening
 * event then, and its closing event when the session ends.
 */
#include <string.h>

#include "plugin_host.h"
#include "stage_loop.h"

static void begin_call(struct plugin_host *h, struct session_table *t, struct session *rec, uint32_t idx,
		       uint32_t gen, uint8_t shard)
{
	struct plugin_call *c = &h->call;

	c->rec = rec;
	c->drop = false;
	c->info_ready = c->pkt_ready = false;
	c->s.host = &h->api;
	c->s.table = t;
	c->s.meta = h->env.metas[shard];
	c->s.idx = idx;
	c->s.generation = gen;
	c->s.shard = shard;
	c->s.call = c;
}

/* Noted for the orchestrator: a crash from here on is this plugin's. */
static inline void enter(struct plugin_host *h, uint16_t p)
{
	plugin_enter(h, p);
	h->in_call = true;
}

static inline void leave(struct plugin_host *h)
{
	h->in_call = false;
	plugin_leave(h, h->call.plugin, false);
}

static void event(struct plugin_host *h, uint16_t p, uint32_t ev)
{
	struct plugin_rt *rt = &h->p[p];

	h->env.counts[p].events++;
	if (rt->lua)
		plugin_lua_event(h, rt->lua, ev);
	else if (rt->desc.on_event)
		rt->desc.on_event(&h->call.s, plugin_ctx(h, p), ev);
}

/* The new session's contexts start zeroed, whatever the record held. */
static void zero_contexts(struct plugin_host *h)
{
	for (unsigned k = 0; k < h->n_order; k++) {
		uint16_t p = h->order[k];
		void *ctx = h->p[p].loaded ? plugin_ctx(h, p) : NULL;

		if (ctx)
			memset(ctx, 0, h->p[p].slot->ctx_size);
	}
}

int plugin_dispatch_packet(struct plugin_host *h, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct pkt_session *ps = (const struct pkt_session *)meta->session;
	struct session_table *t;
	struct session *rec;
	uint32_t skip;

	if (ps->idx == SESSION_NONE || ps->shard >= h->env.n_shards || h->n_order == 0)
		return 0;
	t = h->env.tables[ps->shard];
	rec = session_from_handle(t, ps->idx, ps->generation);
	if (!rec)
		return 0;
	begin_call(h, t, rec, ps->idx, ps->generation, ps->shard);
	h->call.m = m;
	h->call.meta = meta;
	h->call.ps = ps;
	if (ps->events & EV_OPENING)
		zero_contexts(h);
	if (h->filter.n)
		plugin_filter_run(&h->filter, m);
	if (rec->rl_group)
		meta->rl_group = rec->rl_group;

	skip = __atomic_load_n(&h->env.plugins->quarantined_mask, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < h->n_order; k++) {
		uint16_t p = h->order[k];
		struct plugin_rt *rt = &h->p[p];
		uint32_t bit = 1u << p;

		if (!rt->loaded || ((skip | rec->detached_mask) & bit))
			continue;
		if (h->call.drop && !(rt->slot->flags & STELLAR_PLUGIN_SEES_DROPPED))
			continue;
		if (rt->filter_leaf != FILTER_NONE && !h->filter.matched[rt->filter_leaf])
			continue;
		enter(h, p);
		if (!(rec->attached_mask & bit)) {
			rec->attached_mask |= bit;
			if (rt->events & STELLAR_EV_OPENING)
				event(h, p, STELLAR_EV_OPENING);
		}
		if ((ps->events & EV_STATE) && (rt->events & STELLAR_EV_STATE) && !(rec->detached_mask & bit))
			event(h, p, STELLAR_EV_STATE);
		if ((rt->events & STELLAR_EV_PACKET) && !(rec->detached_mask & bit)) {
			h->env.counts[p].packets++;
			if (rt->lua)
				plugin_lua_packet(h, rt->lua);
			else if (rt->desc.entry)
				rt->desc.entry(&h->call.s, plugin_ctx(h, p));
		}
		leave(h);
	}
	h->call.rec = NULL;
	return h->call.drop ? STAGE_DROP(DROP_PLUGIN) : 0;
}

void plugin_dispatch_close(struct plugin_host *h, const struct session_event *ev)
{
	struct session_table *t = ev->shard < h->env.n_shards ? h->env.tables[ev->shard] : NULL;
	struct session *rec = t ? session_from_handle(t, ev->idx, ev->generation) : NULL;
	uint32_t skip;

	if (!rec || (rec->worker_flags & WF_CLOSED))
		return;
	begin_call(h, t, rec, ev->idx, ev->generation, ev->shard);
	h->call.m = NULL;
	h->call.meta = NULL;
	h->call.ps = NULL;
	skip = __atomic_load_n(&h->env.plugins->quarantined_mask, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < h->n_order; k++) {
		uint16_t p = h->order[k];
		struct plugin_rt *rt = &h->p[p];
		uint32_t bit = 1u << p;

		if (!rt->loaded || !(rec->attached_mask & bit) || ((skip | rec->detached_mask) & bit) ||
		    !(rt->events & STELLAR_EV_CLOSING))
			continue;
		enter(h, p);
		event(h, p, STELLAR_EV_CLOSING);
		leave(h);
	}
	/* Left clean for the record's next session. */
	zero_contexts(h);
	h->call.rec = NULL;
}
