// Every capture in tests/data through the session table as stellar-session
// runs it (build/stellar-decode, "session_table"): per tshark tuple, the
// sessions' packets add up to tshark's count (*.expected.json), and the
// tuple sets are equal.
//
// Where one tuple is several sessions of ours, that is our choice, not a
// disagreement, and each case is listed below with its reason; the test
// fails on any split not listed, and on a listed one that no longer
// happens. The reasons:
//   echo id    ICMP echo sessions are keyed by identifier (each ping is a
//              session); tshark puts all ICMP between two hosts in one tuple.
//   timeout    the flow was idle longer than its timeout (ICMP 30 s,
//              closed TCP 10 s) and came back as a new session.
//   port reuse a new SYN after the connection closed opened a new session.
#include <gtest/gtest.h>


#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace {

struct Split {
	const char *tuple; // "proto a b"
	const char *reason;
};

const std::map<std::string, std::vector<Split>> kSplits = {
	{"sv__base64-decode-5885__input.pcap",
	 {{"6 142.251.39.35:443 192.168.100.67:57558", "port reuse"}}},
	{"sv__ipv6-evasion__ipv6-malformed-fragments-27__frag-27.pcap",
	 {{"58 2001:db8:1::1:0 2001:db8:1::2:0", "echo id"}}},
	{"zeek__communityid__icmp6.pcap",
	 {{"58 3ffe:507:0:1:200:86ff:fe05:80da:0 3ffe:507:0:1:260:97ff:fe07:69ea:0", "echo id"},
	  {"58 fe80::200:86ff:fe05:80da:0 fe80::260:97ff:fe07:69ea:0", "timeout"}}},
	{"zeek__tunnels__Teredo.pcap",
	 {{"6 192.168.2.16:1576 75.126.130.163:80", "timeout"},
	  {"6 192.168.2.16:1578 75.126.203.78:80", "timeout"}}},
	{"zeek__tunnels__gre-sample.pcap", {{"1 172.28.2.3:0 66.59.111.190:0", "echo id"}}},
};

std::string tuple_name(json_t *t)
{
	return std::to_string(json_integer_value(json_object_get(t, "proto"))) + " " +
	       json_string_value(json_object_get(t, "a")) + " " + json_string_value(json_object_get(t, "b"));
}

// What the splits of one tuple show, checked against the listed reason.
std::string split_reason(json_t *splits)
{
	std::set<std::string> ids;
	size_t n = json_array_size(splits), i;
	json_t *s;

	json_array_foreach(splits, i, s)
		ids.insert(std::to_string(json_integer_value(json_object_get(s, "zone"))) + "/" +
			   std::to_string(json_integer_value(json_object_get(s, "port_lo"))));
	if (ids.size() > 1)
		return "echo id";
	// One key, several sessions in a row: each but the last ended first.
	for (i = 0; i + 1 < n; i++) {
		std::string r = json_string_value(json_object_get(json_array_get(splits, i), "reason"));
		if (r == "eof")
			return "unexplained: a session closed at end of input was followed by another";
	}
	return "sequential";
}

class SessionOracle : public ::testing::TestWithParam<std::string> {};

TEST_P(SessionOracle, TableSessionsAddUpToTsharkTuples)
{
	harness::CommandResult r =
		harness::run_command({harness::build_dir() + "/stellar-decode", harness::data_file(GetParam())});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	json_t *ours = json_loads(r.out.c_str(), 0, nullptr);
	json_t *theirs = harness::load_json(harness::data_file(GetParam() + ".expected.json"));
	ASSERT_NE(ours, nullptr);
	ASSERT_NE(theirs, nullptr);
	json_t *table = json_object_get(ours, "session_table");
	ASSERT_NE(table, nullptr);

	std::map<std::string, json_t *> mine;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(table, "tuples"), i, t)
		mine[tuple_name(t)] = t;
	std::set<std::string> expected_tuples;
	json_array_foreach(json_object_get(theirs, "sessions"), i, t) {
		std::string name = tuple_name(t);
		expected_tuples.insert(name);
		ASSERT_TRUE(mine.count(name)) << "no session for tshark's " << name;
		EXPECT_EQ(json_integer_value(json_object_get(mine[name], "packets")),
			  json_integer_value(json_object_get(t, "packets")))
			<< name;
	}
	for (auto &m : mine)
		EXPECT_TRUE(expected_tuples.count(m.first)) << "session tshark does not have: " << m.first;

	std::map<std::string, std::string> listed;
	auto it = kSplits.find(GetParam());
	if (it != kSplits.end()) {
		for (const Split &s : it->second)
			listed[s.tuple] = s.reason;
	}
	for (auto &m : mine) {
		json_int_t n = json_integer_value(json_object_get(m.second, "sessions"));
		if (n == 1) {
			EXPECT_FALSE(listed.count(m.first)) << "listed split no longer happens: " << m.first;
			continue;
		}
		ASSERT_TRUE(listed.count(m.first)) << "unlisted split of " << m.first << " into " << n << " sessions: "
						  << json_dumps(json_object_get(m.second, "splits"), JSON_COMPACT);
		std::string seen = split_reason(json_object_get(m.second, "splits"));
		const std::string &why = listed[m.first];
		EXPECT_EQ(seen, why == "echo id" ? "echo id" : "sequential") << m.first << " (" << why << ")";
	}
	if (GetParam() == "sv__base64-decode-5885__input.pcap") {
		EXPECT_EQ(json_integer_value(json_object_get(table, "port_reuse")), 1);
	}
	json_decref(ours);
	json_decref(theirs);
}

INSTANTIATE_TEST_SUITE_P(EveryCapture, SessionOracle, ::testing::ValuesIn(harness::captures()),
			 [](const ::testing::TestParamInfo<std::string> &info) {
				 return harness::capture_test_name(info.param);
			 });

}  // namespace
