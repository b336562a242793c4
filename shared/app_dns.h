/*
 * DNS message decoder (RFC 1035 wire format, also used by mDNS and LLMNR):
 * header, first question, and the first APP_DNS_MAX_ANSWERS answers.
 *
 * Names are decoded to dotted text in fixed buffers inside the result, so a
 * result does not point into the packet. Compression pointers must point
 * strictly before the start of the label run that contains them, so every
 * jump goes backwards and loops are impossible; the number of jumps is
 * bounded as well. Label bytes below 0x20 and 0x7f are shown as '?'; other
 * bytes (including '.' and UTF-8) are copied as they are. Case is kept
 * unless APP_DNS_LOWER is given.
 */
#ifndef STELLAR_APP_DNS_H
#define STELLAR_APP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest name text (253 bytes) plus its NUL, rounded up. */
#define APP_DNS_NAME_MAX 256
#define APP_DNS_MAX_ANSWERS 16

/* Flags for the parse functions. */
#define APP_DNS_LOWER 0x1u   /* lower-case ASCII letters in decoded names */

#define APP_DNS_TYPE_A 1
#define APP_DNS_TYPE_NS 2
#define APP_DNS_TYPE_CNAME 5
#define APP_DNS_TYPE_PTR 12
#define APP_DNS_TYPE_AAAA 28

/* mDNS uses the top bit of a class as the unicast-response (questions) or
 * cache-flush (records) bit: mask it off to get the class. */
#define APP_DNS_CLASS_MASK 0x7fffu

struct app_dns_rr {
	uint16_t type;
	uint16_t rclass;        /* as sent, top bit included */
	uint32_t ttl;
	uint16_t rdlength;
	uint8_t addr_len;       /* 4 for A, 16 for AAAA, else 0 */
	uint8_t addr[16];       /* network order */
	bool has_name;          /* CNAME, NS, PTR: name holds the target */
	uint16_t name_len;
	char name[APP_DNS_NAME_MAX];
};

struct app_dns_msg {
	uint16_t id;
	uint16_t flags;         /* the raw flags word */
	bool qr;                /* a response */
	uint8_t opcode;
	bool aa, tc, rd, ra;
	uint8_t rcode;
	uint16_t qdcount, ancount, nscount, arcount;
	bool has_question;      /* qname/qtype/qclass are the first question */
	uint16_t qtype;
	uint16_t qclass;        /* as sent, top bit included */
	uint16_t qname_len;     /* 0 for the root */
	char qname[APP_DNS_NAME_MAX];
	uint8_t answer_count;   /* answers decoded into answers[] */
	struct app_dns_rr answers[APP_DNS_MAX_ANSWERS];
};

/*
 * Decodes one DNS message, as carried in one UDP datagram.
 * Every question and every answer is checked; answers beyond
 * APP_DNS_MAX_ANSWERS are checked but not stored. The authority and
 * additional sections and any bytes after the answers are not read.
 * Returns:
 *   0        decoded;
 *   -EAGAIN  the bytes end before the questions and answers that the header
 *            counts (a snap length, or a TCP message not complete yet).
 *            What was decoded stays valid: the header once len >= 12,
 *            has_question, answers[0, answer_count). Over UDP no more bytes
 *            will come: read it as "truncated";
 *   -EINVAL  not DNS or malformed: reserved opcode, bad label type, forward
 *            or looping compression pointer, name longer than 255 bytes,
 *            A/AAAA of the wrong size, a name overrunning its record.
 */
int app_dns_parse(const uint8_t *data, size_t len, unsigned flags, struct app_dns_msg *msg);

/*
 * Decodes the first message of DNS over TCP (RFC 1035 4.2.2: a 2-byte
 * length before each message). A segment may hold several messages: on 0,
 * *consumed is the bytes this one used (length prefix included), and the
 * next starts at data + *consumed.
 * Returns:
 *   0        decoded;
 *   -EAGAIN  the message continues past len (fields as for app_dns_parse);
 *            *consumed is 0;
 *   -EINVAL  a length below a DNS header, or a malformed message, or one
 *            whose counts do not fit the length it declares.
 */
int app_dns_parse_tcp(const uint8_t *data, size_t len, unsigned flags, struct app_dns_msg *msg,
		      size_t *consumed);

/*
 * Decodes the name at msg[off] into out[out_size] as dotted text with a NUL
 * ("" for the root); out may be NULL to check and skip a name. msg and len
 * must cover the whole message, as pointers are offsets from its start.
 * On 0, *text_len (if not NULL) is the text length and *next the offset
 * just after the name where it is written (after its first pointer).
 * Returns 0, -EAGAIN when msg ends inside the name, -EINVAL when the name
 * is malformed or does not fit out_size.
 */
int app_dns_name_decode(const uint8_t *msg, size_t len, size_t off, unsigned flags, char *out,
			size_t out_size, uint16_t *text_len, size_t *next);

#ifdef __cplusplus
}
#endif
#endif
