/*
 * The session part of the Stellar plugin API: what a plugin may do with the
 * session a packet or an event belongs to. Values set here live in shared
 * memory: a restarted worker, or another worker after scaling, reads them
 * back. A plugin never frees a value itself; the free callback it passes is
 * called exactly once, in the worker that owns the session, when the value
 * is deleted, overwritten, or the session closes (for any reason, eviction
 * included).
 */
#ifndef STELLAR_SESSION_API_H
#define STELLAR_SESSION_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct stellar_session;

/* Releases whatever `value` refers to (the bytes themselves are Stellar's). */
typedef void (*session_free_cb)(void *value, size_t size);

#ifdef STELLAR_HOST
/* Host-side implementations; plugins reach them through plugin.h. */

/* Copies `size` bytes (at most 4048) under `key` (at most 31 characters).
 * Returns 0, -EINVAL (bad key or size, or a free callback the plugin did not
 * declare), -ENOMEM (the shard's metadata store is full), -ESTALE (the
 * session is gone). */
int session_set_metadata(struct stellar_session *session, const char *key, const void *value, size_t size,
			 session_free_cb free_cb);
/* Points *value at the stored copy, valid until it is deleted or replaced. */
int session_get_metadata(struct stellar_session *session, const char *key, void **value, size_t *size);
int session_del_metadata(struct stellar_session *session, const char *key);

/* Pins the session against timeout and eviction for this plugin, until
 * session_unlock or the session's end (end of input, port reuse). */
int session_lock(struct stellar_session *session, uint16_t plug_id);
int session_unlock(struct stellar_session *session, uint16_t plug_id);
#endif /* STELLAR_HOST */

#ifdef __cplusplus
}
#endif
#endif
