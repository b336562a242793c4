// Node and ring ids: every process derives the same names from the same ids.
#include <gtest/gtest.h>

#include <rte_ring.h>

#include <set>
#include <string>

#include "topology.h"

namespace {

TEST(Topology, OutOfRangeIsRejected)
{
	enum node_kind kind;
	unsigned index;

	EXPECT_EQ(topo_node_id(NODE_PLUGIN, TOPO_MAX_PLUGIN_WORKERS), TOPO_NO_NODE);
	EXPECT_EQ(topo_node_id(NODE_KIND_MAX, 0), TOPO_NO_NODE);
	EXPECT_LT(topo_node_kind_index(TOPO_MAX_NODES, &kind, &index), 0);
	uint16_t p, c;
	EXPECT_LT(topo_ring_ends(TOPO_MAX_RINGS, &p, &c), 0);
	EXPECT_EQ(topo_kind_from_name("router"), NODE_KIND_MAX);
}

TEST(Topology, NodeIdsRoundTripAndAreDistinctLcores)
{
	std::set<uint16_t> ids;

	for (unsigned k = 0; k < NODE_KIND_MAX; k++) {
		for (unsigned i = 0;; i++) {
			uint16_t id = topo_node_id((enum node_kind)k, i);
			enum node_kind kind;
			unsigned index;

			if (id == TOPO_NO_NODE)
				break;
			ASSERT_EQ(topo_node_kind_index(id, &kind, &index), 0);
			EXPECT_EQ(kind, (enum node_kind)k);
			EXPECT_EQ(index, i);
			EXPECT_TRUE(ids.insert(id).second);
			EXPECT_LT(id, RTE_MAX_LCORE); // node id doubles as lcore id
		}
		EXPECT_EQ(topo_kind_from_name(topo_kind_name((enum node_kind)k)), (enum node_kind)k);
	}
	EXPECT_EQ(ids.size(), (size_t)TOPO_MAX_NODES);
}

TEST(Topology, RingsConnectTheRightNodesWithUniqueNames)
{
	std::set<std::string> names;

	for (uint16_t r = 0; r < TOPO_MAX_RINGS; r++) {
		uint16_t p, c;
		char name[64];

		ASSERT_EQ(topo_ring_ends(r, &p, &c), 0);
		topo_ring_name(r, name, sizeof(name));
		EXPECT_LT(strlen(name), (size_t)RTE_RING_NAMESIZE);
		EXPECT_TRUE(names.insert(name).second) << name;
	}
	uint16_t p, c;
	ASSERT_EQ(topo_ring_ends(topo_ring_session_plugin(1, 5), &p, &c), 0);
	EXPECT_EQ(p, topo_node_id(NODE_SESSION, 1));
	EXPECT_EQ(c, topo_node_id(NODE_PLUGIN, 5));
	ASSERT_EQ(topo_ring_ends(topo_ring_amq_io(0, 0), &p, &c), 0);
	EXPECT_EQ(p, topo_node_id(NODE_AMQ, 0));
	EXPECT_EQ(c, topo_node_id(NODE_IO, 0));
	ASSERT_EQ(topo_ring_ends(topo_ring_plugin_amq(3, 0), &p, &c), 0);
	EXPECT_EQ(p, topo_node_id(NODE_PLUGIN, 3));
	char name[64];
	topo_ring_name(topo_ring_io_session(0, 2), name, sizeof(name));
	EXPECT_STREQ(name, "st_io0_ss2");
}

}  // namespace
