#include "config_yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cy_fail(struct cy *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	va_list ap;

	c->err->line = cy_line(n);
	snprintf(c->err->key, sizeof(c->err->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(c->err->reason, sizeof(c->err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

yaml_node_t *cy_node(struct cy *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

bool cy_is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

const char *cy_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static const char *node_kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

int cy_expect_mapping(struct cy *c, yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return cy_fail(c, n, key, "expected a mapping, found %s", node_kind(n));
	return 0;
}

int cy_expect_sequence(struct cy *c, yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return cy_fail(c, n, key, "expected a list, found %s", node_kind(n));
	return 0;
}

int cy_check_keys(struct cy *c, yaml_node_t *map, const char *key, const char *const *allowed)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cy_node(c, p->key);
		char where[160], expected[256] = "";
		bool known = false;

		if (!cy_is_scalar(k))
			return cy_fail(c, k, key, "keys must be plain strings");
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, cy_scalar(k)) == 0)
				known = true;
		snprintf(where, sizeof(where), "%s%s%s", key, *key ? "." : "", cy_scalar(k));
		if (!known) {
			for (const char *const *a = allowed; *a; a++) {
				strncat(expected, *a, sizeof(expected) - strlen(expected) - 1);
				if (a[1])
					strncat(expected, ", ", sizeof(expected) - strlen(expected) - 1);
			}
			return cy_fail(c, k, where, "unknown key (expected one of: %s)", expected);
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = cy_node(c, q->key);

			if (cy_is_scalar(k2) && strcmp(cy_scalar(k2), cy_scalar(k)) == 0)
				return cy_fail(c, k, where, "duplicate key (first at line %u)", cy_line(k2));
		}
	}
	return 0;
}

yaml_node_t *cy_get(struct cy *c, yaml_node_t *map, const char *name)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cy_node(c, p->key);

		if (cy_is_scalar(k) && strcmp(cy_scalar(k), name) == 0)
			return cy_node(c, p->value);
	}
	return NULL;
}

int cy_string(struct cy *c, yaml_node_t *n, const char *key, char *out, size_t len)
{
	if (!cy_is_scalar(n))
		return cy_fail(c, n, key, "expected a string, found %s", node_kind(n));
	if (strlen(cy_scalar(n)) >= len)
		return cy_fail(c, n, key, "too long (at most %zu characters)", len - 1);
	snprintf(out, len, "%s", cy_scalar(n));
	return 0;
}

int cy_uint(struct cy *c, yaml_node_t *n, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s;
	char *end;
	unsigned long long v;

	if (!cy_is_scalar(n))
		return cy_fail(c, n, key, "expected an integer, found %s", node_kind(n));
	s = cy_scalar(n);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *s == '+' || *end != '\0' || errno == ERANGE)
		return cy_fail(c, n, key, "expected an integer, found '%s'", s);
	if (v < min || v > max)
		return cy_fail(c, n, key, "%llu is out of range [%llu, %llu]", v,
			       (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int cy_bool(struct cy *c, yaml_node_t *n, const char *key, bool *out)
{
	const char *s;

	if (!cy_is_scalar(n))
		return cy_fail(c, n, key, "expected true or false, found %s", node_kind(n));
	s = cy_scalar(n);
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0)
		*out = false;
	else
		return cy_fail(c, n, key, "expected true or false, found '%s'", s);
	return 0;
}

static int absolute(const char *dir, const char *rel, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", dir, rel);

	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int cy_path(struct cy *c, yaml_node_t *n, const char *key, bool must_exist, char *out, size_t len)
{
	char raw[STELLAR_PATH_MAX], cwd[PATH_MAX], candidate[PATH_MAX], alt[PATH_MAX];
	struct stat st;

	if (cy_string(c, n, key, raw, sizeof(raw)) < 0)
		return -1;
	if (raw[0] == '\0')
		return cy_fail(c, n, key, "empty path");
	if (raw[0] == '/') {
		snprintf(candidate, sizeof(candidate), "%s", raw);
	} else {
		if (!getcwd(cwd, sizeof(cwd)) || absolute(cwd, raw, candidate, sizeof(candidate)) < 0)
			return cy_fail(c, n, key, "path too long");
		if (must_exist && stat(candidate, &st) != 0 && c->base_dir &&
		    absolute(c->base_dir, raw, alt, sizeof(alt)) == 0 && stat(alt, &st) == 0)
			memcpy(candidate, alt, sizeof(candidate));
	}
	if (must_exist) {
		if (stat(candidate, &st) != 0)
			return cy_fail(c, n, key, "cannot open '%s': %s", raw, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return cy_fail(c, n, key, "'%s' is not a regular file", raw);
		if (access(candidate, R_OK) != 0)
			return cy_fail(c, n, key, "cannot read '%s': %s", raw, strerror(errno));
	} else {
		char dir[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", candidate);
		slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return cy_fail(c, n, key, "directory of '%s' does not exist", raw);
		if (access(dir, W_OK) != 0)
			return cy_fail(c, n, key, "cannot write in the directory of '%s'", raw);
	}
	if (strlen(candidate) >= len)
		return cy_fail(c, n, key, "path too long");
	snprintf(out, len, "%s", candidate);
	return 0;
}
