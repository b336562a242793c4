/*
 * Ports that are DPDK ethdevs (Linux interfaces through net_pcap, NICs,
 * virtual devices): the EAL arguments that make them exist, and their
 * configuration and start in the primary. Capture-file ports need neither;
 * stellar-io opens those itself.
 */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "log.h"
#include "orch.h"

#define RX_DESC 1024
#define TX_DESC 1024

/* A symmetric Toeplitz key: both directions of a flow hash alike. */
static uint8_t symmetric_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

/* The DPDK device name of port i (what --vdev or -a creates). */
static void device_name(const struct port_config *p, unsigned i, char *buf, size_t len)
{
	if (p->type == PORT_IFACE)
		snprintf(buf, len, "net_pcap_st%u", i);
	else if (p->type == PORT_PCI)
		snprintf(buf, len, "%s", p->device);
	else
		snprintf(buf, len, "%.*s", (int)strcspn(p->device, ","), p->device);
}

bool orch_ports_have_pci(const struct orch *o)
{
	for (unsigned i = 0; i < o->cfg.n_ports; i++)
		if (o->cfg.ports[i].type == PORT_PCI)
			return true;
	return false;
}

int orch_ports_eal_args(const struct orch *o, bool primary, char args[][300], int max)
{
	int n = 0;

	for (unsigned i = 0; i < o->cfg.n_ports && n + 2 <= max; i++) {
		const struct port_config *p = &o->cfg.ports[i];

		if (p->type == PORT_PCI) {
			snprintf(args[n++], 300, "-a");
			snprintf(args[n++], 300, "%s", p->device);
		} else if (primary && p->type == PORT_IFACE) {
			/* Receive only what arrives (not what we send); secondaries
			 * learn vdevs from the primary. */
			snprintf(args[n++], 300, "--vdev=net_pcap_st%u,rx_iface_in=%s,tx_iface=%s", i, p->iface,
				 p->iface);
		} else if (primary && p->type == PORT_VDEV) {
			snprintf(args[n++], 300, "--vdev=%s", p->device);
		}
	}
	if (!orch_ports_have_pci(o) && n < max)
		snprintf(args[n++], 300, "--no-pci");
	return n;
}

static int start_port(struct orch *o, unsigned i)
{
	struct port_config *p = &o->shm->port_cfg[i];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t id;
	int rc;

	device_name(p, i, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &id) != 0) {
		LOG_ERR("port %s: DPDK has no device %s (for PCI: is it bound to vfio-pci or uio?)",
			p->name, name);
		return -1;
	}
	p->ethdev = id;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_info_get(id, &info) == 0 && info.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = symmetric_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(symmetric_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	if ((rc = rte_eth_dev_configure(id, 1, 1, &conf)) < 0 ||
	    (rc = rte_eth_rx_queue_setup(id, 0, RX_DESC, rte_eth_dev_socket_id(id), NULL, o->shm->pool)) < 0 ||
	    (rc = rte_eth_tx_queue_setup(id, 0, TX_DESC, rte_eth_dev_socket_id(id), NULL)) < 0 ||
	    (rc = rte_eth_dev_start(id)) < 0) {
		LOG_ERR("port %s (%s): cannot configure and start it: %s", p->name, name, rte_strerror(-rc));
		return -1;
	}
	rte_eth_promiscuous_enable(id);
	LOG_INFO("port %s: DPDK port %u (%s) started", p->name, id, name);
	return 0;
}

int orch_ports_start(struct orch *o)
{
	for (unsigned i = 0; i < o->shm->n_ports; i++)
		if (port_is_ethdev(o->shm->port_cfg[i].type) && start_port(o, i) < 0)
			return -1;
	return 0;
}

void orch_ports_stop(struct orch *o)
{
	if (!o->shm)
		return;
	for (unsigned i = 0; i < o->shm->n_ports; i++) {
		const struct port_config *p = &o->shm->port_cfg[i];

		if (port_is_ethdev(p->type) && rte_eth_dev_is_valid_port(p->ethdev)) {
			rte_eth_dev_stop(p->ethdev);
			rte_eth_dev_close(p->ethdev);
		}
	}
}
