#include "session_evict.h"

#include <errno.h>

#include "session_timer.h"

#define EMBRYONIC_SCAN 64 /* locked embryonic sessions skipped before giving up on the list */
#define TIMER_SCAN     256 /* sessions looked at for the soonest deadline */


static uint32_t oldest_embryonic(struct session_table *t)
{
	uint32_t idx = t->embryonic_head;

	for (unsigned i = 0; idx != SESSION_NONE && i < EMBRYONIC_SCAN; i++) {
		if (!session_locked(t, session_at(t, idx)))
			return idx;
		idx = session_at(t, idx)->list_next;
	}
	return SESSION_NONE;
}

/* Among the sessions of the key's two buckets. */
static uint32_t bucket_victim(struct session_table *t, uint32_t hash)
{
	uint32_t m[2 * SESSION_BUCKET_SLOTS], best = SESSION_NONE;
	uint64_t best_deadline = UINT64_MAX;
	bool best_embryonic = false;
	unsigned n = session_bucket_members(t, hash, m);

	for (unsigned i = 0; i < n; i++) {
		struct session *s = session_at(t, m[i]);
		bool emb = (s->flags & SF_EMBRYONIC) != 0;
		uint64_t d = session_deadline_s(t, s);

		if (session_locked(t, s) || (best_embryonic && !emb))
			continue;
		if ((emb && !best_embryonic) || d < best_deadline) {
			best = m[i];
			best_deadline = d;
			best_embryonic = emb;
		}
	}
	return best;
}

uint32_t session_evict_victim(struct session_table *t, uint32_t hash)
{
	uint32_t v;

	if (session_index_full(t, hash))
		return bucket_victim(t, hash);
	v = oldest_embryonic(t);
	if (v == SESSION_NONE)
		v = session_timer_soonest(t, TIMER_SCAN);
	return v;
}

int session_evict_for(struct session_shard *sh, uint32_t hash)
{
	uint32_t victim = session_evict_victim(sh->t, hash);

	if (victim == SESSION_NONE)
		return -ENOSPC;
	return session_shard_close(sh, victim, CLOSE_EVICTED);
}
