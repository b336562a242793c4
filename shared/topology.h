/*
 * The fixed shape of a Stellar pipeline: which processes (nodes) exist and
 * which SP/SC rings (edges) connect them.
 *
 * Every process of an instance computes the same ids from the same limits,
 * so ids, not pointers, are what travels between processes. A node id is
 * also the DPDK lcore id of the process that runs the node: mempool caches
 * are per lcore, and a restarted worker reuses its predecessor's cache slot.
 */
#ifndef STELLAR_TOPOLOGY_H
#define STELLAR_TOPOLOGY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum node_kind {
	NODE_ORCH = 0,
	NODE_IO,
	NODE_SESSION,
	NODE_PLUGIN,
	NODE_AMQ,
	NODE_KIND_MAX
};

#define TOPO_MAX_IO             1
#define TOPO_MAX_SHARDS         4
#define TOPO_MAX_PLUGIN_WORKERS 16
#define TOPO_MAX_AMQ            1

/* Node ids: orchestrator, io, session shards, plugin workers, amq. */
#define TOPO_NODE_ORCH     0
#define TOPO_NODE_IO0      1
#define TOPO_NODE_SESSION0 (TOPO_NODE_IO0 + TOPO_MAX_IO)
#define TOPO_NODE_PLUGIN0  (TOPO_NODE_SESSION0 + TOPO_MAX_SHARDS)
#define TOPO_NODE_AMQ0     (TOPO_NODE_PLUGIN0 + TOPO_MAX_PLUGIN_WORKERS)
#define TOPO_MAX_NODES     (TOPO_NODE_AMQ0 + TOPO_MAX_AMQ)

/* Ring ids, one per edge: io->shard, shard->plugin, plugin->amq, amq->io. */
#define TOPO_RING_IO_SESSION0   0
#define TOPO_RING_SESSION_PLUGIN0 (TOPO_RING_IO_SESSION0 + TOPO_MAX_IO * TOPO_MAX_SHARDS)
#define TOPO_RING_PLUGIN_AMQ0   (TOPO_RING_SESSION_PLUGIN0 + TOPO_MAX_SHARDS * TOPO_MAX_PLUGIN_WORKERS)
#define TOPO_RING_AMQ_IO0       (TOPO_RING_PLUGIN_AMQ0 + TOPO_MAX_PLUGIN_WORKERS * TOPO_MAX_AMQ)
#define TOPO_MAX_RINGS          (TOPO_RING_AMQ_IO0 + TOPO_MAX_AMQ * TOPO_MAX_IO)

#define TOPO_NO_NODE 0xffffu

/* Node id of the index-th process of a kind, or TOPO_NO_NODE if out of range. */
uint16_t topo_node_id(enum node_kind kind, unsigned index);
/* Inverse of topo_node_id. Returns 0, or -EINVAL for an unknown node id. */
int topo_node_kind_index(uint16_t node, enum node_kind *kind, unsigned *index);

uint16_t topo_ring_io_session(unsigned io, unsigned shard);
uint16_t topo_ring_session_plugin(unsigned shard, unsigned worker);
uint16_t topo_ring_plugin_amq(unsigned worker, unsigned amq);
uint16_t topo_ring_amq_io(unsigned amq, unsigned io);

/* Producer and consumer node of a ring. Returns 0 or -EINVAL. */
int topo_ring_ends(uint16_t ring, uint16_t *producer, uint16_t *consumer);

/* "io", "session", "plugin", "amq", "orchestrator". */
const char *topo_kind_name(enum node_kind kind);
/* Parses a kind name; returns NODE_KIND_MAX if unknown. */
enum node_kind topo_kind_from_name(const char *name);

/* Writes the DPDK object name of a ring ("st_<producer>_<consumer>"). */
void topo_ring_name(uint16_t ring, char *buf, unsigned len);

#ifdef __cplusplus
}
#endif
#endif
