#include "mbuf_meta.h"

unsigned pkt_free(struct rte_mbuf *m)
{
	unsigned frames = pkt_frames(m);
	struct rte_mbuf *f = pkt_meta(m)->frags;

	while (f) {
		struct rte_mbuf *next = pkt_meta(f)->frags;

		pkt_meta(f)->owner = MBUF_OWNER_FREE;
		pkt_meta(f)->frags = NULL;
		rte_pktmbuf_free(f);
		f = next;
	}
	pkt_meta(m)->frags = NULL;
	pkt_meta(m)->owner = MBUF_OWNER_FREE;
	rte_pktmbuf_free(m);
	return frames;
}
