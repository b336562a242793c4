#include "plugin_sessions.h"

#include <string.h>

#include "mbuf_meta.h"
#include "session_table.h"

void plugin_sessions_init(struct plugin_sessions *ps, struct worker_rt *rt, meta_free_fn on_free, void *ctx)
{
	memset(ps, 0, sizeof(*ps));
	ps->rt = rt;
	ps->counts = &rt->slot->events;
	ps->on_free = on_free;
	ps->on_free_ctx = ctx;
}

void plugin_sessions_packet(struct plugin_sessions *ps, struct rte_mbuf *m)
{
	const struct pkt_session *s = (const struct pkt_session *)pkt_meta(m)->session;

	if (s->idx == SESSION_NONE) {
		counter_add(&ps->counts->no_session, 1);
		return;
	}
	counter_add(&ps->counts->packets, 1);
	if (s->events & EV_OPENING)
		counter_add(&ps->counts->opening, 1);
	if (s->events & EV_STATE)
		counter_add(&ps->counts->state_changes, 1);
}

static void close_session(struct plugin_sessions *ps, const struct session_event *ev)
{
	struct stellar_shm *shm = ps->rt->shm;
	struct session_table *t = ev->shard < shm->n_shards ? shm->sessions[ev->shard] : NULL;
	struct session *s = t ? session_from_handle(t, ev->idx, ev->generation) : NULL;
	unsigned freed;

	if (!s) {
		counter_add(&ps->counts->stale, 1);
		return;
	}
	/* Sent again after a crash (session_proc re-sends what may have been
	 * lost): handled once. */
	if (s->worker_flags & WF_CLOSED) {
		counter_add(&ps->counts->duplicates, 1);
		return;
	}
	if (ps->on_close)
		ps->on_close(ps->on_close_ctx, ev);
	freed = meta_clear(shm->meta[ev->shard], s, ps->on_free, ps->on_free_ctx);
	counter_add(&ps->counts->meta_freed, freed);
	__atomic_store_n(&s->lock_mask, 0, __ATOMIC_RELEASE);
	s->detached_mask = 0;
	__atomic_store_n(&s->worker_flags, s->worker_flags | WF_CLOSED, __ATOMIC_RELEASE);
	counter_add(&ps->counts->closing, 1);
	counter_add(&ps->counts->closing_by_reason[ev->reason < CLOSE_REASON_MAX ? ev->reason : 0], 1);
}

void plugin_sessions_events(struct plugin_sessions *ps, struct rte_mbuf *m)
{
	const struct session_event *ev = rte_pktmbuf_mtod(m, const struct session_event *);
	unsigned n = rte_pktmbuf_data_len(m) / sizeof(*ev);

	for (unsigned i = 0; i < n; i++)
		if (ev[i].type == EV_CLOSING)
			close_session(ps, &ev[i]);
}
