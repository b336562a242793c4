// The session table: index and records, timeouts on a synthetic clock,
// eviction when full, locks, zombies, closing everything, and the repair a
// restarted stellar-session does.
#include <gtest/gtest.h>

#include <set>

#include "session_fixture.h"

using namespace sessions;

namespace {

Endpoint host(unsigned i, uint16_t port)
{
	static char names[4096][20];

	snprintf(names[i % 4096], sizeof(names[0]), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	return Endpoint{names[i % 4096], port};
}

pkt_decode udp_flow(unsigned i)
{
	return packet(17, host(i, (uint16_t)(1024 + i % 50000)), Endpoint{"192.0.2.1", 53});
}

pkt_decode syn_of(unsigned i)
{
	return tcp(host(i, (uint16_t)(1024 + i % 50000)), Endpoint{"192.0.2.1", 80}, TCP_SYN, 1000);
}

// A TCP session brought to ESTABLISHED.
uint32_t established(Shard &sh, unsigned i, uint64_t ts)
{
	Endpoint c = host(i, (uint16_t)(1024 + i % 50000)), s = {"192.0.2.2", 443};

	sh.feed(tcp(c, s, TCP_SYN, 1000), ts);
	sh.feed(tcp(s, c, TCP_SYN | TCP_ACK, 5000, 1001), ts);
	return sh.feed(tcp(c, s, TCP_ACK, 1001, 5001), ts).idx;
}

TEST(SessionTable, RejectsBadSizes)
{
	session_timeouts t;
	alignas(64) static char mem[1 << 16];

	session_timeouts_defaults(&t);
	EXPECT_EQ(session_table_init(mem, 0, &t), nullptr);
	EXPECT_EQ(session_table_init(nullptr, 10, &t), nullptr);
	EXPECT_EQ(session_table_init(mem, 1u << 30, &t), nullptr);
	EXPECT_FALSE(session_table_valid(nullptr));
}

TEST(SessionTable, MemoryPerSessionIsAtMost256Bytes)
{
	for (uint32_t n : {1u << 16, 1u << 20, 3000000u, 10000000u})
		EXPECT_LE(session_table_bytes_per_session(n), 256.0) << n;
	EXPECT_EQ(sizeof(session), 192u);
}

TEST(SessionTable, BothDirectionsFindOneRecordAndZonesSeparate)
{
	Shard sh;
	pkt_decode a = packet(17, {"10.0.0.1", 1000}, {"10.0.0.2", 53});
	pkt_decode b = packet(17, {"10.0.0.2", 53}, {"10.0.0.1", 1000});
	pkt_decode other_vlan = a;

	other_vlan.zone = 42;
	EXPECT_EQ(sh.feed(a, kSecond).idx, sh.feed(b, kSecond).idx);
	EXPECT_NE(sh.feed(other_vlan, kSecond).idx, sh.feed(a, kSecond).idx);
	EXPECT_EQ(sh.stats().created, 2u);
}

TEST(SessionTable, ManySessionsAllFoundBulkAndSingle)
{
	Shard sh(20000);
	std::vector<uint32_t> idx;

	for (unsigned i = 0; i < 20000; i++)
		idx.push_back(sh.feed(udp_flow(i), kSecond).idx);
	ASSERT_EQ(sh.stats().created, 20000u);
	ASSERT_EQ(std::set<uint32_t>(idx.begin(), idx.end()).size(), 20000u);
	for (unsigned base = 0; base < 20000; base += 32) {
		session_key keys[32];
		const session_key *kp[32];
		uint32_t hashes[32], found[32];

		for (unsigned i = 0; i < 32; i++) {
			pkt_decode d = udp_flow(base + i);
			session_key_from(&d, &keys[i]);
			kp[i] = &keys[i];
			hashes[i] = decode_flow_hash(&d);
		}
		session_lookup_bulk(sh.table(), kp, hashes, 32, found);
		for (unsigned i = 0; i < 32; i++) {
			ASSERT_EQ(found[i], idx[base + i]);
			ASSERT_EQ(session_lookup(sh.table(), &keys[i], hashes[i]), idx[base + i]);
		}
	}
}

TEST(Timeouts, UdpSessionTimesOutAfterItsIdleTimeout)
{
	Shard sh;
	uint32_t idx = sh.feed(udp_flow(1), 1000 * kSecond).idx;

	EXPECT_EQ(sh.advance(1029 * kSecond), 0u);
	EXPECT_TRUE(sh.closed.empty());
	// Traffic keeps it alive: the timer re-arms lazily.
	sh.feed(udp_flow(1), 1029 * kSecond);
	EXPECT_EQ(sh.advance(1045 * kSecond), 0u);
	EXPECT_EQ(sh.advance(1060 * kSecond), 1u);
	ASSERT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.closed[0].idx, idx);
	EXPECT_EQ(sh.closed[0].reason, CLOSE_TIMEOUT);
	EXPECT_EQ(sh.stats().closed_by_reason[CLOSE_TIMEOUT], 1u);
	EXPECT_EQ(sh.stats().active, 0u);
	// The same tuple later is a new session.
	EXPECT_EQ(sh.feed(udp_flow(1), 1070 * kSecond).events & EV_OPENING, EV_OPENING);
}

TEST(Timeouts, ConfiguredPerStateAndAShorterStateMovesTheTimerEarlier)
{
	session_timeouts t;

	session_timeouts_defaults(&t);
	t.tcp[SS_ESTABLISHED] = 500;
	t.tcp[SS_FIN_WAIT] = 20;
	Shard sh(1024, &t);
	Endpoint c = {"10.0.0.1", 1}, s = {"10.0.0.2", 2};
	uint64_t t0 = 5000 * kSecond;

	established(sh, 1, t0);
	uint32_t other = established(sh, 2, t0);
	EXPECT_EQ(sh.advance(t0 + 400 * kSecond), 0u);
	sh.feed(tcp(c, s, TCP_SYN, 1000), t0 + 400 * kSecond);
	sh.feed(tcp(s, c, TCP_SYN | TCP_ACK, 5000, 1001), t0 + 400 * kSecond);
	sh.feed(tcp(c, s, TCP_ACK, 1001, 5001), t0 + 400 * kSecond);
	sh.feed(tcp(c, s, TCP_FIN | TCP_ACK, 1001, 5001), t0 + 401 * kSecond);
	// The FIN_WAIT session goes after 20 s, long before the established ones.
	EXPECT_EQ(sh.advance(t0 + 422 * kSecond), 1u);
	EXPECT_EQ(sh.closed.back().state, SS_FIN_WAIT);
	EXPECT_EQ(sh.advance(t0 + 499 * kSecond), 0u);
	EXPECT_EQ(sh.advance(t0 + 501 * kSecond), 2u);
	EXPECT_EQ(sh.closed.back().reason, CLOSE_TIMEOUT);
	(void)other;
}

TEST(Timeouts, TimeWaitClosesWithReasonFinWhenItTimesOut)
{
	Shard sh;
	Endpoint c = {"10.0.0.1", 1}, s = {"10.0.0.2", 2};

	established(sh, 0, kSecond);
	sh.feed(tcp(c, s, TCP_SYN, 1000), kSecond);
	sh.feed(tcp(s, c, TCP_SYN | TCP_ACK, 5000, 1001), kSecond);
	sh.feed(tcp(c, s, TCP_ACK, 1001, 5001), kSecond);
	sh.feed(tcp(c, s, TCP_FIN | TCP_ACK, 1001, 5001), kSecond);
	sh.feed(tcp(s, c, TCP_FIN | TCP_ACK, 5001, 1002), kSecond);
	sh.feed(tcp(c, s, TCP_ACK, 1002, 5002), kSecond);
	EXPECT_EQ(sh.advance(200 * kSecond), 1u);
	EXPECT_EQ(sh.closed[0].reason, CLOSE_FIN);
	EXPECT_EQ(sh.stats().closed_by_reason[CLOSE_FIN], 1u);
}

TEST(Timeouts, BudgetBoundsOnePassAndTheRestFollow)
{
	Shard sh(4096);

	for (unsigned i = 0; i < 1000; i++)
		sh.feed(udp_flow(i), 10 * kSecond);
	EXPECT_EQ(sh.advance(100 * kSecond, 300), 300u);
	EXPECT_EQ(sh.advance(100 * kSecond, 300), 300u);
	EXPECT_EQ(sh.advance(100 * kSecond), 400u);
	EXPECT_EQ(sh.stats().active, 0u);
	EXPECT_EQ(sh.closed.size(), 1000u);
}

TEST(Timeouts, LongerThanTheWheelAndAJumpBeyondIt)
{
	session_timeouts t;

	session_timeouts_defaults(&t);
	t.tcp[SS_ESTABLISHED] = 10000; // more than one round of the 4096-slot wheel
	Shard sh(1024, &t);

	for (unsigned i = 0; i < 10; i++)
		established(sh, i, kSecond * (1 + i));
	EXPECT_EQ(sh.advance(9000 * kSecond), 0u);
	EXPECT_EQ(sh.advance(10005 * kSecond), 5u);
	EXPECT_EQ(sh.advance(10011 * kSecond), 5u);
	for (unsigned i = 0; i < 10; i++)
		established(sh, 100 + i, 20000 * kSecond);
	// The clock jumps two days: everything goes in one pass.
	EXPECT_EQ(sh.advance(2 * 86400 * kSecond), 10u);
}

TEST(Timeouts, ClockNeverGoesBackwards)
{
	Shard sh;

	sh.feed(udp_flow(1), 100 * kSecond);
	sh.advance(50 * kSecond);
	EXPECT_EQ(sh.table()->clock_ns, 100 * kSecond);
}

TEST(Timeouts, FailedEventIsRetriedNotLost)
{
	Shard sh;

	sh.feed(udp_flow(1), kSecond);
	sh.emit_fails = true;
	EXPECT_EQ(sh.advance(100 * kSecond), 0u);
	EXPECT_EQ(sh.stats().active, 1u);
	sh.emit_fails = false;
	EXPECT_EQ(sh.advance(102 * kSecond), 1u);
}

TEST(Locks, ALockedSessionOutlivesItsTimeoutUntilUnlocked)
{
	Shard sh;
	uint32_t idx = sh.feed(udp_flow(1), kSecond).idx;

	sh.at(idx)->lock_mask = 1u << 3;
	EXPECT_EQ(sh.advance(500 * kSecond), 0u);
	EXPECT_EQ(sh.stats().active, 1u);
	sh.at(idx)->lock_mask = 0;
	// Looked at again one timeout after it was found locked.
	EXPECT_EQ(sh.advance(700 * kSecond), 1u);
}

TEST(Eviction, FullTableEvictsTheSessionClosestToItsTimeout)
{
	Shard sh(64);

	for (unsigned i = 0; i < 63; i++)
		established(sh, i, kSecond);
	uint32_t udp = sh.feed(udp_flow(5000), 2 * kSecond).idx; // 30 s timeout: the idlest
	ASSERT_EQ(sh.stats().active, 64u);
	pkt_session ps = sh.feed(udp_flow(6000), 3 * kSecond);
	EXPECT_NE(ps.idx, SESSION_NONE);
	ASSERT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.closed[0].idx, udp);
	EXPECT_EQ(sh.closed[0].reason, CLOSE_EVICTED);
	EXPECT_EQ(sh.stats().evicted, 1u);
	EXPECT_EQ(sh.stats().active, 64u);
}

