#include "session_meta.h"

#include <errno.h>
#include <string.h>

#define STORE_MAGIC 0x4d455441u /* "META" */
#define HDR_SIZE    sizeof(struct meta_entry)
#define REF(c, i)   ((uint32_t)(c) << 28 | (uint32_t)(i))
#define REF_CLASS(r) ((r) >> 28)
#define REF_INDEX(r) ((r) & 0x0fffffffu)

_Static_assert(sizeof(struct meta_entry) == 48, "value offset");

static const uint32_t block_sizes[META_CLASSES] = {64, 256, 1024, 4096};

static size_t align64(size_t x)
{
	return (x + 63) & ~(size_t)63;
}

size_t meta_store_size(size_t bytes)
{
	size_t total = align64(sizeof(struct meta_store));

	for (unsigned c = 0; c < META_CLASSES; c++) {
		size_t n = bytes / META_CLASSES / block_sizes[c];

		total += (n ? n : 1) * block_sizes[c];
	}
	return total;
}

static struct meta_entry *block(struct meta_store *ms, unsigned c, uint32_t i)
{
	return (struct meta_entry *)((char *)ms + ms->cls[c].off + (size_t)i * ms->cls[c].block_size);
}

static struct meta_entry *entry(struct meta_store *ms, uint32_t ref)
{
	return block(ms, REF_CLASS(ref), REF_INDEX(ref));
}

static void *value_of(struct meta_entry *e)
{
	return (char *)e + HDR_SIZE;
}

struct meta_store *meta_store_init(void *mem, size_t bytes)
{
	struct meta_store *ms = mem;
	size_t off = align64(sizeof(*ms));

	if (!mem) {
		errno = EINVAL;
		return NULL;
	}
	memset(ms, 0, sizeof(*ms));
	for (unsigned c = 0; c < META_CLASSES; c++) {
		struct meta_class *k = &ms->cls[c];
		size_t n = bytes / META_CLASSES / block_sizes[c];

		k->off = off;
		k->block_size = block_sizes[c];
		k->count = (uint32_t)(n ? n : 1);
		off += (size_t)k->count * k->block_size;
		/* Free list: every block, lowest index on top. */
		for (uint32_t i = 0; i < k->count; i++)
			block(ms, c, i)->next = i + 1 < k->count ? i + 2 : 0;
		k->free_head = 1;
	}
	ms->zone_size = off;
	ms->magic = STORE_MAGIC;
	return ms;
}

/* Treiber stack with an ABA tag: one CAS per operation, so a process that
 * dies in the middle leaves the list whole. */
