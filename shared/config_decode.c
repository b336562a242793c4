/* The `decode:` section: malformed-packet policy, tunnel ports, what
 * separates flows (zones), and IP reassembly. */
#include <stdio.h>
#include <string.h>

#include "config_yaml.h"

static int parse_choice(struct cy *c, yaml_node_t *n, const char *key, const char *a, const char *b,
			uint8_t *out)
{
	if (cy_is_scalar(n) && strcmp(cy_scalar(n), a) == 0)
		*out = 0;
	else if (cy_is_scalar(n) && strcmp(cy_scalar(n), b) == 0)
		*out = 1;
	else
		return cy_fail(c, n, key, "expected %s or %s", a, b);
	return 0;
}

static int parse_ports(struct cy *c, yaml_node_t *n, const char *key, uint16_t *ports)
{
	unsigned i = 0;

	if (cy_expect_sequence(c, n, key) < 0)
		return -1;
	memset(ports, 0, DECODE_MAX_TUNNEL_PORTS * sizeof(*ports));
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		uint64_t v;

		if (i >= DECODE_MAX_TUNNEL_PORTS)
			return cy_fail(c, cy_node(c, *it), key, "at most %d ports", DECODE_MAX_TUNNEL_PORTS);
		if (cy_uint(c, cy_node(c, *it), key, 1, 65535, &v) < 0)
			return -1;
		ports[i++] = (uint16_t)v;
	}
	return 0;
}

static int parse_defrag(struct cy *c, yaml_node_t *n, struct defrag_config *d)
{
	static const char *const keys[] = {"enabled", "timeout_ms", "max_datagrams", "incomplete",
					   "invalid", NULL};
	yaml_node_t *v;
	uint64_t x;

	if (cy_expect_mapping(c, n, "decode.defrag") < 0 || cy_check_keys(c, n, "decode.defrag", keys) < 0)
		return -1;
	if ((v = cy_get(c, n, "enabled")) && cy_bool(c, v, "decode.defrag.enabled", &d->enabled) < 0)
		return -1;
	if ((v = cy_get(c, n, "timeout_ms"))) {
		if (cy_uint(c, v, "decode.defrag.timeout_ms", 1, 600000, &x) < 0)
			return -1;
		d->timeout_ms = (uint32_t)x;
	}
	if ((v = cy_get(c, n, "max_datagrams"))) {
		if (cy_uint(c, v, "decode.defrag.max_datagrams", 16, 1u << 20, &x) < 0)
			return -1;
		d->max_datagrams = (uint32_t)x;
	}
	if ((v = cy_get(c, n, "incomplete")) &&
	    parse_choice(c, v, "decode.defrag.incomplete", "forward", "drop", &d->incomplete_policy) < 0)
		return -1;
	if ((v = cy_get(c, n, "invalid")) &&
	    parse_choice(c, v, "decode.defrag.invalid", "forward", "drop", &d->invalid_policy) < 0)
		return -1;
	return 0;
}

int config_parse_decode(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"malformed", "zone_vlan", "zone_tunnel", "vxlan_ports",
		"geneve_ports", "gtpu_ports", "teredo_ports", "defrag", NULL};
	struct decode_section *s = &cfg->decode;
	yaml_node_t *v;

	if (cy_expect_mapping(c, n, "decode") < 0 || cy_check_keys(c, n, "decode", keys) < 0)
		return -1;
	if ((v = cy_get(c, n, "malformed")) &&
	    parse_choice(c, v, "decode.malformed", "forward", "drop", &s->malformed) < 0)
		return -1;
	if ((v = cy_get(c, n, "zone_vlan")) && cy_bool(c, v, "decode.zone_vlan", &s->decode.zone_vlan) < 0)
		return -1;
	if ((v = cy_get(c, n, "zone_tunnel")) &&
	    cy_bool(c, v, "decode.zone_tunnel", &s->decode.zone_tunnel) < 0)
		return -1;
	if ((v = cy_get(c, n, "vxlan_ports")) &&
	    parse_ports(c, v, "decode.vxlan_ports", s->decode.vxlan_ports) < 0)
		return -1;
	if ((v = cy_get(c, n, "geneve_ports")) &&
	    parse_ports(c, v, "decode.geneve_ports", s->decode.geneve_ports) < 0)
		return -1;
	if ((v = cy_get(c, n, "gtpu_ports")) && parse_ports(c, v, "decode.gtpu_ports", s->decode.gtpu_ports) < 0)
		return -1;
	if ((v = cy_get(c, n, "teredo_ports")) &&
	    parse_ports(c, v, "decode.teredo_ports", s->decode.teredo_ports) < 0)
		return -1;
	if ((v = cy_get(c, n, "defrag")) && parse_defrag(c, v, &s->defrag) < 0)
		return -1;
	decode_config_index(&s->decode);
	return 0;
}
