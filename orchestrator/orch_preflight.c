#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "orch.h"
#include "paths.h"

/* Roughly what the pool and rings take, in 2 MiB pages, plus EAL's own. */
static unsigned pages_needed(const struct stellar_config *cfg)
{
	uint64_t mbuf = 128 + 128 + 2176; /* header, private area, data room */
	uint64_t bytes = (uint64_t)cfg->pipeline.mbufs * mbuf + (8u << 20);

	return (unsigned)(bytes / (2u << 20)) + 8;
}

static long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static bool hugetlbfs_mounted(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " hugetlbfs "))
			found = true;
	fclose(f);
	return found;
}

static int check_hugepages(const struct stellar_config *cfg)
{
	long free_pages = meminfo("HugePages_Free");
	unsigned need = pages_needed(cfg);

	if (!hugetlbfs_mounted() || free_pages < (long)need) {
		fprintf(stderr, "stellar-orchestrator: %s (need about %u free 2 MiB pages, %ld free): "
			"run `make hugepages` (or: echo 512 > /proc/sys/vm/nr_hugepages && "
			"mount -t hugetlbfs nodev /dev/hugepages)\n",
			hugetlbfs_mounted() ? "not enough free hugepages" : "no hugetlbfs mounted",
			need, free_pages < 0 ? 0 : free_pages);
		return -1;
	}
	return 0;
}

static void default_cpus(struct orch *o)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->cfg.pipeline.cpus[0])
		snprintf(o->cpus, sizeof(o->cpus), "%s", o->cfg.pipeline.cpus);
	else if (n > 1)
		snprintf(o->cpus, sizeof(o->cpus), "0-%ld", n - 1);
	else
		snprintf(o->cpus, sizeof(o->cpus), "0");
}

static int take_lock(struct orch *o)
{
	char dir[256], lock[256], pid[32];
	const char *inst = o->cfg.instance;
	int fd, n;

	if (mkdir(STELLAR_RUN_ROOT, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "stellar-orchestrator: cannot create %s: %s\n", STELLAR_RUN_ROOT,
			strerror(errno));
		return -1;
	}
	path_run_dir(inst, dir, sizeof(dir));
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "stellar-orchestrator: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	path_lock_file(inst, lock, sizeof(lock));
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "stellar-orchestrator: cannot open %s: %s\n", lock, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char other[32] = "?";
		ssize_t r = read(fd, other, sizeof(other) - 1);

		other[r > 0 ? r : 1] = '\0';
		other[strcspn(other, "\n")] = '\0';
		fprintf(stderr, "stellar-orchestrator: instance '%s' is already running (pid %s); "
			"stop it with `stellarctl --instance %s shutdown` or pick another instance name\n",
			inst, other, inst);
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n)
		LOG_WARN("cannot record our pid in %s", lock);
	o->lock_fd = fd;
	return 0;
}

int orch_preflight(struct orch *o)
{
	if (geteuid() != 0) {
		fprintf(stderr, "stellar-orchestrator: needs root for hugepages and %s: run it with sudo\n",
			STELLAR_RUN_ROOT);
		return -1;
	}
	if (check_hugepages(&o->cfg) < 0)
		return -1;
	default_cpus(o);
	if (take_lock(o) < 0)
		return -1;
	/* We hold the lock, so whatever DPDK files carry this instance's
	 * prefix are left over from a run that was killed: clear them. */
	orch_cleanup_dpdk_files(o->cfg.instance);
	return 0;
}

void orch_release_lock(struct orch *o)
{
	if (o->lock_fd >= 0)
		close(o->lock_fd);
	o->lock_fd = -1;
}
