#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <pcap/pcap.h>

namespace harness {

std::string build_dir()
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		throw std::runtime_error("cannot find the test binary");
	self[n] = '\0';
	std::string s(self);
	// build/tests/stellar_tests -> build
	s = s.substr(0, s.rfind('/'));
	return s.substr(0, s.rfind('/'));
}

std::string data_dir()
{
	return build_dir() + "/../tests/data";
}

std::string data_file(const std::string &name)
{
	return data_dir() + "/" + name;
}

std::vector<std::string> captures()
{
	std::vector<std::string> names;
	DIR *d = opendir(data_dir().c_str());
	struct dirent *e;

	while (d && (e = readdir(d))) {
		std::string n = e->d_name;
		if (n.size() > 5 && n.compare(n.size() - 5, 5, ".pcap") == 0)
			names.push_back(n);
	}
	if (d)
		closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

std::string capture_test_name(const std::string &capture)
{
	std::string s = capture.substr(0, capture.size() - 5);

	for (char &c : s)
		if (!isalnum((unsigned char)c))
			c = '_';
	return s;
}

std::vector<Packet> read_pcap(const std::string &path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
	std::vector<Packet> out;
	struct pcap_pkthdr *h;
	const u_char *d;

	if (!p)
		throw std::runtime_error("cannot read " + path + ": " + err);
	while (pcap_next_ex(p, &h, &d) == 1)
		out.push_back(Packet{(uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec, h->len,
				     std::string(reinterpret_cast<const char *>(d), h->caplen)});
	pcap_close(p);
	return out;
}

void write_pcap(const std::string &path, const std::vector<Packet> &packets)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, path.c_str()) : nullptr;

	if (!d)
		throw std::runtime_error("cannot write " + path);
	for (const Packet &p : packets) {
		struct pcap_pkthdr h;

		h.ts.tv_sec = (time_t)(p.ts_ns / 1000000000ull);
		h.ts.tv_usec = (suseconds_t)(p.ts_ns % 1000000000ull / 1000);
		h.caplen = (bpf_u_int32)p.bytes.size();
		h.len = p.wire_len;
		pcap_dump(reinterpret_cast<u_char *>(d), &h, reinterpret_cast<const u_char *>(p.bytes.data()));
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream ss;

	ss << f.rdbuf();
	return ss.str();
}

static int wait_child(pid_t pid, int timeout_ms)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0)
			return -1;
		if (std::chrono::steady_clock::now() > deadline)
			return -2;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
}

static pid_t spawn(const std::vector<std::string> &argv, const std::string &out, const std::string &err,
		   const std::string &cwd)
{
	pid_t pid = fork();

	if (pid == 0) {
		std::vector<char *> args;

		for (auto &a : argv)
			args.push_back(const_cast<char *>(a.c_str()));
		args.push_back(nullptr);
		int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o >= 0)
			dup2(o, 1);
		if (e >= 0)
			dup2(e, 2);
		if (!cwd.empty() && chdir(cwd.c_str()) != 0)
			_exit(126);
		execv(args[0], args.data());
		_exit(127);
	}
	return pid;
}

CommandResult run_command(const std::vector<std::string> &argv, int timeout_ms)
{
	char tmpl[] = "/tmp/stellar-cmd-XXXXXX";
	std::string d = mkdtemp(tmpl);
	pid_t pid = spawn(argv, d + "/out", d + "/err", "");
	CommandResult r;

	r.exit_code = wait_child(pid, timeout_ms);
	if (r.exit_code == -2) {
		kill(pid, SIGKILL);
		waitpid(pid, nullptr, 0);
		r.exit_code = -1;
	}
	r.out = slurp(d + "/out");
	r.err = slurp(d + "/err");
	unlink((d + "/out").c_str());
	unlink((d + "/err").c_str());
	rmdir(d.c_str());
	return r;
}

Instance::Instance(const std::string &name) : name_(name)
{
	char tmpl[] = "/tmp/stellar-test-XXXXXX";

	dir_ = mkdtemp(tmpl);
}

Instance::~Instance()
{
	if (pid_ > 0 && process_alive(pid_)) {
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
	}
	if (!getenv("STELLAR_KEEP_TEST_DIRS"))
		run_command({"/bin/rm", "-rf", dir_});
}

