/* The `control:` section: an extra TCP endpoint for the control API, only
 * with CURVE (the server's secret key, the clients' public keys). The ipc
 * endpoint in /run/stellar/<instance>/ is always there. */
#include <stdio.h>
#include <string.h>

#include "config_yaml.h"

static int parse_key(struct cy *c, yaml_node_t *n, const char *key, char *out)
{
	if (cy_string(c, n, key, out, CONTROL_KEY_TEXT) < 0)
		return -1;
	/* Z85's alphabet: a typo is caught here, not by a handshake that
	 * never succeeds. */
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

	if (strlen(out) != CONTROL_KEY_TEXT - 1 || strspn(out, z85) != CONTROL_KEY_TEXT - 1)
		return cy_fail(c, n, key, "a CURVE key is 40 Z85 characters (see `stellarctl keygen`)");
	return 0;
}

int config_parse_control(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"endpoint", "secret_key", "clients", NULL};
	struct control_config *cc = &cfg->control;
	yaml_node_t *v;
	char sub[64];

	if (cy_expect_mapping(c, n, "control") < 0 || cy_check_keys(c, n, "control", keys) < 0)
		return -1;
	if ((v = cy_get(c, n, "endpoint"))) {
		if (cy_string(c, v, "control.endpoint", cc->endpoint, sizeof(cc->endpoint)) < 0)
			return -1;
		if (strncmp(cc->endpoint, "tcp://", 6) != 0)
			return cy_fail(c, v, "control.endpoint", "a tcp:// endpoint (the ipc one is always there)");
	}
	if ((v = cy_get(c, n, "secret_key")) && parse_key(c, v, "control.secret_key", cc->secret_key) < 0)
		return -1;
	if ((v = cy_get(c, n, "clients"))) {
		if (cy_expect_sequence(c, v, "control.clients") < 0)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			snprintf(sub, sizeof(sub), "control.clients[%u]", cc->n_clients);
			if (cc->n_clients >= CONTROL_MAX_CLIENTS)
				return cy_fail(c, cy_node(c, *it), sub, "at most %d clients", CONTROL_MAX_CLIENTS);
			if (parse_key(c, cy_node(c, *it), sub, cc->clients[cc->n_clients]) < 0)
				return -1;
			cc->n_clients++;
		}
	}
	/* Nobody reaches the instance over the network unauthenticated. */
	if (cc->endpoint[0] && (!cc->secret_key[0] || cc->n_clients == 0))
		return cy_fail(c, n, "control", "a tcp:// endpoint needs CURVE: secret_key and at least one "
			       "client public key (unauthenticated TCP is refused)");
	return 0;
}
