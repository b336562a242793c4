#include "stage_progress.h"

uint64_t progress_effective_wm(const struct progress_graph *g, uint16_t node, unsigned depth)
{
	const struct stage_progress *p = &g->node[node];
	const struct order_inputs *in = &g->inputs[node];
	uint64_t epoch = __atomic_load_n(&p->epoch, __ATOMIC_ACQUIRE);
	uint64_t wm = __atomic_load_n(&p->wm, __ATOMIC_ACQUIRE);
	uint64_t upstream = UINT64_MAX;
	unsigned n = __atomic_load_n(&in->n, __ATOMIC_ACQUIRE);

	if ((epoch & 1) || p->is_source || depth == 0 || n == 0)
		return wm;

	/* Upstream first: whatever it promises was on our input rings before
	 * the promise was published, so empty rings below mean we took it. */
	for (unsigned i = 0; i < n; i++) {
		uint16_t producer, consumer;
		uint64_t u;

		if (topo_ring_ends(in->ring[i], &producer, &consumer) < 0)
			return wm;
		u = progress_effective_wm(g, producer, depth - 1);
		if (u < upstream)
			upstream = u;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct rte_ring *r = g->ring[in->ring[i]];

		if (r == NULL || progress_ring_pending(r) != 0)
			return wm;
	}
	if (__atomic_load_n(&p->epoch, __ATOMIC_ACQUIRE) != epoch)
		return wm;
	return upstream > wm ? upstream : wm;
}
