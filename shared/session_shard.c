/* Per-packet session handling of a shard (see session_shard.h). */
#include "session_shard.h"

#include <errno.h>
#include <string.h>

#include "session_evict.h"
#include "session_tcp.h"
#include "session_timer.h"



void session_shard_init(struct session_shard *sh, struct session_table *t, uint8_t id,
			const uint16_t *steer, unsigned steer_buckets, const struct session_shard_ops *ops)
{
	memset(sh, 0, sizeof(*sh));
	sh->t = t;
	sh->id = id;
	sh->steer = steer;
	sh->steer_buckets = steer_buckets ? steer_buckets : 1;
	sh->ops = *ops;
}

int session_shard_close(struct session_shard *sh, uint32_t idx, enum close_reason reason)
{
	struct session_table *t = sh->t;
	struct session *s = session_at(t, idx);
	uint8_t prev_reason = s->close_reason;
	uint64_t key;

	/* A connection that ended with FIN or RST closes for that reason,
	 * whatever finally removes it (timeout, end of input). Eviction is
	 * the exception: that one is the table's doing. */
	if (reason == CLOSE_EVICTED || s->close_reason == CLOSE_NONE)
		s->close_reason = (uint8_t)reason;
	key = sh->ops.emit_close(sh->ops.ctx, idx);
	if (key == 0) {
		s->close_reason = prev_reason;
		return -EAGAIN;
	}
	s->flags |= SF_ZOMBIE;
	s->last_key = key;
	session_unindex(t, idx);
	session_timer_unlink(t, idx);
	session_embryonic_remove(t, idx);
	session_zombie_push(t, idx);
	t->stats.closed++;
	t->stats.closed_by_reason[s->close_reason < CLOSE_REASON_MAX ? s->close_reason : CLOSE_NONE]++;
	if (reason == CLOSE_EVICTED)
		t->stats.evicted++;
	t->stats.active--;
	t->stats.active_by_proto[s->proto_class]--;
	t->stats.zombies = t->zombie_count;
	return 0;
}

/* A new session for a packet in key direction `kdir`. */
static uint32_t open_session(struct session_shard *sh, const struct session_key *k, uint32_t hash,
			     const struct pkt_decode *d, unsigned kdir, uint64_t ts_ns)
{
	struct session_table *t = sh->t;
	bool client = true, midstream = false;
	enum proto_class pc = session_proto_class(k->proto);
	uint8_t state;
	uint32_t idx;
	struct session *s;

	/* No spare record: evicting would not help until a worker catches up. */
	if (t->free_top == 0 && session_shard_reap(sh, 256) == 0)
		return SESSION_NONE;
	if (t->stats.active >= t->max_live || session_index_full(t, hash)) {
		if (session_evict_for(sh, hash) < 0)
			return SESSION_NONE;
	}
	idx = session_insert(t, k, hash);
	if (idx == SESSION_NONE)
		return SESSION_NONE; /* every spare record is a zombie still in use */
	s = session_at(t, idx);
	if (pc == PROTO_CLASS_TCP)
		state = (uint8_t)session_tcp_first_state(d->tcp_flags, &client, &midstream);
	else
		state = SS_NEW;
	s->state = state;
	s->proto_class = (uint8_t)pc;
	/* The initiator is the key side that sent this packet, unless it was
	 * the answer to an unseen SYN. */
	if ((kdir == 1) == client)
		s->flags |= SF_INIT_IS_HI;
	if (midstream) {
		s->flags |= SF_MIDSTREAM;
		t->stats.midstream++;
	}
	if (state == SS_CLOSED && (d->tcp_flags & TCP_RST) && !tcp_flags_invalid(d->tcp_flags))
		s->close_reason = CLOSE_RST;
	s->ts_first = s->ts_last = ts_ns;
	s->worker = SESSION_MAX_WORKERS; /* none yet */
	session_assign(t, s, session_shard_steer(sh, hash));
	if (state == SS_SYN_SENT || state == SS_SYN_RCVD)
		session_embryonic_add(t, idx);
	t->stats.created++;
	t->stats.created_by_proto[pc]++;
	t->stats.active++;
	t->stats.active_by_proto[pc]++;
	return idx;
}

static void count_tcp(struct session_table *t, const struct tcp_verdict *v, struct pkt_session *ps)
{
	if (v->invalid_flags) {
		t->stats.tcp_invalid_flags++;
		ps->tcp_invalid |= TCP_INVALID_FLAGS;
	}
	if (v->out_of_window) {
		t->stats.tcp_out_of_window++;
		ps->tcp_invalid |= TCP_INVALID_WINDOW;
	}
	if (v->syn_retransmit)
		t->stats.syn_retransmit++;
	if (v->simultaneous_open)
		t->stats.simultaneous_open++;
}

static void track_state(struct session_shard *sh, uint32_t idx, const struct pkt_decode *d, unsigned dir,
			struct pkt_session *ps)
{
	struct session_table *t = sh->t;
	struct session *s = session_at(t, idx);
	struct tcp_verdict v;

