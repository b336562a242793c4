/* Test plugin C: see probe.h. */
#define PROBE_TAG "C"
#include "probe.h"
