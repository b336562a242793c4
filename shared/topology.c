#include "topology.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	uint16_t first;
	unsigned max;
} kinds[NODE_KIND_MAX] = {
	[NODE_ORCH] = {"orchestrator", TOPO_NODE_ORCH, 1},
	[NODE_IO] = {"io", TOPO_NODE_IO0, TOPO_MAX_IO},
	[NODE_SESSION] = {"session", TOPO_NODE_SESSION0, TOPO_MAX_SHARDS},
	[NODE_PLUGIN] = {"plugin", TOPO_NODE_PLUGIN0, TOPO_MAX_PLUGIN_WORKERS},
	[NODE_AMQ] = {"amq", TOPO_NODE_AMQ0, TOPO_MAX_AMQ},
};

uint16_t topo_node_id(enum node_kind kind, unsigned index)
{
	if ((unsigned)kind >= NODE_KIND_MAX || index >= kinds[kind].max)
		return TOPO_NO_NODE;
	return (uint16_t)(kinds[kind].first + index);
}

int topo_node_kind_index(uint16_t node, enum node_kind *kind, unsigned *index)
{
	for (unsigned k = 0; k < NODE_KIND_MAX; k++) {
		if (node >= kinds[k].first && node < kinds[k].first + kinds[k].max) {
			*kind = (enum node_kind)k;
			*index = node - kinds[k].first;
			return 0;
		}
	}
	return -EINVAL;
}

uint16_t topo_ring_io_session(unsigned io, unsigned shard)
{
	return (uint16_t)(TOPO_RING_IO_SESSION0 + io * TOPO_MAX_SHARDS + shard);
}

uint16_t topo_ring_session_plugin(unsigned shard, unsigned worker)
{
	return (uint16_t)(TOPO_RING_SESSION_PLUGIN0 + shard * TOPO_MAX_PLUGIN_WORKERS + worker);
}

uint16_t topo_ring_plugin_amq(unsigned worker, unsigned amq)
{
	return (uint16_t)(TOPO_RING_PLUGIN_AMQ0 + worker * TOPO_MAX_AMQ + amq);
}

uint16_t topo_ring_amq_io(unsigned amq, unsigned io)
{
	return (uint16_t)(TOPO_RING_AMQ_IO0 + amq * TOPO_MAX_IO + io);
}

int topo_ring_ends(uint16_t ring, uint16_t *producer, uint16_t *consumer)
{
	unsigned r = ring;

	if (r < TOPO_RING_SESSION_PLUGIN0) {
		r -= TOPO_RING_IO_SESSION0;
		*producer = topo_node_id(NODE_IO, r / TOPO_MAX_SHARDS);
		*consumer = topo_node_id(NODE_SESSION, r % TOPO_MAX_SHARDS);
	} else if (r < TOPO_RING_PLUGIN_AMQ0) {
		r -= TOPO_RING_SESSION_PLUGIN0;
		*producer = topo_node_id(NODE_SESSION, r / TOPO_MAX_PLUGIN_WORKERS);
		*consumer = topo_node_id(NODE_PLUGIN, r % TOPO_MAX_PLUGIN_WORKERS);
	} else if (r < TOPO_RING_AMQ_IO0) {
		r -= TOPO_RING_PLUGIN_AMQ0;
		*producer = topo_node_id(NODE_PLUGIN, r / TOPO_MAX_AMQ);
		*consumer = topo_node_id(NODE_AMQ, r % TOPO_MAX_AMQ);
	} else if (r < TOPO_MAX_RINGS) {
		r -= TOPO_RING_AMQ_IO0;
		*producer = topo_node_id(NODE_AMQ, r / TOPO_MAX_IO);
		*consumer = topo_node_id(NODE_IO, r % TOPO_MAX_IO);
	} else {
		return -EINVAL;
	}
	return 0;
}

const char *topo_kind_name(enum node_kind kind)
{
	if ((unsigned)kind >= NODE_KIND_MAX)
		return "unknown";
	return kinds[kind].name;
}

enum node_kind topo_kind_from_name(const char *name)
{
	for (unsigned k = 0; k < NODE_KIND_MAX; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return (enum node_kind)k;
	return NODE_KIND_MAX;
}

static void node_label(uint16_t node, char *buf, unsigned len)
{
	static const char short_names[NODE_KIND_MAX][4] = {"or", "io", "ss", "pl", "aq"};
	enum node_kind kind;
	unsigned index;

	if (topo_node_kind_index(node, &kind, &index) < 0)
		snprintf(buf, len, "xx");
	else
		snprintf(buf, len, "%s%u", short_names[kind], index);
}

void topo_ring_name(uint16_t ring, char *buf, unsigned len)
{
	uint16_t producer, consumer;
	char p[8], c[8];

	if (topo_ring_ends(ring, &producer, &consumer) < 0) {
		snprintf(buf, len, "st_bad%u", ring);
		return;
	}
	node_label(producer, p, sizeof(p));
	node_label(consumer, c, sizeof(c));
	snprintf(buf, len, "st_%s_%s", p, c);
}
