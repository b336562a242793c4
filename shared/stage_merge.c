#include "stage_merge.h"

#include <errno.h>
#include <string.h>

#include "mbuf_meta.h"

void stage_merge_init(struct stage_merge *m, struct progress_graph *g, uint16_t self)
{
	memset(m, 0, sizeof(*m));
	m->graph = g;
	m->self = self;
	m->limit = UINT64_MAX;
}

int stage_merge_add_input(struct stage_merge *m, uint16_t ring_id)
{
	struct merge_input *in;
	uint16_t producer, consumer;

	if (m->n_inputs >= PROGRESS_MAX_INPUTS || ring_id >= TOPO_MAX_RINGS)
		return -EINVAL;
	if (topo_ring_ends(ring_id, &producer, &consumer) < 0 || m->graph->ring[ring_id] == NULL)
		return -EINVAL;
	in = &m->in[m->n_inputs++];
	in->ring = m->graph->ring[ring_id];
	in->ring_id = ring_id;
	in->producer = producer;
	in->pos = in->n = 0;
	in->bound = 0;
	return 0;
}

static inline bool staged(const struct merge_input *in)
{
	return in->pos < in->n;
}

static inline uint64_t head_key(const struct merge_input *in)
{
	return pkt_key(in->buf[in->pos]);
}

/* Key of the next item in an SC ring without taking it. Only the consumer
 * moves cons.head, so reading the slot it points at is safe. */
static bool ring_peek_key(struct rte_ring *r, uint64_t *key)
{
	uint32_t head = r->cons.head;
	uint32_t tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	struct rte_mbuf **slots = (struct rte_mbuf **)&r[1];

	if (head == tail)
		return false;
	*key = pkt_key(slots[head & r->mask]);
	return true;
}

/* How many items (at most `max`) at the head of the ring have key <= limit. */
static unsigned ring_count_upto(struct rte_ring *r, uint64_t limit, unsigned max)
{
	uint32_t head = r->cons.head;
	uint32_t tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	struct rte_mbuf **slots = (struct rte_mbuf **)&r[1];
	unsigned n = 0;

	while (n < max && head + n != tail && pkt_key(slots[(head + n) & r->mask]) <= limit)
		n++;
	return n;
}

static void refill(struct stage_merge *m, struct merge_input *in)
{
	unsigned want = MERGE_BURST, got;

	if (m->limit != UINT64_MAX) {
		want = ring_count_upto(in->ring, m->limit, MERGE_BURST);
		if (want == 0) {
			in->pos = in->n = 0;
			return;
		}
	} else if (progress_ring_pending(in->ring) == 0) {
		in->pos = in->n = 0;
		return;
	}
	progress_unpark(&m->graph->node[m->self]);
	got = rte_ring_sc_dequeue_burst(in->ring, (void **)in->buf, want, NULL);
	for (unsigned i = 0; i < got; i++) {
		pkt_meta(in->buf[i])->owner = m->self;
		/* Event items are not packets: counted apart. */
		if (unlikely(pkt_is_event(in->buf[i]))) {
			m->events_taken++;
			continue;
		}
		m->bytes_taken += rte_pktmbuf_pkt_len(in->buf[i]);
		m->taken++;
	}
	in->pos = 0;
	in->n = (uint16_t)got;
}

enum clearance { CLEAR, RETRY, BLOCKED };

/* May `x` from input `best` go before anything the other inputs still hold? */
static enum clearance others_cleared(struct stage_merge *m, unsigned best, uint64_t x)
{
	for (unsigned i = 0; i < m->n_inputs; i++) {
		struct merge_input *in = &m->in[i];
		uint64_t w;

		if (i == best || staged(in) || in->bound >= x)
			continue;
		/* Promise first, ring second: anything promised is visible now. */
		w = progress_effective_wm(m->graph, in->producer, PROGRESS_MAX_DEPTH);
		refill(m, in);
		if (staged(in))
			return RETRY;
		if (m->limit != UINT64_MAX) {
			uint64_t k;

			/* Draining: items above the limit stay in the ring but
			 * still prove the producer has moved past x. */
			if (ring_peek_key(in->ring, &k) && k > 0 && k - 1 > w)
				w = k - 1;
		}
		if (w > in->bound)
			in->bound = w;
		if (in->bound < x)
			return BLOCKED;
	}
	return CLEAR;
}

