/*
 * The instance's control block: one memzone, created by the orchestrator,
 * mapped by every worker. Names of every shared DPDK object are here too.
 *
 * Who writes what:
 *   orchestrator  header, config mirror, ports[].config, steer[], rings,
 *                 nodes[].{pid,state,restarts}, graph.inputs/ring,
 *                 close_all_req
 *   each worker   its own nodes[id].counters / .scratch, graph.node[id],
 *                 and (stellar-io) ports[].state
 *   stellar-session N  sessions[N] (the table; see session_table.h), io_gap_req
 *   plugin workers     the workers' fields of session records and meta[N]
 * Pointers stored here (rings, mempool) are data pointers into hugepage
 * memory, which DPDK maps at the same address in every process; no function
 * pointer is ever stored here.
 */
#ifndef STELLAR_SHM_LAYOUT_H
#define STELLAR_SHM_LAYOUT_H

#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "config.h"
#include "port_config.h"
#include "amq_groups.h"
#include "counters.h"
#include "plugin_shm.h"
#include "session_meta.h"
#include "session_table.h"
#include "doorbell.h"
#include "stage_progress.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STELLAR_SHM_NAME     "stellar_ctl"  /* memzone: struct stellar_shm */
#define STELLAR_POOL_NAME    "stellar_mbuf" /* pktmbuf pool, PKT_META_SIZE priv */
#define STELLAR_SESSIONS_FMT "st_sess%u"    /* memzone: shard N's struct session_table */
#define STELLAR_META_FMT     "st_meta%u"    /* memzone: shard N's struct meta_store */
/* Rings: topo_ring_name(), e.g. "st_io0_ss0", SP/SC, created by the orchestrator. */

#define STELLAR_SHM_MAGIC          0x53544c52u /* "STLR" */
#define STELLAR_SHM_LAYOUT_VERSION 5u

#define STELLAR_STEER_BUCKETS 1024 /* flow-hash buckets -> plugin worker */

enum worker_state {
	WORKER_ABSENT = 0, /* not part of the running topology */
	WORKER_STARTING,   /* spawned, no hello yet */
	WORKER_RUNNING,
	WORKER_STOPPING,   /* asked to finish what it holds and exit */
	WORKER_RESTARTING, /* died; being recovered and respawned */
	WORKER_STOPPED,
	WORKER_FAILED,     /* gave up restarting */
};

const char *worker_state_name(enum worker_state state);

/* Written only by stellar-io; survives its restarts so that a new io resumes
 * where the old one stopped instead of replaying the capture. */
struct port_state {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t rx_offset;    /* file offset of the next record to read */
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t tx_offset;    /* file offset after the last committed record */
	uint64_t errors;       /* unreadable records, write failures, refused sends */
	uint64_t missed;       /* the device dropped them before we read them */
	uint64_t dev_errors;   /* the device's own error counters */
	uint64_t first_ts_ns;  /* capture time of the first packet */
	uint64_t pace_origin_tsc; /* TSC when the first packet was read (pacing) */
	uint32_t rx_eof;       /* every record has been read */
	uint32_t tx_started;   /* the tx file exists with a valid header */
} __attribute__((aligned(64)));

/* Written only by stellar-io. */
struct io_stats {
	uint64_t decode_errors[DERR_MAX]; /* packets that stopped decoding, by why */
	uint64_t encap[ENCAP_TYPE_MAX];   /* packets carrying each encapsulation */
	uint64_t not_ip;
	uint64_t opaque;                  /* malformed packets forwarded without a flow */
	struct defrag_stats defrag;
} __attribute__((aligned(64)));

/* Session events a plugin worker has handled; each worker writes its own. */
struct session_event_counts {
	uint64_t opening;
	uint64_t packets;        /* packets that belonged to a session */
	uint64_t no_session;     /* packets without one */
	uint64_t state_changes;
	uint64_t closing;
	uint64_t closing_by_reason[CLOSE_REASON_MAX];
	uint64_t stale;          /* events for records already reused (never expected) */
	uint64_t duplicates;     /* closing events sent again after a crash, already handled */
	uint64_t meta_freed;     /* metadata entries freed at close */
} __attribute__((aligned(64)));

struct node_slot {
	/* orchestrator */
	int32_t pid;
	uint32_t state;       /* enum worker_state */
	uint32_t restarts;
	uint32_t configured;  /* part of the topology */
	/* the worker itself */
	struct node_counters counters __attribute__((aligned(64)));
	struct doorbell bell;
	struct session_event_counts events;
	uint64_t scratch[8] __attribute__((aligned(64))); /* state kept across restarts */
};

/* Scratch slots used by stellar-io. */
#define IO_SCRATCH_NEXT_SEQ   0
#define IO_SCRATCH_FRAG_TABLE 1 /* its rte_ip_frag table: freed by the orchestrator if io dies */

struct stellar_shm {
	uint32_t magic;
	uint32_t layout_version;
	char instance[STELLAR_NAME_MAX];
	int32_t orch_pid;
	uint32_t burst;
	int32_t log_level;           /* enum log_level of the config, for every worker */

	struct rte_mempool *pool;
	uint32_t n_ports;
	uint32_t n_shards;
	uint32_t n_plugin_workers;   /* active, steer[] only names these */
	uint32_t max_plugin_workers; /* rings exist for this many */

	struct decode_section decode_cfg;
	struct io_stats io_stats[TOPO_MAX_IO];

	struct port_config port_cfg[STELLAR_MAX_PORTS];
	struct port_state port[STELLAR_MAX_PORTS];

	uint16_t steer[STELLAR_STEER_BUCKETS];

	struct session_table *sessions[TOPO_MAX_SHARDS];
	struct meta_store *meta[TOPO_MAX_SHARDS];
	uint32_t live_clock;     /* a port is live: session timers follow wall time */
	/* Bumped to ask every shard to close all its sessions (end of input,
	 * shutdown); a shard is done when its table's close_all_done equals it. */
	uint32_t close_all_req;
	/* Bumped by a session shard that made items between packets; stellar-io
	 * then skips a sequence number (io_rx_open_gap). */
	uint32_t io_gap_req;

	/* Plugin workers being scaled away (bit = index): steer[] no longer
	 * names them; shards move their idle sessions off them. */
	uint32_t plugin_retired_mask;
	uint32_t config_generation;  /* of the configuration running (stellarctl apply) */

	struct plugins_shm plugins;
	struct amq_group amq_groups[AMQ_MAX_GROUPS]; /* defined by plugins, read by stellar-amq */

	struct node_slot nodes[TOPO_MAX_NODES];
	struct progress_graph graph;
};

#ifdef __cplusplus
}
#endif
#endif
