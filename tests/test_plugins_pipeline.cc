// Plugins in the running pipeline: per-session counts equal the input's,
// also across a kill -9 of a plugin worker; a crashing plugin is
// quarantined; filter chains share trie nodes; plugin commands through
// stellarctl; bad plugins refused before anything starts.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

using harness::Instance;

namespace {

std::string plugin_path(const std::string &so) { return harness::build_dir() + "/plugins/" + so; }
std::string test_plugin(const std::string &so) { return harness::build_dir() + "/tests/plugins/" + so; }

std::string config(const std::string &name, const std::string &pace, const std::string &plugins,
		   const std::string &extra = "")
{
	return "instance: " + name + "\n"
	       "ports:\n"
	       "  - {name: p0, type: pcap, rx_pcap: in.pcap, tx_pcap: out.pcap, pace: \"" + pace + "\"}\n"
	       "pipeline: {plugin_workers: 2}\n"
	       "session: {max_sessions: 65536}\n"
	       "plugins:\n" + plugins + extra;
}

// tshark's tuple of a counter line, to compare with *.expected.json.
std::string tuple_of(json_t *line)
{
	std::string a = json_string_value(json_object_get(line, "client"));
	std::string b = json_string_value(json_object_get(line, "server"));
	int proto = (int)json_integer_value(json_object_get(line, "proto"));
	auto zero_port = [](std::string s) { return s.substr(0, s.rfind(':')) + ":0"; };
	if (proto != 6 && proto != 17) {
		a = zero_port(a);
		b = zero_port(b);
	}
	if (b < a)
		std::swap(a, b);
	return std::to_string(proto) + " " + a + " " + b;
}

std::map<std::string, uint64_t> counted(const std::string &path)
{
	std::map<std::string, uint64_t> out;
	std::ifstream f(path);
	std::string l;

	while (std::getline(f, l)) {
		json_t *j = json_loads(l.c_str(), 0, nullptr);
		if (!j)
			continue;
		out[tuple_of(j)] += (uint64_t)(json_integer_value(json_object_get(j, "c2s")) +
					       json_integer_value(json_object_get(j, "s2c")));
		json_decref(j);
	}
	return out;
}

std::map<std::string, uint64_t> expected(const std::string &capture)
{
	std::map<std::string, uint64_t> out;
	json_t *e = harness::load_json(harness::data_file(capture + ".expected.json"));
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(e, "sessions"), i, s)
		out[std::to_string(json_integer_value(json_object_get(s, "proto"))) + " " +
		    json_string_value(json_object_get(s, "a")) + " " + json_string_value(json_object_get(s, "b"))] =
			(uint64_t)json_integer_value(json_object_get(s, "packets"));
	json_decref(e);
	return out;
}

pid_t pid_of(Instance &inst, const std::string &kind, unsigned index)
{
	json_t *st = inst.status();
	pid_t pid = 0;
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(st, "workers"), i, w)
		if (kind == json_string_value(json_object_get(w, "kind")) &&
		    json_integer_value(json_object_get(w, "index")) == (json_int_t)index)
			pid = (pid_t)json_integer_value(json_object_get(w, "pid"));
	json_decref(st);
	return pid;
}

const char kCapture[] = "zeek__wikipedia.pcap";

TEST(PluginsInPipeline, CounterCountsEverySessionsPacketsExactly)
{
	Instance inst("pcount");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(config(inst.name(), "max",
				 "  - {name: counter, path: " + plugin_path("counter.so") + ", config: {file: " +
					 inst.path("counts.json") + "}}\n"));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();
	EXPECT_EQ(counted(inst.path("counts.json")), expected(kCapture));
}

