#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_yaml.h"
#include "log.h"
#include "paths.h"

void config_defaults(struct stellar_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->instance, sizeof(cfg->instance), "%s", STELLAR_DEFAULT_INSTANCE);
	cfg->pipeline.plugin_workers = 2;
	cfg->pipeline.max_plugin_workers = 0; /* derived below unless set */
	cfg->pipeline.session_shards = 1;
	cfg->pipeline.ring_size = 1024;
	cfg->pipeline.mbufs = 16383;
	cfg->pipeline.drain_timeout_ms = 5000;
	cfg->pipeline.heartbeat_timeout_ms = 3000;
	cfg->log_level = LOG_LVL_WARN;
	decode_config_defaults(&cfg->decode.decode);
	defrag_config_defaults(&cfg->decode.defrag);
	config_session_defaults(&cfg->session);
	config_plugin_limits_defaults(&cfg->plugin_limits);
	snprintf(cfg->http.address, sizeof(cfg->http.address), "127.0.0.1");
	cfg->decode.malformed = MALFORMED_FORWARD;
}

static int parse_uint_key(struct cy *c, yaml_node_t *map, const char *name, const char *key,
			  uint64_t min, uint64_t max, unsigned *out)
{
	yaml_node_t *v = cy_get(c, map, name);
	uint64_t x;

	if (!v)
		return 0;
	if (cy_uint(c, v, key, min, max, &x) < 0)
		return -1;
	*out = (unsigned)x;
	return 0;
}

static int parse_pipeline(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"plugin_workers", "max_plugin_workers", "session_shards",
		"ring_size", "mbufs", "drain_timeout_ms", "heartbeat_timeout_ms", "cpus", NULL};
	struct pipeline_config *p = &cfg->pipeline;
	yaml_node_t *v;

	if (cy_expect_mapping(c, n, "pipeline") < 0 || cy_check_keys(c, n, "pipeline", keys) < 0)
		return -1;
	if (parse_uint_key(c, n, "plugin_workers", "pipeline.plugin_workers", 1,
			   TOPO_MAX_PLUGIN_WORKERS, &p->plugin_workers) < 0 ||
	    parse_uint_key(c, n, "max_plugin_workers", "pipeline.max_plugin_workers", 1,
			   TOPO_MAX_PLUGIN_WORKERS, &p->max_plugin_workers) < 0 ||
	    parse_uint_key(c, n, "session_shards", "pipeline.session_shards", 1, TOPO_MAX_SHARDS,
			   &p->session_shards) < 0 ||
	    parse_uint_key(c, n, "ring_size", "pipeline.ring_size", 64, 65536, &p->ring_size) < 0 ||
	    parse_uint_key(c, n, "mbufs", "pipeline.mbufs", 1024, 4u << 20, &p->mbufs) < 0 ||
	    parse_uint_key(c, n, "drain_timeout_ms", "pipeline.drain_timeout_ms", 0, 600000,
			   &p->drain_timeout_ms) < 0 ||
	    parse_uint_key(c, n, "heartbeat_timeout_ms", "pipeline.heartbeat_timeout_ms", 200,
			   600000, &p->heartbeat_timeout_ms) < 0)
		return -1;
	if ((p->ring_size & (p->ring_size - 1)) != 0)
		return cy_fail(c, cy_get(c, n, "ring_size"), "pipeline.ring_size",
			       "%u is not a power of two", p->ring_size);
	if ((v = cy_get(c, n, "cpus"))) {
		if (cy_string(c, v, "pipeline.cpus", p->cpus, sizeof(p->cpus)) < 0)
			return -1;
		if (strspn(p->cpus, "0123456789,-") != strlen(p->cpus) || !p->cpus[0])
			return cy_fail(c, v, "pipeline.cpus", "'%s': expected a CPU list like 0-1 or 0,2",
				       p->cpus);
	}
	if (p->max_plugin_workers && p->max_plugin_workers < p->plugin_workers)
		return cy_fail(c, cy_get(c, n, "max_plugin_workers"), "pipeline.max_plugin_workers",
			       "%u is below plugin_workers (%u)", p->max_plugin_workers, p->plugin_workers);
	return 0;
}

