/*
 * Per-process packet counters and the conservation check built on them.
 *
 * Each process owns one counter block in shared memory and is its only
 * writer; readers (orchestrator, stellarctl via the orchestrator) sum the
 * blocks. A packet is counted `in` where it enters a process, `out` where it
 * leaves for the next ring, and once, at the place it dies, either as `tx` in
 * stellar-io or in exactly one drop reason.
 */
#ifndef STELLAR_COUNTERS_H
#define STELLAR_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum drop_reason {
	DROP_FIREWALL = 0,
	DROP_PLUGIN,
	DROP_RATELIMIT,
	DROP_AQM,
	DROP_PARSE_ERROR,
	DROP_NO_BUFFER,
	DROP_RING_FULL,
	DROP_WORKER_CRASH,
	DROP_TX_ERROR,
	DROP_SHUTDOWN, /* still in the pipeline when a shutdown's drain timed out */
	DROP_DEFRAG,   /* fragments of a datagram that could not be reassembled (by policy) */
	DROP_REASON_MAX
};

/* Stable lower-case names used in stats JSON ("packets.dropped.<name>"). */
const char *drop_reason_name(enum drop_reason reason);

struct node_counters {
	uint64_t rx;        /* packets read from ports (stellar-io only) */
	uint64_t tx;        /* packets written to ports (stellar-io only) */
	uint64_t in;        /* packets taken from input rings */
	uint64_t out;       /* packets put on output rings */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t dropped[DROP_REASON_MAX];
	uint64_t idle_sleeps; /* times the process blocked for lack of work */
	uint64_t events_in;   /* event items taken (not packets: never in `in`) */
	uint64_t events_out;  /* event items put on output rings */
};

/* Single-writer increment: plain add, published with a relaxed store so that
 * readers in other processes never see a torn value. */
static inline void counter_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

static inline uint64_t counter_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* Totals over every process of an instance. */
struct conservation {
	uint64_t rx;
	uint64_t tx;
	uint64_t dropped[DROP_REASON_MAX];
	uint64_t dropped_total;
};

void conservation_reset(struct conservation *c);
/* Adds one process's counters to the totals. */
void conservation_add(struct conservation *c, const struct node_counters *n);
/* Packets received but neither transmitted nor dropped yet; negative values
 * mean a packet was accounted twice, which is a bug the tests look for. */
int64_t conservation_in_flight(const struct conservation *c);
/* True when rx == tx + sum(dropped): the pipeline holds no packet. */
bool conservation_balanced(const struct conservation *c);

#ifdef __cplusplus
}
#endif
#endif