TEST(PluginsInPipeline, KilledPluginWorkerLosesOnlyItsBurstAndCountsCarryOn)
{
	Instance inst("pkill");
	inst.copy_capture(kCapture, "in.pcap");
	// 136 packets at 40 per second: the kill lands mid-capture.
	inst.write_config(config(inst.name(), "pps:40",
				 "  - {name: counter, path: " + plugin_path("counter.so") + ", config: {file: " +
					 inst.path("counts.json") + "}}\n"));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(1500));
	pid_t victim = pid_of(inst, "plugin", 0);
	ASSERT_GT(victim, 0);
	ASSERT_EQ(kill(victim, SIGKILL), 0);
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	uint64_t lost = harness::json_u64(stats, "packets.dropped.worker_crash");
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"),
		  harness::json_u64(stats, "packets.tx") + harness::json_u64(stats, "packets.dropped_total"));
	EXPECT_LE(lost, 32u) << "at most the burst it held";
	// Every session is there; its count is the input's, less what died
	// with the worker (counted or not before the kill).
	std::map<std::string, uint64_t> got = counted(inst.path("counts.json")), want = expected(kCapture);
	uint64_t missing = 0;
	EXPECT_EQ(got.size(), want.size());
	for (auto &w : want) {
		ASSERT_TRUE(got.count(w.first)) << w.first;
		EXPECT_LE(got[w.first], w.second) << w.first;
		missing += w.second - got[w.first];
	}
	EXPECT_LE(missing, lost);
	json_t *w = nullptr;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(stats, "workers"), i, x)
		if (std::string(json_string_value(json_object_get(x, "kind"))) == "plugin" &&
		    json_integer_value(json_object_get(x, "index")) == 0)
			w = x;
	ASSERT_NE(w, nullptr);
	EXPECT_GE(json_integer_value(json_object_get(w, "restarts")), 1);
	json_decref(stats);
}

TEST(PluginsInPipeline, ACrashingPluginIsQuarantinedAndTheRestGoesOn)
{
	Instance inst("pquar");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(config(inst.name(), "pps:100",
				 "  - {name: crasher, path: " + test_plugin("crasher.so") + ", config: {crash_at: 3}}\n"
				 "  - {name: counter, path: " + plugin_path("counter.so") + "}\n",
				 "plugin_limits: {quarantine_crashes: 2, quarantine_window_ms: 60000}\n"));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_EQ(inst.wait(90000), 0) << inst.log();
	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	json_t *crasher = json_array_get(json_object_get(stats, "plugins"), 0);
	EXPECT_STREQ(json_string_value(json_object_get(crasher, "state")), "quarantined");
	EXPECT_GE(json_integer_value(json_object_get(crasher, "crashes")), 2);
	EXPECT_NE(inst.log().find("ALERT: plugin crasher quarantined"), std::string::npos) << inst.log();
	// Once it is out, nothing crashes any more: the capture gets through.
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"),
		  harness::json_u64(stats, "packets.tx") + harness::json_u64(stats, "packets.dropped_total"));
	EXPECT_LE(harness::json_u64(stats, "packets.dropped.worker_crash"), 64u);
	EXPECT_GT(harness::json_u64(stats, "packets.tx"), 100u);
	json_decref(stats);
}

// A plugin stuck inside entry(): its worker stops sending heartbeats, is
// killed after heartbeat_timeout_ms and restarted; the hang is the plugin's
// fault, so it ends up quarantined, and the rest of the capture goes on.
TEST(PluginsInPipeline, AHungWorkerIsKilledOnMissedHeartbeatsAndRestarted)
{
	Instance inst("phang");
	inst.copy_capture(kCapture, "in.pcap");
	std::string yaml = config(inst.name(), "pps:100",
				  "  - {name: hanger, path: " + test_plugin("crasher.so") + ", config: {hang_at: 3}}\n"
				  "  - {name: counter, path: " + plugin_path("counter.so") + "}\n",
				  "plugin_limits: {quarantine_crashes: 2, quarantine_window_ms: 60000}\n");
	yaml.replace(yaml.find("pipeline: {plugin_workers: 2}"), 29,
		     "pipeline: {plugin_workers: 2, heartbeat_timeout_ms: 1500}");
	inst.write_config(yaml);
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_EQ(inst.wait(90000), 0) << inst.log();
	EXPECT_NE(inst.log().find("missed its heartbeats"), std::string::npos) << inst.log();
	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	json_t *hanger = json_array_get(json_object_get(stats, "plugins"), 0);
	EXPECT_STREQ(json_string_value(json_object_get(hanger, "state")), "quarantined");
	EXPECT_GE(json_integer_value(json_object_get(hanger, "crashes")), 2) << "a hang counts as a crash";
	size_t i;
	json_t *w;
	json_int_t restarts = 0;
	json_array_foreach(json_object_get(stats, "workers"), i, w)
		if (std::string(json_string_value(json_object_get(w, "kind"))) == "plugin")
			restarts += json_integer_value(json_object_get(w, "restarts"));
	EXPECT_GE(restarts, 2);
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"),
		  harness::json_u64(stats, "packets.tx") + harness::json_u64(stats, "packets.dropped_total"));
	EXPECT_EQ(harness::json_u64(stats, "mempool.in_use"), harness::json_u64(stats, "mempool.baseline"));
	EXPECT_GT(harness::json_u64(stats, "packets.tx"), 100u);
	json_decref(stats);
}

