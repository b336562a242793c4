/* Builds the control API's Status and Stats messages from shared memory.
 * The messages point into the builder, which must outlive them. */
#ifndef STELLAR_ORCH_STATS_H
#define STELLAR_ORCH_STATS_H

#include "control.pb-c.h"
#include "orch.h"

struct stats_builder {
	Stellar__Control__V1__Stats stats;
	Stellar__Control__V1__Status status;
	Stellar__Control__V1__Sessions sessions;
	Stellar__Control__V1__SessionEvents session_events;
	Stellar__Control__V1__PluginState plugins[PLUGIN_MAX];
	Stellar__Control__V1__PluginState *plugin_ptrs[PLUGIN_MAX];
	Stellar__Control__V1__FilterNode filters[FILTER_MAX_NODES];
	Stellar__Control__V1__FilterNode *filter_ptrs[FILTER_MAX_NODES];
	Stellar__Control__V1__Mempool mempool;
	Stellar__Control__V1__Drop drops[DROP_REASON_MAX];
	Stellar__Control__V1__Drop *drop_ptrs[DROP_REASON_MAX];
	Stellar__Control__V1__Worker workers[TOPO_MAX_NODES];
	Stellar__Control__V1__Worker *worker_ptrs[TOPO_MAX_NODES];
	Stellar__Control__V1__Port ports[STELLAR_MAX_PORTS];
	Stellar__Control__V1__Decoder decoder;
	Stellar__Control__V1__Defrag defrag;
#define STATS_COUNTERS (DERR_MAX + ENCAP_TYPE_MAX + DEFRAG_REASON_MAX + 2 * CLOSE_REASON_MAX + PROTO_CLASS_MAX)
	Stellar__Control__V1__Counter counters[STATS_COUNTERS];
	Stellar__Control__V1__Counter *counter_ptrs[STATS_COUNTERS];
	size_t n_counters;
	Stellar__Control__V1__Port *port_ptrs[STELLAR_MAX_PORTS];
	Stellar__Control__V1__Ring rings[TOPO_MAX_RINGS];
	Stellar__Control__V1__Ring *ring_ptrs[TOPO_MAX_RINGS];
	char ring_names[TOPO_MAX_RINGS][32];
};

void orch_stats_build(struct orch *o, struct stats_builder *b);
/* The plugins' states and counters (status and stats). */
size_t orch_stats_plugins(struct orch *o, struct stats_builder *b);
void orch_status_build(struct orch *o, struct stats_builder *b);

#endif
