/*
 * What the plugin workers share about plugins, in the instance's control
 * block (stellar_shm.plugins).
 *
 * Who writes what:
 *   orchestrator   everything at start (the plugin list, their memory, the
 *                  filter trie), quarantined_mask and crash bookkeeping
 *   plugin worker  its own row of counts[] and node_counts[]
 * Plugins are referred to by index (their plugin id): position in the
 * configuration, the same in every process.
 */
#ifndef STELLAR_PLUGIN_SHM_H
#define STELLAR_PLUGIN_SHM_H

#include <stdint.h>

#include "config.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Plugin ids are slots, never reused while the instance runs: a config
 * apply that adds plugins takes new ones, so the per-session masks (bit =
 * plugin id) keep their meaning in workers of the old and the new list. */
#define PLUGIN_MAX        32
#define FILTER_MAX_NODES  128
#define FILTER_NONE       0xffffu
#define PLUGIN_CRASH_HISTORY 16

#define STELLAR_PLUGIN_CTX_FMT    "st_ctx%u_%u"  /* memzone: plugin P's contexts of shard S */
#define STELLAR_PLUGIN_MEM_FMT    "st_pmem%u"    /* memzone: plugin P's global memory */
#define STELLAR_PLUGIN_CONFIG_FMT "st_pcfg%u"    /* memzone: plugin P's config as JSON */

enum plugin_kind { PLUGIN_C = 1, PLUGIN_LUA };

struct plugin_slot {
	char name[STELLAR_NAME_MAX];
	char path[STELLAR_PATH_MAX];
	uint32_t kind;             /* enum plugin_kind */
	uint32_t events;           /* STELLAR_EV_* (Lua: all) */
	uint32_t flags;            /* STELLAR_PLUGIN_* */
	uint32_t ctx_size;
	uint32_t global_size;
	uint16_t filter_leaf;      /* trie node its chain ends at, FILTER_NONE: every packet */
	uint16_t pad;
	void *ctx[TOPO_MAX_SHARDS];/* ctx_size bytes per session record, by record index */
	void *global;              /* global_size bytes */
	const char *config_json;
	uint32_t config_gen;       /* bumped when config_json changes (config apply) */
	uint32_t retired;          /* no longer in the configuration */
	/* orchestrator: crashes of a worker while inside this plugin */
	uint32_t crashes;
	uint64_t crash_ms[PLUGIN_CRASH_HISTORY];
};

/* One stage of a filter chain; identical stages with the same parent are
 * one node, so a shared prefix is evaluated once per packet. */
struct filter_node {
	char expr[PLUGIN_FILTER_MAX];
	uint16_t parent;           /* FILTER_NONE: a root */
	uint16_t subscribers;      /* chains that end here */
};

struct filter_node_counts {
	uint64_t evaluated;
	uint64_t matched;
};

/* Per plugin, per worker. */
struct plugin_counts {
	uint64_t packets;          /* entry() calls */
	uint64_t events;           /* on_event() calls */
	uint64_t errors;           /* Lua errors and instruction-limit cuts */
	uint64_t limit_hits;       /* of which the instruction limit */
	uint64_t detached;         /* sessions it was detached from (any reason) */
	uint64_t dropped;          /* packets it dropped */
} __attribute__((aligned(64)));

struct plugins_shm {
	uint32_t n_plugins;         /* slots in use (ids handed out) */
	uint32_t n_order;           /* the configured list, in dispatch order */
	uint16_t order[CONFIG_MAX_PLUGINS];
	uint32_t list_gen;          /* bumped when the list changes */
	uint32_t config_gen;        /* bumped by every plugin config change */
	uint32_t n_nodes;
	uint32_t lua_instructions;
	uint32_t quarantine_crashes;
	uint32_t quarantine_window_ms;
	uint32_t quarantined_mask;  /* bit = plugin id: disabled after crashing */
	struct plugin_slot p[PLUGIN_MAX];
	struct filter_node node[FILTER_MAX_NODES];
	struct filter_node_counts node_counts[TOPO_MAX_PLUGIN_WORKERS][FILTER_MAX_NODES];
	struct plugin_counts counts[TOPO_MAX_PLUGIN_WORKERS][PLUGIN_MAX];
};

/* Slot scratch of a plugin worker: the plugin it is inside, plus one (0:
 * none), read by the orchestrator when the worker dies. */
#define PLUGIN_SCRATCH_CURRENT 0

#ifdef __cplusplus
}
#endif
#endif
