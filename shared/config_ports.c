/* The `ports:` section: capture files, Linux interfaces, NICs and DPDK
 * virtual devices, and which port each one forwards to. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_yaml.h"

static const char *const port_keys[] = {"name", "type", "rx_pcap", "tx_pcap", "pace", "iface", "pci",
					"devargs", "forward", NULL};

static int parse_pace(struct cy *c, yaml_node_t *n, const char *key, struct port_config *p)
{
	const char *s;
	char *end;

	if (!cy_is_scalar(n))
		return cy_fail(c, n, key, "expected max, original or pps:<N>");
	s = cy_scalar(n);
	if (strcmp(s, "max") == 0) {
		p->pace = PACE_MAX;
	} else if (strcmp(s, "original") == 0) {
		p->pace = PACE_ORIGINAL;
	} else if (strncmp(s, "pps:", 4) == 0) {
		errno = 0;
		p->pps = strtoull(s + 4, &end, 10);
		if (s[4] == '\0' || *end != '\0' || errno || p->pps == 0 || p->pps > 100000000ull)
			return cy_fail(c, n, key, "'%s': the rate must be pps:<1..100000000>", s);
		p->pace = PACE_PPS;
	} else {
		return cy_fail(c, n, key, "'%s': expected max, original or pps:<N>", s);
	}
	return 0;
}

/* Keys that only make sense for other port types are mistakes. */
static int reject_foreign_keys(struct cy *c, yaml_node_t *n, const char *key, const char *type,
			       const char *const *allowed)
{
	for (const char *const *k = port_keys; *k; k++) {
		yaml_node_t *v = cy_get(c, n, *k);
		bool ok = false;
		char sub[96];

		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(*a, *k) == 0;
		if (v && !ok) {
			snprintf(sub, sizeof(sub), "%s.%s", key, *k);
			return cy_fail(c, v, sub, "not a setting of %s ports", type);
		}
	}
	return 0;
}

