/*
 * TLS ClientHello / ServerHello decoder (RFC 8446 4.1.2-4.1.3, RFC 5246).
 *
 * The handshake message is read through a cursor that steps over record
 * headers as it goes, so a hello split across records needs no copy. The
 * cursor's error is sticky: reads after a failure return 0 and the parser
 * checks the error where a wrong value could mislead it. Running out of
 * data is -EAGAIN; a length that disagrees with its container is -EINVAL,
 * checked before the data is read, so a lying length never looks like a
 * prefix.
 */
#include <errno.h>
#include <string.h>

#include "app_common.h"
#include "app_tls.h"

#define TLS_CT_HANDSHAKE 22
#define TLS_RECORD_HEADER 5
/* Plaintext records carry at most 2^14 bytes; allow the 2^14+2048 of
 * compressed ones rather than reject an odd peer. */
#define TLS_RECORD_MAX (16384 + 2048)
/* The largest ClientHello the 8- and 16-bit length fields can describe. */
#define TLS_HELLO_MAX (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)

/* Smallest bodies: version, random, session id length, then a ClientHello's
 * one cipher suite and one compression method, or a ServerHello's suite
 * and compression method. */
#define TLS_CLIENT_HELLO_MIN (2 + 32 + 1 + 2 + 2 + 1 + 1)
#define TLS_SERVER_HELLO_MIN (2 + 32 + 1 + 2 + 1)

#define EXT_SERVER_NAME 0
#define EXT_ALPN 16
#define EXT_SUPPORTED_VERSIONS 43

/* SHA-256("HelloRetryRequest"), RFC 8446 4.1.3. */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct tls_cur {
	const uint8_t *d;
	size_t len;
	size_t at;        /* next byte in d */
	size_t seg_end;   /* readable bytes of the current record end here (<= len) */
	size_t rec_end;   /* the current record's declared end */
	bool records;     /* record headers interleave with the message */
	uint32_t pos;     /* bytes of the handshake message consumed */
	int err;          /* 0, -EAGAIN or -EINVAL; sticky */
	uint16_t first_version;
};

static void cur_fail(struct tls_cur *c, int err)
{
	if (c->err == 0)
		c->err = err;
}

/* Checks the record header at c->at as far as the data goes. */
static int record_header(struct tls_cur *c, uint16_t *rlen)
{
	const uint8_t *h = c->d + c->at;
	size_t have = c->len - c->at;

	if (have >= 1 && h[0] != TLS_CT_HANDSHAKE)
		return -EINVAL;
	if (have >= 2 && h[1] != 3)
		return -EINVAL;
	if (have >= 3 && h[2] > 4)
		return -EINVAL;
	if (have < TLS_RECORD_HEADER)
		return -EAGAIN;
	*rlen = app_rd16(h + 3);
	/* Empty handshake records are forbidden (RFC 8446 5.1). */
	if (*rlen == 0 || *rlen > TLS_RECORD_MAX)
		return -EINVAL;
	if (c->first_version == 0)
		c->first_version = app_rd16(h + 1);
	return 0;
}

/* True when at least one byte can be read at c->at. */
static bool cur_ready(struct tls_cur *c)
{
	while (c->err == 0 && c->at == c->seg_end) {
		uint16_t rlen;
		int rc;

		if (!c->records || c->at < c->rec_end) {
			cur_fail(c, -EAGAIN);
			break;
		}
		rc = record_header(c, &rlen);
		if (rc) {
			cur_fail(c, rc);
			break;
		}
		c->at += TLS_RECORD_HEADER;
		c->rec_end = c->at + rlen;
		c->seg_end = c->rec_end < c->len ? c->rec_end : c->len;
	}
	return c->err == 0;
}

/* Reads n bytes (n <= 4) as a big-endian number; 0 on error. */
static uint32_t cur_uint(struct tls_cur *c, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!cur_ready(c))
			return 0;
		v = v << 8 | c->d[c->at++];
		c->pos++;
	}
	return v;
}

