/* The TCP state machine and sequence-window tracking of one session. */
#ifndef STELLAR_SESSION_TCP_H
#define STELLAR_SESSION_TCP_H

#include <stdbool.h>

#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tcp_verdict {
	bool invalid_flags;  /* a combination no stack sends (SYN+FIN, no flags, ...) */
	bool out_of_window;
	bool syn_retransmit;
	bool simultaneous_open;
};

/* True for a segment that opens a connection: SYN without ACK. */
static inline bool tcp_is_opening_syn(uint8_t flags)
{
	return (flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN;
}

/* A combination no TCP stack sends: no SYN/ACK/RST at all (NULL, FIN-only
 * and XMAS scans), or SYN together with FIN or RST. */
bool tcp_flags_invalid(uint8_t flags);

/* The state of a new session seen first with these flags. *sender_is_client
 * is false for a SYN+ACK (the unseen SYN's sender is the client);
 * *midstream is true when the start was not seen. */
enum session_state session_tcp_first_state(uint8_t flags, bool *sender_is_client, bool *midstream);

/* Starts tracking with the segment that created the session (its state
 * came from session_tcp_first_state). */
void session_tcp_start(struct session *s, const struct pkt_decode *d, unsigned dir, struct tcp_verdict *v);

/* Updates the session with a segment sent in direction `dir` (DIR_C2S from
 * the client). The state moves only on segments that are valid. */
void session_tcp_update(struct session *s, const struct pkt_decode *d, unsigned dir, struct tcp_verdict *v);

/* A session in this state that sees an opening SYN is a new connection on
 * the same ports (port reuse). */
static inline bool session_tcp_reusable(uint8_t state)
{
	return state == SS_TIME_WAIT || state == SS_CLOSED;
}

#ifdef __cplusplus
}
#endif
#endif
