/*
 * libFuzzer harness for the HTTP/1.x head decoder. Besides crashes, it
 * aborts when a result breaks the header's promises: slices outside the
 * input, a complete head longer than the input, or a prefix of a complete
 * head that is not reported as a prefix.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "app_http.h"

static void check_slice(struct app_str s, const uint8_t *data, size_t size)
{
	const char *lo = (const char *)data, *hi = (const char *)data + size;

	if (s.ptr == NULL) {
		if (s.len != 0)
			abort();
		return;
	}
	if (s.ptr < lo || s.ptr > hi || s.len > (size_t)(hi - s.ptr))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_http_msg m;
	int rc = app_http_parse(data, size, &m);

	if (rc != 0 && rc != -EAGAIN && rc != -EINVAL)
		abort();
	check_slice(m.method_name, data, size);
	check_slice(m.uri, data, size);
	check_slice(m.reason, data, size);
	check_slice(m.host, data, size);
	check_slice(m.user_agent, data, size);
	check_slice(m.content_type, data, size);
	check_slice(m.server, data, size);
	if (rc == 0) {
		if (m.head_len == 0 || m.head_len > size || m.kind == APP_HTTP_NONE)
			abort();
		/* One byte less of a complete head is a valid prefix. */
		if (app_http_parse(data, m.head_len - 1, &m) != -EAGAIN)
			abort();
	} else if (m.head_len != 0) {
		abort();
	}
	return 0;
}
