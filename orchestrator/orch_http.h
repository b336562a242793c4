/* The HTTP listener's route table (orch_http_routes.c), read by its
 * connection threads, replaced by config apply on the main thread. */
#ifndef STELLAR_ORCH_HTTP_H
#define STELLAR_ORCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct orch_http_route {
	char plugin[STELLAR_NAME_MAX];
	struct http_route r;
};

/* /metrics, /status, /stats: served by Stellar itself. */
bool orch_http_builtin_path(const char *path);
/* 1: found (a copy in *out); 0: the path exists with other methods, listed
 * in allow; -1: no such path. */
int orch_http_route_find(const char *path, const char *method, struct orch_http_route *out, char *allow,
			 size_t allow_len);
unsigned orch_http_route_count(void);

#endif