TEST(Eviction, SynFloodNeverEvictsEstablishedWhileEmbryonicExist)
{
	Shard sh(256);
	std::set<uint32_t> est;

	for (unsigned i = 0; i < 128; i++)
		est.insert(established(sh, i, kSecond));
	for (unsigned i = 0; i < 5000; i++)
		sh.feed(syn_of(100000 + i), 2 * kSecond + i * 1000);
	EXPECT_EQ(sh.stats().evicted, 5000u - 128u);
	for (const Closed &c : sh.closed) {
		EXPECT_EQ(est.count(c.idx), 0u);
		EXPECT_EQ(c.state, SS_SYN_SENT);
	}
	EXPECT_EQ(sh.stats().active_by_proto[PROTO_CLASS_TCP], 256u);
	EXPECT_EQ(sh.table()->embryonic_count, 128u);
	// Oldest first: the SYNs left are the latest ones.
	EXPECT_EQ(sh.feed(syn_of(100000 + 4999), 3 * kSecond).events & EV_OPENING, 0);
}

TEST(Eviction, LockedSessionsAreNeverEvicted)
{
	Shard sh(64);

	for (unsigned i = 0; i < 64; i++)
		sh.at(sh.feed(udp_flow(i), kSecond).idx)->lock_mask = 1;
	pkt_session ps = sh.feed(udp_flow(999), kSecond);
	EXPECT_EQ(ps.idx, SESSION_NONE);
	EXPECT_EQ(sh.stats().not_created, 1u);
	EXPECT_EQ(sh.stats().evicted, 0u);
	sh.at(0)->lock_mask = 0;
	EXPECT_NE(sh.feed(udp_flow(999), kSecond).idx, SESSION_NONE);
	EXPECT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.closed[0].idx, 0u);
}

