/*
 * Sessions: one record per bidirectional flow (innermost 5-tuple plus its
 * encapsulation zone), kept in shared memory by the stellar-session process
 * of its shard, its only writer. Plugin workers read records through the
 * handle each packet carries and write only the fields marked "worker"; a
 * record is never reused while a worker may still hold an item of it (see
 * session_table.h, zombies).
 */
#ifndef STELLAR_SESSION_H
#define STELLAR_SESSION_H

#include <stdint.h>

#include "decode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SESSION_NONE UINT32_MAX

enum session_state {
	SS_NONE = 0,
	/* TCP */
	SS_SYN_SENT,
	SS_SYN_RCVD,
	SS_ESTABLISHED,
	SS_FIN_WAIT,   /* one side has sent FIN */
	SS_CLOSING,    /* both sides have sent FIN, not both acknowledged */
	SS_TIME_WAIT,  /* both FINs acknowledged */
	SS_CLOSED,     /* reset */
	/* everything else */
	SS_NEW,        /* seen one way only */
	SS_ACTIVE,     /* seen both ways */
	SS_STATE_MAX
};

const char *session_state_name(enum session_state s);

enum close_reason {
	CLOSE_NONE = 0,
	CLOSE_FIN,
	CLOSE_RST,
	CLOSE_TIMEOUT,
	CLOSE_EOF,
	CLOSE_EVICTED,
	CLOSE_REASON_MAX
};

const char *close_reason_name(enum close_reason r);

enum proto_class { PROTO_CLASS_TCP = 0, PROTO_CLASS_UDP, PROTO_CLASS_ICMP, PROTO_CLASS_OTHER, PROTO_CLASS_MAX };

const char *proto_class_name(enum proto_class c);

/* Canonical key: endpoints ordered (address, then port), so both
 * directions find the same record. ICMP echo uses its identifier as both
 * ports, so each ping is a session of its own. */
struct session_key {
	uint8_t lo[16];
	uint8_t hi[16];
	uint16_t lo_port;
	uint16_t hi_port;
	uint32_t zone;
	uint8_t proto;
	uint8_t ip_version;
	uint8_t pad[2];
};

/* Session record flags. */
#define SF_INIT_IS_HI   0x01 /* the initiator is the key's "hi" endpoint */
#define SF_MIDSTREAM    0x02 /* picked up without seeing its start */
#define SF_ZOMBIE       0x04 /* closed; freed once its worker is past it */
#define SF_EMBRYONIC    0x08 /* on the embryonic list */
#define SF_SIMULTANEOUS 0x10 /* TCP simultaneous open */
#define SF_LIVE         0x20 /* in use (indexed, or a zombie) */

/* Worker flags (session.worker_flags). */
#define WF_CLOSED 0x01 /* the worker has handled its closing event */

#define DIR_C2S 0
#define DIR_S2C 1

struct session {
	/* line 0: lookup and per-packet state (session process) */
	struct session_key key;  /* 44 */
	uint32_t hash;
	uint32_t generation;     /* changes each time the record is reused */
	uint16_t worker;         /* plugin worker it is steered to */
	uint8_t state;           /* enum session_state */
	uint8_t flags;           /* SF_* */
	uint8_t close_reason;    /* why it closed, or will (fin/rst once seen) */
	uint8_t proto_class;     /* enum proto_class */
	uint8_t tcp_fin;         /* bit d: direction d sent FIN; bit 2+d: it was acknowledged */
	uint8_t tcp_seen;        /* bit d: direction d tracked; 4<<d: its SYN seen; 16<<d: with wscale */
	uint32_t timer_at;       /* wheel second it is linked at, or SESSION_NONE */
	/* line 1: counters and lists (session process) */
	uint64_t ts_first;
	uint64_t ts_last;
	uint64_t pkts[2];        /* DIR_C2S, DIR_S2C */
	uint64_t bytes[2];
	uint64_t last_key;       /* order key of the last item sent to its worker */
	uint32_t timer_prev;
	uint32_t timer_next;
	/* line 2: TCP tracking (session process), then the workers' fields */
	uint32_t tcp_end[2];     /* highest sequence number + length sent */
	uint32_t tcp_maxend[2];  /* highest the other side allows (ack + window) */
	uint32_t tcp_maxwin[2];
	uint8_t tcp_wscale[2];
	uint8_t pad1[2];
	uint32_t list_prev;      /* embryonic list */
	uint32_t list_next;
	/* worker: written only by the plugin worker that owns the session */
	uint32_t lock_mask;      /* plugins pinning it (bit = plugin id) */
	uint32_t detached_mask;  /* plugins detached from it (bit = plugin id) */
	uint32_t meta_head;      /* first metadata entry (session_meta.h) */
	uint8_t worker_flags;    /* WF_*: the worker's own view of the session */
	uint8_t pad2;
	uint16_t rl_group;       /* rate-limit group its packets go to, 0: none */
	uint32_t attached_mask;  /* plugins that have seen it (bit = plugin id) */
	uint8_t pad3[8];
};

#ifndef __cplusplus
_Static_assert(sizeof(struct session) == 192, "three cache lines");
#endif

/* What a packet learns about its session, in pkt_meta.session. */
#define EV_OPENING 0x01 /* the session was created with this packet */
#define EV_PACKET  0x02
#define EV_STATE   0x04 /* the TCP state changed with this packet */
#define EV_CLOSING 0x08 /* only in event items (session_event) */

struct pkt_session {
	uint32_t idx;        /* SESSION_NONE: no session (not IP, fragment, table full) */
	uint32_t generation;
	uint8_t shard;
	uint8_t dir;         /* DIR_C2S or DIR_S2C */
	uint8_t events;      /* EV_* */
	uint8_t state;       /* after this packet */
	uint8_t prev_state;
	uint8_t tcp_invalid; /* TCP_INVALID_*: this segment broke the rules (counted) */
	uint16_t worker;
};

#define TCP_INVALID_FLAGS  0x01
#define TCP_INVALID_WINDOW 0x02

/* One session event raised without a packet (timeout, eviction, end of
 * input, port reuse). Event items carry an array of these. */
struct session_event {
	uint32_t idx;
	uint32_t generation;
	uint8_t type;        /* EV_CLOSING */
	uint8_t reason;      /* enum close_reason */
	uint8_t shard;
	uint8_t state;       /* the state it closed in */
};

/* Builds the canonical key; returns the direction of the packet relative
 * to the key (0: src is "lo"). Returns -1 for packets without a session. */
int session_key_from(const struct pkt_decode *d, struct session_key *k);

enum proto_class session_proto_class(uint8_t proto);

#ifdef __cplusplus
}
#endif
#endif
