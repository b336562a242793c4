/* Human-readable tables of the control API's Status and Stats, used by
 * stellarctl and by the orchestrator's exit summary. */
#ifndef STELLAR_STATS_PRINT_H
#define STELLAR_STATS_PRINT_H

#include <stdio.h>

#include "control.pb-c.h"

void status_print_table(FILE *f, const Stellar__Control__V1__Status *s);
void stats_print_table(FILE *f, const Stellar__Control__V1__Stats *s);

#endif
