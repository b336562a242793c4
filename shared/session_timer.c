#include "session_timer.h"



uint64_t session_deadline_s(const struct session_table *t, const struct session *s)
{
	/* Rounded up, so that a session is never idle less than its timeout. */
	return (s->ts_last + SESSION_NS_PER_S - 1) / SESSION_NS_PER_S + session_timeout_of(&t->timeouts, s);
}

void session_timer_start(struct session_table *t, uint64_t now_s)
{
	if (t->wheel_now == 0)
		t->wheel_now = now_s ? now_s : 1;
}

static inline uint32_t slot_of(uint64_t at_s)
{
	return (uint32_t)(at_s % SESSION_WHEEL_SLOTS);
}

void session_timer_link(struct session_table *t, uint32_t idx, uint64_t at_s)
{
	struct session *s = session_at(t, idx);
	uint32_t slot;

	if (s->timer_at != SESSION_NONE)
		session_timer_unlink(t, idx);
	/* A deadline already past fires with the next slot. */
	if (at_s <= t->wheel_now)
		at_s = t->wheel_now + 1;
	if (at_s >= SESSION_NONE)
		at_s = SESSION_NONE - 1;
	slot = slot_of(at_s);
	s->timer_at = (uint32_t)at_s;
	s->timer_prev = SESSION_NONE;
	s->timer_next = t->wheel[slot];
	if (s->timer_next != SESSION_NONE)
		session_at(t, s->timer_next)->timer_prev = idx;
	t->wheel[slot] = idx;
}

void session_timer_unlink(struct session_table *t, uint32_t idx)
{
	struct session *s = session_at(t, idx);

	if (s->timer_at == SESSION_NONE)
		return;
	if (s->timer_prev != SESSION_NONE)
		session_at(t, s->timer_prev)->timer_next = s->timer_next;
	else
		t->wheel[slot_of(s->timer_at)] = s->timer_next;
	if (s->timer_next != SESSION_NONE)
		session_at(t, s->timer_next)->timer_prev = s->timer_prev;
	s->timer_at = s->timer_prev = s->timer_next = SESSION_NONE;
}

void session_timer_touch(struct session_table *t, uint32_t idx)
{
	struct session *s = session_at(t, idx);
	uint64_t d = session_deadline_s(t, s);

	if (s->timer_at == SESSION_NONE || d < s->timer_at)
		session_timer_link(t, idx, d);
}

enum fired { KEPT, EXPIRED, FAILED };

/* One session of the slot firing at second `fire_s`. */
static enum fired fire_one(struct session_table *t, uint32_t idx, uint64_t fire_s, uint64_t now_s,
			   session_expire_fn expire, void *ctx)
{
	struct session *s = session_at(t, idx);
	uint64_t d = session_deadline_s(t, s);

	if (d > now_s) {
		session_timer_link(t, idx, d);
		return KEPT;
	}
	if (session_locked(t, s)) {
		/* Pinned by a plugin: look again one timeout later (from now:
		 * after a jump, fire_s may be far behind). */
		session_timer_link(t, idx, (fire_s > now_s ? fire_s : now_s) + session_timeout_of(&t->timeouts, s));
		return KEPT;
	}
	return expire(ctx, idx) ? EXPIRED : FAILED;
}

/* Links `idx` and the rest of its detached list back into slot fire_s. */
static void put_back(struct session_table *t, uint32_t idx, uint64_t fire_s)
{
	while (idx != SESSION_NONE) {
		struct session *r = session_at(t, idx);
		uint32_t after = r->timer_next;

		r->timer_at = SESSION_NONE;
		session_timer_link(t, idx, fire_s);
		idx = after;
	}
}

unsigned session_timer_advance(struct session_table *t, uint64_t now_s, unsigned budget,
			       session_expire_fn expire, void *ctx)
{
	unsigned expired = 0, slots = 0;

	if (t->wheel_now == 0)
		return 0;
	while (t->wheel_now < now_s) {
		uint64_t fire_s = t->wheel_now + 1;
		uint32_t slot = slot_of(fire_s), idx;

		/* Detach the whole list first: re-armed timers may land in this
		 * same slot (a later round) and must not be seen again now. */
		idx = t->wheel[slot];
		t->wheel[slot] = SESSION_NONE;
		while (idx != SESSION_NONE) {
			struct session *s = session_at(t, idx);
			uint32_t next = s->timer_next;
			enum fired f;

			if (expired >= budget) {
				/* The unvisited rest goes back; the slot fires again. */
				put_back(t, idx, fire_s);
				return expired;
			}
			if (next != SESSION_NONE)
				session_at(t, next)->timer_prev = SESSION_NONE;
			s->timer_at = s->timer_prev = s->timer_next = SESSION_NONE;
			f = fire_one(t, idx, fire_s, now_s, expire, ctx);
			if (f == FAILED) {
				s->timer_next = next;
				put_back(t, idx, fire_s);
				return expired;
			}
			expired += f == EXPIRED;
			idx = next;
		}
		t->wheel_now = fire_s;
		/* A jump of more than a round visits each slot once. */
		if (++slots >= SESSION_WHEEL_SLOTS && t->wheel_now < now_s) {
			t->wheel_now = now_s;
			break;
		}
	}
	return expired;
}

uint32_t session_timer_soonest(struct session_table *t, unsigned max_visits)
{
	uint32_t best = SESSION_NONE;
	uint64_t best_d = UINT64_MAX;
	unsigned visits = 0;

	/* Slots hold lazy timers, which may fire long before their session's
	 * real deadline: a timer met early is moved to where it belongs, and
	 * the choice is by real deadline among the sessions seen. */
	for (unsigned i = 1; i <= SESSION_WHEEL_SLOTS && visits < max_visits; i++) {
		uint64_t slot_s = t->wheel_now + i;
		uint32_t idx = t->wheel[slot_of(slot_s)];

		while (idx != SESSION_NONE && visits < max_visits) {
			struct session *s = session_at(t, idx);
			uint32_t next = s->timer_next;
			uint64_t d = session_deadline_s(t, s);

			visits++;
			if (s->timer_at != slot_s) {
				idx = next; /* a later round of the wheel */
				continue;
			}
			if (d > slot_s)
				session_timer_link(t, idx, d);
			if (d < best_d && !session_locked(t, s)) {
				best = idx;
				best_d = d;
			}
			idx = next;
		}
		/* Nothing later can beat a deadline due by this slot. */
		if (best != SESSION_NONE && best_d <= slot_s)
			break;
	}
	return best;
}
