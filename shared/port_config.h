/* Ports as configured: names, limits and the per-port settings that both
 * the config parser and shared memory hold. */
#ifndef STELLAR_PORT_CONFIG_H
#define STELLAR_PORT_CONFIG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STELLAR_MAX_PORTS   8
#define STELLAR_PATH_MAX    512
#define STELLAR_NAME_MAX    64

enum port_type {
	PORT_PCAP = 0, /* a capture file, read and written by stellar-io with libpcap */
	PORT_IFACE,    /* a Linux interface, through DPDK's net_pcap */
	PORT_PCI,      /* a NIC bound to a DPDK driver */
	PORT_VDEV,     /* any DPDK virtual device, from its devargs */
};

static inline int port_is_ethdev(uint32_t type)
{
	return type != PORT_PCAP;
}
enum pace_mode { PACE_MAX = 0, PACE_ORIGINAL, PACE_PPS };

struct port_config {
	char name[STELLAR_NAME_MAX];
	uint32_t type;
	uint32_t pace;
	uint64_t pps;
	char rx_pcap[STELLAR_PATH_MAX];
	char tx_pcap[STELLAR_PATH_MAX]; /* empty: forwarded packets are discarded */
	char iface[32];     /* PORT_IFACE */
	char device[256];   /* PORT_PCI: the PCI address; PORT_VDEV: its devargs */
	uint16_t forward;   /* index of the port packets received here leave by */
	uint16_t ethdev;    /* DPDK port id, set by the orchestrator */
};

#ifdef __cplusplus
}
#endif
#endif
