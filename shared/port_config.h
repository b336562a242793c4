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

enum port_type { PORT_PCAP = 0 };
enum pace_mode { PACE_MAX = 0, PACE_ORIGINAL, PACE_PPS };

struct port_config {
	char name[STELLAR_NAME_MAX];
	uint32_t type;
	uint32_t pace;
	uint64_t pps;
	char rx_pcap[STELLAR_PATH_MAX];
	char tx_pcap[STELLAR_PATH_MAX]; /* empty: forwarded packets are discarded */
};

#ifdef __cplusplus
}
#endif
#endif
