/*
 * Session metadata: small named values that plugins attach to a session
 * (session_set_metadata and friends), kept in a per-shard shared-memory
 * store so that they outlive the worker that wrote them: a restarted
 * worker, or the next one after scaling, reads what its predecessor set.
 *
 * A session's entries form a list from session.meta_head. Only the plugin
 * worker that owns the session touches its list; several workers allocate
 * from one store at once, so blocks come from lock-free free lists (one per
 * size class) that a dying worker cannot wedge: an operation is one
 * compare-and-swap, and a worker killed between taking a block and linking
 * it loses that one block.
 *
 * Free callbacks are recorded as (plugin id, slot), never as pointers: the
 * pointer is only meaningful in the process that loaded the plugin.
 */
#ifndef STELLAR_SESSION_META_H
#define STELLAR_SESSION_META_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define META_KEY_MAX     32   /* bytes including the terminating NUL */
#define META_CLASSES     4    /* blocks of 64, 256, 1024 and 4096 bytes */
#define META_NO_FREE     0xffffu
#define META_VALUE_MAX   (4096 - 48)

/* Value types (C plugins set bytes; Lua plugins also numbers, booleans). */
#define META_T_BYTES   0
#define META_T_NUMBER  1 /* a double */
#define META_T_INTEGER 2 /* an int64_t */
#define META_T_BOOLEAN 3 /* one byte, 0 or 1 */

struct meta_entry {
	uint32_t next;        /* next entry of the session, or the free list link */
	uint32_t size;        /* value bytes */
	uint16_t plugin;      /* who set it (its free callback's owner) */
	uint16_t free_slot;   /* META_NO_FREE: no callback */
	uint8_t type;         /* META_T_*: how a Lua plugin reads it back */
	uint8_t pad[3];
	char key[META_KEY_MAX];
	/* the value follows, 16-byte aligned */
};

struct meta_class {
	uint64_t off;         /* blocks, from the store's start */
	uint32_t block_size;
	uint32_t count;
	uint64_t free_head;   /* ABA tag << 32 | (block index + 1); 0: empty */
	uint64_t in_use;
	uint64_t alloc_failed;
};

struct meta_store {
	uint32_t magic;
	uint32_t pad;
	uint64_t zone_size;
	struct meta_class cls[META_CLASSES];
};

/* Bytes of a store with about `bytes` of blocks, split evenly across the
 * size classes. */
size_t meta_store_size(size_t bytes);
struct meta_store *meta_store_init(void *mem, size_t bytes);

/* Called with an entry being removed: delete, overwrite, close. */
typedef void (*meta_free_fn)(void *ctx, uint16_t plugin, uint16_t slot, const char *key, void *value,
			     size_t size);

/*
 * Sets `key` on the session to a copy of `value`. An existing value under
 * the key is replaced, its free callback called first. Returns 0, -EINVAL
 * (key empty or too long, value too large), -ENOMEM (store exhausted).
 */
int meta_set(struct meta_store *ms, struct session *s, uint16_t plugin, const char *key, const void *value,
	     size_t size, uint16_t free_slot, meta_free_fn on_free, void *ctx);
int meta_set_typed(struct meta_store *ms, struct session *s, uint16_t plugin, const char *key, const void *value,
		   size_t size, uint16_t free_slot, uint8_t type, meta_free_fn on_free, void *ctx);
/* Points *value at the stored copy (valid until it is deleted or replaced). */
int meta_get(struct meta_store *ms, struct session *s, const char *key, void **value, size_t *size);
int meta_get_typed(struct meta_store *ms, struct session *s, const char *key, void **value, size_t *size,
		   uint8_t *type);
/* Removes the key, calling its free callback. Returns 0 or -ENOENT. */
int meta_del(struct meta_store *ms, struct session *s, const char *key, meta_free_fn on_free, void *ctx);
/* Removes every entry (session closing), calling each free callback once. */
unsigned meta_clear(struct meta_store *ms, struct session *s, meta_free_fn on_free, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
