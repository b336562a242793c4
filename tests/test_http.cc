// The HTTP listener: /metrics scraped with curl during a run tracks the
// pipeline and ends equal to the capture; plugin REST routes map onto their
// commands; it listens on loopback unless told otherwise; bad routes are
// refused at start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "harness.h"

using harness::CommandResult;
using harness::Instance;

namespace {

const char kCapture[] = "zeek__wikipedia.pcap";

unsigned http_port()
{
	return 30000 + (unsigned)getpid() % 20000;
}

struct Reply {
	int status = 0;
	std::string body, headers;
};

const char kToken[] = "test-token-0123456789abcdef";

Reply curl(const std::string &method, const std::string &path, const std::string &body = "",
	   const std::string &token = kToken)
{
	std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-D", "-", "-X", method,
					 "http://127.0.0.1:" + std::to_string(http_port()) + path};
	if (!token.empty()) {
		argv.push_back("-H");
		argv.push_back("Authorization: Bearer " + token);
	}
	if (!body.empty()) {
		argv.push_back("--data-binary");
		argv.push_back(body);
	}
	CommandResult r = harness::run_command(argv, 15000);
	Reply out;
	size_t split = r.out.find("\r\n\r\n");

	if (r.exit_code != 0 || split == std::string::npos)
		return out;
	out.headers = r.out.substr(0, split);
	out.body = r.out.substr(split + 4);
	sscanf(out.headers.c_str(), "HTTP/1.%*d %d", &out.status);
	return out;
}

// Samples by full name with labels; the exposition checked line by line.
std::map<std::string, double> parse_metrics(const std::string &text)
{
	static const std::regex sample(R"(^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?[0-9.]+)$)");
	std::map<std::string, double> out;
	std::istringstream in(text);
	std::string line, typed;

	while (std::getline(in, line)) {
		std::smatch m;

		if (line.rfind("# TYPE ", 0) == 0) {
			typed = line.substr(7, line.find(' ', 7) - 7);
			continue;
		}
		if (line.rfind("# HELP ", 0) == 0)
			continue;
		EXPECT_TRUE(std::regex_match(line, m, sample)) << "not a sample: " << line;
		if (m.empty())
			continue;
		EXPECT_EQ(m[1].str(), typed) << "sample before its # TYPE: " << line;
		out[m[1].str() + m[2].str()] = std::stod(m[4].str());
	}
	return out;
}

bool listening_on_loopback_only(unsigned port)
{
	std::ifstream f("/proc/net/tcp");
	std::string line;
	char want[32], any[32];
	bool loopback = false, wider = false;

	snprintf(want, sizeof(want), "0100007F:%04X", port);
	snprintf(any, sizeof(any), ":%04X", port);
	while (std::getline(f, line)) {
		std::istringstream l(line);
		std::string sl, local, remote, state;

		l >> sl >> local >> remote >> state;
		if (state != "0A" || local.size() < 5 || local.substr(local.size() - 5) != any)
			continue;
		(local == want ? loopback : wider) = true;
	}
	return loopback && !wider;
}

json_t *stats(Instance &inst)
{
	CommandResult r = inst.ctl({"stats", "--json"});
	return r.exit_code == 0 ? json_loads(r.out.c_str(), 0, nullptr) : nullptr;
}

