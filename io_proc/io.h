/* stellar-io internals: the ports it reads and writes, decoding and
 * reassembly, and its outputs. */
#ifndef STELLAR_IO_H
#define STELLAR_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "defrag.h"
#include "pcap_port.h"
#include "stage_output.h"
#include "worker_runtime.h"

#define IO_BURST 32
/* Items decoded and waiting for an order key; one reassembly call can hand
 * back a whole death row of fragments, so there is room for that. */
#define IO_READY_CAP 1024
#define IO_READY_LOW (IO_READY_CAP - DEFRAG_RELEASE_MAX - 1)

struct io_port {
	const struct port_config *cfg;
	struct port_state *st;
	struct pcap_reader reader;
	struct pcap_writer writer;
	bool has_writer;
	bool dirty;              /* written since the last commit */
	struct rte_mbuf *pending; /* read, but not due yet (pacing) */
	uint64_t pending_ts;
};

struct io_ctx {
	struct worker_rt *rt;
	struct stellar_shm *shm;
	struct rte_mempool *pool;
	const struct decode_section *dcfg;
	struct io_stats *stats;
	unsigned n_ports;
	unsigned live_ports;     /* DPDK devices among them */
	struct io_port ports[STELLAR_MAX_PORTS];
	unsigned n_shards;
	struct stage_output to_shard[TOPO_MAX_SHARDS];
	struct rte_ring *tx_ring;
	uint64_t *next_seq;      /* in shared memory: keys stay increasing across restarts */
	uint32_t gap_done;       /* shm->io_gap_req served */
	uint64_t wait_until_tsc; /* earliest time a paced packet becomes due */
	unsigned next_port;

	struct defrag defrag;
	uint64_t last_ts_ns;     /* clock for reassembly timeouts */
	unsigned ready_head, ready_count;
	struct rte_mbuf *ready[IO_READY_CAP];
};

/* Session shards ask for a fresh gap of order keys after making items of
 * their own between packets; stellar-io answers by skipping a sequence
 * number. */
bool io_rx_gap_requested(const struct io_ctx *io);
void io_rx_open_gap(struct io_ctx *io);

int io_ports_open(struct io_ctx *io, char *err, size_t errlen);
void io_ports_close(struct io_ctx *io);

/* io_ingest.c: decode, reassemble, apply the malformed policy; what is left
 * joins the ready queue. */
int io_ingest_init(struct io_ctx *io);
void io_ingest(struct io_ctx *io, struct rte_mbuf *m);
/* Gives up on incomplete datagrams older than the timeout at `now_ns`
 * (UINT64_MAX: all of them). */
void io_ingest_expire(struct io_ctx *io, uint64_t now_ns);

/* io_rx.c: reads due packets from the ports, ingests them, and hands the
 * ready queue to the session shards. Returns how many were emitted. */
unsigned io_rx_poll(struct io_ctx *io);
/* Input closed: ingest what was read (ignoring pacing), give up on every
 * incomplete datagram, and push everything on. True when nothing is held. */
bool io_rx_flush_all(struct io_ctx *io);
bool io_rx_has_work(const struct io_ctx *io);

/* Writes what stellar-amq has finished with to the ports. Returns the count. */
unsigned io_tx_poll(struct io_ctx *io);

/* io_ethdev.c: ports that are DPDK devices. */
unsigned io_ethdev_rx(struct io_ctx *io, unsigned port, unsigned max);
/* Sends frames (tagged free: the driver owns them now); what the device
 * would not take is freed and counted as tx_error. Returns frames sent. */
unsigned io_ethdev_tx(struct io_ctx *io, unsigned port, struct rte_mbuf **frames, unsigned n);
void io_ethdev_stats(struct io_ctx *io);

#endif
