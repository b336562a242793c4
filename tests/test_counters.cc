// Conservation arithmetic: rx == tx + sum(dropped) over every process.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "counters.h"

namespace {

TEST(Conservation, EmptyIsBalanced)
{
	struct conservation c;

	conservation_reset(&c);
	EXPECT_TRUE(conservation_balanced(&c));
	EXPECT_EQ(conservation_in_flight(&c), 0);
}

TEST(Conservation, SumsEveryProcess)
{
	struct node_counters io, plugin, amq;
	struct conservation c;

	memset(&io, 0, sizeof(io));
	memset(&plugin, 0, sizeof(plugin));
	memset(&amq, 0, sizeof(amq));
	io.rx = 100;
	io.tx = 90;
	io.in = 95; // in/out are per-hop and must not count towards conservation
	plugin.dropped[DROP_FIREWALL] = 4;
	plugin.dropped[DROP_PLUGIN] = 1;
	amq.dropped[DROP_RATELIMIT] = 3;

	conservation_reset(&c);
	conservation_add(&c, &io);
	conservation_add(&c, &plugin);
	EXPECT_EQ(conservation_in_flight(&c), 5);
	EXPECT_FALSE(conservation_balanced(&c));
	conservation_add(&c, &amq);
	EXPECT_EQ(conservation_in_flight(&c), 2);
	EXPECT_EQ(c.dropped_total, 8u);
	EXPECT_EQ(c.dropped[DROP_FIREWALL], 4u);
	EXPECT_EQ(c.dropped[DROP_RATELIMIT], 3u);

	amq.dropped[DROP_AQM] = 2;
	conservation_reset(&c);
	conservation_add(&c, &io);
	conservation_add(&c, &plugin);
	conservation_add(&c, &amq);
	EXPECT_TRUE(conservation_balanced(&c));
}

TEST(Conservation, DoubleCountingShowsAsNegativeInFlight)
{
	struct node_counters n;
	struct conservation c;

	memset(&n, 0, sizeof(n));
	n.rx = 10;
	n.tx = 10;
	n.dropped[DROP_WORKER_CRASH] = 1;
	conservation_reset(&c);
	conservation_add(&c, &n);
	EXPECT_EQ(conservation_in_flight(&c), -1);
	EXPECT_FALSE(conservation_balanced(&c));
}

TEST(Conservation, ReasonNamesAreStableAndUnique)
{
	std::set<std::string> names;

	for (unsigned r = 0; r < DROP_REASON_MAX; r++) {
		std::string n = drop_reason_name((enum drop_reason)r);
		EXPECT_NE(n, "unknown");
		EXPECT_TRUE(names.insert(n).second) << n;
	}
	// Names the architecture document promises.
	for (const char *n : {"firewall", "plugin", "ratelimit", "aqm", "parse_error", "no_buffer",
			      "ring_full", "worker_crash"})
		EXPECT_EQ(names.count(n), 1u) << n;
	EXPECT_STREQ(drop_reason_name(DROP_REASON_MAX), "unknown");
}

TEST(Counters, AddIsVisibleToReaders)
{
	uint64_t c = 0;

	counter_add(&c, 3);
	counter_add(&c, 4);
	EXPECT_EQ(counter_read(&c), 7u);
}

}  // namespace
