// The ordered merge and the watermark rules it relies on, on real rte_rings
// (initialised in plain memory) and fake mbufs carrying order keys.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "mbuf_meta.h"
#include "stage_merge.h"
#include "stage_progress.h"

namespace {

class MergeTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		graph_ = static_cast<progress_graph *>(aligned_alloc(64, sizeof(progress_graph)));
		memset(graph_, 0, sizeof(*graph_));
		io_ = topo_node_id(NODE_IO, 0);
		shard_ = topo_node_id(NODE_SESSION, 0);
		p0_ = topo_node_id(NODE_PLUGIN, 0);
		p1_ = topo_node_id(NODE_PLUGIN, 1);
		amq_ = topo_node_id(NODE_AMQ, 0);
		graph_->node[io_].is_source = 1;
		link(topo_ring_io_session(0, 0), shard_);
		link(topo_ring_session_plugin(0, 0), p0_);
		link(topo_ring_session_plugin(0, 1), p1_);
		link(topo_ring_plugin_amq(0, 0), amq_);
		link(topo_ring_plugin_amq(1, 0), amq_);
		// Everyone running (odd epoch) unless a test parks them.
		for (uint16_t n : {io_, shard_, p0_, p1_, amq_})
			graph_->node[n].epoch = 1;
		stage_merge_init(&merge_, graph_, amq_);
		ASSERT_EQ(stage_merge_add_input(&merge_, topo_ring_plugin_amq(0, 0)), 0);
		ASSERT_EQ(stage_merge_add_input(&merge_, topo_ring_plugin_amq(1, 0)), 0);
	}
	void TearDown() override
	{
		for (void *p : allocations_)
			free(p);
		free(graph_);
	}

	void link(uint16_t ring_id, uint16_t consumer)
	{
		ssize_t size = rte_ring_get_memsize(64);
		auto *r = static_cast<rte_ring *>(aligned_alloc(64, (size_t)size));
		allocations_.push_back(r);
		ASSERT_EQ(rte_ring_init(r, "t", 64, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
		graph_->ring[ring_id] = r;
		order_inputs &in = graph_->inputs[consumer];
		in.ring[in.n++] = ring_id;
	}
	rte_mbuf *mbuf(uint64_t key)
	{
		size_t size = sizeof(rte_mbuf) + PKT_META_SIZE;
		auto *m = static_cast<rte_mbuf *>(aligned_alloc(64, (size + 63) & ~size_t(63)));
		allocations_.push_back(m);
		memset(m, 0, size);
		pkt_meta(m)->key = key;
		return m;
	}
	void put(uint16_t ring_id, std::initializer_list<uint64_t> keys)
	{
		for (uint64_t k : keys)
			ASSERT_EQ(rte_ring_sp_enqueue(graph_->ring[ring_id], mbuf(k)), 0);
	}
	std::vector<uint64_t> pull(unsigned max = 64)
	{
		rte_mbuf *out[64];
		unsigned n = stage_merge_pull(&merge_, out, max);
		std::vector<uint64_t> keys;
		for (unsigned i = 0; i < n; i++) {
			EXPECT_EQ(pkt_meta(out[i])->owner, amq_);
			keys.push_back(pkt_key(out[i]));
		}
		return keys;
	}
	uint16_t a() const { return topo_ring_plugin_amq(0, 0); }
	uint16_t b() const { return topo_ring_plugin_amq(1, 0); }

	progress_graph *graph_;
	stage_merge merge_;
	uint16_t io_, shard_, p0_, p1_, amq_;
	std::vector<void *> allocations_;
};

using Keys = std::vector<uint64_t>;

TEST_F(MergeTest, NothingToPull)
{
	EXPECT_TRUE(pull().empty());
	EXPECT_TRUE(stage_merge_idle(&merge_));
	EXPECT_FALSE(stage_merge_rings_pending(&merge_));
}

TEST_F(MergeTest, InterleavesInKeyOrder)
{
	put(a(), {1, 3, 5});
	put(b(), {2, 4, 6});
	graph_->node[p0_].wm = 5;
	graph_->node[p1_].wm = 6;
	// 6 must wait: the first producer has only promised up to 5.
	EXPECT_EQ(pull(), (Keys{1, 2, 3, 4, 5}));
	EXPECT_EQ(stage_merge_frontier(&merge_), 5u);
	graph_->node[p0_].wm = 9;
	EXPECT_EQ(pull(), (Keys{6}));
	EXPECT_EQ(merge_.taken, 6u);
}

TEST_F(MergeTest, WaitsForASilentProducerThatMayStillSendSomethingEarlier)
{
	put(a(), {10, 30});
	graph_->node[p0_].wm = 30;
	graph_->node[p1_].wm = 5; // running, and has only promised up to 5
	EXPECT_TRUE(pull().empty());
	EXPECT_FALSE(stage_merge_idle(&merge_));
	EXPECT_EQ(stage_merge_frontier(&merge_), 5u);

	graph_->node[p1_].wm = 20;
	EXPECT_EQ(pull(), (Keys{10}));
	put(b(), {25});
	EXPECT_EQ(pull(), (Keys{25}));
	graph_->node[p1_].wm = 40;
	EXPECT_EQ(pull(), (Keys{30}));
	EXPECT_TRUE(stage_merge_idle(&merge_));
}

TEST_F(MergeTest, ParkedProducerIsVouchedForByItsUpstream)
{
	put(a(), {10, 30});
	graph_->node[p1_].epoch = 2; // parked: holds nothing, inputs were empty
	graph_->node[p1_].wm = 0;
	graph_->node[shard_].wm = 20; // the shard has emitted everything up to 20
	EXPECT_EQ(pull(), (Keys{10}));
	graph_->node[shard_].wm = 35;
	EXPECT_EQ(pull(), (Keys{30}));
}

TEST_F(MergeTest, ParkedProducerWithPendingInputIsNotVouchedFor)
{
	put(a(), {10});
	graph_->node[p1_].epoch = 2;
	graph_->node[shard_].wm = 20;
	put(topo_ring_session_plugin(0, 1), {7}); // p1 has work it has not seen yet
	EXPECT_TRUE(pull().empty());
}

TEST_F(MergeTest, EffectiveWatermarkFollowsTheChainToTheSource)
{
	graph_->node[io_].wm = 100;
	graph_->node[io_].epoch = 2; // a source's own word is all there is
	EXPECT_EQ(progress_effective_wm(graph_, io_, PROGRESS_MAX_DEPTH), 100u);
	graph_->node[shard_].epoch = 2;
	graph_->node[p1_].epoch = 2;
	EXPECT_EQ(progress_effective_wm(graph_, p1_, PROGRESS_MAX_DEPTH), 100u);
	EXPECT_EQ(progress_effective_wm(graph_, p1_, 0), 0u);
	graph_->node[shard_].epoch = 3; // running again: only its published wm counts
	graph_->node[shard_].wm = 60;
	EXPECT_EQ(progress_effective_wm(graph_, p1_, PROGRESS_MAX_DEPTH), 60u);
}

TEST_F(MergeTest, SingleInputPassesEverythingThrough)
{
	stage_merge single;
	rte_mbuf *out[8];

	stage_merge_init(&single, graph_, p0_);
	ASSERT_EQ(stage_merge_add_input(&single, topo_ring_session_plugin(0, 0)), 0);
	put(topo_ring_session_plugin(0, 0), {4, 8, 9});
	ASSERT_EQ(stage_merge_pull(&single, out, 8), 3u);
	EXPECT_EQ(pkt_key(out[2]), 9u);
	EXPECT_EQ(stage_merge_frontier(&single), 9u);
	EXPECT_EQ(graph_->node[p0_].epoch & 1, 1u); // taking input unparks
}

TEST_F(MergeTest, DrainReleasesOnlyWhatPrecedesTheLeftovers)
{
	put(a(), {10, 20});
	put(b(), {15});
	graph_->node[p0_].wm = 20;
	graph_->node[p1_].wm = 15;
	EXPECT_EQ(pull(1), (Keys{10})); // stages 20 and 15, releases 10
	stage_merge_begin_drain(&merge_);
	EXPECT_EQ(merge_.limit, 20u);
	put(a(), {40});
	put(b(), {18, 50});
	EXPECT_FALSE(stage_merge_drained(&merge_));
	EXPECT_EQ(pull(), (Keys{15, 18, 20}));
	EXPECT_TRUE(stage_merge_drained(&merge_));
	// What is left is for a successor, and all of it comes later.
	EXPECT_EQ(rte_ring_count(graph_->ring[a()]), 1u);
	EXPECT_EQ(rte_ring_count(graph_->ring[b()]), 1u);
}

TEST_F(MergeTest, AddInputRejectsUnknownRings)
{
	stage_merge m;

	stage_merge_init(&m, graph_, amq_);
	EXPECT_LT(stage_merge_add_input(&m, TOPO_MAX_RINGS), 0);
	EXPECT_LT(stage_merge_add_input(&m, topo_ring_amq_io(0, 0)), 0); // not created here
}

}  // namespace