TEST(Zombies, RecordsWaitForTheirWorkerThenAreReused)
{
	Shard sh(64);

	sh.workers_past = false;
	uint32_t idx = sh.feed(udp_flow(1), kSecond).idx;
	uint32_t gen = sh.at(idx)->generation;
	sh.advance(100 * kSecond);
	ASSERT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.stats().zombies, 1u);
	EXPECT_EQ(session_shard_reap(sh.shard(), 100), 0u);
	EXPECT_NE(session_from_handle(sh.table(), idx, gen), nullptr); // the worker may still read it
	sh.workers_past = true;
	EXPECT_EQ(session_shard_reap(sh.shard(), 100), 1u);
	EXPECT_EQ(session_from_handle(sh.table(), idx, gen), nullptr);
	EXPECT_EQ(sh.stats().zombies, 0u);
}

TEST(Zombies, WhenEveryRecordIsAZombieNewSessionsWaitAndAreCounted)
{
	Shard sh(64);
	uint32_t records = sh.table()->capacity;

	sh.workers_past = false;
	unsigned made = 0;
	for (unsigned i = 0; i < records + 10; i++) {
		if (sh.feed(udp_flow(i), kSecond).idx != SESSION_NONE)
			made++;
	}
	// Each new session past 64 evicted one; evicted ones hold records.
	EXPECT_EQ(made, records);
	EXPECT_EQ(sh.stats().not_created, 10u);
	EXPECT_EQ(sh.stats().active, 64u);
}

