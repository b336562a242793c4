/* Names, protocol classes and the canonical key of a session. */
#include <string.h>

#include "session.h"

const char *session_state_name(enum session_state s)
{
	static const char *const names[SS_STATE_MAX] = {
		[SS_NONE] = "none", [SS_SYN_SENT] = "syn_sent", [SS_SYN_RCVD] = "syn_rcvd",
		[SS_ESTABLISHED] = "established", [SS_FIN_WAIT] = "fin_wait", [SS_CLOSING] = "closing",
		[SS_TIME_WAIT] = "time_wait", [SS_CLOSED] = "closed", [SS_NEW] = "new", [SS_ACTIVE] = "active",
	};

	return (unsigned)s < SS_STATE_MAX ? names[s] : "unknown";
}

const char *close_reason_name(enum close_reason r)
{
	static const char *const names[CLOSE_REASON_MAX] = {
		[CLOSE_NONE] = "none", [CLOSE_FIN] = "fin", [CLOSE_RST] = "rst", [CLOSE_TIMEOUT] = "timeout",
		[CLOSE_EOF] = "eof", [CLOSE_EVICTED] = "evicted",
	};

	return (unsigned)r < CLOSE_REASON_MAX ? names[r] : "unknown";
}

const char *proto_class_name(enum proto_class c)
{
	static const char *const names[PROTO_CLASS_MAX] = {
		[PROTO_CLASS_TCP] = "tcp", [PROTO_CLASS_UDP] = "udp", [PROTO_CLASS_ICMP] = "icmp",
		[PROTO_CLASS_OTHER] = "other",
	};

	return (unsigned)c < PROTO_CLASS_MAX ? names[c] : "unknown";
}

enum proto_class session_proto_class(uint8_t proto)
{
	switch (proto) {
	case 6: return PROTO_CLASS_TCP;
	case 17: return PROTO_CLASS_UDP;
	case 1:
	case 58: return PROTO_CLASS_ICMP;
	default: return PROTO_CLASS_OTHER;
	}
}

int session_key_from(const struct pkt_decode *d, struct session_key *k)
{
	uint16_t sp = d->sport, dp = d->dport;
	int c;

	if (d->ip_version == 0 || (d->frag & FRAG_IS_FRAGMENT))
		return -1;
	if (d->l4_proto == 1 || d->l4_proto == 58)
		sp = dp = d->icmp_id; /* echo request and reply: one session per id */
	memset(k, 0, sizeof(*k));
	k->proto = d->l4_proto;
	k->ip_version = d->ip_version;
	k->zone = d->zone;
	c = memcmp(d->src, d->dst, 16);
	if (c < 0 || (c == 0 && sp <= dp)) {
		memcpy(k->lo, d->src, 16);
		memcpy(k->hi, d->dst, 16);
		k->lo_port = sp;
		k->hi_port = dp;
		return 0;
	}
	memcpy(k->lo, d->dst, 16);
	memcpy(k->hi, d->src, 16);
	k->lo_port = dp;
	k->hi_port = sp;
	return 1;
}