std::string Instance::copy_capture(const std::string &capture, const std::string &leaf)
{
	std::ifstream src(data_file(capture), std::ios::binary);
	std::ofstream dst(path(leaf), std::ios::binary);

	if (!src)
		throw std::runtime_error("missing test capture " + capture);
	dst << src.rdbuf();
	return path(leaf);
}

void Instance::write_config(const std::string &yaml)
{
	std::ofstream f(config_path());

	f << yaml;
}

pid_t Instance::start(const std::vector<std::string> &extra_args)
{
	std::vector<std::string> argv = {build_dir() + "/stellar-orchestrator", "-c", config_path()};

	argv.insert(argv.end(), extra_args.begin(), extra_args.end());
	pid_ = spawn(argv, path("orchestrator.out"), path("orchestrator.log"), dir_);
	return pid_;
}

int Instance::wait(int timeout_ms)
{
	int rc = wait_child(pid_, timeout_ms);

	if (rc == -2)
		return -1;
	pid_ = -1;
	return rc;
}

std::string Instance::log() const
{
	return slurp(path("orchestrator.log"));
}

CommandResult Instance::ctl(const std::vector<std::string> &args, int timeout_ms)
{
	std::vector<std::string> argv = {build_dir() + "/stellarctl", "--instance", name_};

	argv.insert(argv.end(), args.begin(), args.end());
	return run_command(argv, timeout_ms);
}

json_t *Instance::status()
{
	CommandResult r = ctl({"status", "--json"});

	if (r.exit_code != 0)
		return nullptr;
	return json_loads(r.out.c_str(), 0, nullptr);
}

bool Instance::wait_running(int timeout_ms)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);

	while (std::chrono::steady_clock::now() < deadline) {
		json_t *s = status();
		bool all = s != nullptr;

		if (s) {
			size_t i;
			json_t *w;

			json_array_foreach(json_object_get(s, "workers"), i, w)
				if (strcmp(json_string_value(json_object_get(w, "state")), "running") != 0)
					all = false;
			json_decref(s);
		}
		if (all)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	return false;
}

json_t *load_json(const std::string &path)
{
	json_error_t err;

	return json_load_file(path.c_str(), 0, &err);
}

uint64_t json_u64(json_t *root, const char *dotted_path)
{
	std::string p(dotted_path);
	json_t *cur = root;
	size_t start = 0;

	while (cur && start <= p.size()) {
		size_t dot = p.find('.', start);
		std::string key = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);

		cur = json_object_get(cur, key.c_str());
		if (dot == std::string::npos)
			break;
		start = dot + 1;
	}
	if (!cur || !json_is_integer(cur))
		throw std::runtime_error(std::string("no integer at ") + dotted_path);
	return (uint64_t)json_integer_value(cur);
}

bool process_alive(pid_t pid)
{
	char path[64], state = '?';

	if (kill(pid, 0) != 0)
		return false;
	// A zombie is dead for our purposes.
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	std::string s = slurp(path);
	size_t close = s.rfind(')');
	if (close != std::string::npos && close + 2 < s.size())
		state = s[close + 2];
	return state != 'Z' && state != '?';
}

long process_cpu_ticks(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	std::string s = slurp(path);
	size_t close = s.rfind(')');
	if (close == std::string::npos)
		return -1;
	std::istringstream in(s.substr(close + 2));
	std::string field;
	long utime = 0, stime = 0;
	// Fields after the command: state(3) ... utime(14) stime(15).
	for (int i = 3; i <= 15 && in >> field; i++) {
		if (i == 14)
			utime = atol(field.c_str());
		if (i == 15)
			stime = atol(field.c_str());
	}
	return utime + stime;
}

std::vector<std::string> hugepage_files(const std::string &prefix)
{
	std::vector<std::string> out;
	std::istringstream mounts(slurp("/proc/mounts"));
	std::string dev, mnt, type, rest;

	while (mounts >> dev >> mnt >> type && std::getline(mounts, rest)) {
		if (type != "hugetlbfs")
			continue;
		DIR *d = opendir(mnt.c_str());
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0)
				out.push_back(mnt + "/" + e->d_name);
		if (d)
			closedir(d);
	}
	return out;
}

}  // namespace harness