TEST(CloseAll, ClosesEverythingKeepingFinAndRstReasons)
{
	Shard sh;
	Endpoint c = {"10.9.0.1", 1}, s = {"10.9.0.2", 2};

	for (unsigned i = 0; i < 100; i++)
		sh.feed(udp_flow(i), kSecond);
	sh.feed(tcp(c, s, TCP_SYN, 1), kSecond);
	sh.feed(tcp(s, c, TCP_RST | TCP_ACK, 0, 2), kSecond);
	session_shard_close_all_reset(sh.shard());
	unsigned n = 0, k;
	while ((k = session_shard_close_all(sh.shard(), CLOSE_EOF, 30)) > 0) {
		EXPECT_LE(k, 30u);
		n += k;
	}
	EXPECT_TRUE(session_shard_close_all_done(sh.shard()));
	EXPECT_EQ(n, 101u);
	EXPECT_EQ(sh.stats().closed_by_reason[CLOSE_EOF], 100u);
	EXPECT_EQ(sh.stats().closed_by_reason[CLOSE_RST], 1u);
	EXPECT_EQ(sh.stats().active, 0u);
}

TEST(Repair, RebuildsIndexFreeStackTimersAndZombiesFromRecords)
{
	Shard sh(4096);
	std::vector<uint32_t> idx;

	for (unsigned i = 0; i < 1000; i++)
		idx.push_back(sh.feed(udp_flow(i), kSecond).idx);
	for (unsigned i = 0; i < 100; i++)
		sh.feed(syn_of(50000 + i), kSecond);
	sh.workers_past = false;
	session_shard_close(sh.shard(), idx[7], CLOSE_TIMEOUT); // a zombie at the crash
	session_table *t = sh.table();
	uint32_t free_before = t->free_top;
	// A writer killed half-way: the derived structures are garbage.
	memset(session_buckets(t), 0xab, (size_t)t->n_buckets * sizeof(session_bucket));
	t->free_top = 3;
	t->embryonic_head = 12345;
	t->zombie_count = 0;
	for (auto &w : t->wheel)
		w = SESSION_NONE;

	session_table_repair(t);
	EXPECT_EQ(t->free_top, free_before);
	EXPECT_EQ(t->zombie_count, 1u);
	EXPECT_EQ(t->embryonic_count, 100u);
	EXPECT_EQ(t->stats.active, 1099u);
	EXPECT_EQ(t->stats.repairs, 1u);
	for (unsigned i = 0; i < 1000; i++) {
		pkt_session ps = sh.feed(udp_flow(i), 2 * kSecond);
		EXPECT_EQ(ps.events & EV_OPENING, i == 7 ? EV_OPENING : 0) << i;
		if (i != 7) {
			EXPECT_EQ(ps.idx, idx[i]);
		}
	}
	// Timers are armed again: everything times out.
	sh.workers_past = true;
	EXPECT_EQ(sh.advance(1000 * kSecond), 1100u);
}

}  // namespace

