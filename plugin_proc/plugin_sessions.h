/* What a plugin worker does for the session manager: counts the events
 * packets bring, and finishes sessions whose closing events arrive (their
 * metadata freed through the plugins' free callbacks, locks dropped). */
#ifndef STELLAR_PLUGIN_SESSIONS_H
#define STELLAR_PLUGIN_SESSIONS_H

#include <rte_mbuf.h>

#include "session_meta.h"
#include "worker_runtime.h"

struct plugin_sessions {
	struct worker_rt *rt;
	struct session_event_counts *counts;
	meta_free_fn on_free;   /* runs a plugin's free callback by (plugin, slot) */
	void *on_free_ctx;
	/* Called first for a closing session: the plugins' closing events. */
	void (*on_close)(void *ctx, const struct session_event *ev);
	void *on_close_ctx;
};

void plugin_sessions_init(struct plugin_sessions *ps, struct worker_rt *rt, meta_free_fn on_free, void *ctx);
/* A packet: counts what its session saw. */
void plugin_sessions_packet(struct plugin_sessions *ps, struct rte_mbuf *m);
/* An event item: handles every event in it. The item stays the caller's. */
void plugin_sessions_events(struct plugin_sessions *ps, struct rte_mbuf *m);

#endif
