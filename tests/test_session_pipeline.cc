// The session manager inside the running pipeline: a full table under a
// SYN flood, several shards feeding several plugin workers, and sessions
// restored after stellar-session is killed.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "decode.h"
#include "harness.h"

using harness::Instance;
using harness::Packet;

namespace {

const char kConversation[] = "zeek__tls__chrome-34-google.pcap"; // one TCP session, 42 frames
const char kFlood[] = "sv__firewall__tcp-session-syn-flood-drop-precedence__input-part1.pcap"; // 100 SYNs

std::string config(const std::string &name, const std::string &session, unsigned shards = 1,
		   unsigned workers = 2)
{
	return "instance: " + name + "\n"
	       "ports:\n"
	       "  - {name: p0, type: pcap, rx_pcap: in.pcap, tx_pcap: out.pcap}\n"
	       "pipeline: {plugin_workers: " + std::to_string(workers) + ", session_shards: " +
	       std::to_string(shards) + "}\n" + session;
}

json_t *run_until_eof(Instance &inst)
{
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	if (inst.wait(60000) != 0) {
		ADD_FAILURE() << inst.log();
		return nullptr;
	}
	return harness::load_json(inst.path("stats.json"));
}

// Frames re-timed 1 ms apart, so no session times out in between.
void retime(std::vector<Packet> &pkts, uint64_t start)
{
	for (size_t i = 0; i < pkts.size(); i++)
		pkts[i].ts_ns = start + i * 1000000ull;
}

// An Ethernet/IPv4/UDP frame from 10.<i>:<port> to 192.0.2.1:53.
Packet udp_frame(uint32_t i, uint64_t ts)
{
	uint8_t f[14 + 20 + 8 + 4] = {0};

	f[12] = 0x08;                             // IPv4
	f[14] = 0x45;
	f[17] = sizeof(f) - 14;                   // total length
	f[22] = 64;
	f[23] = 17;                               // UDP
	f[26] = 10, f[27] = (uint8_t)(i >> 16), f[28] = (uint8_t)(i >> 8), f[29] = (uint8_t)i;
	f[30] = 192, f[31] = 0, f[32] = 2, f[33] = 1;
	f[34] = 0x80, f[35] = (uint8_t)(i & 0x3f); // source port
	f[37] = 53;
	f[39] = 12;                               // UDP length
	return Packet{ts, (uint32_t)sizeof(f), std::string(reinterpret_cast<char *>(f), sizeof(f))};
}

unsigned shard_of(const Packet &p, unsigned shards)
{
	decode_config cfg;
	pkt_decode d;

	decode_config_defaults(&cfg);
	decode_packet(reinterpret_cast<const uint8_t *>(p.bytes.data()), (uint32_t)p.bytes.size(), p.wire_len, &cfg, &d);
	return flow_hash_reduce(decode_flow_hash(&d), shards);
}

// Every session that opened reached a plugin worker as one closing event.
void expect_every_close_delivered(json_t *stats, uint64_t created)
{
	EXPECT_EQ(harness::json_u64(stats, "sessions.created"), created);
	EXPECT_EQ(harness::json_u64(stats, "sessions.closed"), created);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.closing"), created);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.stale"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.zombies"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"), harness::json_u64(stats, "packets.tx"));
}

TEST(SessionsInPipeline, MassTimeoutThroughSmallRings)
{
	Instance inst("masstimeout");
	std::vector<Packet> in;
	const uint64_t t0 = 1700000000ull * 1000000000ull;

	// 20000 flows, then an hour later 300 more: the first 20000 time out
	// all at once, their events squeezed through 64-entry rings.
	for (uint32_t i = 0; i < 20000; i++)
		in.push_back(udp_frame(i, t0 + i * 1000ull));
	for (uint32_t i = 0; i < 300; i++)
		in.push_back(udp_frame(100000 + i, t0 + 3600ull * 1000000000ull + i * 1000ull));
	harness::write_pcap(inst.path("in.pcap"), in);
	inst.write_config("instance: masstimeout\n"
			  "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, tx_pcap: out.pcap}\n"
			  "pipeline: {plugin_workers: 1, ring_size: 64}\n");
	json_t *stats = run_until_eof(inst);
	ASSERT_NE(stats, nullptr);
	expect_every_close_delivered(stats, 20300);
	EXPECT_EQ(harness::json_u64(stats, "sessions.closed_by_reason.timeout"), 20000u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.repairs"), 0u) << inst.log();
	json_decref(stats);
}

TEST(SessionsInPipeline, UnevenShardsCloseEverythingAtTheEnd)
{
	Instance inst("uneven");
	std::vector<Packet> in;
	unsigned on[2] = {0, 0};

	// Many more sessions on one shard than the other: each closes its own
	// in the same gap of order keys, the busier one needing several items.
	for (uint32_t i = 0; on[0] < 600 || on[1] < 50; i++) {
		Packet p = udp_frame(i, 1700000000ull * 1000000000ull + i * 1000ull);
		unsigned s = shard_of(p, 2);
		if (on[s] < (s == 0 ? 600u : 50u)) {
			on[s]++;
			in.push_back(p);
		}
	}
	harness::write_pcap(inst.path("in.pcap"), in);
	inst.write_config(config(inst.name(), "", 2, 2));
	json_t *stats = run_until_eof(inst);
	ASSERT_NE(stats, nullptr);
	expect_every_close_delivered(stats, 650);
	EXPECT_EQ(inst.log().find("timed out"), std::string::npos) << inst.log();
	json_decref(stats);
}

TEST(SessionsInPipeline, SynFloodEvictsOnlyEmbryonicSessions)
{
	Instance inst("synflood");
	std::vector<Packet> conv = harness::read_pcap(harness::data_file(kConversation));
	std::vector<Packet> flood = harness::read_pcap(harness::data_file(kFlood));
	ASSERT_EQ(flood.size(), 100u);
	// The connection is established, the flood fills the table, then the
	// connection carries on: had it been evicted, its remaining frames
	// would open a new session picked up mid-stream.
	std::vector<Packet> mix(conv.begin(), conv.begin() + 10);
	mix.insert(mix.end(), flood.begin(), flood.end());
	mix.insert(mix.end(), conv.begin() + 10, conv.end());
	retime(mix, conv[0].ts_ns);
	harness::write_pcap(inst.path("in.pcap"), mix);
	inst.write_config(config(inst.name(), "session: {max_sessions: 64}\n"));

	json_t *stats = run_until_eof(inst);
	ASSERT_NE(stats, nullptr);
	EXPECT_EQ(harness::json_u64(stats, "packets.tx"), mix.size());
	EXPECT_EQ(harness::json_u64(stats, "sessions.created"), 101u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.midstream"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.evicted"), 101u - 64u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.closed_by_reason.evicted"), 37u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.closing_by_reason.evicted"), 37u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.not_created"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.closing"), 101u);
	json_decref(stats);
}

