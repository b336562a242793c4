// The control API over TCP: CURVE only. A client whose key is listed is
// served; another key, or no CURVE at all, gets nothing; the key list
// changes live; an unauthenticated TCP endpoint is refused at start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "control.pb-c.h"
#include "control_client.h"
#include "harness.h"

using harness::CommandResult;
using harness::Instance;

namespace {

struct KeyPair {
	std::string pub, secret, file;
};

KeyPair keygen(Instance &inst, const std::string &name)
{
	CommandResult r = harness::run_command({harness::build_dir() + "/stellarctl", "keygen"});
	KeyPair k;

	EXPECT_EQ(r.exit_code, 0) << r.err;
	k.file = inst.path(name + ".key");
	FILE *f = fopen(k.file.c_str(), "w");
	fputs(r.out.c_str(), f);
	fclose(f);
	size_t p = r.out.find("public: "), s = r.out.find("secret: ");
	EXPECT_NE(p, std::string::npos);
	EXPECT_NE(s, std::string::npos);
	k.pub = r.out.substr(p + 8, 40);
	k.secret = r.out.substr(s + 8, 40);
	return k;
}

std::string endpoint()
{
	// One port per test process: parallel runs must not collide.
	return "tcp://127.0.0.1:" + std::to_string(20000 + getpid() % 20000);
}

std::string config(Instance &inst, const KeyPair &server, const std::vector<std::string> &clients)
{
	std::string list;

	for (const std::string &c : clients)
		list += (list.empty() ? "" : ", ") + std::string("'") + c + "'";
	return "instance: " + inst.name() + "\n"
	       "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, pace: \"pps:50\"}\n"
	       "pipeline: {plugin_workers: 1}\n"
	       "plugins: []\n"
	       "control:\n  endpoint: " + endpoint() + "\n  secret_key: '" + server.secret + "'\n"
	       "  clients: [" + list + "]\n";
}

CommandResult over_tcp(const KeyPair &server, const KeyPair &client, const std::vector<std::string> &args)
{
	std::vector<std::string> argv = {harness::build_dir() + "/stellarctl", "-e", endpoint(), "--timeout", "1500",
					 "--server-key", server.pub, "--key-file", client.file};

	argv.insert(argv.end(), args.begin(), args.end());
	return harness::run_command(argv);
}

// A well-formed status request from a client that does not speak CURVE.
bool plain_client_answered()
{
	Stellar__Control__V1__Request req = STELLAR__CONTROL__V1__REQUEST__INIT;
	Stellar__Control__V1__StatusRequest st = STELLAR__CONTROL__V1__STATUS_REQUEST__INIT;
	uint8_t buf[64];
	std::string answer;

	req.op_case = STELLAR__CONTROL__V1__REQUEST__OP_STATUS;
	req.status = &st;
	size_t len = stellar__control__v1__request__pack(&req, buf);
	return harness::control_raw_request(endpoint(), std::string((const char *)buf, len), 1500, &answer);
}

TEST(ControlTcp, OnlyListedCurveKeysAreServedAndTheListChangesLive)
{
	Instance inst("curve");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	KeyPair server = keygen(inst, "server"), alice = keygen(inst, "alice"), mallory = keygen(inst, "mallory");
	inst.write_config(config(inst, server, {alice.pub}));
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();

	CommandResult r = over_tcp(server, alice, {"status", "--json"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	json_t *st = json_loads(r.out.c_str(), 0, nullptr);
	ASSERT_NE(st, nullptr) << r.out;
	EXPECT_STREQ(json_string_value(json_object_get(st, "instance")), inst.name().c_str()) << r.out;
	json_decref(st);

	r = over_tcp(server, mallory, {"status"});
	EXPECT_EQ(r.exit_code, 3) << r.out;
	EXPECT_NE(r.err.find("control.clients"), std::string::npos) << r.err;
	EXPECT_EQ(r.out, "");
	EXPECT_FALSE(plain_client_answered());
	EXPECT_NE(inst.log().find("refused a client"), std::string::npos) << inst.log();

	// A forged server key: the client does not trust the answer either.
	r = over_tcp(mallory, alice, {"status"});
	EXPECT_EQ(r.exit_code, 3);

	// Let mallory in, live; alice keeps working.
	std::ofstream(inst.path("next.yaml")) << config(inst, server, {alice.pub, mallory.pub});
	r = inst.ctl({"apply", inst.path("next.yaml")});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(over_tcp(server, mallory, {"status"}).exit_code, 0);
	EXPECT_EQ(over_tcp(server, alice, {"status"}).exit_code, 0);

	// The server's key cannot change under a running instance.
	KeyPair other = keygen(inst, "other");
	std::ofstream(inst.path("bad.yaml")) << config(inst, other, {alice.pub});
	r = inst.ctl({"apply", inst.path("bad.yaml")});
	EXPECT_EQ(r.exit_code, 1) << r.out;
	EXPECT_NE(r.err.find("control.endpoint and control.secret_key"), std::string::npos) << r.err;

	r = over_tcp(server, alice, {"shutdown"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();
}

TEST(ControlTcp, UnauthenticatedTcpIsRefusedAtStart)
{
	Instance inst("curveoff");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	inst.write_config("instance: " + inst.name() + "\n"
			  "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n"
			  "plugins: []\n"
			  "control: {endpoint: '" + endpoint() + "'}\n");
	inst.start({});
	EXPECT_NE(inst.wait(30000), 0);
	EXPECT_NE(inst.log().find("unauthenticated TCP is refused"), std::string::npos) << inst.log();
	EXPECT_NE(inst.log().find("stellar.yaml:5"), std::string::npos) << inst.log();
	EXPECT_FALSE(plain_client_answered());
}

TEST(ControlTcp, MalformedKeysAndMissingKeysGetClearErrors)
{
	Instance inst("curvekeys");
	KeyPair server = keygen(inst, "server");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	inst.write_config("instance: " + inst.name() + "\n"
			  "ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n"
			  "plugins: []\n"
			  "control: {endpoint: '" + endpoint() + "', secret_key: short, clients: ['" + server.pub + "']}\n");
	inst.start({});
	EXPECT_NE(inst.wait(30000), 0);
	EXPECT_NE(inst.log().find("control.secret_key"), std::string::npos) << inst.log();
	EXPECT_NE(inst.log().find("stellarctl keygen"), std::string::npos) << inst.log();

	CommandResult r = harness::run_command({harness::build_dir() + "/stellarctl", "-e", endpoint(), "status"});
	EXPECT_EQ(r.exit_code, 3);
	EXPECT_NE(r.err.find("CURVE only"), std::string::npos) << r.err;
	// Forty characters, one of them not Z85: caught in the config.
	std::string typo = server.pub;
	typo[7] = ';';
	std::ofstream(inst.path("typo.yaml")) << "instance: " + inst.name() + "\n"
		"ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\nplugins: []\n"
		"control: {endpoint: '" + endpoint() + "', secret_key: '" + server.secret + "', clients: ['" + typo + "']}\n";
	r = harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.path("typo.yaml")});
	EXPECT_NE(r.exit_code, 0);
	EXPECT_NE(r.err.find("control.clients[0]: a CURVE key is 40 Z85 characters"), std::string::npos) << r.err;
	r = harness::run_command({harness::build_dir() + "/stellarctl", "-e", endpoint(), "--server-key", "nonsense",
				  "--key-file", server.file, "status"});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find("not a CURVE key"), std::string::npos) << r.err;
}

}  // namespace
