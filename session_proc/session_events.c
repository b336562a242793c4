/*
 * Event items: an mbuf whose data is an array of struct session_event and
 * whose order key falls between two packets' keys (mbuf_meta.h,
 * PKT_KEY_SUB_BITS), so it travels the rings in order like any packet.
 *
 * Which keys are free is subtle. While this process was parked, consumers
 * may have taken it as having emitted everything up to stellar-io's
 * watermark (stage_progress.h), so an item made now must be keyed above
 * that too, not only above the last packet taken here: see key_floor.
 */
#include <string.h>

#include "session_proc.h"

#define KEY_SUB_MASK ((1ull << PKT_KEY_SUB_BITS) - 1)

static uint64_t key_base(const struct session_proc *p)
{
	return p->t->last_key > p->key_floor ? p->t->last_key : p->key_floor;
}

unsigned session_events_keys_left(const struct session_proc *p)
{
	uint64_t used = key_base(p) & KEY_SUB_MASK;

	return used >= KEY_SUB_MASK - 1 ? 0 : (unsigned)(KEY_SUB_MASK - 1 - used);
}

static struct rte_mbuf *new_item(struct session_proc *p)
{
	struct rte_mbuf *m;
	struct pkt_meta *meta;

	if (session_events_keys_left(p) == 0)
		return NULL;
	m = rte_pktmbuf_alloc(p->rt->shm->pool);
	if (!m)
		return NULL;
	meta = pkt_meta(m);
	memset(meta, 0, offsetof(struct pkt_meta, session));
	meta->owner = p->rt->node; /* ours until it is on a ring: a crash frees it */
	meta->flags = PKT_F_EVENT;
	meta->key = key_base(p) + 1;
	p->t->last_key = meta->key;
	meta->ts_ns = p->t->clock_ns;
	meta->dec.status = DECODE_NOT_IP;
	return m;
}

bool session_events_flush(struct session_proc *p, uint16_t worker)
{
	struct event_batch *b = &p->batch[worker];
	uint32_t len;

	if (!b->m)
		return true;
	len = (uint32_t)b->n * sizeof(struct session_event);
	b->m->data_len = (uint16_t)len;
	b->m->pkt_len = len;
	if (!stage_emit(p->st, worker, b->m))
		return false;
	counter_add(&p->t->stats.events, 1);
	b->m = NULL;
	b->n = 0;
	return true;
}

int session_events_flush_all(struct session_proc *p)
{
	int sent = 0;
	bool stuck = false;

	for (uint16_t w = 0; w < TOPO_MAX_PLUGIN_WORKERS; w++) {
		if (!p->batch[w].m)
			continue;
		if (session_events_flush(p, w))
			sent++;
		else
			stuck = true; /* held_key keeps the watermark below it */
	}
	return stuck ? -1 : sent;
}

uint64_t session_events_held_key(void *ctx)
{
	const struct session_proc *p = ctx;
	uint64_t k = UINT64_MAX;

	for (uint16_t w = 0; w < TOPO_MAX_PLUGIN_WORKERS; w++)
		if (p->batch[w].m && pkt_key(p->batch[w].m) < k)
			k = pkt_key(p->batch[w].m);
	return k;
}

uint64_t session_events_emit_close(void *ctx, uint32_t idx)
{
	struct session_proc *p = ctx;
	struct session *s = session_at(p->t, idx);
	uint16_t w = s->worker;
	struct event_batch *b = &p->batch[w];
	struct session_event *ev;

	if (b->m && b->n == b->cap && !session_events_flush(p, w))
		return 0;
	/* A new item only while the output keeps room for it, a burst of
	 * packets and the item before them: a packet never has to wait
	 * behind an event item that cannot be queued. */
	if (!b->m && stage_room(p->st, w) < MERGE_BURST + 2)
		return 0;
	if (!b->m) {
		b->m = new_item(p);
		if (!b->m)
			return 0;
		b->n = 0;
		b->cap = (uint16_t)(rte_pktmbuf_tailroom(b->m) / sizeof(struct session_event));
	}
	ev = rte_pktmbuf_mtod(b->m, struct session_event *) + b->n++;
	ev->idx = idx;
	ev->generation = s->generation;
	ev->type = EV_CLOSING;
	ev->reason = s->close_reason;
	ev->shard = p->shard.id;
	ev->state = s->state;
	return pkt_key(b->m);
}