/* Copies n bytes to dst, or skips them when dst is NULL. */
static void cur_take(struct tls_cur *c, void *dst, uint32_t n)
{
	uint8_t *out = dst;

	while (n > 0 && cur_ready(c)) {
		size_t k = c->seg_end - c->at;

		if (k > n)
			k = n;
		if (out != NULL) {
			memcpy(out, c->d + c->at, k);
			out += k;
		}
		c->at += k;
		c->pos += (uint32_t)k;
		n -= (uint32_t)k;
	}
}

/* A length-prefixed block: its end, or an error if it overruns `limit`. */
static uint32_t cur_block(struct tls_cur *c, unsigned prefix, uint32_t limit)
{
	uint32_t n = cur_uint(c, prefix);

	/* The prefix itself may already have crossed the limit. */
	if (c->err == 0 && (c->pos > limit || n > limit - c->pos))
		cur_fail(c, -EINVAL);
	return c->pos + n;
}

static void ext_server_name(struct tls_cur *c, uint32_t end, struct app_tls_hello *h)
{
	uint32_t list_end;

	if (h->type == APP_TLS_SERVER_HELLO)
		return;   /* empty acknowledgement */
	list_end = cur_block(c, 2, end);
	if (c->err == 0 && list_end != end)
		cur_fail(c, -EINVAL);
	while (c->err == 0 && c->pos < list_end) {
		uint8_t name_type = (uint8_t)cur_uint(c, 1);
		uint32_t name_end = cur_block(c, 2, list_end);
		uint32_t n = name_end - c->pos;

		if (c->err)
			return;
		if (name_type != 0 || h->sni_len > 0) {
			cur_take(c, NULL, n);
			continue;
		}
		if (n == 0 || n > APP_TLS_SNI_MAX) {
			cur_fail(c, -EINVAL);
			return;
		}
		cur_take(c, h->sni, n);
		/* A name cut short must not linger behind sni_len 0. */
		h->sni[c->err == 0 ? n : 0] = '\0';
		if (c->err == 0)
			h->sni_len = (uint16_t)n;
	}
}

static void ext_alpn(struct tls_cur *c, uint32_t end, struct app_tls_hello *h)
{
	uint32_t list_end = cur_block(c, 2, end);

	if (c->err == 0 && list_end != end)
		cur_fail(c, -EINVAL);
	while (c->err == 0 && c->pos < list_end) {
		uint32_t n = cur_block(c, 1, list_end) - c->pos;

		if (c->err == 0 && n == 0)
			cur_fail(c, -EINVAL);
		if (c->err)
			return;
		if (h->alpn_count < APP_TLS_MAX_ALPN && n <= APP_TLS_ALPN_NAME_MAX) {
			struct app_tls_alpn *a = &h->alpn[h->alpn_count];

			cur_take(c, a->name, n);
			a->name[n] = '\0';
			a->len = (uint8_t)n;
			h->alpn_count++;
		} else {
			cur_take(c, NULL, n);
		}
		h->alpn_total++;
	}
}

static void ext_supported_versions(struct tls_cur *c, uint32_t end, struct app_tls_hello *h)
{
	uint32_t list_end;

	if (h->type == APP_TLS_SERVER_HELLO) {
		if (end - c->pos != 2)
			cur_fail(c, -EINVAL);
		h->selected_version = (uint16_t)cur_uint(c, 2);
		return;
	}
	list_end = cur_block(c, 1, end);
	if (c->err == 0 && (list_end != end || (end - c->pos) % 2 != 0 || end == c->pos))
		cur_fail(c, -EINVAL);
	while (c->err == 0 && c->pos < list_end) {
		uint16_t v = (uint16_t)cur_uint(c, 2);

		if (h->version_count < APP_TLS_MAX_VERSIONS)
			h->versions[h->version_count++] = v;
		h->version_total++;
	}
}

