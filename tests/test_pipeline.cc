// End-to-end: the real orchestrator and workers on real captures.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "decode.h"
#include "harness.h"

using harness::Instance;
using harness::Packet;

namespace {

std::string pcap_config(const std::string &instance, const std::string &extra_port = "",
			const std::string &extra = "")
{
	return "instance: " + instance + "\n"
	       "ports:\n"
	       "  - name: p0\n"
	       "    type: pcap\n"
	       "    rx_pcap: in.pcap\n"
	       "    tx_pcap: out.pcap\n" + extra_port +
	       "pipeline:\n"
	       "  plugin_workers: 2\n"
	       "plugins: []\n" + extra;
}

json_t *worker(json_t *stats, const std::string &kind, unsigned index)
{
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(stats, "workers"), i, w)
		if (kind == json_string_value(json_object_get(w, "kind")) &&
		    json_integer_value(json_object_get(w, "index")) == (json_int_t)index)
			return w;
	return nullptr;
}

std::vector<pid_t> worker_pids(json_t *stats)
{
	std::vector<pid_t> pids;
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(stats, "workers"), i, w)
		pids.push_back((pid_t)json_integer_value(json_object_get(w, "pid")));
	return pids;
}

void expect_conservation(json_t *stats)
{
	uint64_t rx = harness::json_u64(stats, "packets.rx");
	uint64_t tx = harness::json_u64(stats, "packets.tx");
	uint64_t total = harness::json_u64(stats, "packets.dropped_total"), sum = 0;
	const char *reason;
	json_t *v;

	json_object_foreach(json_object_get(json_object_get(stats, "packets"), "dropped"), reason, v)
		sum += (uint64_t)json_integer_value(v);
	EXPECT_EQ(sum, total);
	EXPECT_EQ(rx, tx + total) << "rx must equal tx + sum(dropped)";
	EXPECT_EQ(harness::json_u64(stats, "packets.in_flight"), 0u);
}

void expect_nothing_left(Instance &inst, json_t *stats)
{
	for (pid_t pid : worker_pids(stats))
		EXPECT_FALSE(pid > 0 && harness::process_alive(pid)) << "worker " << pid << " survived";
	EXPECT_TRUE(harness::hugepage_files("stellar_" + inst.name()).empty());
	struct stat st;
	EXPECT_NE(stat(("/run/stellar/" + inst.name()).c_str(), &st), 0);
	EXPECT_EQ(harness::json_u64(stats, "mempool.in_use"), harness::json_u64(stats, "mempool.baseline"));
}

// `sub` appears in `full` in the same order, packet for packet.
bool is_ordered_subset(const std::vector<Packet> &sub, const std::vector<Packet> &full)
{
	size_t j = 0;

	for (const Packet &p : sub) {
		while (j < full.size() && full[j].bytes != p.bytes)
			j++;
		if (j == full.size())
			return false;
		j++;
	}
	return true;
}

// Which datagram a frame is a fragment of ("" for a whole packet).
std::string datagram_of(const Packet &p)
{
	struct decode_config cfg;
	struct pkt_decode d;

	decode_config_defaults(&cfg);
	decode_packet(reinterpret_cast<const uint8_t *>(p.bytes.data()), (uint32_t)p.bytes.size(), p.wire_len,
		      &cfg, &d);
	if (!(d.frag & FRAG_IS_FRAGMENT) || d.status == DECODE_MALFORMED)
		return "";
	return std::string(reinterpret_cast<const char *>(d.src), 16) +
	       std::string(reinterpret_cast<const char *>(d.dst), 16) + std::to_string(d.frag_id) + "/" +
	       std::to_string(d.ip_version);
}

// The box forwards every frame as received. Fragments wait until their
// datagram is complete (or given up), so they may leave after frames that
// arrived later; every other frame, and the fragments of each datagram among
// themselves, keep their order.
void expect_same_frames_in_order(const std::vector<Packet> &in, const std::vector<Packet> &out)
{
	ASSERT_EQ(out.size(), in.size());
	std::map<std::string, std::vector<std::string>> seq_in, seq_out;
	std::multiset<std::string> all_in, all_out;

	for (const Packet &p : in) {
		seq_in[datagram_of(p)].push_back(p.bytes);
		all_in.insert(p.bytes);
	}
	for (const Packet &p : out) {
		seq_out[datagram_of(p)].push_back(p.bytes);
		all_out.insert(p.bytes);
	}
	EXPECT_TRUE(all_in == all_out) << "the same frames, byte for byte";
	for (auto &kv : seq_in)
		EXPECT_TRUE(seq_out[kv.first] == kv.second)
			<< (kv.first.empty() ? "whole packets" : "a datagram's fragments") << " changed order";
	if (seq_in.size() == 1) { // nothing fragmented: the file is unchanged
		for (size_t i = 0; i < in.size(); i++) {
			ASSERT_EQ(out[i].bytes, in[i].bytes) << "packet " << i;
			ASSERT_EQ(out[i].ts_ns / 1000, in[i].ts_ns / 1000) << "packet " << i;
		}
	}
}

