// Bad starts and bad control messages: a clear message, a non-zero exit,
// nothing half-started left behind, and a running instance unaffected.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>


#include "control.pb-c.h"
#include "control_client.h"
#include "harness.h"

using harness::CommandResult;
using harness::Instance;

namespace {

std::string orchestrator()
{
	return harness::build_dir() + "/stellar-orchestrator";
}

void expect_no_trace(const std::string &instance)
{
	struct stat st;

	EXPECT_TRUE(harness::hugepage_files("stellar_" + instance).empty());
	EXPECT_NE(stat(("/var/run/dpdk/stellar_" + instance).c_str(), &st), 0);
	EXPECT_NE(stat(("/run/stellar/" + instance).c_str(), &st), 0);
}

TEST(BadStart, MissingConfigFile)
{
	CommandResult r = harness::run_command({orchestrator(), "-c", "/nonexistent/stellar.yaml"});
	EXPECT_NE(r.exit_code, 0);
	EXPECT_NE(r.err.find("/nonexistent/stellar.yaml: cannot open"), std::string::npos) << r.err;
}

TEST(BadStart, NoArguments)
{
	CommandResult r = harness::run_command({orchestrator()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;
}

TEST(BadStart, BadConfigNamesFileLineAndKey)
{
	Instance inst("badcfg");
	inst.copy_capture("zeek__q-in-q.pcap", "in.pcap");
	inst.write_config("instance: badcfg\nports:\n  - {name: p0, type: pcap, rx_pcap: " + inst.path("in.pcap") +
			  "}\npipeline:\n  plugin_workrs: 2\n");
	CommandResult r = harness::run_command({orchestrator(), "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find(inst.config_path() + ":5: pipeline.plugin_workrs: unknown key"), std::string::npos)
		<< r.err;
	expect_no_trace("badcfg");
}

TEST(BadStart, MissingCaptureIsNamed)
{
	Instance inst("nocap");
	inst.write_config("instance: nocap\nports:\n  - name: p0\n    type: pcap\n    rx_pcap: " +
			  inst.path("missing.pcap") + "\n");
	CommandResult r = harness::run_command({orchestrator(), "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find(":5: ports[0].rx_pcap: cannot open"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("missing.pcap"), std::string::npos) << r.err;
	expect_no_trace("nocap");
}

TEST(BadStart, TooFewHugepagesSaysWhatToRun)
{
	Instance inst("nohuge");
	inst.copy_capture("zeek__q-in-q.pcap", "in.pcap");
	// Four million mbufs need ~10 GiB of hugepages, far more than reserved.
	inst.write_config("instance: nohuge\nports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n"
			  "pipeline: {mbufs: 4194304}\n");
	CommandResult r = harness::run_command({orchestrator(), "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("hugepages"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("make hugepages"), std::string::npos) << r.err;
	EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one clear line: " << r.err;
	expect_no_trace("nohuge");
}

TEST(BadStart, NotRootSaysWhatToRun)
{
	Instance inst("notroot");
	inst.copy_capture("zeek__q-in-q.pcap", "in.pcap");
	inst.write_config("instance: notroot\nports:\n  - {name: p0, type: pcap, rx_pcap: " + inst.path("in.pcap") +
			  "}\n");
	chmod(inst.dir().c_str(), 0755);
	chmod(inst.config_path().c_str(), 0644);
	chmod(inst.path("in.pcap").c_str(), 0644);
	CommandResult r = harness::run_command({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
						"--clear-groups", orchestrator(), "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("needs root"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("sudo"), std::string::npos) << r.err;
	EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one clear line: " << r.err;
}

TEST(BadStart, SameInstanceTwiceIsRefusedAndTheFirstKeepsRunning)
{
	Instance first("twice");
	first.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	first.write_config("instance: twice\nports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n");
	first.start({});
	ASSERT_TRUE(first.wait_running(15000)) << first.log();

	CommandResult r = harness::run_command({orchestrator(), "-c", first.config_path()});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("instance 'twice' is already running"), std::string::npos) << r.err;

	CommandResult s = first.ctl({"status"});
	EXPECT_EQ(s.exit_code, 0) << s.err;
	EXPECT_NE(s.out.find("state running"), std::string::npos) << s.out;
	EXPECT_EQ(first.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(first.wait(20000), 0) << first.log();
	expect_no_trace("twice");
}

TEST(Stellarctl, StoppedInstanceGetsAHelpfulError)
{
	Instance inst("nobody-home");
	CommandResult r = inst.ctl({"status"});
	EXPECT_EQ(r.exit_code, 3);
	EXPECT_NE(r.err.find("is instance 'nobody-home' running?"), std::string::npos) << r.err;
}

// `fw ...` are the commands of the plugin named firewall; here a test
// plugin under that name that echoes and refuses shows what arrives.
TEST(Stellarctl, FwCommandsGoToThePluginNamedFirewall)
{
	Instance inst("fwalias");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	inst.write_config("instance: fwalias\nports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, pace: \"pps:20\"}\n"
			  "pipeline: {plugin_workers: 1}\n"
			  "plugins:\n  - {name: firewall, path: " + harness::build_dir() + "/tests/plugins/rest.so}\n");
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();
	CommandResult r = inst.ctl({"fw", "rule", "add", "{\"src-ip\": \"10.0.0.1/32\", \"action\": \"deny\"}"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("{\"refused\": \"rule-add\"}"), std::string::npos) << r.err;
	r = inst.ctl({"fw", "status"});
	EXPECT_NE(r.err.find("{\"refused\": \"status\"}"), std::string::npos) << r.err;
	r = inst.ctl({"fw", "rule", "del", "7"});
	EXPECT_NE(r.err.find("{\"refused\": \"rule-del\"}"), std::string::npos) << r.err;
	EXPECT_EQ(inst.ctl({"fw", "rule"}).exit_code, 2);
	EXPECT_EQ(inst.ctl({"fw", "explode"}).exit_code, 2);
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(30000), 0) << inst.log();

	Instance none("fwnone");
	none.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	none.write_config("instance: fwnone\nports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap, pace: \"pps:20\"}\n");
	none.start({});
	ASSERT_TRUE(none.wait_running(15000)) << none.log();
	r = none.ctl({"fw", "rule", "list"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_NE(r.err.find("no plugin named 'firewall'"), std::string::npos) << r.err;
	EXPECT_EQ(none.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(none.wait(30000), 0) << none.log();
}

TEST(Stellarctl, UsageErrors)
{
	Instance inst("usage");
	EXPECT_EQ(inst.ctl({"frobnicate"}).exit_code, 2);
	EXPECT_EQ(inst.ctl({}).exit_code, 2);
	CommandResult r = harness::run_command({harness::build_dir() + "/stellarctl", "--instance", "../x", "status"});
	EXPECT_EQ(r.exit_code, 2);
}

// Sends raw bytes as a request; returns the decoded response or nullptr.
Stellar__Control__V1__Response *raw_request(const std::string &instance, const std::string &bytes)
{
	std::string answer;

	if (!harness::control_raw_request("ipc:///run/stellar/" + instance + "/control", bytes, 3000, &answer))
		return nullptr;
	return stellar__control__v1__response__unpack(nullptr, answer.size(), (const uint8_t *)answer.data());
}

TEST(ControlApi, MalformedAndUnknownRequestsGetAnErrorAndChangeNothing)
{
	Instance inst("ctlfuzz");
	inst.copy_capture("zeek__wikipedia.pcap", "in.pcap");
	inst.write_config("instance: ctlfuzz\nports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n");
	inst.start({});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();

	// Not protobuf at all, a truncated varint, and a valid Request with no op.
	for (const std::string &bytes : {std::string("\xff\xff\xff\xff garbage", 13), std::string("\x08\xff", 2),
					 std::string("\x08\x07", 2)}) {
		Stellar__Control__V1__Response *resp = raw_request("ctlfuzz", bytes);
		ASSERT_NE(resp, nullptr);
		EXPECT_EQ(resp->code, STELLAR__CONTROL__V1__CODE__CODE_BAD_REQUEST);
		EXPECT_NE(std::string(resp->message), "");
		stellar__control__v1__response__free_unpacked(resp, nullptr);
	}
	// A random-byte storm, then the instance still answers and still runs.
	srand(7);
	for (int i = 0; i < 200; i++) {
		std::string bytes;
		for (int j = rand() % 64; j > 0; j--)
			bytes.push_back((char)(rand() & 0xff));
		Stellar__Control__V1__Response *resp = raw_request("ctlfuzz", bytes);
		ASSERT_NE(resp, nullptr) << "no answer to message " << i;
		stellar__control__v1__response__free_unpacked(resp, nullptr);
	}
	CommandResult s = inst.ctl({"status"});
	EXPECT_EQ(s.exit_code, 0) << s.err;
	EXPECT_NE(s.out.find("state running"), std::string::npos) << s.out;
	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	EXPECT_EQ(inst.wait(20000), 0) << inst.log();
}

}  // namespace
