/* Live ports: receive bursts from a DPDK device, and transmit to it. */
#include <time.h>

#include <rte_ethdev.h>

#include "io.h"
#include "mbuf_meta.h"

static uint64_t wall_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

unsigned io_ethdev_rx(struct io_ctx *io, unsigned port, unsigned max)
{
	struct io_port *p = &io->ports[port];
	struct rte_mbuf *bufs[IO_BURST];
	uint64_t now, bytes = 0;
	unsigned n;

	if (max > IO_BURST)
		max = IO_BURST;
	n = rte_eth_rx_burst(p->cfg->ethdev, 0, bufs, (uint16_t)max);
	if (n == 0)
		return 0;
	now = wall_clock_ns();
	for (unsigned i = 0; i < n; i++) {
		struct pkt_meta *meta = pkt_meta(bufs[i]);

		/* Ours from here on, so a crash accounts for it. */
		meta->owner = io->rt->node;
		for (struct rte_mbuf *s = bufs[i]->next; s; s = s->next)
			pkt_meta(s)->owner = MBUF_OWNER_SEGMENT;
		meta->ts_ns = now;
		meta->wire_len = rte_pktmbuf_pkt_len(bufs[i]);
		meta->rx_port = (uint16_t)port;
		meta->tx_port = p->cfg->forward;
		meta->verdict = 0;
		meta->rl_group = 0;
		meta->flags = 0;
		bytes += rte_pktmbuf_pkt_len(bufs[i]);
	}
	counter_add(&p->st->rx_pkts, n);
	counter_add(&p->st->rx_bytes, bytes);
	counter_add(&io->rt->counters->rx, n);
	for (unsigned i = 0; i < n; i++)
		io_ingest(io, bufs[i]);
	return n;
}

unsigned io_ethdev_tx(struct io_ctx *io, unsigned port, struct rte_mbuf **frames, unsigned n)
{
	struct io_port *p = &io->ports[port];
	unsigned sent = 0;

	for (unsigned i = 0; i < n; i++)
		pkt_meta(frames[i])->owner = MBUF_OWNER_FREE;
	/* A device that is briefly full gets a few more tries before the
	 * packets count as lost: this runs on the TX path only. */
	for (int tries = 0; sent < n && tries < 8; tries++)
		sent += rte_eth_tx_burst(p->cfg->ethdev, 0, frames + sent, (uint16_t)(n - sent));
	for (unsigned i = sent; i < n; i++)
		rte_pktmbuf_free(frames[i]);
	if (sent < n) {
		counter_add(&io->rt->counters->dropped[DROP_TX_ERROR], n - sent);
		counter_add(&p->st->errors, n - sent);
	}
	return sent;
}

/* Device counters, published by the process that uses the device: for
 * net_pcap they live in each process's own capture handle. */
void io_ethdev_stats(struct io_ctx *io)
{
	for (unsigned i = 0; i < io->n_ports; i++) {
		struct io_port *p = &io->ports[i];
		struct rte_eth_stats st;

		if (!port_is_ethdev(p->cfg->type) || rte_eth_stats_get(p->cfg->ethdev, &st) != 0)
			continue;
		__atomic_store_n(&p->st->missed, st.imissed, __ATOMIC_RELAXED);
		__atomic_store_n(&p->st->dev_errors, st.ierrors + st.oerrors + st.rx_nombuf, __ATOMIC_RELAXED);
	}
}
