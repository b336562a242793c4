/*
 * DNS message decoder: header, questions, answers; over UDP and over TCP
 * with its length prefix. Names are decoded by app_dns_name.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "app_common.h"
#include "app_dns.h"

#define DNS_HEADER_LEN 12
#define DNS_RR_FIXED_LEN 10   /* type, class, TTL, RDLENGTH */

/* Opcodes 0-2 and 4-6 are assigned; anything else is not DNS to us. */
static bool opcode_valid(uint8_t opcode)
{
	return opcode <= 6 && opcode != 3;
}

static void parse_header(const uint8_t *d, struct app_dns_msg *m)
{
	m->id = app_rd16(d);
	m->flags = app_rd16(d + 2);
	m->qr = (m->flags >> 15) & 1;
	m->opcode = (m->flags >> 11) & 0xf;
	m->aa = (m->flags >> 10) & 1;
	m->tc = (m->flags >> 9) & 1;
	m->rd = (m->flags >> 8) & 1;
	m->ra = (m->flags >> 7) & 1;
	m->rcode = m->flags & 0xf;
	m->qdcount = app_rd16(d + 4);
	m->ancount = app_rd16(d + 6);
	m->nscount = app_rd16(d + 8);
	m->arcount = app_rd16(d + 10);
}

static int parse_rdata(const uint8_t *d, size_t off, unsigned flags, struct app_dns_rr *rr)
{
	size_t end = off + rr->rdlength, next;
	int rc;

	switch (rr->type) {
	case APP_DNS_TYPE_A:
	case APP_DNS_TYPE_AAAA:
		rr->addr_len = rr->type == APP_DNS_TYPE_A ? 4 : 16;
		if (rr->rdlength != rr->addr_len)
			return -EINVAL;
		memcpy(rr->addr, d + off, rr->addr_len);
		return 0;
	case APP_DNS_TYPE_CNAME:
	case APP_DNS_TYPE_NS:
	case APP_DNS_TYPE_PTR:
		/* Bounding the message at the end of RDATA keeps the name inside
		 * its record; its pointers reach back into the message anyway. */
		rc = app_dns_name_decode(d, end, off, flags, rr->name, sizeof(rr->name), &rr->name_len,
					 &next);
		if (rc || next != end)
			return -EINVAL;
		rr->has_name = true;
		return 0;
	default:
		return 0;
	}
}

static int parse_rr(const uint8_t *d, size_t len, size_t *off, unsigned flags, struct app_dns_rr *rr)
{
	size_t p;
	int rc;

	rc = app_dns_name_decode(d, len, *off, flags, NULL, 0, NULL, &p);
	if (rc)
		return rc;
	if (!app_fits(p, DNS_RR_FIXED_LEN, len))
		return -EAGAIN;
	memset(rr, 0, offsetof(struct app_dns_rr, name));
	rr->name[0] = '\0';
	rr->type = app_rd16(d + p);
	rr->rclass = app_rd16(d + p + 2);
	rr->ttl = app_rd32(d + p + 4);
	rr->rdlength = app_rd16(d + p + 8);
	p += DNS_RR_FIXED_LEN;
	if (!app_fits(p, rr->rdlength, len))
		return -EAGAIN;
	rc = parse_rdata(d, p, flags, rr);
	if (rc)
		return rc;
	*off = p + rr->rdlength;
	return 0;
}

static void msg_clear(struct app_dns_msg *m)
{
	/* The answers are written before they are counted: no need to
	 * clear 4 KB each time. */
	memset(m, 0, offsetof(struct app_dns_msg, answers));
}

int app_dns_parse(const uint8_t *data, size_t len, unsigned flags, struct app_dns_msg *msg)
{
	struct app_dns_rr spare;
	size_t off = DNS_HEADER_LEN;
	int rc;

	if (msg == NULL || (data == NULL && len != 0))
		return -EINVAL;
	msg_clear(msg);
	if (len >= 3 && !opcode_valid((data[2] >> 3) & 0xf))
		return -EINVAL;
	if (len < DNS_HEADER_LEN)
		return -EAGAIN;
	parse_header(data, msg);

	for (unsigned q = 0; q < msg->qdcount; q++) {
		size_t next;

		rc = q == 0 ? app_dns_name_decode(data, len, off, flags, msg->qname, sizeof(msg->qname),
						  &msg->qname_len, &next)
			    : app_dns_name_decode(data, len, off, flags, NULL, 0, NULL, &next);
		if (rc == 0 && !app_fits(next, 4, len))
			rc = -EAGAIN;
		if (rc) {
			msg->qname[0] = '\0';
			msg->qname_len = 0;
			return rc;
		}
		if (q == 0) {
			msg->qtype = app_rd16(data + next);
			msg->qclass = app_rd16(data + next + 2);
			msg->has_question = true;
		}
		off = next + 4;
	}
	for (unsigned a = 0; a < msg->ancount; a++) {
		struct app_dns_rr *rr = a < APP_DNS_MAX_ANSWERS ? &msg->answers[a] : &spare;

		rc = parse_rr(data, len, &off, flags, rr);
		if (rc)
			return rc;
		if (rr != &spare)
			msg->answer_count++;
	}
	return 0;
}

int app_dns_parse_tcp(const uint8_t *data, size_t len, unsigned flags, struct app_dns_msg *msg,
		      size_t *consumed)
{
	size_t mlen;
	int rc;

	if (consumed != NULL)
		*consumed = 0;
	if (msg == NULL || (data == NULL && len != 0))
		return -EINVAL;
	msg_clear(msg);
	if (len < 2)
		return -EAGAIN;
	mlen = app_rd16(data);
	if (mlen < DNS_HEADER_LEN)
		return -EINVAL;
	if (len - 2 < mlen) {
		rc = app_dns_parse(data + 2, len - 2, flags, msg);
		return rc == -EINVAL ? -EINVAL : -EAGAIN;
	}
	rc = app_dns_parse(data + 2, mlen, flags, msg);
	/* The length prefix says the message is whole: a shortfall is a lie. */
	if (rc == -EAGAIN)
		return -EINVAL;
	if (rc)
		return rc;
	if (consumed != NULL)
		*consumed = 2 + mlen;
	return 0;
}
