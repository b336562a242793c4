// Config parsing: every kind of bad input is rejected with file, line, key
// and reason; the documented example is accepted as written.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include "config.h"
#include "harness.h"
#include "log.h"

namespace {

class ConfigTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/stellar-config-XXXXXX";
		dir_ = mkdtemp(tmpl);
		capture_ = dir_ + "/in.pcap";
		std::ofstream(capture_) << "not really a capture, the parser only checks it exists";
	}
	void TearDown() override { harness::run_command({"/bin/rm", "-rf", dir_}); }

	int load(const std::string &yaml)
	{
		return config_load_string(yaml.data(), yaml.size(), "test.yaml", dir_.c_str(), &cfg_, &err_);
	}
	std::string port(const std::string &extra = "") const
	{
		return "ports:\n  - name: p0\n    type: pcap\n    rx_pcap: " + capture_ + "\n" + extra;
	}
	std::string message() const
	{
		char buf[1024];
		config_error_format(&err_, buf, sizeof(buf));
		return buf;
	}

	std::string dir_, capture_;
	struct stellar_config cfg_;
	struct config_error err_;
};

TEST_F(ConfigTest, MissingFileIsNamed)
{
	ASSERT_EQ(config_load("/nonexistent/stellar.yaml", &cfg_, &err_), -1);
	EXPECT_STREQ(err_.file, "/nonexistent/stellar.yaml");
	EXPECT_NE(message().find("cannot open"), std::string::npos) << message();
}

TEST_F(ConfigTest, EmptyDocumentIsRejected)
{
	ASSERT_EQ(load(""), -1);
	EXPECT_NE(message().find("empty"), std::string::npos) << message();
}

TEST_F(ConfigTest, YamlSyntaxErrorNamesLine)
{
	ASSERT_EQ(load("instance: a\nports: [\n  {name: p0\n"), -1);
	EXPECT_GE(err_.line, 3u) << message();
	EXPECT_NE(message().find("YAML syntax"), std::string::npos) << message();
}

TEST_F(ConfigTest, UnknownTopLevelKeyNamesLineAndKey)
{
	ASSERT_EQ(load(port() + "colour: blue\n"), -1);
	EXPECT_EQ(err_.line, 5u);
	EXPECT_STREQ(err_.key, "colour");
	EXPECT_NE(message().find("test.yaml:5: colour: unknown key"), std::string::npos) << message();
}

TEST_F(ConfigTest, UnknownPortKeyNamesItsPath)
{
	ASSERT_EQ(load(port("    speed: 10G\n")), -1);
	EXPECT_STREQ(err_.key, "ports[0].speed");
	EXPECT_EQ(err_.line, 5u);
}

TEST_F(ConfigTest, WrongTypeIsRejected)
{
	ASSERT_EQ(load(port() + "pipeline:\n  plugin_workers: two\n"), -1);
	EXPECT_STREQ(err_.key, "pipeline.plugin_workers");
	EXPECT_EQ(err_.line, 6u);
	EXPECT_NE(message().find("expected an integer"), std::string::npos) << message();

	ASSERT_EQ(load(port() + "pipeline: [1, 2]\n"), -1);
	EXPECT_STREQ(err_.key, "pipeline");
	EXPECT_NE(message().find("expected a mapping"), std::string::npos) << message();

	ASSERT_EQ(load("ports: {name: p0}\n"), -1);
	EXPECT_NE(message().find("expected a list"), std::string::npos) << message();
}

TEST_F(ConfigTest, OutOfRangeValuesAreRejected)
{
	ASSERT_EQ(load(port() + "pipeline:\n  plugin_workers: 0\n"), -1);
	EXPECT_NE(message().find("out of range"), std::string::npos) << message();
	ASSERT_EQ(load(port() + "pipeline:\n  plugin_workers: -3\n"), -1);
	ASSERT_EQ(load(port() + "pipeline:\n  ring_size: 1000\n"), -1);
	EXPECT_NE(message().find("power of two"), std::string::npos) << message();
	ASSERT_EQ(load(port() + "pipeline:\n  plugin_workers: 4\n  max_plugin_workers: 2\n"), -1);
	EXPECT_STREQ(err_.key, "pipeline.max_plugin_workers");
}

TEST_F(ConfigTest, MissingCaptureNamesLineKeyAndFile)
{
	ASSERT_EQ(load("ports:\n  - name: p0\n    type: pcap\n    rx_pcap: /no/such.pcap\n"), -1);
	EXPECT_EQ(err_.line, 4u);
	EXPECT_STREQ(err_.key, "ports[0].rx_pcap");
	EXPECT_NE(message().find("/no/such.pcap"), std::string::npos) << message();
}

TEST_F(ConfigTest, UnwritableOutputDirectoryIsRejected)
{
	ASSERT_EQ(load(port("    tx_pcap: /no/such/dir/out.pcap\n")), -1);
	EXPECT_STREQ(err_.key, "ports[0].tx_pcap");
	EXPECT_NE(message().find("does not exist"), std::string::npos) << message();
}

TEST_F(ConfigTest, MissingRequiredKeysAreNamed)
{
	ASSERT_EQ(load("instance: x\n"), -1);
	EXPECT_STREQ(err_.key, "ports");
	ASSERT_EQ(load("ports:\n  - type: pcap\n"), -1);
	EXPECT_STREQ(err_.key, "ports[0].name");
	ASSERT_EQ(load("ports:\n  - name: p0\n    type: pcap\n"), -1);
	EXPECT_STREQ(err_.key, "ports[0].rx_pcap");
	ASSERT_EQ(load("ports: []\n"), -1);
}

