/* Test plugin A: see probe.h. */
#define PROBE_TAG "A"
#include "probe.h"
