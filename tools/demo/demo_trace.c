#include "demo_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define TRACE_SNAPLEN 65535

void trace_init(struct demo_trace *t)
{
	memset(t, 0, sizeof(*t));
}

void trace_free(struct demo_trace *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->pkts[i].data);
	free(t->pkts);
	trace_init(t);
}

int trace_add(struct demo_trace *t, uint64_t ts_us, const uint8_t *data, size_t len)
{
	struct trace_pkt *p;

	if (len > TRACE_SNAPLEN || t->n >= UINT32_MAX)
		return -EINVAL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct trace_pkt *np = realloc(t->pkts, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		t->pkts = np;
		t->cap = cap;
	}
	p = &t->pkts[t->n];
	p->data = malloc(len);
	if (!p->data)
		return -ENOMEM;
	memcpy(p->data, data, len);
	p->ts_us = ts_us;
	p->order = (uint32_t)t->n;
	p->len = (uint32_t)len;
	t->n++;
	return 0;
}

static int trace_pkt_cmp(const void *a, const void *b)
{
	const struct trace_pkt *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* qsort is not stable, but (ts, order) is a total order, so the result is
 * the same with every qsort implementation. */
void trace_sort(struct demo_trace *t)
{
	if (t->n > 1)
		qsort(t->pkts, t->n, sizeof(*t->pkts), trace_pkt_cmp);
}

long trace_write_pcap(const struct demo_trace *t, const char *path, char *err, size_t errlen)
{
	pcap_t *pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, TRACE_SNAPLEN,
							   PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d;
	size_t i;
	int rc = 0;

	if (!pd) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -ENOMEM;
	}
	d = pcap_dump_open(pd, path);
	if (!d) {
		snprintf(err, errlen, "cannot open %s: %s", path, pcap_geterr(pd));
		pcap_close(pd);
		return -EIO;
	}
	for (i = 0; i < t->n; i++) {
		const struct trace_pkt *p = &t->pkts[i];
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(p->ts_us / 1000000);
		h.ts.tv_usec = (suseconds_t)(p->ts_us % 1000000);
		h.caplen = p->len;
		h.len = p->len;
		pcap_dump((u_char *)d, &h, p->data);
	}
	/* pcap_dump() reports nothing, so a full disk only shows up in the
	 * stream state once everything has been flushed. */
	if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
		snprintf(err, errlen, "write to %s failed: %s", path, strerror(errno ? errno : EIO));
		rc = -EIO;
	}
	pcap_dump_close(d);
	pcap_close(pd);
	return rc ? rc : (long)t->n;
}
