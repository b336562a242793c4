/* From a received frame to items ready for a key: L2-L4 decode, the
 * malformed-packet policy, IP reassembly. */
#include <string.h>

#include <rte_mbuf.h>

#include "io.h"
#include "log.h"
#include "mbuf_meta.h"

/* Multi-segment frames (jumbo, reassembled) are decoded from a flat copy. */
static uint8_t flat[65536 + 4096];

int io_ingest_init(struct io_ctx *io)
{
	int rc = defrag_init(&io->defrag, &io->dcfg->defrag, io->pool, io->rt->node,
			     &io->stats->defrag);

	/* Recorded so that the orchestrator can free it should we die. */
	io->rt->slot->scratch[IO_SCRATCH_FRAG_TABLE] = (uint64_t)(uintptr_t)io->defrag.tbl;
	return rc;
}

static void ready_push(struct io_ctx *io, struct rte_mbuf *m)
{
	io->ready[(io->ready_head + io->ready_count++) % IO_READY_CAP] = m;
}

static void decode_mbuf(struct io_ctx *io, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint8_t *data;

	if (m->nb_segs == 1) {
		data = rte_pktmbuf_mtod(m, const uint8_t *);
	} else {
		if (len > sizeof(flat))
			len = sizeof(flat);
		data = rte_pktmbuf_read(m, 0, len, flat);
	}
	decode_packet(data, len, meta->wire_len > len ? meta->wire_len : len, &io->dcfg->decode,
		      &meta->dec);
}

/* Per received frame, once: what it carries and what was wrong with it. */
static void count_frame(struct io_ctx *io, const struct pkt_decode *d)
{
	uint32_t seen = 0;
	unsigned n = d->n_encap < DECODE_MAX_ENCAP ? d->n_encap : DECODE_MAX_ENCAP;

	for (unsigned i = 0; i < n; i++) {
		uint8_t t = d->encap[i].type;

		if (t < ENCAP_TYPE_MAX && !(seen & (1u << t))) {
			seen |= 1u << t;
			counter_add(&io->stats->encap[t], 1);
		}
	}
	if (d->status == DECODE_MALFORMED)
		counter_add(&io->stats->decode_errors[d->error], 1);
	else if (d->status == DECODE_NOT_IP)
		counter_add(&io->stats->not_ip, 1);
}

static void take_released(struct io_ctx *io, struct defrag_released *rel)
{
	for (unsigned i = 0; i < rel->n; i++) {
		struct rte_mbuf *m = rel->pkts[i];
		uint8_t policy = rel->reason[i] == DEFRAG_INVALID ? io->dcfg->defrag.invalid_policy :
								      io->dcfg->defrag.incomplete_policy;

		pkt_meta(m)->owner = io->rt->node;
		if (policy == DEFRAG_DROP)
			stage_drop(m, DROP_DEFRAG, io->rt->counters);
		else
			ready_push(io, m); /* a fragment on its own, as received */
	}
	rel->n = 0;
}

void io_ingest(struct io_ctx *io, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	/* Not zero-initialised: that would clear 2.6 KB per packet. */
	struct defrag_released rel;
	struct rte_mbuf *whole;

	meta->frags = NULL;
	meta->orig = NULL;
	meta->nframes = 1;
	decode_mbuf(io, m);
	count_frame(io, &meta->dec);
	if (meta->ts_ns > io->last_ts_ns)
		io->last_ts_ns = meta->ts_ns;

	if (meta->dec.status == DECODE_MALFORMED) {
		if (io->dcfg->malformed == MALFORMED_DROP) {
			stage_drop(m, DROP_PARSE_ERROR, io->rt->counters);
			return;
		}
		meta->flags |= PKT_F_OPAQUE;
		counter_add(&io->stats->opaque, 1);
	}
	if (!(meta->dec.frag & FRAG_IS_FRAGMENT) || !io->dcfg->defrag.enabled ||
	    meta->dec.status == DECODE_MALFORMED) {
		ready_push(io, m);
		return;
	}
	rel.n = 0;
	whole = defrag_push(&io->defrag, m, &rel);
	take_released(io, &rel);
	if (whole) {
		decode_mbuf(io, whole);
		ready_push(io, whole);
	}
}

void io_ingest_expire(struct io_ctx *io, uint64_t now_ns)
{
	struct defrag_released rel;

	rel.n = 0;
	while (defrag_pending(&io->defrag) && io->ready_count < IO_READY_LOW) {
		unsigned before = defrag_pending(&io->defrag);

		defrag_expire(&io->defrag, now_ns, &rel);
		take_released(io, &rel);
		if (defrag_pending(&io->defrag) == before)
			break;
	}
}
