/*
 * Rebuilding a session table after its writer died (session_table.h).
 * Cost: one pass over the records plus a sort of the zombies; about 30 ms
 * per million records.
 */
#include <stdlib.h>
#include <string.h>

#include "session_table.h"
#include "session_timer.h"

static struct session_table *sorting; /* qsort has no context argument */

static int by_close_key(const void *a, const void *b)
{
	uint64_t x = session_at(sorting, *(const uint32_t *)a)->last_key;
	uint64_t y = session_at(sorting, *(const uint32_t *)b)->last_key;

	return x < y ? -1 : x > y;
}

static void reindex(struct session_table *t, uint32_t idx)
{
	struct session *s = session_at(t, idx);

	/* Practically impossible at the index's load factor; such a session
	 * can no longer be found and times out as a reset one. */
	if (session_index_full(t, s->hash)) {
		s->state = SS_CLOSED;
		return;
	}
	session_index_existing(t, idx);
}

void session_table_repair(struct session_table *t)
{
	uint32_t *z = (uint32_t *)((char *)t + t->off_zombies);
	struct session_stats *st = &t->stats;
	uint32_t *fs = (uint32_t *)((char *)t + t->off_free);

	memset(session_buckets(t), 0xff, (size_t)t->n_buckets * sizeof(struct session_bucket));
	for (unsigned i = 0; i < SESSION_WHEEL_SLOTS; i++)
		t->wheel[i] = SESSION_NONE;
	t->embryonic_head = t->embryonic_tail = SESSION_NONE;
	t->embryonic_count = 0;
	t->zombie_head = t->zombie_count = 0;
	t->free_top = 0;
	st->active = 0;
	memset(st->active_by_proto, 0, sizeof(st->active_by_proto));
	memset(st->assigned, 0, sizeof(st->assigned));

	for (uint32_t i = t->capacity; i-- > 0;) {
		struct session *s = session_at(t, i);

		if (!(s->flags & SF_LIVE)) {
			fs[t->free_top++] = i;
			continue;
		}
		s->timer_at = s->timer_prev = s->timer_next = SESSION_NONE;
		s->list_prev = s->list_next = SESSION_NONE;
		if (s->worker < SESSION_MAX_WORKERS)
			st->assigned[s->worker]++;
		if (s->flags & SF_ZOMBIE) {
			z[t->zombie_count++] = i;
			continue;
		}
		st->active++;
		if (s->proto_class < PROTO_CLASS_MAX)
			st->active_by_proto[s->proto_class]++;
		reindex(t, i);
		if (s->flags & SF_EMBRYONIC) {
			s->flags &= (uint8_t)~SF_EMBRYONIC;
			session_embryonic_add(t, i);
		}
	}
	sorting = t;
	qsort(z, t->zombie_count, sizeof(*z), by_close_key);
	st->zombies = t->zombie_count;
	/* Timers last, once every record is consistent: re-armed at their
	 * deadlines relative to the wheel's position. */
	for (uint32_t i = 0; i < t->capacity; i++) {
		struct session *s = session_at(t, i);

		if ((s->flags & (SF_LIVE | SF_ZOMBIE)) == SF_LIVE)
			session_timer_touch(t, i);
	}
	st->repairs++;
}
