/*
 * libFuzzer harness for the DNS decoder: UDP and TCP entry points and the
 * name decoder at an input-chosen offset. Besides crashes, it aborts when a
 * result breaks the header's promises (names not NUL-terminated at their
 * length, counts past their arrays, TCP consuming more than it was given).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app_dns.h"

static void check_msg(const struct app_dns_msg *m, int rc)
{
	if (rc != 0 && rc != -EAGAIN && rc != -EINVAL)
		abort();
	if (rc == -EINVAL)
		return;
	if (m->qname_len >= APP_DNS_NAME_MAX || strlen(m->qname) != m->qname_len)
		abort();
	if (m->answer_count > APP_DNS_MAX_ANSWERS || m->answer_count > m->ancount)
		abort();
	for (unsigned i = 0; i < m->answer_count; i++) {
		const struct app_dns_rr *rr = &m->answers[i];

		if (rr->has_name && strlen(rr->name) != rr->name_len)
			abort();
		if (rr->addr_len != 0 && rr->addr_len != 4 && rr->addr_len != 16)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app_dns_msg m;   /* 4.6 KB: keep it off the stack */
	char name[APP_DNS_NAME_MAX];
	size_t off = 0, used, next;
	uint16_t name_len;
	int rc;

	check_msg(&m, app_dns_parse(data, size, 0, &m));
	check_msg(&m, app_dns_parse(data, size, APP_DNS_LOWER, &m));

	/* Every message of a TCP stream. */
	while (off < size) {
		rc = app_dns_parse_tcp(data + off, size - off, APP_DNS_LOWER, &m, &used);
		check_msg(&m, rc);
		if (rc != 0)
			break;
		if (used < 2 + 12 || used > size - off)
			abort();
		off += used;
	}

	if (size > 0) {
		rc = app_dns_name_decode(data, size, data[0] % size, 0, name, sizeof(name), &name_len, &next);
		if (rc == 0 && (strlen(name) != name_len || next > size))
			abort();
	}
	return 0;
}
