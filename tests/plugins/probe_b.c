/* Test plugin B: see probe.h. */
#define PROBE_TAG "B"
#include "probe.h"
