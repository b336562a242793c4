/*
 * What the orchestrator learns about plugins before anything starts, so a
 * bad plugin is refused with its file and reason: a C plugin's descriptor
 * (by loading it and calling its entry, which must do no work), a Lua
 * script's syntax, every filter expression; and the filter trie every
 * worker builds the same way.
 */
#ifndef STELLAR_PLUGIN_CHECK_H
#define STELLAR_PLUGIN_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "config.h"
#include "plugin_shm.h"

struct plugin_probe {
	uint32_t kind;       /* enum plugin_kind */
	uint32_t events, flags, ctx_size, global_size;
	char self_name[STELLAR_NAME_MAX]; /* the name the plugin gives itself */
	unsigned n_filter;                /* the chain its descriptor declares */
	char filter[PLUGIN_FILTER_STAGES][PLUGIN_FILTER_MAX];
	unsigned n_routes;                /* the REST routes it declares */
	struct http_route routes[HTTP_ROUTES_MAX];
};

/* A .so or .lua file, by its name. Returns 0 or a negative errno with the
 * reason in err. */
int plugin_check_file(const char *path, struct plugin_probe *out, char *err, size_t errlen);

int plugin_filter_compile(const char *expr, struct bpf_program *prog, char *err, size_t errlen);
int plugin_filter_check(const char *expr, char *err, size_t errlen);

/* Builds the trie's node list from the plugins' chains: identical stages
 * under the same parent are one node. leaf[p] is the node plugin p's chain
 * ends at (FILTER_NONE without one). Returns 0 or -ENOSPC. */
int plugin_filter_plan(struct plugins_shm *ps, const struct plugin_config *plugins, unsigned n_plugins,
		       uint16_t *leaf);

#endif