static void parse_extensions(struct tls_cur *c, uint32_t end, struct app_tls_hello *h)
{
	uint32_t ext_end = cur_block(c, 2, end);

	if (c->err == 0 && ext_end != end)
		cur_fail(c, -EINVAL);
	while (c->err == 0 && c->pos < ext_end) {
		uint16_t type = (uint16_t)cur_uint(c, 2);
		uint32_t e_end = cur_block(c, 2, ext_end);

		if (c->err)
			return;
		if (h->extension_count < UINT16_MAX)
			h->extension_count++;
		if (type == EXT_SERVER_NAME)
			ext_server_name(c, e_end, h);
		else if (type == EXT_ALPN)
			ext_alpn(c, e_end, h);
		else if (type == EXT_SUPPORTED_VERSIONS)
			ext_supported_versions(c, e_end, h);
		if (c->err == 0 && c->pos > e_end)
			cur_fail(c, -EINVAL);
		cur_take(c, NULL, e_end - c->pos);
	}
}

static void parse_hello_body(struct tls_cur *c, uint32_t end, struct app_tls_hello *h)
{
	uint8_t random[32];
	uint32_t n;

	h->legacy_version = (uint16_t)cur_uint(c, 2);
	if (c->err == 0 && (h->legacy_version >> 8) != 3)
		cur_fail(c, -EINVAL);
	cur_take(c, random, sizeof(random));
	n = cur_block(c, 1, end) - c->pos;         /* legacy_session_id */
	if (c->err == 0 && n > 32)
		cur_fail(c, -EINVAL);
	cur_take(c, NULL, n);
	if (h->type == APP_TLS_CLIENT_HELLO) {
		n = cur_block(c, 2, end) - c->pos;
		if (c->err == 0 && (n == 0 || n % 2 != 0))
			cur_fail(c, -EINVAL);
		h->cipher_suite_count = (uint16_t)(n / 2);
		cur_take(c, NULL, n);
		n = cur_block(c, 1, end) - c->pos;  /* compression methods */
		if (c->err == 0 && n == 0)
			cur_fail(c, -EINVAL);
		cur_take(c, NULL, n);
	} else {
		h->hello_retry = c->err == 0 && memcmp(random, hrr_random, sizeof(random)) == 0;
		h->cipher_suite = (uint16_t)cur_uint(c, 2);
		cur_uint(c, 1);                     /* legacy_compression_method */
	}
	if (c->err == 0 && c->pos > end)
		cur_fail(c, -EINVAL);
	/* Hellos from before TLS 1.2 may stop here, without extensions. */
	if (c->err == 0 && c->pos < end)
		parse_extensions(c, end, h);
}

static int parse_message(struct tls_cur *c, struct app_tls_hello *h)
{
	uint32_t end;

	memset(h, 0, sizeof(*h));
	h->type = (uint8_t)cur_uint(c, 1);
	if (c->err == 0 && h->type != APP_TLS_CLIENT_HELLO && h->type != APP_TLS_SERVER_HELLO)
		cur_fail(c, -EINVAL);
	h->length = cur_uint(c, 3);
	if (c->err == 0 && (h->length > TLS_HELLO_MAX ||
			    h->length < (h->type == APP_TLS_CLIENT_HELLO ? TLS_CLIENT_HELLO_MIN
									  : TLS_SERVER_HELLO_MIN)))
		cur_fail(c, -EINVAL);
	end = c->pos + h->length;
	if (c->err == 0)
		parse_hello_body(c, end, h);
	h->record_version = c->records ? c->first_version : 0;
	if (c->err == -EAGAIN) {
		/* Keep what the header promises valid; drop half-read lists. */
		h->alpn_count = 0;
		h->alpn_total = 0;
		h->version_count = 0;
		h->version_total = 0;
		h->selected_version = 0;
	}
	if (c->err == -EINVAL)
		memset(h, 0, sizeof(*h));
	return c->err;
}

int app_tls_parse_records(const uint8_t *data, size_t len, struct app_tls_hello *hello)
{
	struct tls_cur c = { .d = data, .len = len, .records = true };

	if (hello == NULL || (data == NULL && len != 0))
		return -EINVAL;
	return parse_message(&c, hello);
}

int app_tls_parse_handshake(const uint8_t *data, size_t len, struct app_tls_hello *hello)
{
	struct tls_cur c = { .d = data, .len = len, .seg_end = len, .rec_end = len };

	if (hello == NULL || (data == NULL && len != 0))
		return -EINVAL;
	return parse_message(&c, hello);
}
