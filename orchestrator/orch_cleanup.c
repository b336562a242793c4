#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "orch.h"
#include "paths.h"

#define DPDK_RUN_ROOT "/var/run/dpdk"

static void unlink_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[768];
	size_t n = strlen(prefix);

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, n) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

static void remove_dir_files(const char *dir)
{
	unlink_prefixed(dir, "");
	rmdir(dir);
}

void orch_cleanup_dpdk_files(const char *instance)
{
	char prefix[96], mapped[128], run[256], mnt[256], line[512];
	FILE *f;

	eal_file_prefix(instance, prefix, sizeof(prefix));
	snprintf(mapped, sizeof(mapped), "%smap_", prefix);
	f = fopen("/proc/mounts", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, " hugetlbfs ") && sscanf(line, "%*s %255s", mnt) == 1)
				unlink_prefixed(mnt, mapped);
		fclose(f);
	}
	snprintf(run, sizeof(run), "%s/%s", DPDK_RUN_ROOT, prefix);
	remove_dir_files(run);
}

void orch_cleanup_run_dir(const char *instance)
{
	char dir[256];

	path_run_dir(instance, dir, sizeof(dir));
	remove_dir_files(dir);
}
