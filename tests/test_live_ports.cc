// Live ports: Stellar bridges two network namespaces through net_pcap on
// veth pairs, and a TCP transfer between them gets through whole.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "harness.h"

using harness::Instance;

namespace {

int sh(const std::string &cmd)
{
	return harness::run_command({"/bin/sh", "-c", cmd}).exit_code;
}

// Two namespaces, each with one end of a veth pair; the other ends stay
// here for Stellar: <tag>a0 <-> (ns <tag>_a) <tag>a1, same for b.
class NamespacePair {
public:
	explicit NamespacePair(const std::string &tag) : tag_(tag)
	{
		teardown();
		for (const char *side : {"a", "b"}) {
			std::string ns = tag + "_" + side, out = tag + side + "0", in = tag + side + "1";
			std::string addr = std::string("10.231.7.") + (side[0] == 'a' ? "1" : "2") + "/24";
			ok_ &= sh("ip netns add " + ns) == 0 &&
			       sh("ip link add " + out + " type veth peer name " + in) == 0 &&
			       sh("ip link set " + in + " netns " + ns) == 0 &&
			       sh("ip link set " + out + " up") == 0 &&
			       sh("ip netns exec " + ns + " ip addr add " + addr + " dev " + in) == 0 &&
			       sh("ip netns exec " + ns + " ip link set " + in + " up") == 0 &&
			       sh("ip netns exec " + ns + " ip link set lo up") == 0 &&
			       // veth leaves checksums to an offload that never
			       // happens once the frame is captured and re-sent.
			       sh("ip netns exec " + ns + " ethtool -K " + in + " tx off >/dev/null") == 0;
		}
	}
	~NamespacePair() { teardown(); }
	bool ok() const { return ok_; }
	std::string ns(const char *side) const { return tag_ + "_" + side; }
	std::string outer(const char *side) const { return tag_ + side + "0"; }

private:
	void teardown()
	{
		for (const char *side : {"a", "b"}) {
			sh("ip netns del " + tag_ + "_" + side + " 2>/dev/null");
			sh("ip link del " + tag_ + side + "0 2>/dev/null");
		}
	}
	std::string tag_;
	bool ok_ = true;
};

// Runs fn in a child process inside a network namespace; returns the child.
template <typename F> pid_t in_namespace(const std::string &ns, F fn)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
			_exit(90);
		alarm(30); /* a stuck transfer fails the test instead of hanging it */
		_exit(fn());
	}
	return pid;
}

