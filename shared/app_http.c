/*
 * HTTP/1.x message head decoder (RFC 9112 grammar, read leniently only
 * where real clients differ: bare LF line ends, obs-text in values).
 *
 * Each line is found first, then checked. A line the data cuts short is
 * still checked as far as it goes, so that "GET /ind" is a valid prefix
 * (-EAGAIN) while "GET /index\x01" is not HTTP (-EINVAL).
 */
#include <errno.h>
#include <string.h>

#include "app_http.h"

/* app_str lengths are 16 bits; nothing legitimate comes close. */
#define HTTP_LINE_MAX 65535u

struct http_line {
	size_t start;   /* first byte */
	size_t end;     /* one past the last byte, terminator excluded */
	size_t next;    /* first byte of the next line */
	bool complete;  /* false: the data ended before the LF */
};

static const struct {
	const char *name;
	enum app_http_method method;
} http_methods[] = {
	{ "GET", APP_HTTP_M_GET },           { "HEAD", APP_HTTP_M_HEAD },
	{ "POST", APP_HTTP_M_POST },         { "PUT", APP_HTTP_M_PUT },
	{ "DELETE", APP_HTTP_M_DELETE },     { "CONNECT", APP_HTTP_M_CONNECT },
	{ "OPTIONS", APP_HTTP_M_OPTIONS },   { "TRACE", APP_HTTP_M_TRACE },
	{ "PATCH", APP_HTTP_M_PATCH },       { "M-SEARCH", APP_HTTP_M_MSEARCH },
	{ "NOTIFY", APP_HTTP_M_NOTIFY },     { "SUBSCRIBE", APP_HTTP_M_SUBSCRIBE },
	{ "UNSUBSCRIBE", APP_HTTP_M_UNSUBSCRIBE },
};

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Methods are case-sensitive and registered ones are all upper case:
 * refusing lower case keeps random text from passing for HTTP. */
static bool is_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
}