	if (s->proto_class != PROTO_CLASS_TCP) {
		if (s->state == SS_NEW && dir == DIR_S2C)
			s->state = SS_ACTIVE;
		return;
	}
	session_tcp_update(s, d, dir, &v);
	count_tcp(t, &v, ps);
	if ((s->flags & SF_EMBRYONIC) && s->state != SS_SYN_SENT && s->state != SS_SYN_RCVD)
		session_embryonic_remove(t, idx);
}

/* Sessions follow steer[] once their worker holds nothing of theirs, so
 * that a session is never in two workers at once (scaling, restarts). */
static void follow_steering(struct session_shard *sh, struct session *s)
{
	uint16_t w = session_shard_steer(sh, s->hash);

	if (w != s->worker && sh->ops.worker_past(sh->ops.ctx, s->worker, s->last_key)) {
		session_assign(sh->t, s, w);
		sh->t->stats.moved++;
	}
}

unsigned session_shard_move_idle(struct session_shard *sh, uint32_t retired_mask, unsigned budget)
{
	struct session_table *t = sh->t;
	unsigned moved = 0;

	for (unsigned i = 0; i < budget && retired_mask; i++) {
		uint32_t idx = sh->move_cursor++ % t->capacity;
		struct session *s = session_at(t, idx);
		uint16_t w;

		/* Closing ones stay: their worker still has their closing event. */
		if ((s->flags & (SF_LIVE | SF_ZOMBIE)) != SF_LIVE || s->worker >= 32 ||
		    !(retired_mask & (1u << s->worker)))
			continue;
		w = session_shard_steer(sh, s->hash);
		if (w == s->worker || !sh->ops.worker_past(sh->ops.ctx, s->worker, s->last_key))
			continue;
		session_assign(t, s, w);
		t->stats.moved++;
		moved++;
	}
	return moved;
}

static uint16_t no_session(struct session_shard *sh, uint32_t hash, uint64_t key, struct pkt_session *ps)
{
	if (key > sh->t->last_key)
		sh->t->last_key = key;
	return ps->worker = session_shard_steer(sh, hash);
}

void session_shard_prepare(struct session_shard *sh, const struct pkt_decode *const *d, const uint32_t *hashes,
			   unsigned n, struct session_hint *out)
{
	const struct session_key *kp[n ? n : 1];
	uint32_t hs[n ? n : 1], found[n ? n : 1];
	unsigned pos[n ? n : 1], k = 0;

	for (unsigned i = 0; i < n; i++) {
		out[i].idx = SESSION_NONE;
		out[i].kdir = session_key_from(d[i], &out[i].key);
		if (out[i].kdir < 0)
			continue;
		kp[k] = &out[i].key;
		hs[k] = hashes[i];
		pos[k++] = i;
	}
	if (k == 0)
		return;
	session_lookup_bulk(sh->t, kp, hs, k, found);
	for (unsigned i = 0; i < k; i++) {
		out[pos[i]].idx = found[i];
		if (found[i] != SESSION_NONE)
			out[pos[i]].generation = session_at(sh->t, found[i])->generation;
	}
}

/* The hint still names the same open session: nothing closed it since. */
static inline bool hint_current(struct session_table *t, const struct session_hint *h)
{
	const struct session *s;

	if (h->idx == SESSION_NONE)
		return false;
	s = session_at(t, h->idx);
	return s->generation == h->generation && (s->flags & (SF_LIVE | SF_ZOMBIE)) == SF_LIVE;
}

uint16_t session_shard_packet(struct session_shard *sh, const struct pkt_decode *d, uint32_t hash,
			      uint64_t ts_ns, uint32_t wire_len, uint64_t key, const struct session_hint *hint,
			      struct pkt_session *ps)
{
	struct session_table *t = sh->t;
	struct session_hint local;
	const struct session_key *k;
	struct session *s;
	int kdir;
	unsigned dir;
	uint32_t idx;
	uint8_t events = EV_PACKET;

	memset(ps, 0, sizeof(*ps));
	ps->idx = SESSION_NONE;
	ps->shard = sh->id;
	if (!hint) {
		local.idx = SESSION_NONE;
		local.kdir = session_key_from(d, &local.key);
		hint = &local;
	}
	kdir = hint->kdir;
	k = &hint->key;
	if (kdir < 0)
		return no_session(sh, hash, key, ps);
	/* A session made or closed earlier in the same burst is not in the
	 * hint: look again then. */
	idx = hint_current(t, hint) ? hint->idx : session_lookup(t, k, hash);

