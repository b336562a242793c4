/* Test plugin E, which declares its own filter chain: see probe.h. */
#define PROBE_TAG "E"
#define PROBE_FILTER "udp port 53"
#include "probe.h"
