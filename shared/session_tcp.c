/*
 * TCP tracking in the spirit of Linux conntrack: states follow the
 * handshake and teardown as seen from the middle; sequence numbers are
 * checked against what the other side's window allows. Bad segments are
 * counted and reported with the packet, never dropped here: what to do
 * with them is the plugins' policy.
 */
#include "session_tcp.h"

#define FIN_SENT(d)  (1u << (d))
#define FIN_ACKED(d) (4u << (d))

static inline bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

bool tcp_flags_invalid(uint8_t f)
{
	if (!(f & (TCP_SYN | TCP_ACK | TCP_RST)))
		return true;
	if ((f & TCP_SYN) && (f & (TCP_FIN | TCP_RST)))
		return true;
	return false;
}

enum session_state session_tcp_first_state(uint8_t flags, bool *sender_is_client, bool *midstream)
{
	*sender_is_client = true;
	*midstream = false;
	/* A scan probe opens nothing: it gets the short life of a reset
	 * session, not an hour as an established one. */
	if (tcp_flags_invalid(flags))
		return SS_CLOSED;
	if (tcp_is_opening_syn(flags))
		return SS_SYN_SENT;
	if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		*sender_is_client = false;
		return SS_SYN_RCVD;
	}
	*midstream = true;
	return (flags & TCP_RST) ? SS_CLOSED : SS_ESTABLISHED;
}

/* tcp_seen bits beyond the two "tracking started" ones. */
#define SYN_SEEN(d)   (0x04u << (d))
#define WSCALE_OPT(d) (0x10u << (d))

/* Window scaling applies only when both SYNs were seen and both carried
 * the option (RFC 7323); otherwise windows are taken as sent. */
static unsigned wscale_of(const struct session *s, unsigned dir)
{
	unsigned all = SYN_SEEN(0) | SYN_SEEN(1) | WSCALE_OPT(0) | WSCALE_OPT(1);

	return (s->tcp_seen & all) == all ? s->tcp_wscale[dir] : 0;
}

/* Sequence numbers: a segment must start no later than the receiver's
 * window allows and must not end before what the sender already had
 * acknowledged room for (an old duplicate beyond a window). Only sessions
 * whose handshake was seen whole are judged: without both SYNs the window
 * scaling is unknown, and tracking is liberal, as conntrack's for sessions
 * it picks up. */
