// Every capture in tests/data, decoded and reassembled exactly as stellar-io
// does it (build/stellar-decode), adds up to what tshark computed
// (*.expected.json, see tests/data/oracle.py): the same innermost tuples with
// the same frame counts, the same non-final fragments and non-flow frames,
// the same encapsulations, HTTP hosts and URIs, DNS names, TLS server names,
// and the same number of malformed frames.
//
// Not compared: bad_checksum_frames (a separate tshark pass with checksum
// validation on; stellar-io does not validate checksums, as NICs do that)
// and tshark_version. There is no difference of tshark's making to list: on
// every capture here both agree.
#include <gtest/gtest.h>


#include <algorithm>
#include <string>
#include <vector>

#include "harness.h"

namespace {

std::string dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	std::string out = s ? s : "(null)";
	free(s);
	return out;
}

class Oracle : public ::testing::TestWithParam<std::string> {};

TEST_P(Oracle, DecodeAndReassemblyAgreeWithTshark)
{
	harness::CommandResult r =
		harness::run_command({harness::build_dir() + "/stellar-decode", harness::data_file(GetParam())});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	json_t *ours = json_loads(r.out.c_str(), 0, nullptr);
	json_t *theirs = harness::load_json(harness::data_file(GetParam() + ".expected.json"));
	ASSERT_NE(ours, nullptr) << r.out;
	ASSERT_NE(theirs, nullptr);

	for (const char *key : {"packets", "fragments_nonfinal", "non_session_frames", "tcp_sessions",
				"udp_sessions", "malformed_frames", "http_hosts", "http_uris", "dns_qnames",
				"tls_snis", "encap"})
		EXPECT_TRUE(json_equal(json_object_get(ours, key), json_object_get(theirs, key)))
			<< key << ": ours " << dump(json_object_get(ours, key)) << ", tshark "
			<< dump(json_object_get(theirs, key));

	// Sessions one by one, so that a difference names the tuple.
	json_t *a = json_object_get(ours, "sessions"), *b = json_object_get(theirs, "sessions");
	size_t i;
	json_t *s;
	json_array_foreach(b, i, s) {
		size_t j;
		json_t *t, *found = nullptr;
		json_array_foreach(a, j, t)
			if (json_equal(json_object_get(t, "proto"), json_object_get(s, "proto")) &&
			    json_equal(json_object_get(t, "a"), json_object_get(s, "a")) &&
			    json_equal(json_object_get(t, "b"), json_object_get(s, "b")))
				found = t;
		ASSERT_NE(found, nullptr) << "missing session " << dump(s);
		EXPECT_TRUE(json_equal(json_object_get(found, "packets"), json_object_get(s, "packets")))
			<< dump(s) << " ours " << dump(found);
	}
	EXPECT_EQ(json_array_size(a), json_array_size(b)) << "extra sessions: " << dump(a);
	json_decref(ours);
	json_decref(theirs);
}

INSTANTIATE_TEST_SUITE_P(EveryCapture, Oracle, ::testing::ValuesIn(harness::captures()),
			 [](const ::testing::TestParamInfo<std::string> &info) {
				 return harness::capture_test_name(info.param);
			 });

TEST(StellarDecode, RejectsBadArguments)
{
	harness::CommandResult r = harness::run_command({harness::build_dir() + "/stellar-decode"});
	EXPECT_EQ(r.exit_code, 2);
	r = harness::run_command({harness::build_dir() + "/stellar-decode", "/nonexistent.pcap"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("nonexistent"), std::string::npos) << r.err;
}

}  // namespace
