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

/* For a tcp:// endpoint: CURVE keys (Z85) — the server's public key and
 * this client's key pair. Returns -1 with a message if one is malformed. */
int ctl_use_curve(const char *server_key, const char *public_key, const char *secret_key);
/* Reads "public: KEY" and "secret: KEY" lines (as `stellarctl keygen`
 * writes them) from path into 64-byte buffers. */
int ctl_read_key_file(const char *path, char *public_key, char *secret_key);
/* stellarctl keygen: a new CURVE key pair. */
int ctl_keygen(bool json);

/* Sends one request and waits for its response (NULL and a message on
 * stderr if none arrives). */
Stellar__Control__V1__Response *ctl_call(const char *endpoint, const char *instance,
					 const Stellar__Control__V1__Request *req, int timeout_ms);

/* stats --watch: the stats every second, redrawn, until interrupted or the
 * instance goes away (then the exit code of the failure). */
int ctl_watch(const char *endpoint, const char *instance, const Stellar__Control__V1__Request *req,
	      int timeout_ms, bool json);

#endif
