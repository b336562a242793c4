/* Test plugin C, which takes no new config live: see probe.h. */
#define PROBE_TAG "C"
#define PROBE_NO_RECONFIGURE 1
#include "probe.h"
