#include "stage_output.h"

#include <string.h>

void stage_output_init(struct stage_output *o, struct rte_ring *ring, uint16_t ring_id,
		       struct doorbell *consumer_bell)
{
	memset(o, 0, sizeof(*o));
	o->ring = ring;
	o->ring_id = ring_id;
	o->bell = consumer_bell;
}

bool stage_output_flush(struct stage_output *o, struct node_counters *counters)
{
	unsigned sent, events = 0;
	uint64_t bytes = 0;

	if (o->n == 0)
		return true;
	sent = rte_ring_sp_enqueue_burst(o->ring, (void **)o->buf, o->n, NULL);
	if (sent == 0)
		return false;
	for (unsigned i = 0; i < sent; i++) {
		if (unlikely(pkt_is_event(o->buf[i])))
			events++;
		else
			bytes += rte_pktmbuf_pkt_len(o->buf[i]);
	}
	counter_add(&counters->out, sent - events);
	counter_add(&counters->events_out, events);
	counter_add(&counters->bytes_out, bytes);
	if (o->bell)
		doorbell_ring(o->bell);
	if (sent < o->n)
		memmove(o->buf, o->buf + sent, (o->n - sent) * sizeof(o->buf[0]));
	o->n = (uint16_t)(o->n - sent);
	return o->n == 0;
}

void stage_drop(struct rte_mbuf *m, enum drop_reason reason, struct node_counters *counters)
{
	counter_add(&counters->dropped[reason], pkt_free(m));
}
