/*
 * HTTP/1.1 message text for the demo TCP sessions. Bodies are generated,
 * not random bytes, so dissectors show readable, well-formed content and
 * Content-Length always matches what is sent.
 */
#ifndef STELLAR_DEMO_HTTP_H
#define STELLAR_DEMO_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MSG_MAX 16384

/* Both return the message length or -ENOSPC. */
int http_request_format(char *buf, size_t cap, const char *host, const char *uri);
int http_response_format(char *buf, size_t cap, const char *uri, int status, size_t body_min,
			 uint64_t now_us);

#endif