static uint32_t pop_block(struct meta_store *ms, unsigned c)
{
	struct meta_class *k = &ms->cls[c];
	uint64_t old = __atomic_load_n(&k->free_head, __ATOMIC_ACQUIRE), next;

	do {
		uint32_t top = (uint32_t)old;

		if (top == 0)
			return UINT32_MAX;
		/* May read a block another process just took: the tag then
		 * fails the CAS and we retry. */
		next = __atomic_load_n(&block(ms, c, top - 1)->next, __ATOMIC_RELAXED);
		next = ((old >> 32) + 1) << 32 | (uint32_t)next;
	} while (!__atomic_compare_exchange_n(&k->free_head, &old, next, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	__atomic_fetch_add(&k->in_use, 1, __ATOMIC_RELAXED);
	return (uint32_t)old - 1;
}

static void push_block(struct meta_store *ms, unsigned c, uint32_t i)
{
	struct meta_class *k = &ms->cls[c];
	uint64_t old = __atomic_load_n(&k->free_head, __ATOMIC_ACQUIRE), next;

	do {
		__atomic_store_n(&block(ms, c, i)->next, (uint32_t)old, __ATOMIC_RELAXED);
		next = ((old >> 32) + 1) << 32 | (i + 1);
	} while (!__atomic_compare_exchange_n(&k->free_head, &old, next, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	__atomic_fetch_sub(&k->in_use, 1, __ATOMIC_RELAXED);
}

static int class_for(size_t size)
{
	for (unsigned c = 0; c < META_CLASSES; c++)
		if (size + HDR_SIZE <= block_sizes[c])
			return (int)c;
	return -1;
}

/* The link that points at the key's entry (meta_head or a next field). */
static uint32_t *find_link(struct meta_store *ms, struct session *s, const char *key)
{
	uint32_t *link = &s->meta_head;

	while (*link != SESSION_NONE) {
		struct meta_entry *e = entry(ms, *link);

		if (strncmp(e->key, key, META_KEY_MAX) == 0)
			return link;
		link = &e->next;
	}
	return NULL;
}

static void release(struct meta_store *ms, uint32_t ref, meta_free_fn on_free, void *ctx)
{
	struct meta_entry *e = entry(ms, ref);

	if (on_free && e->free_slot != META_NO_FREE)
		on_free(ctx, e->plugin, e->free_slot, e->key, value_of(e), e->size);
	push_block(ms, REF_CLASS(ref), REF_INDEX(ref));
}

int meta_set(struct meta_store *ms, struct session *s, uint16_t plugin, const char *key, const void *value,
	     size_t size, uint16_t free_slot, meta_free_fn on_free, void *ctx)
{
	return meta_set_typed(ms, s, plugin, key, value, size, free_slot, META_T_BYTES, on_free, ctx);
}

int meta_set_typed(struct meta_store *ms, struct session *s, uint16_t plugin, const char *key, const void *value,
		   size_t size, uint16_t free_slot, uint8_t type, meta_free_fn on_free, void *ctx)
{
	size_t klen = key ? strnlen(key, META_KEY_MAX) : 0;
	int c = class_for(size);
	uint32_t i = UINT32_MAX, *link, old;
	struct meta_entry *e;

	if (klen == 0 || klen >= META_KEY_MAX || c < 0 || (size && !value))
		return -EINVAL;
	for (; c < META_CLASSES && (i = pop_block(ms, (unsigned)c)) == UINT32_MAX; c++)
		__atomic_fetch_add(&ms->cls[c].alloc_failed, 1, __ATOMIC_RELAXED);
	if (i == UINT32_MAX)
		return -ENOMEM;
	e = block(ms, (unsigned)c, i);
	memset(e, 0, HDR_SIZE);
	memcpy(e->key, key, klen);
	e->size = (uint32_t)size;
	e->plugin = plugin;
	e->free_slot = free_slot;
	e->type = type;
	if (size)
		memcpy(value_of(e), value, size);

	/* Written whole before it is linked: one store makes it visible,
	 * and a replaced entry is unlinked before its callback runs. */
	link = find_link(ms, s, key);
	if (link) {
		old = *link;
		e->next = entry(ms, old)->next;
		__atomic_store_n(link, REF(c, i), __ATOMIC_RELEASE);
		release(ms, old, on_free, ctx);
	} else {
		e->next = s->meta_head;
		__atomic_store_n(&s->meta_head, REF(c, i), __ATOMIC_RELEASE);
	}
	return 0;
}

int meta_get(struct meta_store *ms, struct session *s, const char *key, void **value, size_t *size)
{
	return meta_get_typed(ms, s, key, value, size, NULL);
}

int meta_get_typed(struct meta_store *ms, struct session *s, const char *key, void **value, size_t *size,
		   uint8_t *type)
{
	uint32_t *link = key ? find_link(ms, s, key) : NULL;
	struct meta_entry *e;

	if (!link)
		return -ENOENT;
	e = entry(ms, *link);
	if (value)
		*value = value_of(e);
	if (size)
		*size = e->size;
	if (type)
		*type = e->type;
	return 0;
}

int meta_del(struct meta_store *ms, struct session *s, const char *key, meta_free_fn on_free, void *ctx)
{
	uint32_t *link = key ? find_link(ms, s, key) : NULL, ref;

	if (!link)
		return -ENOENT;
	ref = *link;
	__atomic_store_n(link, entry(ms, ref)->next, __ATOMIC_RELEASE);
	release(ms, ref, on_free, ctx);
	return 0;
}

unsigned meta_clear(struct meta_store *ms, struct session *s, meta_free_fn on_free, void *ctx)
{
	unsigned n = 0;

	while (s->meta_head != SESSION_NONE) {
		uint32_t ref = s->meta_head;

		__atomic_store_n(&s->meta_head, entry(ms, ref)->next, __ATOMIC_RELEASE);
		release(ms, ref, on_free, ctx);
		n++;
	}
	return n;
}
