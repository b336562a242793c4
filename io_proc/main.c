/*
 * stellar-io: reads packets from the ports, gives each its order key and
 * flow hash, steers it to a session shard; and writes what stellar-amq hands
 * back to the ports.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "io.h"
#include "log.h"

#define LIVE_POLL_US 1000

static bool io_has_work(void *arg)
{
	struct io_ctx *io = arg;

	return progress_ring_pending(io->tx_ring) != 0 || io_rx_gap_requested(io) ||
	       (!io->rt->stop_rx && io_rx_has_work(io));
}

static void io_init(struct io_ctx *io, struct worker_rt *rt)
{
	struct stellar_shm *shm = rt->shm;
	uint16_t tx_ring = topo_ring_amq_io(0, rt->index);
	char err[512];

	io->rt = rt;
	io->shm = shm;
	io->pool = shm->pool;
	io->n_ports = shm->n_ports;
	io->n_shards = shm->n_shards;
	io->next_seq = &rt->slot->scratch[IO_SCRATCH_NEXT_SEQ];
	/* gap_done starts at 0: a request our predecessor left unserved is
	 * served now (one skipped sequence number costs nothing). */
	io->tx_ring = shm->graph.ring[tx_ring];
	io->dcfg = &shm->decode_cfg;
	io->stats = &shm->io_stats[rt->index];
	for (unsigned i = 0; i < io->n_ports; i++) {
		io->ports[i].cfg = &shm->port_cfg[i];
		io->ports[i].st = &shm->port[i];
		if (port_is_ethdev(shm->port_cfg[i].type))
			io->live_ports++;
	}
	for (unsigned s = 0; s < io->n_shards; s++) {
		uint16_t ring = topo_ring_io_session(rt->index, s);

		stage_output_init(&io->to_shard[s], shm->graph.ring[ring], ring,
				  &shm->nodes[topo_node_id(NODE_SESSION, s)].bell);
	}
	if (io_ingest_init(io) < 0) {
		LOG_ERR("cannot create the reassembly table for %u datagrams: out of hugepage memory?",
			io->dcfg->defrag.max_datagrams);
		worker_rt_exit(rt, EXIT_FAILURE);
	}
	if (io_ports_open(io, err, sizeof(err)) < 0) {
		LOG_ERR("%s", err);
		worker_rt_exit(rt, EXIT_FAILURE);
	}
}

int main(int argc, char **argv)
{
	struct worker_rt rt;
	static struct io_ctx io;

	worker_rt_init(&rt, NODE_IO, argc, argv);
	io_init(&io, &rt);

	uint64_t next_stats = 0;

	for (;;) {
		unsigned done;
		bool flushed = true;

		worker_rt_service(&rt);
		if (rt.stop) {
			/* Hand on what was read; what is still in the files stays
			 * there for a successor. */
			if (rt.graceful)
				while (!io_rx_flush_all(&io))
					worker_rt_stalled(&rt);
			break;
		}
		if (io.live_ports && rte_rdtsc() >= next_stats) {
			io_ethdev_stats(&io);
			next_stats = rte_rdtsc() + rt.hz / 2;
		}
		done = io_tx_poll(&io);
		if (!rt.stop_rx) {
			done += io_rx_poll(&io);
		} else {
			/* Input closed (drain): what was already read, even if
			 * pacing would hold it back, goes on so nothing is stuck. */
			flushed = io_rx_flush_all(&io);
		}
		if (io_rx_gap_requested(&io)) {
			io_rx_open_gap(&io);
			done++;
		}
		if (done) {
			worker_rt_busy(&rt);
		} else if (io.wait_until_tsc) {
			/* Pacing: sleep towards the next packet's time, but let
			 * returning packets wake us. */
			rt.wake_tsc = io.wait_until_tsc;
			worker_rt_idle(&rt, io_has_work, &io);
			rt.wake_tsc = 0;
		} else if (flushed && !io_has_work(&io)) {
			/* Live ports are polled at least every LIVE_POLL_US even
			 * when idle: latency after a quiet spell, not a core. */
			if (io.live_ports)
				rt.wake_tsc = rte_rdtsc() + rt.hz * LIVE_POLL_US / 1000000;
			worker_rt_idle(&rt, io_has_work, &io);
			rt.wake_tsc = 0;
		} else {
			worker_rt_stalled(&rt);
		}
	}
	io_ports_close(&io);
	/* With datagrams still held (an immediate stop), the table and the
	 * copies in it are left to the orchestrator's recovery, as after a
	 * crash: it knows which mbufs are copies and which are packets. */
	if (!defrag_pending(&io.defrag)) {
		defrag_fini(&io.defrag);
		rt.slot->scratch[IO_SCRATCH_FRAG_TABLE] = 0;
	}
	worker_rt_exit(&rt, EXIT_SUCCESS);
}
