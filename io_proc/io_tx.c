#include <stdio.h>

#include <rte_mbuf.h>

#include "io.h"
#include "log.h"
#include "mbuf_meta.h"

static void commit_port(struct io_port *p, unsigned *sent, uint64_t *bytes,
			struct rte_mbuf **bufs, unsigned n, unsigned port)
{
	int64_t off = pcap_writer_commit(&p->writer);

	if (off >= 0) {
		p->st->tx_offset = (uint64_t)off;
		return;
	}
	/* The records of this burst may be partly on disk; count them as
	 * failed and cut the file back to the last good commit on restart. */
	LOG_ERR("port %s: writing %s failed", p->cfg->name, p->cfg->tx_pcap);
	for (unsigned i = 0; i < n; i++) {
		if (!bufs[i] || pkt_meta(bufs[i])->tx_port != port || pkt_meta(bufs[i])->verdict)
			continue;
		pkt_meta(bufs[i])->verdict = 1 + DROP_TX_ERROR;
		sent[port] -= pkt_frames(bufs[i]);
		bytes[port] -= rte_pktmbuf_pkt_len(bufs[i]);
	}
}

/* What leaves is what was received: a reassembled datagram goes out as
 * the fragments it was rebuilt from. */
static int write_frames(struct io_port *p, struct rte_mbuf *m)
{
	/* Large enough for any capture record (libpcap's maximum snaplen). */
	static uint8_t scratch[262144];
	struct rte_mbuf *f = pkt_meta(m)->frags;

	if (!f)
		f = m;
	for (; f; f = f == m ? NULL : pkt_meta(f)->frags) {
		uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(f), (uint32_t)sizeof(scratch));
		const uint8_t *data = rte_pktmbuf_read(f, 0, len, scratch);

		if (!data || pcap_writer_write(&p->writer, pkt_meta(f)->ts_ns, len, pkt_meta(f)->wire_len,
					       data) < 0)
			return -1;
	}
	p->dirty = true;
	return 0;
}

/* Frames for DPDK devices, gathered per port and sent in one burst. */
struct device_batch {
	unsigned n;
	uint64_t bytes;
	struct rte_mbuf *frames[IO_BURST * (RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1)];
};

/* The frames of an item join the port's batch: a reassembled datagram's
 * originals (the rebuilt copy is freed), or the packet itself. */
static void gather(struct io_ctx *io, struct device_batch *b, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	struct rte_mbuf *f = meta->frags;

	b->bytes += rte_pktmbuf_pkt_len(m);
	if (!f) {
		b->frames[b->n++] = m;
		return;
	}
	meta->frags = NULL;
	while (f) {
		struct rte_mbuf *next = pkt_meta(f)->frags;

		pkt_meta(f)->owner = io->rt->node;
		pkt_meta(f)->frags = NULL;
		b->frames[b->n++] = f;
		f = next;
	}
	pkt_free(m);
}

unsigned io_tx_poll(struct io_ctx *io)
{
	static struct device_batch batch[STELLAR_MAX_PORTS];
	struct rte_mbuf *bufs[IO_BURST];
	unsigned sent[STELLAR_MAX_PORTS] = {0};
	uint64_t bytes[STELLAR_MAX_PORTS] = {0};
	unsigned n = rte_ring_sc_dequeue_burst(io->tx_ring, (void **)bufs, IO_BURST, NULL);
	struct node_counters *c = io->rt->counters;

	if (n == 0)
		return 0;
	counter_add(&c->in, n);
	for (unsigned i = 0; i < n; i++) {
		struct pkt_meta *meta = pkt_meta(bufs[i]);
		struct io_port *p;
		uint32_t len = rte_pktmbuf_pkt_len(bufs[i]);

		meta->owner = io->rt->node;
		meta->verdict = 0;
		if (meta->tx_port >= io->n_ports) {
			meta->verdict = 1 + DROP_TX_ERROR;
			continue;
		}
		p = &io->ports[meta->tx_port];
		if (port_is_ethdev(p->cfg->type)) {
			gather(io, &batch[meta->tx_port], bufs[i]);
			bufs[i] = NULL; /* the device's now */
			continue;
		}
		if (p->has_writer && write_frames(p, bufs[i]) < 0) {
			meta->verdict = 1 + DROP_TX_ERROR;
			continue;
		}
		sent[meta->tx_port] += pkt_frames(bufs[i]);
		bytes[meta->tx_port] += len;
	}
	for (unsigned port = 0; port < io->n_ports; port++) {
		struct io_port *p = &io->ports[port];

		if (batch[port].n) {
			sent[port] += io_ethdev_tx(io, port, batch[port].frames, batch[port].n);
			bytes[port] += batch[port].bytes;
			batch[port].n = 0;
			batch[port].bytes = 0;
		}
		if (p->dirty)
			commit_port(p, sent, bytes, bufs, n, port);
		p->dirty = false;
		if (sent[port]) {
			counter_add(&p->st->tx_pkts, sent[port]);
			counter_add(&p->st->tx_bytes, bytes[port]);
			counter_add(&c->tx, sent[port]);
		}
	}
	/* Freed only after the commit: a crash before it leaves them owned by
	 * this process, so the orchestrator counts them as lost, not sent. */
	for (unsigned i = 0; i < n; i++) {
		struct pkt_meta *meta;

		if (!bufs[i])
			continue;
		meta = pkt_meta(bufs[i]);
		if (meta->verdict) {
			if (meta->tx_port < io->n_ports)
				counter_add(&io->ports[meta->tx_port].st->errors, 1);
			stage_drop(bufs[i], (enum drop_reason)(meta->verdict - 1), c);
		} else {
			pkt_free(bufs[i]);
		}
	}
	return n;
}