// The pipeline's sessions are what the table makes of the capture offline
// (stellar-decode's session pass, itself checked against tshark), and every
// session the shards opened and closed reached a plugin worker as an
// opening and a closing event, timeouts included.
void expect_sessions_match_table_pass(json_t *stats, const std::string &capture)
{
	harness::CommandResult r =
		harness::run_command({harness::build_dir() + "/stellar-decode", harness::data_file(capture)});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	json_t *offline = json_object_get(json_loads(r.out.c_str(), 0, nullptr), "session_table");
	ASSERT_NE(offline, nullptr);
	uint64_t created = harness::json_u64(stats, "sessions.created");

	EXPECT_EQ(created, (uint64_t)json_integer_value(json_object_get(offline, "created")));
	EXPECT_EQ(harness::json_u64(stats, "sessions.closed"), created);
	EXPECT_EQ(harness::json_u64(stats, "sessions.active"), 0u);
	for (const char *reason : {"fin", "rst", "timeout", "eof", "evicted"}) {
		std::string path = std::string("sessions.closed_by_reason.") + reason;
		EXPECT_EQ(harness::json_u64(stats, path.c_str()),
			  (uint64_t)json_integer_value(json_object_get(json_object_get(offline, "closed"), reason)))
			<< reason;
		EXPECT_EQ(harness::json_u64(stats, (std::string("sessions.events.closing_by_reason.") + reason).c_str()),
			  harness::json_u64(stats, path.c_str()))
			<< reason;
	}
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.opening"), created);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.closing"), created);
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.stale"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "sessions.zombies"), 0u);
}

class CaptureThroughPipeline : public ::testing::TestWithParam<std::string> {};

TEST_P(CaptureThroughPipeline, ForwardsEveryPacketUnchangedAndInOrder)
{
	static int n;
	Instance inst("cap" + std::to_string(n++));
	inst.copy_capture(GetParam(), "in.pcap");
	inst.write_config(pcap_config(inst.name()));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	std::vector<Packet> in = harness::read_pcap(inst.path("in.pcap"));
	std::vector<Packet> out = harness::read_pcap(inst.path("out.pcap"));
	expect_same_frames_in_order(in, out);

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"), in.size());
	EXPECT_EQ(harness::json_u64(stats, "packets.tx"), in.size());
	expect_conservation(stats);
	// Every kind of process ran and saw every item (a reassembled datagram
	// is one item for several frames).
	uint64_t plugin_packets = 0;
	uint64_t items = in.size() - harness::json_u64(stats, "decoder.defrag.absorbed");
	for (const char *kind : {"io", "session", "plugin", "amq"})
		ASSERT_NE(worker(stats, kind, 0), nullptr) << kind;
	for (unsigned i = 0; i < 2; i++) {
		json_t *w = worker(stats, "plugin", i);
		ASSERT_NE(w, nullptr);
		EXPECT_GT(json_integer_value(json_object_get(w, "pid")), 0);
		plugin_packets += (uint64_t)json_integer_value(json_object_get(w, "packets"));
	}
	EXPECT_EQ(plugin_packets, items);
	for (const char *kind : {"io", "session", "amq"}) {
		json_t *w = worker(stats, kind, 0);
		EXPECT_GT(json_integer_value(json_object_get(w, "pid")), 0) << kind;
		EXPECT_EQ((uint64_t)json_integer_value(json_object_get(w, "packets")),
			  std::string(kind) == "io" ? in.size() : items) << kind;
	}
	expect_sessions_match_table_pass(stats, GetParam());
	expect_nothing_left(inst, stats);
	json_decref(stats);
}

INSTANTIATE_TEST_SUITE_P(AllTestCaptures, CaptureThroughPipeline, ::testing::ValuesIn(harness::captures()),
			 [](const ::testing::TestParamInfo<std::string> &info) {
				 return harness::capture_test_name(info.param);
			 });

// A capture paced so that the run lasts a few seconds.
const char *kLongCapture = "sv__base64-decode-5885__input.pcap";

class KilledWorker : public ::testing::TestWithParam<std::string> {};

