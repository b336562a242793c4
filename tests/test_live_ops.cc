// Live operations under traffic: graceful restarts of every plugin worker
// lose nothing and keep each session's packets in order; kills lose at most
// a burst; the operator's errors are clear.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "harness.h"

using harness::Instance;
using harness::Packet;

namespace {

const char kCapture[] = "zeek__wikipedia.pcap";

std::string counter_config(Instance &inst, const std::string &pace, unsigned workers)
{
	return "instance: " + inst.name() + "\n"
	       "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, tx_pcap: out.pcap, pace: \"" + pace + "\"}\n"
	       "pipeline: {plugin_workers: " + std::to_string(workers) + "}\n"
	       "session: {max_sessions: 65536}\n"
	       "plugins:\n  - {name: counter, path: " + harness::build_dir() + "/plugins/counter.so, config: {file: " +
	       inst.path("counts.json") + "}}\n";
}

uint64_t total_counted(const std::string &path)
{
	std::ifstream f(path);
	std::string l;
	uint64_t n = 0;

	while (std::getline(f, l)) {
		json_t *j = json_loads(l.c_str(), 0, nullptr);
		if (!j)
			continue;
		n += (uint64_t)(json_integer_value(json_object_get(j, "c2s")) + json_integer_value(json_object_get(j, "s2c")));
		json_decref(j);
	}
	return n;
}

bool running_again(Instance &inst, const std::string &kind, unsigned index, uint64_t restarts_before, int ms)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);

	while (std::chrono::steady_clock::now() < deadline) {
		json_t *st = inst.status();
		size_t i;
		json_t *w;
		bool ok = false;

		json_array_foreach(json_object_get(st, "workers"), i, w)
			if (kind == json_string_value(json_object_get(w, "kind")) &&
			    json_integer_value(json_object_get(w, "index")) == (json_int_t)index &&
			    std::string(json_string_value(json_object_get(w, "state"))) == "running" &&
			    (uint64_t)json_integer_value(json_object_get(w, "restarts")) > restarts_before)
				ok = true;
		json_decref(st);
		if (ok)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	return false;
}

TEST(LiveOps, GracefulRestartsOfEveryPluginWorkerLoseNothingAndKeepOrder)
{
	Instance inst("grace");
	inst.copy_capture(kCapture, "in.pcap");
	// 136 packets at 40/s: about 3.5 s of traffic to restart workers in.
	inst.write_config(counter_config(inst, "pps:40", 2));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	for (unsigned round = 0; round < 2; round++)
		for (unsigned w = 0; w < 2; w++) {
			std::this_thread::sleep_for(std::chrono::milliseconds(300));
			harness::CommandResult r = inst.ctl({"restart", "plugin", std::to_string(w)});
			ASSERT_EQ(r.exit_code, 0) << r.err;
			EXPECT_NE(r.out.find("gracefully"), std::string::npos) << r.out;
			ASSERT_TRUE(running_again(inst, "plugin", w, round, 10000)) << inst.log();
		}
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	EXPECT_EQ(harness::json_u64(stats, "packets.dropped_total"), 0u) << "zero loss";
	std::vector<Packet> in = harness::read_pcap(inst.path("in.pcap"));
	std::vector<Packet> out = harness::read_pcap(inst.path("out.pcap"));
	ASSERT_EQ(out.size(), in.size());
	for (size_t i = 0; i < in.size(); i++)
		ASSERT_EQ(out[i].bytes, in[i].bytes) << "packet " << i << " out of order";
	EXPECT_EQ(total_counted(inst.path("counts.json")), harness::json_u64(stats, "sessions.events.packets"));
	EXPECT_EQ(harness::json_u64(stats, "sessions.events.packets") + harness::json_u64(stats, "sessions.events.no_session"),
		  in.size());
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(stats, "workers"), i, w) {
		if (std::string(json_string_value(json_object_get(w, "kind"))) == "plugin") {
			EXPECT_EQ(json_integer_value(json_object_get(w, "restarts")), 2);
		}
	}
	json_decref(stats);
}

