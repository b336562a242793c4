/*
 * The plugin manager of one stellar-plugin worker: the plugins it loaded
 * (C shared objects and Lua scripts, in configuration order), their filter
 * trie, and the dispatch of packets and session events to them.
 *
 * It works on shared memory it is given (session tables, metadata stores,
 * the plugin slots), so tests and the bench run it in-process.
 */
#ifndef STELLAR_PLUGIN_HOST_H
#define STELLAR_PLUGIN_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#define STELLAR_HOST
#include "include/stellar/plugin.h"
#include "mbuf_meta.h"
#include "amq_groups.h"
#include "plugin_filter.h"
#include "plugin_lua.h"
#include "plugin_shm.h"
#include "session_api.h"
#include "shm_layout.h"

struct plugin_lua;

struct plugin_rt {
	const struct plugin_slot *slot;
	struct stellar_plugin desc; /* C: the plugin's descriptor, zero-extended */
	void *dl;
	struct plugin_lua *lua;
	bool loaded;
	uint32_t events;            /* what it gets (Lua: the callbacks it defines) */
	uint16_t filter_leaf;       /* as the trie this worker compiled has it */
	uint32_t config_gen;        /* of the config it runs with */
};

/* What the shared memory offers a host: a worker's view of stellar_shm. */
struct plugin_env {
	unsigned n_shards;
	struct session_table *tables[TOPO_MAX_SHARDS];
	struct meta_store *metas[TOPO_MAX_SHARDS];
	struct plugins_shm *plugins;
	struct plugin_counts *counts;            /* this worker's row */
	struct filter_node_counts *node_counts;  /* this worker's row */
	uint64_t *current;                       /* where the plugin being called is noted */
	struct amq_group *groups;                /* AMQ_MAX_GROUPS rate-limit groups */
	unsigned worker_index;
};

/* The call in progress: what the API functions act on. */
struct plugin_call {
	struct stellar_session s;
	struct session *rec;
	struct rte_mbuf *m;        /* NULL for events without a packet */
	struct pkt_meta *meta;
	const struct pkt_session *ps;
	uint16_t plugin;
	bool drop;                 /* a plugin dropped this packet */
	bool info_ready, pkt_ready;
	struct stellar_session_info info;
	struct stellar_packet_info pkt;
};

struct plugin_host {
	struct plugin_env env;
	unsigned n;                 /* slots (plugin ids) known */
	unsigned n_order;           /* the list this worker loaded, in order */
	uint16_t order[CONFIG_MAX_PLUGINS];
	uint32_t config_gen;        /* plugins_shm.config_gen taken */
	struct plugin_rt p[PLUGIN_MAX];
	struct session_api_host api;
	struct plugin_filter filter;
	struct plugin_call call;
	bool in_call;               /* inside a plugin callback (dispatch) */
	unsigned free_cb_depth;
	uint8_t flat[65536 + 4096]; /* a chained packet, made contiguous for plugins */
};

/* plugin_host.c: load every configured plugin (failures are logged and
 * leave the plugin out). Returns how many loaded. */
unsigned plugin_host_init(struct plugin_host *h, const struct plugin_env *env);
void plugin_host_fini(struct plugin_host *h);

/* A config apply changed some plugin's config: each takes it live
 * (reconfigure / on_config) or says it needs a restart. Cheap when nothing
 * changed. Returns true if the worker must be restarted. */
bool plugin_host_reconfigure(struct plugin_host *h);

/* plugin_dispatch.c */
/* A packet: its session's events and entry() of each plugin, in order.
 * Returns 0 to pass it on, or STAGE_DROP(reason). */
int plugin_dispatch_packet(struct plugin_host *h, struct rte_mbuf *m);
/* A session closing (event item): on_event(CLOSING) for each plugin
 * attached, then its metadata freed. */
void plugin_dispatch_close(struct plugin_host *h, const struct session_event *ev);

/* plugin_api.c: the table handed to C plugins, over the current call. */
extern const struct stellar_api plugin_api_table;
void plugin_api_bind(struct plugin_host *h);
/* Detaches plugin `p` from the current call's session. */
void plugin_detach(struct plugin_host *h, uint16_t p);
/* Makes the current call's session info and packet info. */
const struct stellar_session_info *plugin_call_info(struct plugin_host *h);
const struct stellar_packet_info *plugin_call_packet(struct plugin_host *h);

/* Runs the following code as plugin p: the API acts for it, and a crash
 * is charged to it. Returns who ran before (for plugin_leave). */
static inline uint16_t plugin_enter(struct plugin_host *h, uint16_t p)
{
	uint16_t previous = h->call.plugin;

	h->call.plugin = p;
	h->call.s.plugin = p;
	__atomic_store_n(h->env.current, p + 1u, __ATOMIC_RELAXED);
	return previous;
}

static inline void plugin_leave(struct plugin_host *h, uint16_t previous, bool nested)
{
	h->call.plugin = previous;
	h->call.s.plugin = previous;
	__atomic_store_n(h->env.current, nested ? previous + 1u : 0, __ATOMIC_RELAXED);
}

/* The per-session context of plugin p in the current call. */
static inline void *plugin_ctx(const struct plugin_host *h, uint16_t p)
{
	const struct plugin_slot *sl = h->p[p].slot;

	return sl->ctx_size ? (char *)sl->ctx[h->call.s.shard] + (size_t)h->call.s.idx * sl->ctx_size : NULL;
}

#endif