TEST(PluginsInPipeline, FilterChainsShareTrieNodesEvaluatedOncePerPacket)
{
	Instance inst("pfilter");
	inst.copy_capture(kCapture, "in.pcap");
	std::string counter = plugin_path("counter.so");
	inst.write_config(config(inst.name(), "max",
				 "  - {name: web1, path: " + test_plugin("probe_a.so") + ", filter: [\"ip\", \"tcp\"]}\n"
				 "  - {name: web2, path: " + test_plugin("probe_b.so") + ", filter: [\"ip\", \"tcp\"]}\n"
				 "  - {name: dns, path: " + test_plugin("probe_c.so") + ", filter: [\"ip\", \"udp port 53\"]}\n"
				 "  - {name: all, path: " + test_plugin("probe_d.so") + "}\n"
				 "  - {name: own, path: " + test_plugin("probe_e.so") + "}\n"));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();
	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	json_t *f = json_object_get(stats, "filters");
	ASSERT_EQ(json_array_size(f), 4u) << "ip, ip>tcp, ip>udp port 53, and the chain probe_e declares";
	json_t *ip = json_array_get(f, 0), *tcp = json_array_get(f, 1), *dns = json_array_get(f, 2);
	EXPECT_STREQ(json_string_value(json_object_get(ip, "expr")), "ip");
	EXPECT_EQ(json_integer_value(json_object_get(ip, "parent")), -1);
	EXPECT_EQ(json_integer_value(json_object_get(tcp, "parent")), 0);
	EXPECT_EQ(json_integer_value(json_object_get(tcp, "subscribers")), 2);
	// Every packet with a session ran the root once, whatever the number
	// of subscribers; a child ran only where its parent matched.
	json_t *all = json_array_get(json_object_get(stats, "plugins"), 3);
	json_int_t dispatched = json_integer_value(json_object_get(all, "packets"));
	EXPECT_EQ(json_integer_value(json_object_get(ip, "evaluated")), dispatched);
	EXPECT_EQ(json_integer_value(json_object_get(tcp, "evaluated")), json_integer_value(json_object_get(ip, "matched")));
	EXPECT_EQ(json_integer_value(json_object_get(dns, "evaluated")), json_integer_value(json_object_get(ip, "matched")));
	// Subscribers saw exactly the packets their leaf matched.
	for (int p : {0, 1})
		EXPECT_EQ(json_integer_value(json_object_get(json_array_get(json_object_get(stats, "plugins"), p), "packets")),
			  json_integer_value(json_object_get(tcp, "matched")));
	EXPECT_EQ(json_integer_value(json_object_get(json_array_get(json_object_get(stats, "plugins"), 2), "packets")),
		  json_integer_value(json_object_get(dns, "matched")));
	// A chain the plugin declares itself is a root of its own.
	json_t *own = json_array_get(f, 3);
	EXPECT_STREQ(json_string_value(json_object_get(own, "expr")), "udp port 53");
	EXPECT_EQ(json_integer_value(json_object_get(own, "parent")), -1);
	EXPECT_EQ(json_integer_value(json_object_get(json_array_get(json_object_get(stats, "plugins"), 4), "packets")),
		  json_integer_value(json_object_get(own, "matched")));
	EXPECT_EQ(json_integer_value(json_object_get(own, "matched")), json_integer_value(json_object_get(dns, "matched")));
	EXPECT_GT(json_integer_value(json_object_get(tcp, "matched")), 0);
	EXPECT_GT(json_integer_value(json_object_get(dns, "matched")), 0);
	json_decref(stats);
}

