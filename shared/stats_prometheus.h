/* The control API's Stats message in the Prometheus text exposition format
 * (version 0.0.4), for the HTTP listener's /metrics. */
#ifndef STELLAR_STATS_PROMETHEUS_H
#define STELLAR_STATS_PROMETHEUS_H

#include <stdio.h>

#include "control.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes every metric to f. Returns 0, or -1 on a write error. */
int stats_prometheus_write(FILE *f, const Stellar__Control__V1__Stats *s);

#ifdef __cplusplus
}
#endif
#endif
