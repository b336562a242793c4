#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "io.h"
#include "log.h"
#include "mbuf_meta.h"

/* Copies a record into an mbuf chain; NULL when the pool is short. */
static struct rte_mbuf *mbuf_from_record(struct rte_mempool *pool, uint16_t owner,
					 const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(pool), *last;
	uint32_t copied;

	if (!head)
		return NULL;
	pkt_meta(head)->owner = owner;
	copied = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(head));
	memcpy(rte_pktmbuf_mtod(head, void *), data, copied);
	head->data_len = (uint16_t)copied;
	last = head;
	while (copied < len) {
		struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);
		uint32_t chunk;

		if (!seg) {
			pkt_meta(head)->owner = MBUF_OWNER_FREE;
			rte_pktmbuf_free(head);
			return NULL;
		}
		pkt_meta(seg)->owner = MBUF_OWNER_SEGMENT;
		chunk = RTE_MIN(len - copied, (uint32_t)rte_pktmbuf_tailroom(seg));
		memcpy(rte_pktmbuf_mtod(seg, void *), data + copied, chunk);
		seg->data_len = (uint16_t)chunk;
		last->next = seg;
		last = seg;
		head->nb_segs++;
		copied += chunk;
	}
	head->pkt_len = len;
	return head;
}

/* Reads the port's next record into p->pending. Returns false at end of
 * file, on a damaged file, or when mbufs are short (the record is left for
 * the next try). */
static bool read_next(struct io_ctx *io, unsigned port)
{
	struct io_port *p = &io->ports[port];
	const struct pcap_pkthdr *hdr;
	const uint8_t *data;
	uint64_t before = p->st->rx_offset, ts;
	char err[256];
	int rc = pcap_reader_next(&p->reader, &hdr, &data, &ts, err, sizeof(err));
	struct rte_mbuf *m;
	struct pkt_meta *meta;

	if (rc <= 0) {
		if (rc < 0) {
			LOG_WARN("port %s: %s; treating it as the end of the capture", p->cfg->name, err);
			counter_add(&p->st->errors, 1);
		}
		__atomic_store_n(&p->st->rx_eof, 1, __ATOMIC_RELEASE);
		return false;
	}
	m = mbuf_from_record(io->pool, io->rt->node, data, hdr->caplen);
	if (!m) {
		/* Not a drop: the record stays in the file until mbufs return. */
		pcap_reader_seek(&p->reader, before);
		return false;
	}
	meta = pkt_meta(m);
	meta->ts_ns = ts;
	meta->wire_len = hdr->len;
	meta->rx_port = (uint16_t)port;
	meta->tx_port = (uint16_t)port;
	meta->verdict = 0;
	meta->rl_group = 0;
	meta->flags = 0;
	if (p->st->rx_pkts == 0) {
		p->st->first_ts_ns = ts;
		p->st->pace_origin_tsc = rte_rdtsc();
	}
	/* Offset and counters move together: a successor resumes after this
	 * record, and the packet is accounted as received (and, should this
	 * process die holding it, as lost to a crash). */
	p->st->rx_offset = pcap_reader_offset(&p->reader);
	counter_add(&p->st->rx_pkts, 1);
	counter_add(&p->st->rx_bytes, hdr->caplen);
	counter_add(&io->rt->counters->rx, 1);
	p->pending = m;
	p->pending_ts = ts;
	return true;
}

/* TSC at which the pending packet of this port may leave. */
static uint64_t due_tsc(const struct io_ctx *io, const struct io_port *p)
{
	uint64_t hz = io->rt->hz;

	switch (p->cfg->pace) {
	case PACE_ORIGINAL: {
		uint64_t rel = p->pending_ts > p->st->first_ts_ns ? p->pending_ts - p->st->first_ts_ns : 0;

		return p->st->pace_origin_tsc + (uint64_t)((double)rel * (double)hz / 1e9);
	}
	case PACE_PPS:
		return p->st->pace_origin_tsc +
		       (uint64_t)((double)(p->st->rx_pkts - 1) * (double)hz / (double)p->cfg->pps);
	default:
		return 0;
	}
}

/* Hands ready items to the shards, oldest first, giving each its order key
 * at the moment it is emitted. */
static void emit_ready(struct io_ctx *io)
{
	while (io->ready_count) {
		struct rte_mbuf *m = io->ready[io->ready_head];
		struct pkt_meta *meta = pkt_meta(m);
		struct stage_output *out;

		meta->flow_hash = decode_flow_hash(&meta->dec);
		out = &io->to_shard[flow_hash_reduce(meta->flow_hash, io->n_shards)];
		if (stage_output_full(out) && !stage_output_flush(out, io->rt->counters))
			return;
		meta->key = ++*io->next_seq << PKT_KEY_SUB_BITS;
		stage_output_push(out, m);
		io->ready_head = (io->ready_head + 1) % IO_READY_CAP;
		io->ready_count--;
	}
}

