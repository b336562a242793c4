/*
 * DNS wire format (RFC 1035) for the demo lookups: one question, and in
 * responses A or AAAA answers that point back at the question name with a
 * compression pointer, as real resolvers answer.
 */
#ifndef STELLAR_DEMO_DNS_H
#define STELLAR_DEMO_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28

struct dns_answer {
	uint16_t qtype; /* DNS_TYPE_A or DNS_TYPE_AAAA: picks 4 or 16 bytes */
	uint32_t ttl;
	unsigned n_addr;
	const uint8_t *addr; /* n_addr addresses back to back */
};

/* Both return the message length or -errno. */
int dns_query_format(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype);
int dns_response_format(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
			const struct dns_answer *ans);

#endif
