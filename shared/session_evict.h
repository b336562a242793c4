/*
 * Making room in a full session table. Policy, in order:
 *   1. embryonic TCP sessions (handshake not completed), oldest first: a
 *      SYN flood evicts its own half-open sessions, never an established
 *      one while any embryonic session is left;
 *   2. otherwise the session that would time out soonest: the idlest
 *      relative to its timeout (UDP and closing TCP go before established
 *      TCP with traffic).
 * Sessions a plugin holds locked (session_lock) are never evicted. When the
 * key's own index buckets are full, the victim is chosen among the sessions
 * in those buckets by the same rules.
 */
#ifndef STELLAR_SESSION_EVICT_H
#define STELLAR_SESSION_EVICT_H

#include "session_shard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Evicts one session so that a key with this hash fits. Returns 0, or
 * -ENOSPC if nothing may be evicted, -EAGAIN if the event could not be sent. */
int session_evict_for(struct session_shard *sh, uint32_t hash);

/* The victim the policy picks, without evicting it; SESSION_NONE if none. */
uint32_t session_evict_victim(struct session_table *t, uint32_t hash);

#ifdef __cplusplus
}
#endif
#endif
