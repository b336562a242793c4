/*
 * libFuzzer harness for the TLS hello decoder: the record entry point and
 * the bare handshake entry point on the same bytes. Besides crashes, it
 * aborts when a result breaks the header's promises.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app_tls.h"

static void check_hello(const struct app_tls_hello *h, int rc)
{
	if (rc != 0 && rc != -EAGAIN && rc != -EINVAL)
		abort();
	if (h->sni_len > APP_TLS_SNI_MAX || h->sni[h->sni_len] != '\0')
		abort();
	if (h->alpn_count > APP_TLS_MAX_ALPN || h->alpn_count > h->alpn_total)
		abort();
	for (unsigned i = 0; i < h->alpn_count; i++)
		if (h->alpn[i].len == 0 || h->alpn[i].len > APP_TLS_ALPN_NAME_MAX ||
		    h->alpn[i].name[h->alpn[i].len] != '\0')
			abort();
	if (h->version_count > APP_TLS_MAX_VERSIONS || h->version_count > h->version_total)
		abort();
	if (rc == 0 && h->type != APP_TLS_CLIENT_HELLO && h->type != APP_TLS_SERVER_HELLO)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_tls_hello h;
	int rc;

	rc = app_tls_parse_records(data, size, &h);
	check_hello(&h, rc);
	rc = app_tls_parse_handshake(data, size, &h);
	check_hello(&h, rc);
	/* A complete bare message stays complete with bytes after it, and
	 * one byte less of it is a prefix. */
	if (rc == 0 && size > 0) {
		size_t len = 4 + (size_t)h.length;

		if (len > size)
			abort();
		if (app_tls_parse_handshake(data, len - 1, &h) != -EAGAIN)
			abort();
	}
	return 0;
}
