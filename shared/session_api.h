/*
 * The host side of the session API (include/stellar/session_api.h): the
 * handle a plugin receives, and the table of free callbacks that turns the
 * (plugin id, slot) recorded in shared memory back into a function of this
 * process.
 */
#ifndef STELLAR_SESSION_API_INTERNAL_H
#define STELLAR_SESSION_API_INTERNAL_H

#ifndef STELLAR_HOST
#define STELLAR_HOST
#endif
#include "include/stellar/session_api.h"
#include "session_meta.h"
#include "session_table.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SESSION_API_MAX_PLUGINS 32 /* lock_mask and detached_mask are 32 bits */
#define SESSION_API_FREE_SLOTS  16

struct session_api_host {
	/* Declared by each plugin, in the same order in every worker. */
	session_free_cb free_cbs[SESSION_API_MAX_PLUGINS][SESSION_API_FREE_SLOTS];
	unsigned n_free_cbs[SESSION_API_MAX_PLUGINS];
	uint64_t free_calls;
	uint64_t unknown_slots;  /* recorded slots with no function here (counted, skipped) */
	uint64_t skipped;        /* callbacks of quarantined plugins, not run */
	/* Set by the plugin host: a callback runs as its plugin (for the API
	 * and for crash attribution); a quarantined plugin's is not run. */
	const uint32_t *quarantined;
	uint16_t (*enter)(void *ctx, uint16_t plugin); /* returns who was running */
	void (*leave)(void *ctx, uint16_t previous);
	void *ctx;
};

struct stellar_session {
	struct session_api_host *host;
	struct session_table *table;
	struct meta_store *meta;
	uint32_t idx;
	uint32_t generation;
	uint16_t plugin;          /* the plugin being called */
	uint8_t shard;
	void *call;               /* the host's context of the current call */
};

/* With a value type (META_T_*), for Lua plugins. */
int session_set_metadata_typed(struct stellar_session *s, const char *key, const void *value, size_t size,
			       uint8_t type);
int session_get_metadata_typed(struct stellar_session *s, const char *key, void **value, size_t *size,
			       uint8_t *type);

/* Returns the slot of a plugin's free callback, or -ENOSPC / -EINVAL. */
int session_api_declare_free_cb(struct session_api_host *h, uint16_t plugin, session_free_cb fn);
/* meta_free_fn for meta_set/meta_del/meta_clear: calls the recorded callback. */
void session_api_run_free_cb(void *host, uint16_t plugin, uint16_t slot, const char *key, void *value,
			     size_t size);

#ifdef __cplusplus
}
#endif
#endif