static bool outputs_flushed(struct io_ctx *io)
{
	bool done = true;

	for (unsigned s = 0; s < io->n_shards; s++)
		if (!stage_output_flush(&io->to_shard[s], io->rt->counters))
			done = false;
	return done;
}

/* Promises whole packets only: "everything up to the previous packet's
 * key", never a key inside a gap, where shards make their own items (see
 * session_proc/session_events.c). */
static void publish_watermark(struct io_ctx *io)
{
	uint64_t wm = *io->next_seq << PKT_KEY_SUB_BITS;

	for (unsigned s = 0; s < io->n_shards; s++) {
		uint64_t k = stage_output_first_key(&io->to_shard[s]);

		if (k != UINT64_MAX && k - (1ull << PKT_KEY_SUB_BITS) < wm)
			wm = k - (1ull << PKT_KEY_SUB_BITS);
	}
	progress_publish_wm(io->rt->progress, wm);
}

bool io_rx_gap_requested(const struct io_ctx *io)
{
	return __atomic_load_n(&io->shm->io_gap_req, __ATOMIC_ACQUIRE) != io->gap_done;
}

void io_rx_open_gap(struct io_ctx *io)
{
	uint32_t req = __atomic_load_n(&io->shm->io_gap_req, __ATOMIC_ACQUIRE);

	if (req == io->gap_done)
		return;
	/* A sequence number without a packet: every parked shard's derived
	 * watermark moves past the items shards made in the previous gap. */
	++*io->next_seq;
	io->gap_done = req;
	publish_watermark(io);
}

/* Capture files all read (live ports never end). */
static bool all_input_read(const struct io_ctx *io)
{
	bool files = false;

	for (unsigned i = 0; i < io->n_ports; i++) {
		if (port_is_ethdev(io->ports[i].cfg->type))
			continue;
		files = true;
		if (!io->ports[i].st->rx_eof || io->ports[i].pending)
			return false;
	}
	return files;
}

/* Reads and ingests due packets until a burst is done or the ready queue
 * is full enough. */
static unsigned read_due(struct io_ctx *io)
{
	uint64_t now = rte_rdtsc();
	unsigned taken = 0, idle_ports = 0;

	io->wait_until_tsc = 0;
	while (taken < IO_BURST && idle_ports < io->n_ports && io->ready_count < IO_READY_LOW) {
		unsigned port = io->next_port;
		struct io_port *p = &io->ports[port];
		uint64_t due;

		if (port_is_ethdev(p->cfg->type)) {
			unsigned got = io_ethdev_rx(io, port, IO_BURST - taken);

			taken += got;
			idle_ports = got ? 0 : idle_ports + 1;
			io->next_port = (port + 1) % io->n_ports;
			continue;
		}
		if (!p->pending && (p->st->rx_eof || !read_next(io, port))) {
			idle_ports++;
			io->next_port = (port + 1) % io->n_ports;
			continue;
		}
		due = due_tsc(io, p);
		if (due > now) {
			if (!io->wait_until_tsc || due < io->wait_until_tsc)
				io->wait_until_tsc = due;
			idle_ports++;
			io->next_port = (port + 1) % io->n_ports;
			continue;
		}
		io_ingest(io, p->pending);
		p->pending = NULL;
		taken++;
		idle_ports = 0;
	}
	return taken;
}

unsigned io_rx_poll(struct io_ctx *io)
{
	unsigned before = io->ready_count, taken = 0;
	uint64_t seq_before = *io->next_seq;

	/* Backpressure: nothing new is read while the shards lag behind. */
	if (outputs_flushed(io) && io->ready_count < IO_READY_LOW)
		taken = read_due(io);
	if (defrag_pending(&io->defrag))
		io_ingest_expire(io, all_input_read(io) ? UINT64_MAX : io->last_ts_ns);
	emit_ready(io);
	outputs_flushed(io);
	publish_watermark(io);
	(void)before;
	return taken + (unsigned)(*io->next_seq - seq_before);
}

bool io_rx_flush_all(struct io_ctx *io)
{
	for (unsigned i = 0; i < io->n_ports; i++) {
		if (io->ports[i].pending && io->ready_count < IO_READY_LOW) {
			io_ingest(io, io->ports[i].pending);
			io->ports[i].pending = NULL;
		}
	}
	io_ingest_expire(io, UINT64_MAX);
	emit_ready(io);
	bool flushed = outputs_flushed(io);
	publish_watermark(io);
	for (unsigned i = 0; i < io->n_ports; i++)
		if (io->ports[i].pending)
			return false;
	return flushed && !io->ready_count && !defrag_pending(&io->defrag);
}

bool io_rx_has_work(const struct io_ctx *io)
{
	if (io->ready_count)
		return true;
	/* Devices ring no doorbell: the main loop polls them on a timer. */
	for (unsigned i = 0; i < io->n_ports; i++)
		if (!port_is_ethdev(io->ports[i].cfg->type) && !io->ports[i].st->rx_eof &&
		    !io->ports[i].pending)
			return true;
	return false;
}