namespace {

TEST(Zombies, AnEventLostInACrashIsSentAgain)
{
	Shard sh(64);

	sh.lose_events = true; // the item dies with a process
	uint32_t idx = sh.feed(udp_flow(1), kSecond).idx;
	sh.advance(100 * kSecond);
	ASSERT_EQ(sh.closed.size(), 1u);
	// Its worker is past the key but never handled it: sent again, kept.
	EXPECT_EQ(session_shard_reap(sh.shard(), 10), 1u);
	EXPECT_EQ(sh.closed.size(), 2u);
	EXPECT_EQ(sh.closed[1].idx, idx);
	EXPECT_GT(sh.closed[1].key, sh.closed[0].key);
	EXPECT_EQ(sh.stats().events_resent, 1u);
	EXPECT_EQ(sh.stats().zombies, 1u);
	sh.at(idx)->worker_flags |= WF_CLOSED; // this time it arrives
	EXPECT_EQ(session_shard_reap(sh.shard(), 10), 1u);
	EXPECT_EQ(sh.stats().zombies, 0u);
}

TEST(Eviction, ChoosesByRealDeadlineNotByAStaleTimerSlot)
{
	Shard sh(3);
	Endpoint c = {"10.5.0.1", 1000}, s = {"192.0.2.2", 443};

	// A connection that keeps talking: its timer slot stays where its
	// first deadline was (timers are lazy) while its real deadline moves.
	sh.feed(tcp(c, s, TCP_SYN, 1000), 1060 * kSecond);
	sh.feed(tcp(s, c, TCP_SYN | TCP_ACK, 5000, 1001), 1060 * kSecond);
	uint32_t busy = sh.feed(tcp(c, s, TCP_ACK, 1001, 5001), 1060 * kSecond).idx;
	for (uint64_t t = 1070; t <= 4650; t += 10)
		sh.feed(tcp(c, s, TCP_ACK, 1001, 5001), t * kSecond);
	// An answered UDP flow (deadline 4720) and a fresh connection (8200).
	uint32_t udp = sh.feed(udp_flow(1), 4600 * kSecond).idx;
	pkt_decode back = packet(17, Endpoint{"192.0.2.1", 53}, host(1, 1025));
	sh.feed(back, 4600 * kSecond);
	established(sh, 9, 4600 * kSecond);
	ASSERT_EQ(sh.stats().active, 3u);

	sh.feed(udp_flow(2), 4655 * kSecond);
	ASSERT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.closed[0].idx, udp);
	EXPECT_NE(sh.closed[0].idx, busy);
	EXPECT_EQ(sh.closed[0].reason, CLOSE_EVICTED);
}

TEST(Locks, ALockedSessionIsLookedAtAgainAfterAJumpBeyondTheWheel)
{
	Shard sh;
	uint32_t idx = sh.feed(udp_flow(1), kSecond).idx;

	sh.at(idx)->lock_mask = 1;
	EXPECT_EQ(sh.advance(20000 * kSecond), 0u);
	sh.at(idx)->lock_mask = 0;
	// Re-armed one timeout after the jump, not a wheel round later.
	EXPECT_EQ(sh.advance(20000 * kSecond + 31 * kSecond), 1u);
}

}  // namespace