	/* A new connection on the ports of one that is over. */
	if (idx != SESSION_NONE && k->proto == 6 && tcp_is_opening_syn(d->tcp_flags) &&
	    session_tcp_reusable(session_at(t, idx)->state)) {
		if (session_shard_close(sh, idx, CLOSE_FIN) < 0) {
			/* The old one cannot close now (no room for its event):
			 * this SYN goes without a session; its retransmission
			 * will find room. */
			t->stats.not_created++;
			return no_session(sh, hash, key, ps);
		}
		t->stats.port_reuse++;
		idx = SESSION_NONE;
	}
	if (idx == SESSION_NONE) {
		idx = open_session(sh, k, hash, d, (unsigned)kdir, ts_ns);
		if (idx == SESSION_NONE) {
			t->stats.not_created++;
			return no_session(sh, hash, key, ps);
		}
		events |= EV_OPENING;
	}
	s = session_at(t, idx);
	dir = ((unsigned)kdir == 1u) == !!(s->flags & SF_INIT_IS_HI) ? DIR_C2S : DIR_S2C;
	ps->prev_state = s->state;
	if (!(events & EV_OPENING)) {
		track_state(sh, idx, d, dir, ps);
	} else if (s->proto_class == PROTO_CLASS_TCP) {
		struct tcp_verdict v;

		session_tcp_start(s, d, dir, &v);
		count_tcp(t, &v, ps);
	}
	if (s->state != ps->prev_state)
		events |= EV_STATE;
	s->pkts[dir]++;
	s->bytes[dir] += wire_len;
	if (ts_ns > s->ts_last)
		s->ts_last = ts_ns;
	if (!(events & EV_OPENING))
		follow_steering(sh, s);
	s->last_key = key;
	session_timer_touch(t, idx);
	/* Last: events raised while handling this packet took keys below it. */
	if (key > t->last_key)
		t->last_key = key;

	ps->idx = idx;
	ps->generation = s->generation;
	ps->dir = (uint8_t)dir;
	ps->events = events;
	ps->state = s->state;
	ps->worker = s->worker;
	return s->worker;
}

static bool expire_one(void *arg, uint32_t idx)
{
	return session_shard_close(arg, idx, CLOSE_TIMEOUT) == 0;
}

unsigned session_shard_advance(struct session_shard *sh, uint64_t now_ns, unsigned budget)
{
	struct session_table *t = sh->t;
	unsigned n;

	if (now_ns > t->clock_ns)
		t->clock_ns = now_ns;
	session_timer_start(t, t->clock_ns / SESSION_NS_PER_S);
	if (t->wheel_now >= t->clock_ns / SESSION_NS_PER_S)
		return 0;
	n = session_timer_advance(t, t->clock_ns / SESSION_NS_PER_S, budget, expire_one, sh);
	return n;
}

unsigned session_shard_close_all(struct session_shard *sh, enum close_reason reason, unsigned budget)
{
	struct session_table *t = sh->t;
	unsigned closed = 0;

	while (t->close_cursor < t->capacity && closed < budget) {
		uint32_t idx = t->close_cursor;
		struct session *s = session_at(t, idx);

		if ((s->flags & (SF_LIVE | SF_ZOMBIE)) == SF_LIVE) {
			if (session_shard_close(sh, idx, reason) < 0)
				break;
			closed++;
		}
		t->close_cursor++;
	}
	return closed;
}

bool session_shard_close_all_done(const struct session_shard *sh)
{
	return sh->t->close_cursor >= sh->t->capacity;
}

void session_shard_close_all_reset(struct session_shard *sh)
{
	sh->t->close_cursor = 0;
}

unsigned session_shard_reap(struct session_shard *sh, unsigned budget)
{
	struct session_table *t = sh->t;
	uint64_t resent_from = UINT64_MAX;
	unsigned n = 0;
	uint32_t z;

	while (n < budget && (z = session_zombie_head(t)) != SESSION_NONE) {
		struct session *s = session_at(t, z);
		uint64_t key;

		/* Round the queue once: what was sent again just now is back. */
		if (s->last_key >= resent_from ||
		    !sh->ops.worker_past(sh->ops.ctx, s->worker, s->last_key))
			break;
		n++;
		if (!(__atomic_load_n(&s->worker_flags, __ATOMIC_ACQUIRE) & WF_CLOSED)) {
			/* Its worker is past the event but never handled it: the
			 * item died in a crash (ours or the worker's). Again. */
			key = sh->ops.emit_close(sh->ops.ctx, z);
			if (key == 0)
				break;
			s->last_key = key;
			if (resent_from == UINT64_MAX)
				resent_from = key;
			session_zombie_pop(t);
			session_zombie_push(t, z);
			t->stats.events_resent++;
			continue;
		}
		/* Metadata set after the worker finished (a plugin bug) would
		 * leak with the record: give the blocks back, unfreed. */
		if (sh->meta && s->meta_head != SESSION_NONE)
			t->stats.meta_reclaimed += meta_clear(sh->meta, s, NULL, NULL);
		session_release(t, z);
		session_zombie_pop(t);
	}
	t->stats.zombies = t->zombie_count;
	return n;
}