static void take_head(struct merge_input *in, struct rte_mbuf **out)
{
	uint64_t k = head_key(in);

	*out = in->buf[in->pos++];
	if (k > in->bound)
		in->bound = k; /* the ring is sorted: nothing <= k can follow */
}

unsigned stage_merge_pull(struct stage_merge *m, struct rte_mbuf **out, unsigned max)
{
	unsigned count = 0;

	for (unsigned i = 0; i < m->n_inputs; i++)
		if (!staged(&m->in[i]))
			refill(m, &m->in[i]);

	if (m->n_inputs == 1) {
		struct merge_input *in = &m->in[0];

		while (count < max) {
			if (!staged(in)) {
				refill(m, in);
				if (!staged(in))
					break;
			}
			take_head(in, &out[count++]);
		}
		return count;
	}

	while (count < max) {
		int best = -1;
		enum clearance c;

		for (unsigned i = 0; i < m->n_inputs; i++)
			if (staged(&m->in[i]) &&
			    (best < 0 || head_key(&m->in[i]) < head_key(&m->in[best])))
				best = (int)i;
		if (best < 0)
			break;
		c = others_cleared(m, (unsigned)best, head_key(&m->in[best]));
		if (c == RETRY)
			continue;
		if (c == BLOCKED)
			break;
		take_head(&m->in[best], &out[count++]);
		if (!staged(&m->in[best]))
			refill(m, &m->in[best]);
	}
	return count;
}

uint64_t stage_merge_frontier(const struct stage_merge *m)
{
	uint64_t f = UINT64_MAX;

	for (unsigned i = 0; i < m->n_inputs; i++) {
		const struct merge_input *in = &m->in[i];
		uint64_t b = staged(in) ? head_key(in) - 1 : in->bound;

		if (b < f)
			f = b;
	}
	return m->n_inputs ? f : 0;
}

bool stage_merge_idle(const struct stage_merge *m)
{
	for (unsigned i = 0; i < m->n_inputs; i++)
		if (staged(&m->in[i]))
			return false;
	return true;
}

bool stage_merge_rings_pending(const struct stage_merge *m)
{
	for (unsigned i = 0; i < m->n_inputs; i++) {
		if (m->limit == UINT64_MAX) {
			if (progress_ring_pending(m->in[i].ring))
				return true;
		} else {
			uint64_t k;

			if (ring_peek_key(m->in[i].ring, &k) && k <= m->limit)
				return true;
		}
	}
	return false;
}

void stage_merge_begin_drain(struct stage_merge *m)
{
	uint64_t limit = 0;

	for (unsigned i = 0; i < m->n_inputs; i++) {
		const struct merge_input *in = &m->in[i];

		if (staged(in) && pkt_key(in->buf[in->n - 1]) > limit)
			limit = pkt_key(in->buf[in->n - 1]);
	}
	m->limit = limit;
}

bool stage_merge_drained(struct stage_merge *m)
{
	if (!stage_merge_idle(m) || stage_merge_rings_pending(m))
		return false;
	/* Every input must be past the limit, or a successor could receive an
	 * item that belongs before something this process released. */
	for (unsigned i = 0; i < m->n_inputs; i++) {
		struct merge_input *in = &m->in[i];
		uint64_t w, k;

		if (in->bound >= m->limit)
			continue;
		w = progress_effective_wm(m->graph, in->producer, PROGRESS_MAX_DEPTH);
		if (ring_peek_key(in->ring, &k) && k > 0 && k - 1 > w)
			w = k - 1;
		if (w > in->bound)
			in->bound = w;
		if (in->bound < m->limit)
			return false;
	}
	return true;
}