int exit_status(pid_t pid)
{
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const size_t kBytes = 300 * 1024;

TEST(LivePorts, TcpTransferCrossesTheBumpInTheWire)
{
	NamespacePair net("stlp");
	ASSERT_TRUE(net.ok()) << "could not create namespaces and veth pairs";
	Instance inst("live");
	inst.write_config("instance: live\n"
			  "ports:\n"
			  "  - {name: a, type: iface, iface: " + net.outer("a") + ", forward: b}\n"
			  "  - {name: b, type: iface, iface: " + net.outer("b") + ", forward: a}\n"
			  // Short timeouts: sessions must close on the wall clock
			  // alone once the traffic stops.
			  "session:\n"
			  "  timeouts: {tcp_time_wait: 1, tcp_closed: 1, tcp_fin_wait: 2, tcp_closing: 2,\n"
			  "             udp_new: 1, udp_active: 1, icmp_new: 1, icmp_active: 1,\n"
			  "             other_new: 1, other_active: 1}\n");
	inst.start({"--stats-json", inst.path("stats.json")});
	ASSERT_TRUE(inst.wait_running(15000)) << inst.log();

	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	pid_t server = in_namespace(net.ns("b"), [&] {
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_port = htons(7777);
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (sockaddr *)&a, sizeof(a)) || listen(s, 1))
			return 91;
		int c = accept(s, nullptr, nullptr);
		size_t total = 0;
		char buf[65536];
		ssize_t n;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			total += (size_t)n;
		return write(fds[1], &total, sizeof(total)) == sizeof(total) ? 0 : 92;
	});
	pid_t client = in_namespace(net.ns("a"), [&] {
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_port = htons(7777);
		inet_pton(AF_INET, "10.231.7.2", &a.sin_addr);
		for (int tries = 0; tries < 50; tries++) {
			int s = socket(AF_INET, SOCK_STREAM, 0);
			if (connect(s, (sockaddr *)&a, sizeof(a)) == 0) {
				std::string data(kBytes, 'x');
				size_t off = 0;
				while (off < data.size()) {
					ssize_t n = write(s, data.data() + off, data.size() - off);
					if (n <= 0)
						return 93;
					off += (size_t)n;
				}
				close(s);
				return 0;
			}
			close(s);
			std::this_thread::sleep_for(std::chrono::milliseconds(200));
		}
		return 94;
	});
	EXPECT_EQ(exit_status(client), 0) << inst.log();
	EXPECT_EQ(exit_status(server), 0);
	size_t received = 0;
	ASSERT_EQ(read(fds[0], &received, sizeof(received)), (ssize_t)sizeof(received));
	EXPECT_EQ(received, kBytes);

	// No more traffic: the transfer's session times out on the wall clock
	// (its TIME_WAIT, reason fin), and its closing event reaches a plugin
	// worker without any packet to carry it.
	bool closed = false;
	for (int i = 0; i < 100 && !closed; i++) {
		harness::CommandResult r = inst.ctl({"stats", "--json"});
		json_t *live = json_loads(r.out.c_str(), 0, nullptr);
		if (live) {
			closed = harness::json_u64(live, "sessions.closed_by_reason.fin") >= 1 &&
				 harness::json_u64(live, "sessions.events.closing_by_reason.fin") >= 1;
			json_decref(live);
		}
		if (!closed)
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	EXPECT_TRUE(closed) << "the TCP session did not time out without traffic";

	EXPECT_EQ(inst.ctl({"shutdown"}).exit_code, 0);
	ASSERT_EQ(inst.wait(20000), 0) << inst.log();
	json_t *stats = harness::load_json(inst.path("stats.json"));
	ASSERT_NE(stats, nullptr);
	uint64_t rx = harness::json_u64(stats, "packets.rx");
	EXPECT_GT(rx, kBytes / 1500) << "the transfer went through Stellar";
	EXPECT_EQ(harness::json_u64(stats, "packets.tx") + harness::json_u64(stats, "packets.dropped_total"), rx);
	EXPECT_EQ(harness::json_u64(stats, "packets.dropped_total"), 0u);
	EXPECT_EQ(harness::json_u64(stats, "mempool.in_use"), harness::json_u64(stats, "mempool.baseline"));
	json_decref(stats);
}

TEST(LivePorts, MissingInterfaceIsNamed)
{
	Instance inst("noiface");
	inst.write_config("instance: noiface\nports:\n  - {name: a, type: iface, iface: nosuchif9}\n");
	harness::CommandResult r =
		harness::run_command({harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path()});
	EXPECT_EQ(r.exit_code, 2);
	EXPECT_NE(r.err.find(":3: ports[0].iface: no interface 'nosuchif9'"), std::string::npos) << r.err;
}

TEST(LivePorts, UntilEofNeedsACaptureFile)
{
	NamespacePair net("stue");
	ASSERT_TRUE(net.ok());
	Instance inst("ue");
	inst.write_config("instance: ue\nports:\n  - {name: a, type: iface, iface: " + net.outer("a") + "}\n");
	harness::CommandResult r = harness::run_command(
		{harness::build_dir() + "/stellar-orchestrator", "-c", inst.config_path(), "--until-eof"});
	EXPECT_NE(r.exit_code, 0);
	EXPECT_NE(r.err.find("--until-eof needs a capture"), std::string::npos) << r.err;
}

}  // namespace
