/* The `plugins:` list (name, path, filter chain, the plugin's own config
 * subtree, handed to it as JSON) and `plugin_limits:`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_yaml.h"

static bool plain_is(const yaml_node_t *n, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(cy_scalar(n), *words) == 0)
			return true;
	return false;
}

/* YAML scalars written plainly keep their YAML type (numbers, booleans,
 * null); quoted ones are strings, so `priority: "10"` stays a string. */
static json_t *scalar_json(const yaml_node_t *n)
{
	static const char *const yes[] = {"true", "True", "TRUE", NULL};
	static const char *const no[] = {"false", "False", "FALSE", NULL};
	static const char *const null[] = {"null", "Null", "NULL", "~", NULL};
	const char *s = cy_scalar(n);
	char *end;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_string(s);
	if (plain_is(n, yes))
		return json_true();
	if (plain_is(n, no))
		return json_false();
	if (plain_is(n, null) || !*s)
		return json_null();
	long long i = strtoll(s, &end, 10);
	if (*s && !*end)
		return json_integer(i);
	double d = strtod(s, &end);
	if (*s && !*end)
		return json_real(d);
	return json_string(s);
}

static json_t *node_json(struct cy *c, yaml_node_t *n, unsigned depth)
{
	json_t *j;

	if (!n || depth > 32)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return scalar_json(n);
	case YAML_SEQUENCE_NODE:
		j = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			json_array_append_new(j, node_json(c, cy_node(c, *it), depth + 1));
		return j;
	case YAML_MAPPING_NODE:
		j = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = cy_node(c, p->key);

			if (cy_is_scalar(k))
				json_object_set_new(j, cy_scalar(k), node_json(c, cy_node(c, p->value), depth + 1));
		}
		return j;
	default:
		return NULL;
	}
}

static int parse_filter(struct cy *c, yaml_node_t *n, const char *key, struct plugin_config *pc)
{
	unsigned i = 0;
	char sub[96];

	if (cy_expect_sequence(c, n, key) < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		snprintf(sub, sizeof(sub), "%s[%u]", key, i);
		if (i >= PLUGIN_FILTER_STAGES)
			return cy_fail(c, cy_node(c, *it), sub, "at most %d stages", PLUGIN_FILTER_STAGES);
		if (cy_string(c, cy_node(c, *it), sub, pc->filter[i], sizeof(pc->filter[i])) < 0)
			return -1;
		if (!pc->filter[i][0])
			return cy_fail(c, cy_node(c, *it), sub, "an empty expression");
	}
	pc->n_filter = i;
	return 0;
}

int config_parse_plugins(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"name", "path", "filter", "config", "http_routes", NULL};
	unsigned i = 0;

	if (cy_expect_sequence(c, n, "plugins") < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t *p = cy_node(c, *it), *v;
		struct plugin_config *pc = &cfg->plugins[i];
		char key[32], sub[64];
		json_t *j;

		snprintf(key, sizeof(key), "plugins[%u]", i);
		if (i >= CONFIG_MAX_PLUGINS)
			return cy_fail(c, p, key, "at most %d plugins", CONFIG_MAX_PLUGINS);
		if (cy_expect_mapping(c, p, key) < 0 || cy_check_keys(c, p, key, keys) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s.name", key);
		if (!(v = cy_get(c, p, "name")))
			return cy_fail(c, p, sub, "missing");
		if (cy_string(c, v, sub, pc->name, sizeof(pc->name)) < 0)
			return -1;
		for (unsigned k = 0; k < i; k++)
			if (strcmp(cfg->plugins[k].name, pc->name) == 0)
				return cy_fail(c, v, sub, "'%s' is already the name of plugins[%u]", pc->name, k);
		snprintf(sub, sizeof(sub), "%s.path", key);
		if (!(v = cy_get(c, p, "path")))
			return cy_fail(c, p, sub, "missing (a .so or .lua file)");
		if (cy_path(c, v, sub, true, pc->path, sizeof(pc->path)) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s.filter", key);
		if ((v = cy_get(c, p, "filter")) && parse_filter(c, v, sub, pc) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s.http_routes", key);
		if ((v = cy_get(c, p, "http_routes")) &&
		    config_parse_http_routes(c, v, sub, pc->routes, &pc->n_routes) < 0)
			return -1;
		snprintf(sub, sizeof(sub), "%s.config", key);
		v = cy_get(c, p, "config");
		j = v ? node_json(c, v, 0) : json_object();
		if (v && !json_is_object(j)) {
			json_decref(j);
			return cy_fail(c, v, sub, "expected a mapping");
		}
		pc->config_json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
		if (!pc->config_json)
			return cy_fail(c, v, sub, "cannot be turned into JSON");
		pc->line = cy_line(p);
	}
	cfg->n_plugins = i;
	return 0;
}

void config_plugin_limits_defaults(struct plugin_limits *l)
{
	l->lua_instructions = 1000000;
	l->quarantine_crashes = 3;
	l->quarantine_window_ms = 60000;
}

int config_parse_plugin_limits(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"lua_instructions", "quarantine_crashes", "quarantine_window_ms", NULL};
	struct plugin_limits *l = &cfg->plugin_limits;
	yaml_node_t *v;
	uint64_t x;

	if (cy_expect_mapping(c, n, "plugin_limits") < 0 || cy_check_keys(c, n, "plugin_limits", keys) < 0)
		return -1;
	if ((v = cy_get(c, n, "lua_instructions"))) {
		if (cy_uint(c, v, "plugin_limits.lua_instructions", 1000, 1000000000, &x) < 0)
			return -1;
		l->lua_instructions = (uint32_t)x;
	}
	if ((v = cy_get(c, n, "quarantine_crashes"))) {
		if (cy_uint(c, v, "plugin_limits.quarantine_crashes", 1, 100, &x) < 0)
			return -1;
		l->quarantine_crashes = (uint32_t)x;
	}
	if ((v = cy_get(c, n, "quarantine_window_ms"))) {
		if (cy_uint(c, v, "plugin_limits.quarantine_window_ms", 100, 86400000, &x) < 0)
			return -1;
		l->quarantine_window_ms = (uint32_t)x;
	}
	return 0;
}

void config_release(struct stellar_config *cfg)
{
	for (unsigned i = 0; i < CONFIG_MAX_PLUGINS; i++) {
		free(cfg->plugins[i].config_json);
		cfg->plugins[i].config_json = NULL;
	}
}
