/* Test plugin D, which also sees packets others dropped: see probe.h. */
#define PROBE_TAG "D"
#define PROBE_FLAGS STELLAR_PLUGIN_SEES_DROPPED
#include "probe.h"
