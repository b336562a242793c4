#include "paths.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

bool instance_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

static int fmt(char *buf, size_t len, const char *f, const char *instance, const char *leaf)
{
	int n = snprintf(buf, len, f, STELLAR_RUN_ROOT, instance, leaf);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int path_run_dir(const char *instance, char *buf, size_t len)
{
	return fmt(buf, len, "%s/%s%s", instance, "");
}

int path_lock_file(const char *instance, char *buf, size_t len)
{
	return fmt(buf, len, "%s/%s/%s", instance, "lock");
}

int path_control_socket(const char *instance, char *buf, size_t len)
{
	return fmt(buf, len, "%s/%s/%s", instance, "control");
}

int path_workers_socket(const char *instance, char *buf, size_t len)
{
	return fmt(buf, len, "%s/%s/%s", instance, "workers");
}

int endpoint_control(const char *instance, char *buf, size_t len)
{
	return fmt(buf, len, "ipc://%s/%s/%s", instance, "control");
}

int endpoint_workers(const char *instance, char *buf, size_t len)
{
	return fmt(buf, len, "ipc://%s/%s/%s", instance, "workers");
}

int eal_file_prefix(const char *instance, char *buf, size_t len)
{
	int n = snprintf(buf, len, "stellar_%s", instance);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}