TEST(PluginsInPipeline, PluginCommandsThroughStellarctl)
{
	Instance inst("pcmd");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(config(inst.name(), "pps:20",
				 "  - {name: counter, path: " + plugin_path("counter.so") + "}\n"
				 "  - {name: ports, path: " + harness::build_dir() + "/../plugins/example.lua}\n"));
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(1000));
	harness::CommandResult r = inst.ctl({"plugin", "counter", "totals"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	json_t *j = json_loads(r.out.c_str(), 0, nullptr);
	ASSERT_NE(j, nullptr) << r.out;
	EXPECT_GT(json_integer_value(json_object_get(j, "packets")), 0);
	json_decref(j);
	r = inst.ctl({"plugin", "counter", "nonsense"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("unknown command 'nonsense'"), std::string::npos) << r.out << r.err;
	r = inst.ctl({"plugin", "nosuch", "x"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("no plugin named 'nosuch'"), std::string::npos) << r.err;
	r = inst.ctl({"plugin", "ports", "top"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();
}

TEST(PluginsInPipeline, BadPluginsAreRefusedBeforeAnythingStarts)
{
	Instance inst("pbad");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(config(inst.name(), "max", "  - {name: old, path: " + test_plugin("old_abi.so") + "}\n"));
	harness::CommandResult r =
		harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find(":7: plugins[0].path:"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("ABI 99"), std::string::npos) << r.err;
	inst.write_config(config(inst.name(), "max",
				 "  - {name: f, path: " + test_plugin("probe_a.so") + ", filter: [\"tcp prot 80\"]}\n"));
	r = harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find("plugins[0].filter[0]: 'tcp prot 80'"), std::string::npos) << r.err;
	inst.write_config(config(inst.name(), "max",
				 "  - {name: l, path: " + harness::build_dir() + "/../tests/plugins/broken.lua}\n"));
	r = harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find("broken.lua"), std::string::npos) << r.err;
}

}  // namespace

namespace {

uint64_t ratelimited_run(const std::string &name)
{
	Instance inst(name);
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(config(inst.name(), "max",
				 "  - {name: limiter, path: " + test_plugin("limiter.so") +
					 ", config: {cir: 2000, cbs: 4000}}\n"));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	if (inst.wait(60000) != 0) {
		ADD_FAILURE() << inst.log();
		return 0;
	}
	json_t *stats = harness::load_json(inst.path("stats.json"));
	uint64_t dropped = harness::json_u64(stats, "packets.dropped.ratelimit");
	EXPECT_EQ(harness::json_u64(stats, "packets.rx"),
		  harness::json_u64(stats, "packets.tx") + harness::json_u64(stats, "packets.dropped_total"));
	EXPECT_EQ(dropped, harness::json_u64(stats, "packets.dropped_total"));
	std::vector<harness::Packet> out = harness::read_pcap(inst.path("out.pcap"));
	EXPECT_EQ(out.size(), harness::json_u64(stats, "packets.tx"));
	json_decref(stats);
	return dropped;
}

TEST(PluginsInPipeline, RateLimitGroupDropsWhatExceedsItsRateTheSameEachRun)
{
	// 2 kB/s with a 4 kB burst, on a capture of ~90 kB over a few seconds.
	uint64_t first = ratelimited_run("plimit1");
	EXPECT_GT(first, 10u);
	EXPECT_LT(first, 136u);
	EXPECT_EQ(ratelimited_run("plimit2"), first) << "packet time, not wall time: deterministic";
}

}  // namespace
