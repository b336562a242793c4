/*
 * The instance configuration (conf/<name>.yaml), parsed and checked before
 * anything is applied: a config is either accepted whole or rejected with
 * the file, line, key and reason.
 */
#ifndef STELLAR_CONFIG_H
#define STELLAR_CONFIG_H

#include <stddef.h>

#include "decode.h"
#include "defrag.h"
#include "port_config.h"
#include "session_table.h"
#include "topology.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CONFIG_MAX_PLUGINS 16

#define PLUGIN_FILTER_STAGES 8
#define PLUGIN_FILTER_MAX    256 /* bytes of one pcap expression */

/* A REST route on the HTTP listener served by a plugin command. */
#define HTTP_ROUTES_MAX 8
struct http_route {
	char method[8];                /* GET, POST, PUT, DELETE, PATCH */
	char path[128];                /* exact, from '/' */
	char command[64];              /* the plugin command it runs */
};

bool http_route_method_valid(const char *method);

struct plugin_config {
	char name[STELLAR_NAME_MAX];
	char path[STELLAR_PATH_MAX];   /* a .so (C) or .lua file */
	unsigned n_filter;             /* FFPF-style chain: each stage a pcap expression */
	char filter[PLUGIN_FILTER_STAGES][PLUGIN_FILTER_MAX];
	char *config_json;             /* its `config:` subtree (malloc'd; config_release) */
	unsigned n_routes;             /* http_routes: in the config (the .so may declare more) */
	struct http_route routes[HTTP_ROUTES_MAX];
	unsigned line;
};

struct plugin_limits {
	uint32_t lua_instructions;     /* per Lua call, then it is cut off */
	uint32_t quarantine_crashes;   /* crashes of a C plugin within the window... */
	uint32_t quarantine_window_ms; /* ...that disable it */
};

struct pipeline_config {
	unsigned plugin_workers;      /* active at start */
	unsigned max_plugin_workers;  /* rings are created for this many */
	unsigned session_shards;
	unsigned ring_size;           /* entries per ring, power of two */
	unsigned mbufs;               /* mbufs in the pool */
	unsigned drain_timeout_ms;    /* shutdown waits this long for in-flight packets */
	unsigned heartbeat_timeout_ms;/* a silent worker is killed and restarted after this */
	char cpus[64];                /* CPUs workers may run on, e.g. "0-1"; empty: all */
};

enum malformed_policy { MALFORMED_FORWARD = 0, MALFORMED_DROP };

struct decode_section {
	struct decode_config decode;
	struct defrag_config defrag;
	uint8_t malformed;            /* enum malformed_policy */
};

struct session_config {
	uint32_t max_sessions;        /* open sessions per shard before eviction */
	uint32_t metadata_mb;         /* session metadata store per shard */
	struct session_timeouts timeouts;
};

void config_session_defaults(struct session_config *s);

#define CONTROL_KEY_TEXT    41 /* Z85 of a 32-byte CURVE key, and a NUL */
#define CONTROL_MAX_CLIENTS 32

struct control_config {
	char endpoint[128];            /* tcp://ADDR:PORT, or empty */
	char secret_key[CONTROL_KEY_TEXT];
	unsigned n_clients;
	char clients[CONTROL_MAX_CLIENTS][CONTROL_KEY_TEXT];
};

/* The optional HTTP listener (Prometheus /metrics, plugin REST routes). */
#define HTTP_TOKEN_MIN 16
struct http_config {
	char address[64];              /* default 127.0.0.1 */
	uint16_t port;                 /* 0: off */
	char token[128];               /* bearer token for plugin routes; empty: they are off */
};

struct stellar_config {
	char path[STELLAR_PATH_MAX];
	char instance[STELLAR_NAME_MAX];
	unsigned n_ports;
	struct port_config ports[STELLAR_MAX_PORTS];
	struct pipeline_config pipeline;
	unsigned n_plugins;
	struct plugin_config plugins[CONFIG_MAX_PLUGINS];
	struct plugin_limits plugin_limits;
	struct control_config control;
	struct http_config http;
	struct decode_section decode;
	struct session_config session;
	int log_level; /* enum log_level */
};

struct config_error {
	char file[STELLAR_PATH_MAX];
	unsigned line;  /* 1-based; 0 when the error is not about one place */
	char key[128];  /* dotted path, e.g. "ports[0].rx_pcap" */
	char reason[384];
};

/* Fills defaults, then reads the file. Returns 0, or -1 with *err set. */
int config_load(const char *path, struct stellar_config *cfg, struct config_error *err);
/* Same, from a string; `name` stands for the file in messages and relative
 * paths are resolved against `base_dir` (NULL: the working directory). */
int config_load_string(const char *yaml, size_t len, const char *name, const char *base_dir,
		       struct stellar_config *cfg, struct config_error *err);

void config_defaults(struct stellar_config *cfg);
void config_plugin_limits_defaults(struct plugin_limits *l);
/* Frees what config_load allocated (plugin configs). */
void config_release(struct stellar_config *cfg);
/* "file:line: key: reason" */
void config_error_format(const struct config_error *err, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
