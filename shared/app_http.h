/*
 * HTTP/1.x message head decoder: the start line and the headers a session
 * needs (Host, User-Agent, ...) from the first bytes of a TCP payload, or
 * of a UDP datagram for SSDP (`M-SEARCH * HTTP/1.1`), which is HTTP over
 * UDP.
 *
 * The decoder works on the bytes it is given, without state: a caller that
 * holds more bytes of the stream calls it again on the longer prefix.
 * Header names are matched without regard to case; lines may end in CRLF
 * or in a bare LF. The body is not looked at.
 */
#ifndef STELLAR_APP_HTTP_H
#define STELLAR_APP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "app_common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum app_http_kind {
	APP_HTTP_NONE = 0,
	APP_HTTP_REQUEST,
	APP_HTTP_RESPONSE,
};

/* Methods worth a switch statement; any other upper-case token is
 * accepted as APP_HTTP_M_OTHER (WebDAV, RTSP-like extensions, ...). */
enum app_http_method {
	APP_HTTP_M_OTHER = 0,
	APP_HTTP_M_GET,
	APP_HTTP_M_HEAD,
	APP_HTTP_M_POST,
	APP_HTTP_M_PUT,
	APP_HTTP_M_DELETE,
	APP_HTTP_M_CONNECT,
	APP_HTTP_M_OPTIONS,
	APP_HTTP_M_TRACE,
	APP_HTTP_M_PATCH,
	APP_HTTP_M_MSEARCH,   /* SSDP discovery */
	APP_HTTP_M_NOTIFY,    /* SSDP announcements, GENA */
	APP_HTTP_M_SUBSCRIBE,
	APP_HTTP_M_UNSUBSCRIBE,
};

/* Longest method token accepted; longer ones are not HTTP to us. */
#define APP_HTTP_METHOD_MAX 20

struct app_http_msg {
	uint8_t kind;            /* enum app_http_kind */
	uint8_t method;          /* enum app_http_method; requests only */
	uint8_t version_major;   /* from "HTTP/x.y" */
	uint8_t version_minor;
	uint16_t status;         /* responses only: 100..999 */
	uint16_t header_count;   /* complete header lines seen (saturates) */
	/* Bytes of the whole head (start line, headers, empty line): where the
	 * body starts. 0 unless the head is complete. */
	uint32_t head_len;
	/* Content-Length value; -1 when absent or not a plain decimal. */
	int64_t content_length;
	struct app_str method_name;  /* requests: "GET", "M-SEARCH", ... */
	struct app_str uri;          /* requests: the request-target as sent */
	struct app_str reason;       /* responses: may be empty */
	/* First occurrence of each header, value without surrounding blanks. */
	struct app_str host;
	struct app_str user_agent;
	struct app_str content_type;
	struct app_str server;
};

/*
 * Decodes the message head at the start of data[0, len).
 * Returns:
 *   0        the head is complete up to its empty line (msg->head_len > 0);
 *   -EAGAIN  a valid but unfinished head: no empty line yet (this includes a
 *            request line with no header after it). Fields from complete
 *            lines are filled and trustworthy; the rest are empty;
 *   -EINVAL  not HTTP/1.x or malformed: bad start line, header line without
 *            a token and ':', control bytes, a CR not followed by LF, or a
 *            line longer than 65535 bytes. msg content is unspecified.
 * Slices point into data.
 */
int app_http_parse(const uint8_t *data, size_t len, struct app_http_msg *msg);

#ifdef __cplusplus
}
#endif
#endif
