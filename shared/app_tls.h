/*
 * TLS hello decoder: the ClientHello a client opens with (SNI, ALPN,
 * supported_versions) and the ServerHello that answers it (selected
 * version and cipher suite).
 *
 * Two entry points: one reads TLS records from the start of a TCP stream,
 * following a hello split across several records; the other reads a bare
 * handshake message, as QUIC carries it in CRYPTO frames. Strings are
 * copied into fixed arrays in the result, since a hello split across
 * records may split a name too.
 */
#ifndef STELLAR_APP_TLS_H
#define STELLAR_APP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APP_TLS_CLIENT_HELLO 1   /* handshake message types */
#define APP_TLS_SERVER_HELLO 2

#define APP_TLS_SNI_MAX 255        /* longest host_name accepted */
#define APP_TLS_MAX_ALPN 8         /* ALPN names stored */
#define APP_TLS_ALPN_NAME_MAX 32   /* longer ALPN names are counted, not stored */
#define APP_TLS_MAX_VERSIONS 8     /* supported_versions entries stored */

struct app_tls_alpn {
	uint8_t len;
	char name[APP_TLS_ALPN_NAME_MAX + 1];   /* NUL-terminated */
};

struct app_tls_hello {
	uint8_t type;                /* APP_TLS_CLIENT_HELLO or APP_TLS_SERVER_HELLO */
	bool hello_retry;            /* a ServerHello that is a HelloRetryRequest */
	uint16_t record_version;     /* of the first record; 0 for a bare message */
	uint16_t legacy_version;     /* 0x0303 for TLS 1.2 and 1.3 */
	uint32_t length;             /* handshake body bytes */
	uint16_t cipher_suite_count; /* ClientHello: suites offered */
	uint16_t cipher_suite;       /* ServerHello: suite chosen */
	uint16_t extension_count;
	/* server_name, first host_name entry; NUL-terminated, bytes as sent. */
	uint16_t sni_len;
	char sni[APP_TLS_SNI_MAX + 1];
	/* application_layer_protocol_negotiation, in order sent. */
	uint8_t alpn_count;          /* stored in alpn[] */
	uint16_t alpn_total;         /* in the message */
	struct app_tls_alpn alpn[APP_TLS_MAX_ALPN];
	/* supported_versions: the ClientHello's list, GREASE values included. */
	uint8_t version_count;       /* stored in versions[] */
	uint8_t version_total;       /* in the message */
	uint16_t versions[APP_TLS_MAX_VERSIONS];
	/* supported_versions in a ServerHello: the version chosen, else 0. */
	uint16_t selected_version;
};

/*
 * Decodes the ClientHello or ServerHello at the start of a TLS stream:
 * records of content type 22 (handshake), the message possibly split over
 * several of them. SSLv2-format hellos are not supported.
 * Returns:
 *   0        the whole hello was present and is well formed;
 *   -EAGAIN  a valid prefix: the data ends before the hello does. type,
 *            legacy_version and, when sni_len > 0, sni are valid; the lists
 *            may be incomplete;
 *   -EINVAL  not a TLS handshake record, another handshake type, or a
 *            malformed hello (lengths that disagree, empty cipher suites, a
 *            host_name longer than APP_TLS_SNI_MAX, ...).
 */
int app_tls_parse_records(const uint8_t *data, size_t len, struct app_tls_hello *hello);

/*
 * The same for a bare handshake message (type, 24-bit length, body), such
 * as the data of QUIC CRYPTO frames from offset 0. Bytes after the message
 * are ignored. record_version is 0. Returns as app_tls_parse_records.
 */
int app_tls_parse_handshake(const uint8_t *data, size_t len, struct app_tls_hello *hello);

#ifdef __cplusplus
}
#endif
#endif