static int parse_pcap_port(struct cy *c, yaml_node_t *n, const char *key, struct port_config *p)
{
	static const char *const allowed[] = {"name", "type", "rx_pcap", "tx_pcap", "pace", "forward", NULL};
	char sub[96];
	yaml_node_t *v;

	if (reject_foreign_keys(c, n, key, "pcap", allowed) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.rx_pcap", key);
	if (!(v = cy_get(c, n, "rx_pcap")))
		return cy_fail(c, n, sub, "missing (a pcap port reads from a capture file)");
	if (cy_path(c, v, sub, true, p->rx_pcap, sizeof(p->rx_pcap)) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.tx_pcap", key);
	if ((v = cy_get(c, n, "tx_pcap")) && cy_path(c, v, sub, false, p->tx_pcap, sizeof(p->tx_pcap)) < 0)
		return -1;
	if (p->tx_pcap[0] && strcmp(p->tx_pcap, p->rx_pcap) == 0)
		return cy_fail(c, v, sub, "tx_pcap must differ from rx_pcap");
	snprintf(sub, sizeof(sub), "%s.pace", key);
	if ((v = cy_get(c, n, "pace")) && parse_pace(c, v, sub, p) < 0)
		return -1;
	return 0;
}

static int parse_iface_port(struct cy *c, yaml_node_t *n, const char *key, struct port_config *p)
{
	static const char *const allowed[] = {"name", "type", "iface", "forward", NULL};
	char sub[96], sys[96];
	struct stat st;
	yaml_node_t *v;

	if (reject_foreign_keys(c, n, key, "iface", allowed) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.iface", key);
	if (!(v = cy_get(c, n, "iface")))
		return cy_fail(c, n, sub, "missing (the Linux interface to attach to)");
	if (cy_string(c, v, sub, p->iface, sizeof(p->iface)) < 0)
		return -1;
	if (strspn(p->iface, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@") !=
	    strlen(p->iface) || !p->iface[0] || strlen(p->iface) > 15)
		return cy_fail(c, v, sub, "'%s' is not an interface name", p->iface);
	snprintf(sys, sizeof(sys), "/sys/class/net/%s", p->iface);
	if (stat(sys, &st) != 0)
		return cy_fail(c, v, sub, "no interface '%s' (see `ip link`)", p->iface);
	return 0;
}

static int parse_device_port(struct cy *c, yaml_node_t *n, const char *key, struct port_config *p,
			     bool pci)
{
	static const char *const pci_keys[] = {"name", "type", "pci", "forward", NULL};
	static const char *const vdev_keys[] = {"name", "type", "devargs", "forward", NULL};
	const char *field = pci ? "pci" : "devargs";
	char sub[96];
	unsigned dom, bus, dev, fn;
	char tail;
	yaml_node_t *v;

	if (reject_foreign_keys(c, n, key, pci ? "pci" : "vdev", pci ? pci_keys : vdev_keys) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.%s", key, field);
	if (!(v = cy_get(c, n, field)))
		return cy_fail(c, n, sub, pci ? "missing (a PCI address like 0000:03:00.0)" :
					       "missing (DPDK devargs like net_null0,no-rx=1)");
	if (cy_string(c, v, sub, p->device, sizeof(p->device)) < 0)
		return -1;
	if (pci && sscanf(p->device, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) != 4)
		return cy_fail(c, v, sub, "'%s' is not a PCI address (DDDD:BB:DD.F)", p->device);
	if (!pci && (strncmp(p->device, "net_", 4) != 0 || strchr(p->device, ' ')))
		return cy_fail(c, v, sub, "'%s': devargs name a net_ driver, e.g. net_null0,no-rx=1",
			       p->device);
	return 0;
}

static int parse_port(struct cy *c, yaml_node_t *n, unsigned i, struct stellar_config *cfg)
{
	struct port_config *p = &cfg->ports[i];
	char key[64], sub[96];
	const char *type;
	yaml_node_t *v;

	snprintf(key, sizeof(key), "ports[%u]", i);
	if (cy_expect_mapping(c, n, key) < 0 || cy_check_keys(c, n, key, port_keys) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.name", key);
	if (!(v = cy_get(c, n, "name")))
		return cy_fail(c, n, sub, "missing (every port needs a name)");
	if (cy_string(c, v, sub, p->name, sizeof(p->name)) < 0)
		return -1;
	for (unsigned j = 0; j < i; j++)
		if (strcmp(cfg->ports[j].name, p->name) == 0)
			return cy_fail(c, v, sub, "port name '%s' is used twice", p->name);

	snprintf(sub, sizeof(sub), "%s.type", key);
	if (!(v = cy_get(c, n, "type")))
		return cy_fail(c, n, sub, "missing (pcap, iface, pci or vdev)");
	type = cy_is_scalar(v) ? cy_scalar(v) : "?";
	p->forward = (uint16_t)i;
	if (strcmp(type, "pcap") == 0) {
		p->type = PORT_PCAP;
		return parse_pcap_port(c, n, key, p);
	}
	if (strcmp(type, "iface") == 0) {
		p->type = PORT_IFACE;
		return parse_iface_port(c, n, key, p);
	}
	if (strcmp(type, "pci") == 0 || strcmp(type, "vdev") == 0) {
		p->type = type[0] == 'p' ? PORT_PCI : PORT_VDEV;
		return parse_device_port(c, n, key, p, p->type == PORT_PCI);
	}
	return cy_fail(c, v, sub, "unsupported port type '%s' (supported: pcap, iface, pci, vdev)", type);
}

/* Names are known only once every port is read. */
static int resolve_forwarding(struct cy *c, yaml_node_t *seq, struct stellar_config *cfg)
{
	unsigned i = 0;

	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++, i++) {
		yaml_node_t *v = cy_get(c, cy_node(c, *it), "forward");
		char sub[64], name[STELLAR_NAME_MAX];
		bool found = false;

		if (!v)
			continue;
		snprintf(sub, sizeof(sub), "ports[%u].forward", i);
		if (cy_string(c, v, sub, name, sizeof(name)) < 0)
			return -1;
		for (unsigned j = 0; j < cfg->n_ports; j++)
			if (strcmp(cfg->ports[j].name, name) == 0) {
				cfg->ports[i].forward = (uint16_t)j;
				found = true;
			}
		if (!found)
			return cy_fail(c, v, sub, "no port named '%s'", name);
	}
	return 0;
}

int config_parse_ports(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	unsigned i = 0;

	if (cy_expect_sequence(c, n, "ports") < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		if (i >= STELLAR_MAX_PORTS)
			return cy_fail(c, cy_node(c, *it), "ports", "at most %d ports", STELLAR_MAX_PORTS);
		if (parse_port(c, cy_node(c, *it), i, cfg) < 0)
			return -1;
	}
	if (i == 0)
		return cy_fail(c, n, "ports", "at least one port is needed");
	cfg->n_ports = i;
	return resolve_forwarding(c, n, cfg);
}
