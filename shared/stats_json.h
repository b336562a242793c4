/* The stats JSON schema (ARCHITECTURE §5), written from the control API's
 * Stats message: one renderer for `--stats-json` and `stellarctl stats --json`. */
#ifndef STELLAR_STATS_JSON_H
#define STELLAR_STATS_JSON_H

#include <jansson.h>

#include "control.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

json_t *stats_json_from_pb(const Stellar__Control__V1__Stats *s);
json_t *status_json_from_pb(const Stellar__Control__V1__Status *s);

#ifdef __cplusplus
}
#endif
#endif
