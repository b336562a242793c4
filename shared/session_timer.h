/*
 * The timer wheel of a session table: one-second slots, each a list of the
 * sessions whose timer fires in that second. Timers are lazy: a packet only
 * moves a session's timer when its deadline came earlier (a state with a
 * shorter timeout); a timer that fires early, because packets arrived since,
 * is re-armed at the real deadline. A packet therefore costs a compare, and
 * a session one relink per timeout period at most.
 */
#ifndef STELLAR_SESSION_TIMER_H
#define STELLAR_SESSION_TIMER_H

#include <stdint.h>

#include "session_table.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SESSION_NS_PER_S 1000000000ull

/* Second at which a session idle since ts_last times out. */
uint64_t session_deadline_s(const struct session_table *t, const struct session *s);

/* Starts the wheel at the first clock reading (no-op once started). */
void session_timer_start(struct session_table *t, uint64_t now_s);
void session_timer_link(struct session_table *t, uint32_t idx, uint64_t at_s);
void session_timer_unlink(struct session_table *t, uint32_t idx);
/* After a packet (or a state change): arms or moves the timer earlier. */
void session_timer_touch(struct session_table *t, uint32_t idx);

/* Called for each session whose deadline has passed and that no plugin
 * holds locked; it closes the session (which unlinks it) and returns true,
 * or returns false if it cannot now (the pass then stops there). */
typedef bool (*session_expire_fn)(void *ctx, uint32_t idx);

/*
 * Fires the slots up to `now_s`, expiring at most `budget` sessions.
 * Returns how many expired; when the budget ran out or an expiry failed,
 * the rest fire on the next call.
 */
unsigned session_timer_advance(struct session_table *t, uint64_t now_s, unsigned budget,
			       session_expire_fn expire, void *ctx);

/* The unlocked session that will time out soonest (the idlest, for
 * eviction), looking at no more than `max_visits` sessions; SESSION_NONE
 * if none was found. */
uint32_t session_timer_soonest(struct session_table *t, unsigned max_visits);

#ifdef __cplusplus
}
#endif
#endif