TEST(Http, MetricsTrackTheRunAndPluginRoutesMapOntoCommands)
{
	Instance inst("http");
	inst.copy_capture(kCapture, "in.pcap");
	size_t packets = harness::read_pcap(inst.path("in.pcap")).size();
	inst.write_config("instance: " + inst.name() + "\n"
			  "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, pace: \"pps:40\"}\n"
			  "pipeline: {plugin_workers: 2}\n"
			  "plugins:\n"
			  "  - {name: counter, path: " + harness::build_dir() + "/plugins/counter.so, config: {file: " +
			  inst.path("counts.json") + "},\n"
			  "     http_routes: [{method: GET, path: /totals, command: totals}]}\n"
			  "  - {name: rest, path: " + harness::build_dir() + "/tests/plugins/rest.so}\n"
			  "http: {port: " + std::to_string(http_port()) + ", token: " + kToken + "}\n");
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	EXPECT_TRUE(listening_on_loopback_only(http_port()));

	// Mid-run: counting, and the exposition is well formed.
	Reply m = curl("GET", "/metrics");
	ASSERT_EQ(m.status, 200) << m.headers;
	EXPECT_NE(m.headers.find("text/plain; version=0.0.4"), std::string::npos) << m.headers;
	std::map<std::string, double> first = parse_metrics(m.body);
	std::this_thread::sleep_for(std::chrono::milliseconds(700));
	std::map<std::string, double> second = parse_metrics(curl("GET", "/metrics").body);
	EXPECT_GT(second["stellar_rx_packets_total"], first["stellar_rx_packets_total"]);
	EXPECT_LT(second["stellar_rx_packets_total"], (double)packets) << "the run should last several seconds";
	EXPECT_EQ(second["stellar_worker_up{kind=\"plugin\",index=\"1\"}"], 1);
	EXPECT_TRUE(second.count("stellar_dropped_packets_total{reason=\"worker_crash\"}"));
	EXPECT_TRUE(second.count("stellar_ring_used{ring=\"st_ss0_pl1\"}"));
	EXPECT_GT(second["stellar_ring_size{ring=\"st_ss0_pl1\"}"], 0);
	EXPECT_GT(second["stellar_sessions_active"], 0);

	// Plugin routes: the descriptor's, the config's, a body, a query, a refusal.
	Reply r = curl("GET", "/counter/totals");
	EXPECT_EQ(r.status, 200);
	EXPECT_NE(r.headers.find("application/json"), std::string::npos);
	EXPECT_NE(r.body.find("\"packets\""), std::string::npos) << r.body;
	EXPECT_EQ(curl("GET", "/totals").status, 200);
	// Plugin routes change things: not without the token; reading needs none.
	r = curl("GET", "/counter/totals", "", "");
	EXPECT_EQ(r.status, 401);
	EXPECT_NE(r.headers.find("WWW-Authenticate: Bearer"), std::string::npos) << r.headers;
	EXPECT_EQ(curl("GET", "/counter/totals", "", std::string(kToken) + "x").status, 401);
	EXPECT_EQ(curl("GET", "/counter/totals", "", "test-token-0123456789abcdeX").status, 401);
	EXPECT_EQ(curl("GET", "/metrics", "", "").status, 200);
	r = curl("POST", "/rest/echo", "{\"rule\": 7}");
	EXPECT_EQ(r.status, 200);
	EXPECT_EQ(r.body, "{\"rule\": 7}");
	r = curl("GET", "/rest/echo?a=1&b=two");
	EXPECT_EQ(r.body, "{\"a\":\"1\",\"b\":\"two\"}");
	r = curl("DELETE", "/rest/refuse");
	EXPECT_EQ(r.status, 400);
	EXPECT_EQ(r.body, "{\"refused\": \"refuse\"}");
	r = curl("GET", "/rest/refuse");
	EXPECT_EQ(r.status, 405);
	EXPECT_NE(r.headers.find("Allow: DELETE"), std::string::npos) << r.headers;
	EXPECT_EQ(curl("GET", "/no/such/path").status, 404);
	EXPECT_EQ(curl("POST", "/metrics").status, 405);
	r = curl("POST", "/rest/echo", std::string(70 * 1024, 'x'));
	EXPECT_EQ(r.status, 413);
	r = curl("GET", "/status");
	EXPECT_EQ(r.status, 200);
	EXPECT_NE(r.body.find("\"" + inst.name() + "\""), std::string::npos);

	// At the end of the capture: every packet accounted for, as stellarctl says.
	json_t *st = nullptr;
	for (int i = 0; i < 300; i++) {
		json_decref(st);
		st = stats(inst);
		if (st && json_is_true(json_object_get(json_array_get(json_object_get(st, "ports"), 0), "eof")) &&
		    harness::json_u64(st, "packets.in_flight") == 0)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	ASSERT_NE(st, nullptr);
	std::map<std::string, double> last = parse_metrics(curl("GET", "/metrics").body);
	EXPECT_EQ(last["stellar_rx_packets_total"], (double)packets);
	EXPECT_EQ(last["stellar_rx_packets_total"], (double)harness::json_u64(st, "packets.rx"));
	double dropped = 0;
	for (auto &kv : last)
		if (kv.first.rfind("stellar_dropped_packets_total{", 0) == 0)
			dropped += kv.second;
	EXPECT_EQ(last["stellar_tx_packets_total"] + dropped, last["stellar_rx_packets_total"]);
	EXPECT_EQ(last["stellar_in_flight_packets"], 0);
	EXPECT_EQ(last["stellar_worker_packets_total{kind=\"io\",index=\"0\"}"], (double)packets);
	EXPECT_EQ(last["stellar_plugin_packets_total{plugin=\"counter\"}"],
		  (double)json_integer_value(json_object_get(json_array_get(json_object_get(st, "plugins"), 0), "packets")));
	json_decref(st);

	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();
	EXPECT_EQ(curl("GET", "/metrics").status, 0) << "the listener outlived the instance";
}

TEST(Http, WithoutATokenPluginRoutesAreOffAndMetricsStillServed)
{
	Instance inst("httpopen");
	inst.copy_capture(kCapture, "in.pcap");
	inst.write_config("instance: " + inst.name() + "\n"
			  "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, pace: \"pps:40\"}\n"
			  "pipeline: {plugin_workers: 1}\n"
			  "plugins:\n  - {name: rest, path: " + harness::build_dir() + "/tests/plugins/rest.so}\n"
			  "http: {port: " + std::to_string(http_port()) + "}\n");
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	Reply r = curl("POST", "/rest/echo", "{}", "");
	EXPECT_EQ(r.status, 403);
	EXPECT_NE(r.body.find("set http.token"), std::string::npos) << r.body;
	EXPECT_EQ(curl("POST", "/rest/echo", "{}").status, 403) << "no token configured: none is right";
	r = curl("GET", "/metrics", "", "");
	EXPECT_EQ(r.status, 200);
	EXPECT_NE(r.body.find("stellar_rx_packets_total"), std::string::npos);
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();
}

TEST(Http, BadRoutesAndAddressesAreRefusedAtStart)
{
	struct Case {
		std::string plugins, http, expect;
	} cases[] = {
		{"  - {name: rest, path: REST, http_routes: [{method: GET, path: /metrics, command: x}]}\n",
		 "{port: PORT}", "/metrics is Stellar's own path"},
		{"  - {name: rest, path: REST, http_routes: [{method: FETCH, path: /x, command: x}]}\n", "{port: PORT}",
		 "method 'FETCH'"},
		{"  - {name: rest, path: REST, http_routes: [{method: GET, path: x, command: x}]}\n", "{port: PORT}",
		 "a path starts with '/'"},
		{"  - {name: rest, path: REST}\n  - {name: other, path: COUNTER, http_routes: [{method: POST, "
		 "path: /rest/echo, command: x}]}\n", "{port: PORT}", "POST /rest/echo is already served by plugin 'rest'"},
		{"  - {name: rest, path: REST}\n", "{port: PORT, address: localhost}", "not an IPv4 or IPv6 address"},
		{"  - {name: rest, path: REST}\n", "{address: 127.0.0.1}", "http.port: missing"},
		{"  - {name: rest, path: REST}\n", "{port: PORT, token: short}", "http.token: at least 16 characters"},
	};

	for (const Case &c : cases) {
		Instance inst("httpbad");
		inst.copy_capture(kCapture, "in.pcap");
		std::string plugins = c.plugins, h = c.http;
		auto put = [](std::string &s, const std::string &what, const std::string &with) {
			for (size_t p; (p = s.find(what)) != std::string::npos;)
				s.replace(p, what.size(), with);
		};
		put(plugins, "REST", harness::build_dir() + "/tests/plugins/rest.so");
		put(plugins, "COUNTER", harness::build_dir() + "/plugins/counter.so");
		put(h, "PORT", std::to_string(http_port()));
		inst.write_config("instance: " + inst.name() + "\n"
				  "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n"
				  "plugins:\n" + plugins + "http: " + h + "\n");
		inst.start({});
		EXPECT_NE(inst.wait(30000), 0) << c.expect;
		EXPECT_NE(inst.log().find(c.expect), std::string::npos) << inst.log();
		EXPECT_NE(inst.log().find("stellar.yaml:"), std::string::npos) << inst.log();
	}
}

}  // namespace
