#include "session_api.h"

#include <errno.h>

int session_api_declare_free_cb(struct session_api_host *h, uint16_t plugin, session_free_cb fn)
{
	if (plugin >= SESSION_API_MAX_PLUGINS || !fn)
		return -EINVAL;
	for (unsigned i = 0; i < h->n_free_cbs[plugin]; i++)
		if (h->free_cbs[plugin][i] == fn)
			return (int)i;
	if (h->n_free_cbs[plugin] >= SESSION_API_FREE_SLOTS)
		return -ENOSPC;
	h->free_cbs[plugin][h->n_free_cbs[plugin]] = fn;
	return (int)h->n_free_cbs[plugin]++;
}

void session_api_run_free_cb(void *host, uint16_t plugin, uint16_t slot, const char *key, void *value,
			     size_t size)
{
	struct session_api_host *h = host;

	(void)key;
	if (!h || plugin >= SESSION_API_MAX_PLUGINS || slot >= h->n_free_cbs[plugin]) {
		if (h)
			h->unknown_slots++;
		return;
	}
	if (h->quarantined && (__atomic_load_n(h->quarantined, __ATOMIC_RELAXED) & (1u << plugin))) {
		h->skipped++;
		return;
	}
	h->free_calls++;
	if (h->enter) {
		uint16_t previous = h->enter(h->ctx, plugin);

		h->free_cbs[plugin][slot](value, size);
		h->leave(h->ctx, previous);
		return;
	}
	h->free_cbs[plugin][slot](value, size);
}

/* The record behind a handle, if it is still the same session and its
 * worker has not finished it: after the closing event nothing set on it
 * would ever be freed. */
static struct session *record(struct stellar_session *ss)
{
	struct session *s = ss && ss->table ? session_from_handle(ss->table, ss->idx, ss->generation) : NULL;

	return s && !(s->worker_flags & WF_CLOSED) ? s : NULL;
}

/* Slot of a callback the plugin declared; free callbacks travel as slots. */
static int slot_of(struct stellar_session *ss, session_free_cb fn)
{
	struct session_api_host *h = ss->host;

	if (!fn)
		return META_NO_FREE;
	for (unsigned i = 0; h && ss->plugin < SESSION_API_MAX_PLUGINS && i < h->n_free_cbs[ss->plugin]; i++)
		if (h->free_cbs[ss->plugin][i] == fn)
			return (int)i;
	return -EINVAL;
}

/* A plugin detached from the session may still be running (its error
 * callback, say) but must not pin it: no one would unlock it. (Metadata it
 * sets is freed with the session like any other.) */
static bool detached(const struct stellar_session *ss, const struct session *s)
{
	return ss->plugin < 32 && (s->detached_mask & (1u << ss->plugin));
}

int session_set_metadata(struct stellar_session *session, const char *key, const void *value, size_t size,
			 session_free_cb free_cb)
{
	struct session *s = record(session);
	int slot;

	if (!s)
		return -ESTALE;
	if ((slot = slot_of(session, free_cb)) < 0)
		return slot;
	return meta_set(session->meta, s, session->plugin, key, value, size, (uint16_t)slot,
			session_api_run_free_cb, session->host);
}

int session_set_metadata_typed(struct stellar_session *session, const char *key, const void *value, size_t size,
			       uint8_t type)
{
	struct session *s = record(session);

	if (!s)
		return -ESTALE;
	return meta_set_typed(session->meta, s, session->plugin, key, value, size, META_NO_FREE, type,
			      session_api_run_free_cb, session->host);
}

int session_get_metadata_typed(struct stellar_session *session, const char *key, void **value, size_t *size,
			       uint8_t *type)
{
	struct session *s = record(session);

	return s ? meta_get_typed(session->meta, s, key, value, size, type) : -ESTALE;
}

int session_get_metadata(struct stellar_session *session, const char *key, void **value, size_t *size)
{
	struct session *s = record(session);

	return s ? meta_get(session->meta, s, key, value, size) : -ESTALE;
}

int session_del_metadata(struct stellar_session *session, const char *key)
{
	struct session *s = record(session);

	return s ? meta_del(session->meta, s, key, session_api_run_free_cb, session->host) : -ESTALE;
}

int session_lock(struct stellar_session *session, uint16_t plug_id)
{
	struct session *s = record(session);

	if (!s)
		return -ESTALE;
	if (plug_id >= SESSION_API_MAX_PLUGINS)
		return -EINVAL;
	if (detached(session, s) || (s->detached_mask & (1u << plug_id)))
		return -EPERM;
	/* The session process reads it before timing out or evicting. */
	__atomic_fetch_or(&s->lock_mask, 1u << plug_id, __ATOMIC_RELEASE);
	return 0;
}

int session_unlock(struct stellar_session *session, uint16_t plug_id)
{
	struct session *s = record(session);

	if (!s)
		return -ESTALE;
	if (plug_id >= SESSION_API_MAX_PLUGINS)
		return -EINVAL;
	__atomic_fetch_and(&s->lock_mask, ~(1u << plug_id), __ATOMIC_RELEASE);
	return 0;
}