TEST_P(KilledWorker, IsRestartedAndOnlyWhatItHeldIsLostAndCounted)
{
	const std::string kind = GetParam();
	Instance inst("kill-" + kind);
	inst.copy_capture(kLongCapture, "in.pcap");
	inst.write_config(pcap_config(inst.name(), "    pace: \"pps:500\"\n"));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(700));

	json_t *status = inst.status();
	ASSERT_NE(status, nullptr);
	json_t *w = worker(status, kind, 0);
	ASSERT_NE(w, nullptr);
	pid_t victim = (pid_t)json_integer_value(json_object_get(w, "pid"));
	json_decref(status);
	ASSERT_EQ(kill(victim, SIGKILL), 0);

	// The orchestrator notices and starts a successor on its own.
	bool restarted = false;
	for (int i = 0; i < 100 && !restarted; i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		json_t *s = inst.status();
		if (!s)
			continue;
		json_t *now = worker(s, kind, 0);
		restarted = json_integer_value(json_object_get(now, "restarts")) == 1 &&
			    json_integer_value(json_object_get(now, "pid")) != victim &&
			    std::string(json_string_value(json_object_get(now, "state"))) == "running";
		json_decref(s);
	}
	EXPECT_TRUE(restarted) << inst.log();
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	std::vector<Packet> in = harness::read_pcap(inst.path("in.pcap"));
	std::vector<Packet> out = harness::read_pcap(inst.path("out.pcap"));
	uint64_t lost = harness::json_u64(stats, "packets.dropped.worker_crash");
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"), in.size()) << "the capture is read exactly once";
	EXPECT_EQ(harness::json_u64(stats, "packets.tx"), out.size());
	EXPECT_EQ(harness::json_u64(stats, "packets.dropped_total"), lost);
	EXPECT_LE(lost, 64u) << "at most the burst the worker held";
	expect_conservation(stats);
	EXPECT_TRUE(is_ordered_subset(out, in)) << "what was sent is the input, in order, minus the loss";
	EXPECT_EQ(json_integer_value(json_object_get(worker(stats, kind, 0), "restarts")), 1);
	expect_nothing_left(inst, stats);
	json_decref(stats);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, KilledWorker, ::testing::Values("plugin", "session", "amq", "io"));

void stop_mid_run(const std::string &name, const std::function<void(Instance &)> &stop)
{
	Instance inst(name);
	inst.copy_capture(kLongCapture, "in.pcap");
	inst.write_config(pcap_config(inst.name(), "    pace: \"pps:400\"\n"));
	inst.start({"--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(500));
	stop(inst);
	ASSERT_EQ(inst.wait(20000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	std::vector<Packet> in = harness::read_pcap(inst.path("in.pcap"));
	std::vector<Packet> out = harness::read_pcap(inst.path("out.pcap"));
	uint64_t rx = harness::json_u64(stats, "packets.rx");
	EXPECT_GT(rx, 0u);
	EXPECT_LT(rx, in.size()) << "stopped before the end of the capture";
	EXPECT_EQ(harness::json_u64(stats, "packets.dropped_total"), 0u) << "a drain loses nothing";
	expect_conservation(stats);
	ASSERT_EQ(out.size(), rx);
	for (size_t i = 0; i < out.size(); i++)
		ASSERT_EQ(out[i].bytes, in[i].bytes) << "packet " << i;
	expect_nothing_left(inst, stats);
	json_decref(stats);
}

TEST(Shutdown, StellarctlShutdownDrainsAndExits)
{
	stop_mid_run("shut-ctl", [](Instance &inst) {
		harness::CommandResult r = inst.ctl({"shutdown"});
		EXPECT_EQ(r.exit_code, 0) << r.err;
		EXPECT_NE(r.out.find("shutting down"), std::string::npos) << r.out;
	});
}

TEST(Shutdown, SigtermDrainsAndExits)
{
	stop_mid_run("shut-term", [](Instance &inst) { ASSERT_EQ(kill(inst.pid(), SIGTERM), 0); });
}

TEST(Idle, RunningInstanceWithNothingToDoBacksOff)
{
	Instance inst("idle");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	inst.write_config(pcap_config(inst.name()));
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(1000)); // capture consumed, nothing left

	json_t *status = inst.status();
	ASSERT_NE(status, nullptr);
	std::vector<pid_t> pids = worker_pids(status);
	json_decref(status);
	pids.push_back(inst.pid());
	long before = 0, after = 0;
	for (pid_t p : pids)
		before += harness::process_cpu_ticks(p);
	const int seconds = 3;
	std::this_thread::sleep_for(std::chrono::seconds(seconds));
	for (pid_t p : pids)
		after += harness::process_cpu_ticks(p);
	double core_share = (double)(after - before) / (double)sysconf(_SC_CLK_TCK) / seconds;
	EXPECT_LT(core_share, 0.05) << "an idle instance must not spin (" << pids.size() << " processes)";
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(20000), 0) << inst.log();
}

}  // namespace
