/* The `http:` section (the optional listener) and a plugin's
 * `http_routes:` (REST routes mapped onto its commands). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config_yaml.h"

bool http_route_method_valid(const char *method)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", NULL};

	for (unsigned i = 0; methods[i]; i++)
		if (strcmp(method, methods[i]) == 0)
			return true;
	return false;
}

int config_parse_http(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"port", "address", "token", NULL};
	struct http_config *h = &cfg->http;
	unsigned char addr[16];
	yaml_node_t *v;
	uint64_t port;

	if (cy_expect_mapping(c, n, "http") < 0 || cy_check_keys(c, n, "http", keys) < 0)
		return -1;
	if (!(v = cy_get(c, n, "port")))
		return cy_fail(c, n, "http.port", "missing (the listener is off without an http: section)");
	if (cy_uint(c, v, "http.port", 1, 65535, &port) < 0)
		return -1;
	h->port = (uint16_t)port;
	if ((v = cy_get(c, n, "address"))) {
		if (cy_string(c, v, "http.address", h->address, sizeof(h->address)) < 0)
			return -1;
		if (inet_pton(AF_INET, h->address, addr) != 1 && inet_pton(AF_INET6, h->address, addr) != 1)
			return cy_fail(c, v, "http.address", "'%s' is not an IPv4 or IPv6 address", h->address);
	}
	/* Plugin routes change things: only with the token (ipc is 0660,
	 * TCP is CURVE; HTTP must not be the way around them). */
	if ((v = cy_get(c, n, "token"))) {
		if (cy_string(c, v, "http.token", h->token, sizeof(h->token)) < 0)
			return -1;
		if (strlen(h->token) < HTTP_TOKEN_MIN)
			return cy_fail(c, v, "http.token", "at least %d characters (e.g. `openssl rand -hex 24`)",
				       HTTP_TOKEN_MIN);
	}
	return 0;
}

int config_parse_http_routes(struct cy *c, yaml_node_t *n, const char *key, struct http_route *routes,
			     unsigned *n_routes)
{
	static const char *const keys[] = {"method", "path", "command", NULL};
	char sub[96];

	if (cy_expect_sequence(c, n, key) < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *r = cy_node(c, *it), *v;
		struct http_route *hr = &routes[*n_routes];

		snprintf(sub, sizeof(sub), "%s[%u]", key, *n_routes);
		if (*n_routes >= HTTP_ROUTES_MAX)
			return cy_fail(c, r, sub, "at most %d routes per plugin", HTTP_ROUTES_MAX);
		if (cy_expect_mapping(c, r, sub) < 0 || cy_check_keys(c, r, sub, keys) < 0)
			return -1;
		for (unsigned k = 0; keys[k]; k++)
			if (!cy_get(c, r, keys[k]))
				return cy_fail(c, r, sub, "needs method, path and command");
		if (cy_string(c, cy_get(c, r, "method"), sub, hr->method, sizeof(hr->method)) < 0 ||
		    cy_string(c, cy_get(c, r, "path"), sub, hr->path, sizeof(hr->path)) < 0 ||
		    cy_string(c, cy_get(c, r, "command"), sub, hr->command, sizeof(hr->command)) < 0)
			return -1;
		v = cy_get(c, r, "method");
		if (!http_route_method_valid(hr->method))
			return cy_fail(c, v, sub, "method '%s': one of GET, POST, PUT, DELETE, PATCH", hr->method);
		if (hr->path[0] != '/')
			return cy_fail(c, cy_get(c, r, "path"), sub, "a path starts with '/'");
		if (!hr->command[0])
			return cy_fail(c, cy_get(c, r, "command"), sub, "an empty command");
		(*n_routes)++;
	}
	return 0;
}