TEST(LiveOps, RestartRefusesWhatDoesNotExist)
{
	Instance inst("restartbad");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(counter_config(inst, "pps:20", 1));
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	harness::CommandResult r = inst.ctl({"restart", "plugin", "7"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("no plugin worker 7"), std::string::npos) << r.err;
	r = inst.ctl({"restart", "toaster", "0"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("plugin, session, amq or io"), std::string::npos) << r.err;
	r = inst.ctl({"restart", "plugin"});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();
}

}  // namespace

namespace {

unsigned plugin_workers_running(Instance &inst)
{
	json_t *st = inst.status();
	size_t i;
	json_t *w;
	unsigned n = 0;

	json_array_foreach(json_object_get(st, "workers"), i, w)
		n += std::string(json_string_value(json_object_get(w, "kind"))) == "plugin" &&
		     std::string(json_string_value(json_object_get(w, "state"))) == "running";
	json_decref(st);
	return n;
}

bool wait_plugin_workers(Instance &inst, unsigned n, int ms)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);

	while (std::chrono::steady_clock::now() < deadline) {
		if (plugin_workers_running(inst) == n)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	return false;
}

std::map<std::string, uint64_t> per_session(const std::string &path)
{
	std::map<std::string, uint64_t> out;
	std::ifstream f(path);
	std::string l;

	while (std::getline(f, l)) {
		json_t *j = json_loads(l.c_str(), 0, nullptr);
		if (!j)
			continue;
		std::string key = std::to_string(json_integer_value(json_object_get(j, "proto"))) + " " +
				  json_string_value(json_object_get(j, "client")) + " " +
				  json_string_value(json_object_get(j, "server"));
		out[key] += (uint64_t)(json_integer_value(json_object_get(j, "c2s")) +
				       json_integer_value(json_object_get(j, "s2c")));
		json_decref(j);
	}
	return out;
}

TEST(LiveOps, ScalingDownAndUpMidRunLosesNothingAndKeepsOrder)
{
	// The same run without scaling gives the per-session reference.
	Instance ref("scaleref");
	ref.copy_capture(kCapture, "in.pcap");
	ref.write_config(counter_config(ref, "max", 2));
	ref.start({"--until-eof"});
	ASSERT_EQ(ref.wait(60000), 0) << ref.log();

	Instance inst("scale");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(counter_config(inst, "pps:40", 2));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(600));
	harness::CommandResult r = inst.ctl({"scale", "plugin", "1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	ASSERT_TRUE(wait_plugin_workers(inst, 1, 10000)) << inst.log();
	std::this_thread::sleep_for(std::chrono::milliseconds(600));
	r = inst.ctl({"scale", "plugin", "2"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	ASSERT_TRUE(wait_plugin_workers(inst, 2, 10000)) << inst.log();
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	EXPECT_EQ(harness::json_u64(stats, "packets.dropped_total"), 0u);
	EXPECT_GT(harness::json_u64(stats, "sessions.moved"), 0u) << "sessions changed workers";
	std::vector<Packet> in = harness::read_pcap(inst.path("in.pcap"));
	std::vector<Packet> out = harness::read_pcap(inst.path("out.pcap"));
	ASSERT_EQ(out.size(), in.size());
	for (size_t i = 0; i < in.size(); i++)
		ASSERT_EQ(out[i].bytes, in[i].bytes) << "packet " << i << " out of order";
	// Every session's count, kept in its shared context across workers,
	// equals the run without scaling.
	EXPECT_EQ(per_session(inst.path("counts.json")), per_session(ref.path("counts.json")));
	json_decref(stats);
}

TEST(LiveOps, ScaleRefusesImpossibleCounts)
{
	Instance inst("scalebad");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config(counter_config(inst, "pps:20", 1));
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	harness::CommandResult r = inst.ctl({"scale", "plugin", "0"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("plugin workers must be 1 to 8"), std::string::npos) << r.err;
	r = inst.ctl({"scale", "plugin", "99"});
	EXPECT_EQ(r.exit_code, 1);
	r = inst.ctl({"scale", "session", "2"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();
}

}  // namespace

namespace {

std::string probe(const char *so) { return harness::build_dir() + "/tests/plugins/" + so; }

std::string apply_config(Instance &inst, const std::string &plugins, unsigned workers = 2, const std::string &extra = "")
{
	return "instance: " + inst.name() + "\n"
	       "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, tx_pcap: out.pcap, pace: \"pps:40\"}\n"
	       "pipeline: {plugin_workers: " + std::to_string(workers) + "}\n"
	       "session: {max_sessions: 65536}\n" + extra +
	       "plugins:\n" + plugins;
}

std::vector<pid_t> plugin_pids(Instance &inst)
{
	std::vector<pid_t> out;
	json_t *st = inst.status();
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(st, "workers"), i, w)
		if (std::string(json_string_value(json_object_get(w, "kind"))) == "plugin")
			out.push_back((pid_t)json_integer_value(json_object_get(w, "pid")));
	json_decref(st);
	return out;
}

json_int_t generation(Instance &inst)
{
	json_t *st = inst.status();
	json_int_t g = json_integer_value(json_object_get(st, "generation"));
	json_decref(st);
	return g;
}

harness::CommandResult apply_file(Instance &inst, const std::string &yaml)
{
	std::ofstream(inst.path("next.yaml")) << yaml;
	return inst.ctl({"apply", inst.path("next.yaml")});
}

bool pids_all_changed(Instance &inst, const std::vector<pid_t> &before, int ms)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);

	while (std::chrono::steady_clock::now() < deadline) {
		std::vector<pid_t> now = plugin_pids(inst);
		bool all = now.size() == before.size();
		for (size_t i = 0; all && i < now.size(); i++)
			all = now[i] != before[i] && now[i] > 0;
		if (all && plugin_workers_running(inst) == now.size())
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	return false;
}

TEST(LiveOps, ApplyIsAtomicLiveWherePossibleAndRollsTheRest)
{
	Instance inst("apply");
	inst.copy_capture(kCapture, "in.pcap");
	std::string a = "  - {name: a, path: " + probe("probe_a.so") + ", config: {drop_at: 0}}\n";
	std::string c = "  - {name: c, path: " + probe("probe_c.so") + ", config: {drop_at: 0}}\n";
	inst.write_config(apply_config(inst, a + c));
	inst.start({"--until-eof", "--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	std::vector<pid_t> pids = plugin_pids(inst);
	ASSERT_EQ(generation(inst), 1);

	// A bad config changes nothing, and says where it is wrong.
	harness::CommandResult r = apply_file(inst, apply_config(inst, a + c) + "colour: blue\n");
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("next.yaml:9: colour: unknown key"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("nothing changed"), std::string::npos) << r.err;
	r = apply_file(inst, apply_config(inst, a + "  - {name: x, path: /nonexistent.so}\n"));
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("plugins[1].path"), std::string::npos) << r.err;
	r = apply_file(inst, apply_config(inst, a + "  - {name: f, path: " + probe("probe_b.so") + ", filter: [\"tcp prot 1\"]}\n"));
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("plugins[1].filter[0]"), std::string::npos) << r.err;
	std::string bigger = apply_config(inst, a + c);
	bigger.replace(bigger.find("max_sessions: 65536"), 19, "max_sessions: 1000");
	r = apply_file(inst, bigger);
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("session cannot change on a running instance"), std::string::npos) << r.err;
	EXPECT_EQ(generation(inst), 1);
	EXPECT_EQ(plugin_pids(inst), pids);

	// A new config for a plugin that takes it live: no restart.
	r = apply_file(inst, apply_config(inst, "  - {name: a, path: " + probe("probe_a.so") + ", config: {drop_at: 99}}\n" + c));
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_NE(r.out.find("live: the config of a"), std::string::npos) << r.out;
	EXPECT_EQ(generation(inst), 2);
	std::this_thread::sleep_for(std::chrono::milliseconds(500));
	EXPECT_EQ(plugin_pids(inst), pids) << "taken live";

	// One that cannot: its workers restart, one at a time.
	r = apply_file(inst, apply_config(inst, "  - {name: a, path: " + probe("probe_a.so") + ", config: {drop_at: 99}}\n" +
					 "  - {name: c, path: " + probe("probe_c.so") + ", config: {drop_at: 98}}\n"));
	EXPECT_EQ(r.exit_code, 0) << r.err;
	ASSERT_TRUE(pids_all_changed(inst, pids, 15000)) << inst.log();
	pids = plugin_pids(inst);

	// Another plugin list: a rolling restart; then one worker fewer.
	r = apply_file(inst, apply_config(inst, "  - {name: b, path: " + probe("probe_b.so") + "}\n" +
					 "  - {name: a, path: " + probe("probe_a.so") + ", config: {drop_at: 99}}\n", 1));
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_NE(r.out.find("rolling restart"), std::string::npos) << r.out;
	ASSERT_TRUE(wait_plugin_workers(inst, 1, 15000)) << inst.log();
	ASSERT_EQ(inst.wait(60000), 0) << inst.log();

	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	EXPECT_EQ(harness::json_u64(stats, "packets.dropped_total"), 0u) << "nothing lost on the way";
	json_t *plugins = json_object_get(stats, "plugins");
	ASSERT_EQ(json_array_size(plugins), 2u);
	EXPECT_STREQ(json_string_value(json_object_get(json_array_get(plugins, 0), "name")), "b");
	EXPECT_STREQ(json_string_value(json_object_get(json_array_get(plugins, 1), "name")), "a");
	std::vector<Packet> in = harness::read_pcap(inst.path("in.pcap"));
	std::vector<Packet> out = harness::read_pcap(inst.path("out.pcap"));
	ASSERT_EQ(out.size(), in.size());
	for (size_t i = 0; i < in.size(); i++)
		ASSERT_EQ(out[i].bytes, in[i].bytes) << "packet " << i;
	json_decref(stats);
}

}  // namespace
