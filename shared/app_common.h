/*
 * Shared by the application-layer decoders (app_http, app_dns, app_tls,
 * app_quic): a slice type that points into the caller's buffer and
 * bounds-checked big-endian readers.
 *
 * Every decoder is a pure function over (data, len) that fills a
 * caller-provided result, allocates nothing and never reads past len. They
 * share one return convention:
 *   0        the bytes are this protocol and the result is filled;
 *   -EAGAIN  the bytes are a valid but incomplete prefix (cut at a segment
 *            boundary, a snap length, ...): more bytes may complete it;
 *   -EINVAL  the bytes are not this protocol, or are malformed.
 * Each header documents any other code and which fields stay valid on
 * -EAGAIN.
 */
#ifndef STELLAR_APP_COMMON_H
#define STELLAR_APP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes inside the decoded buffer: valid while that buffer is. Not
 * NUL-terminated; ptr is NULL and len 0 when the field is absent. */
struct app_str {
	const char *ptr;
	uint16_t len;
};

static inline struct app_str app_str_make(const uint8_t *p, size_t len)
{
	struct app_str s = { (const char *)p, (uint16_t)len };

	return s;
}

/* True when s equals the NUL-terminated lit, ASCII case ignored. */
static inline bool app_str_equal_ci(struct app_str s, const char *lit)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		char a = s.ptr[i], b = lit[i];

		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return lit[i] == '\0';
}

static inline uint16_t app_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t app_rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t app_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* True when n bytes starting at off lie inside [0, len): written so that
 * no sum can overflow, whatever a hostile length field says. */
static inline bool app_fits(size_t off, size_t n, size_t len)
{
	return off <= len && n <= len - off;
}

#ifdef __cplusplus
}
#endif
#endif