static bool in_window(struct session *s, const struct pkt_decode *d, unsigned dir)
{
	unsigned other = dir ^ 1u;
	uint32_t seq = d->tcp_seq, ack = d->tcp_ack;
	uint32_t end = seq + d->payload_len + ((d->tcp_flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
	uint32_t win = d->tcp_win, maxend;
	bool judged = (s->tcp_seen & (SYN_SEEN(0) | SYN_SEEN(1))) == (SYN_SEEN(0) | SYN_SEEN(1));

	if (d->tcp_flags & TCP_SYN) {
		s->tcp_seen |= (uint8_t)SYN_SEEN(dir);
		if (d->tcp_opts & TCPOPT_HAS_WSCALE) {
			s->tcp_seen |= (uint8_t)WSCALE_OPT(dir);
			s->tcp_wscale[dir] = (uint8_t)(d->tcp_wscale > 14 ? 14 : d->tcp_wscale);
		}
	} else {
		win <<= wscale_of(s, dir);
	}
	if (!(s->tcp_seen & (1u << dir))) {
		s->tcp_seen |= (uint8_t)(1u << dir);
		s->tcp_end[dir] = end;
		/* The other side's ACKs may already have bounded us. */
		if (!(s->tcp_seen & (1u << other)) || seq_after(end + 1, s->tcp_maxend[dir]))
			s->tcp_maxend[dir] = end + 1;
		s->tcp_maxwin[dir] = win ? win : 1;
	} else if (judged && (s->tcp_seen & 3) == 3 && !(s->flags & SF_MIDSTREAM)) {
		bool too_new = seq_after(seq, s->tcp_maxend[dir]);
		bool too_old = seq_after(s->tcp_end[dir] - s->tcp_maxwin[other] - 1, end);

		if (too_new || too_old)
			return false;
	}
	if (seq_after(end, s->tcp_end[dir]))
		s->tcp_end[dir] = end;
	if (win > s->tcp_maxwin[dir])
		s->tcp_maxwin[dir] = win;
	if (d->tcp_flags & TCP_ACK) {
		maxend = ack + (win ? win : 1);
		if (!(s->tcp_seen & (1u << other)) || seq_after(maxend, s->tcp_maxend[other]))
			s->tcp_maxend[other] = maxend;
		/* This ACK covers the other side's FIN. */
		if ((s->tcp_fin & FIN_SENT(other)) && seq_geq(ack, s->tcp_end[other]))
			s->tcp_fin |= (uint8_t)FIN_ACKED(other);
	}
	return true;
}

static void advance_state(struct session *s, uint8_t f, unsigned dir, struct tcp_verdict *v)
{
	if (f & TCP_FIN)
		s->tcp_fin |= (uint8_t)FIN_SENT(dir);
	switch (s->state) {
	case SS_SYN_SENT:
		if (tcp_is_opening_syn(f)) {
			if (dir == DIR_C2S) {
				v->syn_retransmit = true;
			} else { /* both sides sent SYN: simultaneous open */
				v->simultaneous_open = true;
				s->flags |= SF_SIMULTANEOUS;
				s->state = SS_SYN_RCVD;
			}
		} else if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && dir == DIR_S2C) {
			s->state = SS_SYN_RCVD;
		}
		return;
	case SS_SYN_RCVD:
		if (tcp_is_opening_syn(f) && dir == DIR_C2S && !(s->flags & SF_SIMULTANEOUS))
			v->syn_retransmit = true;
		else if ((f & (TCP_SYN | TCP_ACK)) == TCP_ACK &&
			 (dir == DIR_C2S || (s->flags & SF_SIMULTANEOUS)))
			s->state = (f & TCP_FIN) ? SS_FIN_WAIT : SS_ESTABLISHED;
		return;
	case SS_ESTABLISHED:
		if (f & TCP_FIN)
			s->state = SS_FIN_WAIT;
		return;
	case SS_FIN_WAIT:
	case SS_CLOSING:
		if ((s->tcp_fin & (FIN_SENT(0) | FIN_SENT(1))) == (FIN_SENT(0) | FIN_SENT(1)))
			s->state = SS_CLOSING;
		if ((s->tcp_fin & 0x0f) == 0x0f) {
			s->state = SS_TIME_WAIT;
			s->close_reason = CLOSE_FIN;
		}
		return;
	default:
		return;
	}
}

void session_tcp_update(struct session *s, const struct pkt_decode *d, unsigned dir, struct tcp_verdict *v)
{
	uint8_t f = d->tcp_flags;

	v->invalid_flags = v->out_of_window = v->syn_retransmit = v->simultaneous_open = false;
	if (tcp_flags_invalid(f)) {
		v->invalid_flags = true;
		return; /* it moves nothing */
	}
	if (!in_window(s, d, dir)) {
		v->out_of_window = true;
		return; /* a blind RST or FIN must not close the session */
	}
	if (f & TCP_RST) {
		if (s->state != SS_CLOSED && s->state != SS_TIME_WAIT)
			s->close_reason = CLOSE_RST;
		s->state = SS_CLOSED;
		return;
	}
	advance_state(s, f, dir, v);
}

void session_tcp_start(struct session *s, const struct pkt_decode *d, unsigned dir, struct tcp_verdict *v)
{
	v->invalid_flags = v->out_of_window = v->syn_retransmit = v->simultaneous_open = false;
	if (tcp_flags_invalid(d->tcp_flags)) {
		v->invalid_flags = true;
		return;
	}
	in_window(s, d, dir);
	if (d->tcp_flags & TCP_FIN) {
		s->tcp_fin |= (uint8_t)FIN_SENT(dir);
		if (s->state == SS_ESTABLISHED)
			s->state = SS_FIN_WAIT;
	}
}
