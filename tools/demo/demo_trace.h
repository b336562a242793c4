/*
 * In-memory packet list for the demo generator. Flows are generated one
 * after another, each with its own clock, so their packets overlap in
 * time; collecting everything and sorting by timestamp is what makes the
 * capture look like interleaved live traffic.
 */
#ifndef STELLAR_DEMO_TRACE_H
#define STELLAR_DEMO_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct trace_pkt {
	uint64_t ts_us;
	uint32_t order; /* insertion index: breaks timestamp ties stably */
	uint32_t len;
	uint8_t *data;
};

struct demo_trace {
	struct trace_pkt *pkts;
	size_t n, cap;
};

void trace_init(struct demo_trace *t);
void trace_free(struct demo_trace *t);
int trace_add(struct demo_trace *t, uint64_t ts_us, const uint8_t *data, size_t len);
void trace_sort(struct demo_trace *t);
/* Returns the number of packets written or -errno; err gets a message. */
long trace_write_pcap(const struct demo_trace *t, const char *path, char *err, size_t errlen);

#endif