TEST(SessionsInPipeline, ShardsAndWorkersAgreeOnEverySession)
{
	Instance inst("shards");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	inst.write_config(config(inst.name(), "", 2, 2));

	json_t *stats = run_until_eof(inst);
	ASSERT_NE(stats, nullptr);
	json_t *expected = harness::load_json(harness::data_file("zeek__wikipedia.pcap.expected.json"));
	uint64_t tuples = json_array_size(json_object_get(expected, "sessions"));
	EXPECT_EQ(harness::json_u64(stats, "sessions.created"), tuples);
	EXPECT_EQ(harness::json_u64(stats, "sessions.by_proto.tcp"),
		  (uint64_t)json_integer_value(json_object_get(expected, "tcp_sessions")));
	EXPECT_EQ(harness::json_u64(stats, "sessions.by_proto.udp"),
		  (uint64_t)json_integer_value(json_object_get(expected, "udp_sessions")));
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.opening"), tuples);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.closing"), tuples);
	EXPECT_EQ(harness::json_u64(stats, "sessions.closed_by_reason.eof"), tuples);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.stale"), 0u);
	// Both shards made sessions (the flow hash spreads them).
	size_t i;
	json_t *w;
	unsigned busy_shards = 0;
	json_array_foreach(json_object_get(stats, "workers"), i, w)
		if (std::string(json_string_value(json_object_get(w, "kind"))) == "session" &&
		    json_integer_value(json_object_get(w, "packets")) > 0)
			busy_shards++;
	EXPECT_EQ(busy_shards, 2u);
	json_decref(expected);
	json_decref(stats);
}

TEST(SessionsInPipeline, KilledSessionProcessKeepsItsTable)
{
	Instance inst("sesskill");
	std::vector<Packet> conv = harness::read_pcap(harness::data_file(kConversation));
	retime(conv, conv[0].ts_ns);
	harness::write_pcap(inst.path("in.pcap"), conv);
	// Paced so that the kill lands mid-connection.
	inst.write_config("instance: sesskill\n"
			  "ports:\n"
			  "  - {name: p0, type: pcap, rx_pcap: in.pcap, tx_pcap: out.pcap, pace: \"pps:20\"}\n"
			  "pipeline: {plugin_workers: 1}\n");
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(800));
	json_t *status = inst.status();
	ASSERT_NE(status, nullptr);
	pid_t victim = 0;
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(status, "workers"), i, w)
		if (std::string(json_string_value(json_object_get(w, "kind"))) == "session")
			victim = (pid_t)json_integer_value(json_object_get(w, "pid"));
	json_decref(status);
	ASSERT_GT(victim, 0);
	kill(victim, SIGKILL);
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	// The successor repaired the table and went on with the same session:
	// no second session, none picked up mid-stream.
	EXPECT_EQ(harness::json_u64(stats, "sessions.repairs"), 1u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.created"), 1u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.midstream"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.closed"), 1u);
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"),
		  harness::json_u64(stats, "packets.tx") + harness::json_u64(stats, "packets.dropped_total"));
	EXPECT_NE(inst.log().find("repaired the session table after a restart"), std::string::npos);
	json_decref(stats);
}

TEST(SessionsInPipeline, BadSessionConfigIsRejectedWithItsLine)
{
	Instance inst("badsess");
	inst.copy_capture(kConversation, "in.pcap");
	inst.write_config(config(inst.name(), "session:\n  max_sessions: 64\n  timeouts: {tcp_establshed: 10}\n"));
	harness::CommandResult r =
		harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find(":7: session.timeouts.tcp_establshed: unknown key"), std::string::npos) << r.err;
	inst.write_config(config(inst.name(), "session: {max_sessions: 3}\n"));
	r = harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find("session.max_sessions"), std::string::npos) << r.err;
}

}  // namespace