/* RFC 9110 tchar, for header names. */
static bool is_tchar(uint8_t c)
{
	return is_alpha(c) || is_digit(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Request-target: visible bytes; raw UTF-8 is common enough to allow. */
static bool is_target_char(uint8_t c)
{
	return c > 0x20 && c != 0x7f;
}

/* Field values and reason phrases: HTAB, SP, VCHAR, obs-text. */
static bool is_text(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int line_get(const uint8_t *d, size_t len, size_t off, struct http_line *l)
{
	size_t i;

	l->start = off;
	for (i = off; i < len; i++) {
		if (d[i] == '\n') {
			l->end = (i > off && d[i - 1] == '\r') ? i - 1 : i;
			l->next = i + 1;
			l->complete = true;
			return l->end - off > HTTP_LINE_MAX ? -EINVAL : 0;
		}
		if (d[i] == '\r' && i + 1 < len && d[i + 1] != '\n')
			return -EINVAL;
		if (i - off > HTTP_LINE_MAX + 1)
			return -EINVAL;
	}
	/* A CR last may be the first half of a CRLF still to come. */
	l->end = (len > off && d[len - 1] == '\r') ? len - 1 : len;
	l->next = len;
	l->complete = false;
	return 0;
}

/* The verdict when the bytes ran out where more were needed. */
static int line_short(const struct http_line *l)
{
	return l->complete ? -EINVAL : -EAGAIN;
}

static int parse_version(const uint8_t *d, size_t *pos, const struct http_line *l,
			 struct app_http_msg *m)
{
	static const char prefix[] = "HTTP/x.y";
	size_t p = *pos;

	for (unsigned i = 0; i < sizeof(prefix) - 1; i++, p++) {
		if (p == l->end)
			return line_short(l);
		if (prefix[i] == 'x' || prefix[i] == 'y') {
			if (!is_digit(d[p]))
				return -EINVAL;
			if (prefix[i] == 'x')
				m->version_major = (uint8_t)(d[p] - '0');
			else
				m->version_minor = (uint8_t)(d[p] - '0');
		} else if (d[p] != (uint8_t)prefix[i]) {
			return -EINVAL;
		}
	}
	*pos = p;
	return 0;
}

static void set_method(struct app_http_msg *m)
{
	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		if (strlen(http_methods[i].name) == m->method_name.len &&
		    memcmp(http_methods[i].name, m->method_name.ptr, m->method_name.len) == 0) {
			m->method = (uint8_t)http_methods[i].method;
			return;
		}
	}
	m->method = APP_HTTP_M_OTHER;
}

/* method SP request-target SP HTTP-version */
static int parse_request_line(const uint8_t *d, const struct http_line *l, struct app_http_msg *m)
{
	size_t p = l->start, s;
	int rc;

	for (s = p; p < l->end && d[p] != ' '; p++)
		if (!is_method_char(d[p]) || p - s >= APP_HTTP_METHOD_MAX)
			return -EINVAL;
	if (p == l->end)
		return line_short(l);
	if (p == s)
		return -EINVAL;
	m->method_name = app_str_make(d + s, p - s);
	for (s = ++p; p < l->end && d[p] != ' '; p++)
		if (!is_target_char(d[p]))
			return -EINVAL;
	if (p == l->end)
		return line_short(l);
	if (p == s)
		return -EINVAL;
	m->uri = app_str_make(d + s, p - s);
	p++;
	rc = parse_version(d, &p, l, m);
	if (rc)
		return rc;
	if (p != l->end)
		return -EINVAL;
	m->kind = APP_HTTP_REQUEST;
	set_method(m);
	return l->complete ? 0 : -EAGAIN;
}

/* HTTP-version SP 3DIGIT [SP reason-phrase]; the phrase and its space are
 * often missing in practice. */
static int parse_status_line(const uint8_t *d, const struct http_line *l, struct app_http_msg *m)
{
	size_t p = l->start;
	unsigned status = 0;
	int rc;

	rc = parse_version(d, &p, l, m);
	if (rc)
		return rc;
	if (p == l->end)
		return line_short(l);
	if (d[p++] != ' ')
		return -EINVAL;
	for (unsigned i = 0; i < 3; i++, p++) {
		if (p == l->end)
			return line_short(l);
		if (!is_digit(d[p]))
			return -EINVAL;
		status = status * 10 + (unsigned)(d[p] - '0');
	}
	if (status < 100)
		return -EINVAL;
	if (p < l->end && d[p++] != ' ')
		return -EINVAL;
	for (size_t i = p; i < l->end; i++)
		if (!is_text(d[i]))
			return -EINVAL;
	m->kind = APP_HTTP_RESPONSE;
	m->status = (uint16_t)status;
	m->reason = app_str_make(d + p, l->end - p);
	return l->complete ? 0 : -EAGAIN;
}

static int64_t parse_length(struct app_str v)
{
	int64_t n = 0;

	if (v.len == 0 || v.len > 18)
		return -1;
	for (uint16_t i = 0; i < v.len; i++) {
		if (!is_digit((uint8_t)v.ptr[i]))
			return -1;
		n = n * 10 + (v.ptr[i] - '0');
	}
	return n;
}

static void keep_first(struct app_str *field, struct app_str value)
{
	if (field->ptr == NULL)
		*field = value;
}

static void use_header(struct app_str name, struct app_str value, struct app_http_msg *m)
{
	if (app_str_equal_ci(name, "host"))
		keep_first(&m->host, value);
	else if (app_str_equal_ci(name, "user-agent"))
		keep_first(&m->user_agent, value);
	else if (app_str_equal_ci(name, "content-type"))
		keep_first(&m->content_type, value);
	else if (app_str_equal_ci(name, "server"))
		keep_first(&m->server, value);
	else if (app_str_equal_ci(name, "content-length") && m->content_length < 0)
		m->content_length = parse_length(value);
}

/* field-name ":" OWS field-value OWS, or an obs-fold continuation line. */
static int parse_header(const uint8_t *d, const struct http_line *l, struct app_http_msg *m)
{
	size_t p = l->start, v, e;
	bool folded = d[p] == ' ' || d[p] == '\t';

	if (folded) {
		/* Continuation of the previous value: checked, then ignored. */
		if (m->header_count == 0)
			return -EINVAL;
		v = p;
	} else {
		for (; p < l->end && d[p] != ':'; p++)
			if (!is_tchar(d[p]))
				return -EINVAL;
		if (p == l->end)
			return line_short(l);
		if (p == l->start)
			return -EINVAL;
		v = p + 1;
	}
	for (e = v; e < l->end; e++)
		if (!is_text(d[e]))
			return -EINVAL;
	if (!l->complete)
		return -EAGAIN;
	if (!folded) {
		while (v < e && (d[v] == ' ' || d[v] == '\t'))
			v++;
		while (e > v && (d[e - 1] == ' ' || d[e - 1] == '\t'))
			e--;
		use_header(app_str_make(d + l->start, p - l->start), app_str_make(d + v, e - v), m);
	}
	if (m->header_count < UINT16_MAX)
		m->header_count++;
	return 0;
}

/* "HTTP/" (or as much of it as there is) starts a response. */
static bool looks_like_response(const uint8_t *d, size_t len)
{
	size_t n = len < 5 ? len : 5;

	return memcmp(d, "HTTP/", n) == 0;
}

int app_http_parse(const uint8_t *data, size_t len, struct app_http_msg *msg)
{
	struct http_line l;
	int rc;

	if (msg == NULL || (data == NULL && len != 0))
		return -EINVAL;
	memset(msg, 0, sizeof(*msg));
	msg->content_length = -1;
	if (len == 0)
		return -EAGAIN;

	rc = line_get(data, len, 0, &l);
	if (rc == 0)
		rc = looks_like_response(data, len) ? parse_status_line(data, &l, msg)
						    : parse_request_line(data, &l, msg);
	if (rc) {
		/* A start line cut short would leave a cut URI or reason. */
		memset(msg, 0, sizeof(*msg));
		msg->content_length = -1;
		return rc;
	}
	for (;;) {
		if (l.next == len)
			return -EAGAIN;
		rc = line_get(data, len, l.next, &l);
		if (rc)
			return rc;
		if (l.start == l.end) {
			if (!l.complete)
				return -EAGAIN;
			if (l.next > UINT32_MAX)
				return -EINVAL;
			msg->head_len = (uint32_t)l.next;
			return 0;
		}
		rc = parse_header(data, &l, msg);
		if (rc)
			return rc;
	}
}
