/* stellarctl internals: talking to an instance and printing its answers. */
#ifndef STELLARCTL_H
#define STELLARCTL_H

#include <stdbool.h>

#include "control.pb-c.h"

enum ctl_exit {
	CTL_OK = 0,
	CTL_FAILED = 1,      /* the orchestrator refused or failed the request */
	CTL_USAGE = 2,
	CTL_UNREACHABLE = 3, /* no orchestrator answered */
};

/* Sends one request and waits for its response (NULL and a message on
 * stderr if none arrives). */
Stellar__Control__V1__Response *ctl_call(const char *endpoint, const char *instance,
					 const Stellar__Control__V1__Request *req, int timeout_ms);

/* stats --watch: the stats every second, redrawn, until interrupted or the
 * instance goes away (then the exit code of the failure). */
int ctl_watch(const char *endpoint, const char *instance, const Stellar__Control__V1__Request *req,
	      int timeout_ms, bool json);

#endif
