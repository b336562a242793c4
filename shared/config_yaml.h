/* Small helpers over a libyaml document that keep track of where a value
 * came from, so every config error can name its line. Internal to config_*.c. */
#ifndef STELLAR_CONFIG_YAML_H
#define STELLAR_CONFIG_YAML_H

#include <stdbool.h>
#include <stdint.h>

#include <yaml.h>

#include "config.h"

struct cy {
	yaml_document_t *doc;
	struct config_error *err;
	const char *base_dir;
};

static inline unsigned cy_line(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

/* Records an error at node `n` for `key`; always returns -1. */
int cy_fail(struct cy *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

yaml_node_t *cy_node(struct cy *c, int id);
bool cy_is_scalar(const yaml_node_t *n);
const char *cy_scalar(const yaml_node_t *n);

int cy_expect_mapping(struct cy *c, yaml_node_t *n, const char *key);
int cy_expect_sequence(struct cy *c, yaml_node_t *n, const char *key);
/* Rejects keys not in the NULL-terminated `allowed` list, and duplicates. */
int cy_check_keys(struct cy *c, yaml_node_t *map, const char *key, const char *const *allowed);
/* Value node of `name` in a mapping, or NULL. */
yaml_node_t *cy_get(struct cy *c, yaml_node_t *map, const char *name);

int cy_string(struct cy *c, yaml_node_t *n, const char *key, char *out, size_t len);
int cy_uint(struct cy *c, yaml_node_t *n, const char *key, uint64_t min, uint64_t max, uint64_t *out);
int cy_bool(struct cy *c, yaml_node_t *n, const char *key, bool *out);
/* A path; relative ones are made absolute against the working directory,
 * or, for inputs that are not found there, against the config's directory. */
int cy_path(struct cy *c, yaml_node_t *n, const char *key, bool must_exist, char *out, size_t len);

/* config_ports.c */
int config_parse_ports(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);
/* config_decode.c */
int config_parse_decode(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);
/* config_plugins.c */
int config_parse_plugins(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);
int config_parse_plugin_limits(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);
/* config_control.c */
int config_parse_control(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);
int config_parse_http(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);
int config_parse_http_routes(struct cy *c, yaml_node_t *n, const char *key, struct http_route *routes,
			     unsigned *n_routes);
/* config_session.c */
int config_parse_session(struct cy *c, yaml_node_t *n, struct stellar_config *cfg);

#endif
