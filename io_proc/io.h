/* stellar-io internals: the ports it reads and writes, and its outputs. */
#ifndef STELLAR_IO_H
#define STELLAR_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "pcap_port.h"
#include "stage_output.h"
#include "worker_runtime.h"

#define IO_BURST 32

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
	unsigned n_ports;
	struct io_port ports[STELLAR_MAX_PORTS];
	unsigned n_shards;
	struct stage_output to_shard[TOPO_MAX_SHARDS];
	struct rte_ring *tx_ring;
	uint64_t *next_seq;      /* in shared memory: keys stay increasing across restarts */
	uint64_t wait_until_tsc; /* earliest time a paced packet becomes due */
	unsigned next_port;
};

int io_ports_open(struct io_ctx *io, char *err, size_t errlen);
void io_ports_close(struct io_ctx *io);

/* Reads due packets from the ports and hands them to the session shards.
 * Returns how many were emitted. */
unsigned io_rx_poll(struct io_ctx *io);
/* Emits paced packets already read, regardless of their time (graceful stop). */
void io_rx_release_pending(struct io_ctx *io);
bool io_rx_outputs_flushed(struct io_ctx *io);
bool io_rx_has_work(const struct io_ctx *io);

/* Writes what stellar-amq has finished with to the ports. Returns the count. */
unsigned io_tx_poll(struct io_ctx *io);

#endif
