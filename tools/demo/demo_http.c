#include "demo_http.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HTTP_BODY_MAX 12288

static const char *http_content_type(const char *uri, int status)
{
	if (status != 200)
		return "text/html; charset=utf-8";
	if (strstr(uri, ".css"))
		return "text/css";
	if (!strncmp(uri, "/api/", 5))
		return "application/json";
	return "text/html; charset=utf-8";
}

static const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 404:
		return "Not Found";
	default:
		return "Internal Server Error";
	}
}

static int text_append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int text_append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

/* Appends repeated units until at least min bytes are there, so the body
 * size is chosen by the scenario but always ends on a complete unit. */
static int http_body_format(char *buf, size_t cap, const char *type, size_t min)
{
	int json = !strcmp(type, "application/json");
	int css = !strcmp(type, "text/css");
	size_t len = 0;
	unsigned i;
	int rc;

	if (json)
		rc = text_append(buf, cap, &len, "{\"items\":[");
	else if (css)
		rc = 0;
	else
		rc = text_append(buf, cap, &len, "<!DOCTYPE html>\n<html><head><title>Stellar demo"
						 "</title></head><body>\n");
	for (i = 1; !rc && len < min; i++) {
		if (json)
			rc = text_append(buf, cap, &len, "%s{\"id\":%u,\"name\":\"item-%u\"}",
					 i > 1 ? "," : "", i, i);
		else if (css)
			rc = text_append(buf, cap, &len, ".c%u { color: #%06x; margin: %upx; }\n", i,
					 i * 0x10101u & 0xffffff, i % 16);
		else
			rc = text_append(buf, cap, &len, "<p>Stellar demo paragraph %u.</p>\n", i);
	}
	if (!rc && json)
		rc = text_append(buf, cap, &len, "]}\n");
	else if (!rc && !css)
		rc = text_append(buf, cap, &len, "</body></html>\n");
	return rc ? rc : (int)len;
}

int http_request_format(char *buf, size_t cap, const char *host, const char *uri)
{
	int n = snprintf(buf, cap,
			 "GET %s HTTP/1.1\r\n"
			 "Host: %s\r\n"
			 "User-Agent: stellar-demo/1.0\r\n"
			 "Accept: */*\r\n"
			 "Connection: keep-alive\r\n"
			 "\r\n",
			 uri, host);

	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

int http_response_format(char *buf, size_t cap, const char *uri, int status, size_t body_min,
			 uint64_t now_us)
{
	const char *type = http_content_type(uri, status);
	char body[HTTP_BODY_MAX];
	char date[64];
	time_t secs = (time_t)(now_us / 1000000);
	struct tm tm;
	int blen, n;

	blen = http_body_format(body, sizeof(body), type, status == 200 ? body_min : 64);
	if (blen < 0)
		return blen;
	/* Derived from the packet clock, never the wall clock, to stay
	 * reproducible; strftime runs in the default "C" locale. */
	if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		return -EINVAL;
	n = snprintf(buf, cap,
		     "HTTP/1.1 %d %s\r\n"
		     "Date: %s\r\n"
		     "Server: stellar-demo-httpd\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %d\r\n"
		     "\r\n",
		     status, http_reason(status), date, type, blen);
	if (n < 0 || (size_t)n + (size_t)blen > cap)
		return -ENOSPC;
	memcpy(buf + n, body, (size_t)blen);
	return n + blen;
}
