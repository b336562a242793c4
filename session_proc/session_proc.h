/* stellar-session internals: one process per shard, the single writer of
 * its shard's session table. */
#ifndef STELLAR_SESSION_PROC_H
#define STELLAR_SESSION_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "mbuf_meta.h"
#include "session_shard.h"
#include "stage_loop.h"

/* An event item being filled for one plugin worker. */
struct event_batch {
	struct rte_mbuf *m;
	uint16_t n;
	uint16_t cap;
};

struct session_proc {
	struct worker_rt *rt;
	struct stage *st;
	struct session_shard shard;
	struct session_table *t;
	bool live;                    /* timers follow wall time, not only packets */
	uint32_t closing_req;         /* close-all request being served */
	/* Items made now are keyed above this: every key a consumer may
	 * already believe this process is past (see session_events.c). */
	uint64_t key_floor;
	unsigned hint_pos;
	struct session_hint hints[MERGE_BURST]; /* the burst being handled, looked up ahead */
	struct event_batch batch[TOPO_MAX_PLUGIN_WORKERS];
};

/* session_events.c: closing events travel in event items, batched per
 * worker; a batch is put on its ring before the next packet to that worker. */
uint64_t session_events_emit_close(void *ctx, uint32_t idx);
bool session_events_flush(struct session_proc *p, uint16_t worker);
/* Returns how many items it queued, or -1 if some output had no room. */
int session_events_flush_all(struct session_proc *p);
/* stage hook: the smallest key of a batch not yet queued. */
uint64_t session_events_held_key(void *ctx);
/* Order keys left for items made before the next packet arrives. */
unsigned session_events_keys_left(const struct session_proc *p);

#endif
