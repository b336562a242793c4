/* Where an instance keeps its sockets and lock: /run/stellar/<instance>/. */
#ifndef STELLAR_PATHS_H
#define STELLAR_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STELLAR_RUN_ROOT "/run/stellar"
#define STELLAR_DEFAULT_INSTANCE "stellar"

/* Instance names end up in paths and DPDK file prefixes: [A-Za-z0-9_-]{1,32}. */
bool instance_name_valid(const char *name);

int path_run_dir(const char *instance, char *buf, size_t len);
int path_lock_file(const char *instance, char *buf, size_t len);
int path_control_socket(const char *instance, char *buf, size_t len);
int path_workers_socket(const char *instance, char *buf, size_t len);
/* "ipc://" + socket path */
int endpoint_control(const char *instance, char *buf, size_t len);
int endpoint_workers(const char *instance, char *buf, size_t len);
/* DPDK --file-prefix for the instance. */
int eal_file_prefix(const char *instance, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
