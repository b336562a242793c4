#include "demo_dns.h"

#include <errno.h>
#include <string.h>

#include "pkt_build.h"

#define DNS_HDR_LEN 12
#define DNS_CLASS_IN 1
#define DNS_FLAGS_QUERY 0x0100    /* RD */
#define DNS_FLAGS_RESPONSE 0x8180 /* QR, RD, RA, NOERROR */
#define DNS_QNAME_PTR 0xc00c      /* the question name always sits at 12 */

static int dns_name_put(uint8_t *p, size_t cap, const char *name)
{
	size_t len = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t label = dot ? (size_t)(dot - name) : strlen(name);

		if (label == 0 || label > 63 || len + 1 + label + 1 > cap)
			return -EINVAL;
		p[len++] = (uint8_t)label;
		memcpy(p + len, name, label);
		len += label;
		name += label + (dot ? 1 : 0);
	}
	if (len + 1 > cap)
		return -ENOSPC;
	p[len++] = 0;
	return (int)len;
}

static int dns_question_put(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
			    const char *qname, uint16_t qtype, uint16_t ancount)
{
	int n;

	if (cap < DNS_HDR_LEN + 4)
		return -ENOSPC;
	memset(buf, 0, DNS_HDR_LEN);
	be16_put(buf, id);
	be16_put(buf + 2, flags);
	be16_put(buf + 4, 1);
	be16_put(buf + 6, ancount);
	n = dns_name_put(buf + DNS_HDR_LEN, cap - DNS_HDR_LEN - 4, qname);
	if (n < 0)
		return n;
	n += DNS_HDR_LEN;
	be16_put(buf + n, qtype);
	be16_put(buf + n + 2, DNS_CLASS_IN);
	return n + 4;
}

int dns_query_format(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype)
{
	return dns_question_put(buf, cap, id, DNS_FLAGS_QUERY, qname, qtype, 0);
}

int dns_response_format(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
			const struct dns_answer *ans)
{
	size_t alen = ans->qtype == DNS_TYPE_AAAA ? 16 : 4;
	size_t len;
	unsigned i;
	int n;

	n = dns_question_put(buf, cap, id, DNS_FLAGS_RESPONSE, qname, ans->qtype,
			     (uint16_t)ans->n_addr);
	if (n < 0)
		return n;
	len = (size_t)n;
	for (i = 0; i < ans->n_addr; i++) {
		uint8_t *rr = buf + len;

		if (len + 12 + alen > cap)
			return -ENOSPC;
		be16_put(rr, DNS_QNAME_PTR);
		be16_put(rr + 2, ans->qtype);
		be16_put(rr + 4, DNS_CLASS_IN);
		be32_put(rr + 6, ans->ttl);
		be16_put(rr + 10, (uint16_t)alen);
		memcpy(rr + 12, ans->addr + i * alen, alen);
		len += 12 + alen;
	}
	return (int)len;
}
