// Helpers for tests that run the real programs: a scratch directory, an
// orchestrator child process, stellarctl, capture files and stats JSON.
#ifndef STELLAR_TESTS_HARNESS_H
#define STELLAR_TESTS_HARNESS_H

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include <jansson.h>

namespace harness {

std::string build_dir();
std::string data_dir();
std::string data_file(const std::string &name);
// Every capture in tests/data (file names, sorted), and a gtest-safe name
// for one, for tests parameterised over them.
std::vector<std::string> captures();
std::string capture_test_name(const std::string &capture);

struct Packet {
	uint64_t ts_ns;
	uint32_t wire_len;
	std::string bytes;
};
std::vector<Packet> read_pcap(const std::string &path);
// An Ethernet capture with microsecond timestamps.
void write_pcap(const std::string &path, const std::vector<Packet> &packets);

struct CommandResult {
	int exit_code;   // -1 when killed or timed out
	std::string out;
	std::string err;
};
// Runs a program to completion (argv[0] is a path), capturing its output.
CommandResult run_command(const std::vector<std::string> &argv, int timeout_ms = 30000);

// A scratch directory with an instance config; the orchestrator runs as a
// child process whose stderr goes to a file in the directory.
class Instance {
public:
	explicit Instance(const std::string &name);
	~Instance();
	const std::string &dir() const { return dir_; }
	const std::string &name() const { return name_; }
	std::string path(const std::string &leaf) const { return dir_ + "/" + leaf; }

	// Copies a test capture into the scratch directory as `leaf`.
	std::string copy_capture(const std::string &capture, const std::string &leaf);
	void write_config(const std::string &yaml);
	std::string config_path() const { return path("stellar.yaml"); }

	pid_t start(const std::vector<std::string> &extra_args);
	// Waits for the orchestrator to exit; returns its exit status, -1 on timeout.
	int wait(int timeout_ms);
	pid_t pid() const { return pid_; }
	std::string log() const;

	CommandResult ctl(const std::vector<std::string> &args, int timeout_ms = 10000);
	// Status JSON via stellarctl; NULL if unreachable.
	json_t *status();
	// Blocks until every worker reports "running", or timeout.
	bool wait_running(int timeout_ms);

private:
	std::string name_;
	std::string dir_;
	pid_t pid_ = -1;
};

json_t *load_json(const std::string &path);
uint64_t json_u64(json_t *root, const char *dotted_path);
bool process_alive(pid_t pid);
// Sum of utime+stime clock ticks of a process, -1 if gone.
long process_cpu_ticks(pid_t pid);
// Files in every hugetlbfs mount whose name starts with `prefix`.
std::vector<std::string> hugepage_files(const std::string &prefix);

}  // namespace harness

#endif
