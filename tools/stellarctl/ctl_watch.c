/* stellarctl stats --watch: a live view, one screen refreshed each second. */
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "stats_json.h"
#include "stats_print.h"

int ctl_watch(const char *endpoint, const char *instance, const Stellar__Control__V1__Request *req,
	      int timeout_ms, bool json)
{
	bool tty = isatty(STDOUT_FILENO);

	for (;;) {
		Stellar__Control__V1__Response *resp = ctl_call(endpoint, instance, req, timeout_ms);

		if (!resp)
			return CTL_UNREACHABLE;
		if (resp->code != STELLAR__CONTROL__V1__CODE__CODE_OK || !resp->stats) {
			fprintf(stderr, "stellarctl: %s\n", resp->message ? resp->message : "failed");
			stellar__control__v1__response__free_unpacked(resp, NULL);
			return CTL_FAILED;
		}
		if (json) {
			/* One object per line: easy to follow with jq. */
			json_t *j = stats_json_from_pb(resp->stats);

			json_dumpf(j, stdout, JSON_COMPACT | JSON_SORT_KEYS);
			printf("\n");
			json_decref(j);
		} else {
			if (tty)
				printf("\033[H\033[2J");
			stats_print_table(stdout, resp->stats);
			if (!tty)
				printf("\n");
		}
		fflush(stdout);
		stellar__control__v1__response__free_unpacked(resp, NULL);
		sleep(1);
	}
}