TEST_F(ConfigTest, DuplicatesAreRejected)
{
	ASSERT_EQ(load(port() + "instance: a\ninstance: b\n"), -1);
	EXPECT_EQ(err_.line, 6u);
	EXPECT_NE(message().find("duplicate key"), std::string::npos) << message();
	ASSERT_EQ(load(port() + "  - name: p0\n    type: pcap\n    rx_pcap: " + capture_ + "\n"), -1);
	EXPECT_NE(message().find("used twice"), std::string::npos) << message();
}

TEST_F(ConfigTest, BadValuesAreRejected)
{
	ASSERT_EQ(load(port("    pace: fast\n")), -1);
	EXPECT_STREQ(err_.key, "ports[0].pace");
	ASSERT_EQ(load(port("    pace: \"pps:0\"\n")), -1);
	ASSERT_EQ(load(port() + "instance: \"../etc\"\n"), -1);
	EXPECT_STREQ(err_.key, "instance");
	ASSERT_EQ(load("ports:\n  - {name: p0, type: tap, rx_pcap: x}\n"), -1);
	EXPECT_NE(message().find("unsupported port type"), std::string::npos) << message();
	ASSERT_EQ(load(port() + "log: {level: loud}\n"), -1);
	EXPECT_STREQ(err_.key, "log.level");
	ASSERT_EQ(load(port("    tx_pcap: " + capture_ + "\n")), -1);
	EXPECT_NE(message().find("must differ"), std::string::npos) << message();
	ASSERT_EQ(load(port() + "pipeline: {cpus: \"all\"}\n"), -1);
	EXPECT_STREQ(err_.key, "pipeline.cpus");
}

TEST_F(ConfigTest, PluginEntriesNeedNameAndExistingPath)
{
	ASSERT_EQ(load(port() + "plugins:\n  - {name: fw}\n"), -1);
	EXPECT_STREQ(err_.key, "plugins[0].path");
	ASSERT_EQ(load(port() + "plugins:\n  - {name: fw, path: /no/fw.so}\n"), -1);
	EXPECT_EQ(err_.line, 6u);
	ASSERT_EQ(load(port() + "plugins:\n  - {name: fw, path: " + capture_ + ", colour: red}\n"), -1);
	EXPECT_STREQ(err_.key, "plugins[0].colour");
}

// The exact keys of the foundation issue, which outside tests rely on.
TEST_F(ConfigTest, AcceptsTheDocumentedExample)
{
	std::string yaml = "instance: demo\n"
			   "ports:\n"
			   "  - name: p0\n"
			   "    type: pcap\n"
			   "    rx_pcap: in.pcap\n"
			   "    tx_pcap: out.pcap\n"
			   "pipeline:\n"
			   "  plugin_workers: 2\n"
			   "plugins: []\n";
	char cwd[4096];
	ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
	ASSERT_EQ(chdir(dir_.c_str()), 0);
	int rc = load(yaml);
	ASSERT_EQ(chdir(cwd), 0);
	ASSERT_EQ(rc, 0) << message();
	EXPECT_STREQ(cfg_.instance, "demo");
	ASSERT_EQ(cfg_.n_ports, 1u);
	EXPECT_STREQ(cfg_.ports[0].name, "p0");
	EXPECT_EQ(cfg_.ports[0].type, (uint32_t)PORT_PCAP);
	EXPECT_EQ(std::string(cfg_.ports[0].rx_pcap), capture_);
	EXPECT_EQ(std::string(cfg_.ports[0].tx_pcap), dir_ + "/out.pcap");
	EXPECT_EQ(cfg_.ports[0].pace, (uint32_t)PACE_MAX);
	EXPECT_EQ(cfg_.pipeline.plugin_workers, 2u);
	EXPECT_GE(cfg_.pipeline.max_plugin_workers, 2u);
	EXPECT_EQ(cfg_.n_plugins, 0u);
}

TEST_F(ConfigTest, DefaultsAndOptionalKeys)
{
	ASSERT_EQ(load(port("    pace: \"pps:1000\"\n") +
		       "pipeline: {plugin_workers: 3, session_shards: 2, ring_size: 256, cpus: \"0-1\"}\n"
		       "log: {level: debug}\n"), 0) << message();
	EXPECT_STREQ(cfg_.instance, "stellar");
	EXPECT_EQ(cfg_.ports[0].pace, (uint32_t)PACE_PPS);
	EXPECT_EQ(cfg_.ports[0].pps, 1000u);
	EXPECT_EQ(cfg_.pipeline.plugin_workers, 3u);
	EXPECT_EQ(cfg_.pipeline.session_shards, 2u);
	EXPECT_EQ(cfg_.pipeline.ring_size, 256u);
	EXPECT_STREQ(cfg_.pipeline.cpus, "0-1");
	EXPECT_EQ(cfg_.log_level, (int)LOG_LVL_DEBUG);
	EXPECT_EQ(cfg_.ports[0].tx_pcap[0], '\0');
}

// Inputs not found relative to the working directory are looked up next to
// the config file, so a config and its capture can travel together.
TEST_F(ConfigTest, RelativeInputFallsBackToConfigDirectory)
{
	ASSERT_EQ(load("ports:\n  - {name: p0, type: pcap, rx_pcap: in.pcap}\n"), 0) << message();
	EXPECT_EQ(std::string(cfg_.ports[0].rx_pcap), capture_);
}

}  // namespace