static int parse_log(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"level", NULL};
	yaml_node_t *v;

	if (cy_expect_mapping(c, n, "log") < 0 || cy_check_keys(c, n, "log", keys) < 0)
		return -1;
	if ((v = cy_get(c, n, "level"))) {
		int level = cy_is_scalar(v) ? log_level_parse(cy_scalar(v)) : -1;

		if (level < 0)
			return cy_fail(c, v, "log.level", "expected error, warn, info or debug");
		cfg->log_level = level;
	}
	return 0;
}

static int parse_root(struct cy *c, yaml_node_t *root, struct stellar_config *cfg)
{
	static const char *const keys[] = {"instance", "ports", "pipeline", "decode", "session", "plugins", "plugin_limits", "control", "http", "log",
					   NULL};
	yaml_node_t *v;

	if (!root)
		return cy_fail(c, NULL, "", "the configuration is empty");
	if (cy_expect_mapping(c, root, "") < 0 || cy_check_keys(c, root, "", keys) < 0)
		return -1;
	if ((v = cy_get(c, root, "instance"))) {
		if (cy_string(c, v, "instance", cfg->instance, sizeof(cfg->instance)) < 0)
			return -1;
		if (!instance_name_valid(cfg->instance))
			return cy_fail(c, v, "instance", "'%s': use 1-32 letters, digits, '_' or '-'",
				       cfg->instance);
	}
	if (!(v = cy_get(c, root, "ports")))
		return cy_fail(c, root, "ports", "missing (at least one port is needed)");
	if (config_parse_ports(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "pipeline")) && parse_pipeline(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "decode")) && config_parse_decode(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "session")) && config_parse_session(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "plugins")) && config_parse_plugins(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "plugin_limits")) && config_parse_plugin_limits(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "control")) && config_parse_control(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "http")) && config_parse_http(c, v, cfg) < 0)
		return -1;
	if ((v = cy_get(c, root, "log")) && parse_log(c, v, cfg) < 0)
		return -1;
	if (cfg->pipeline.max_plugin_workers == 0)
		cfg->pipeline.max_plugin_workers = cfg->pipeline.plugin_workers > 8 ?
			cfg->pipeline.plugin_workers : 8;
	return 0;
}

int config_load_string(const char *yaml, size_t len, const char *name, const char *base_dir,
		       struct stellar_config *cfg, struct config_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct cy c = {.doc = &doc, .err = err, .base_dir = base_dir};
	int rc;

	config_defaults(cfg);
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name);
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err->reason, sizeof(err->reason), "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err->line = (unsigned)parser.problem_mark.line + 1;
		snprintf(err->reason, sizeof(err->reason), "YAML syntax: %s%s%s",
			 parser.problem ? parser.problem : "error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	rc = parse_root(&c, yaml_document_get_root_node(&doc), cfg);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int config_load(const char *path, struct stellar_config *cfg, struct config_error *err)
{
	char *buf = NULL, dir[STELLAR_PATH_MAX];
	size_t cap = 0, len = 0;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		config_defaults(cfg);
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->reason, sizeof(err->reason), "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *n = realloc(buf, cap + 65536);

			if (!n)
				break;
			buf = n;
			cap += 65536;
		}
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	snprintf(dir, sizeof(dir), "%s", path);
	rc = config_load_string(buf ? buf : "", len, path, dirname(dir), cfg, err);
	free(buf);
	return rc;
}

void config_error_format(const struct config_error *err, char *buf, size_t len)
{
	if (err->line && err->key[0])
		snprintf(buf, len, "%s:%u: %s: %s", err->file, err->line, err->key, err->reason);
	else if (err->line)
		snprintf(buf, len, "%s:%u: %s", err->file, err->line, err->reason);
	else if (err->key[0])
		snprintf(buf, len, "%s: %s: %s", err->file, err->key, err->reason);
	else
		snprintf(buf, len, "%s: %s", err->file, err->reason);
}
