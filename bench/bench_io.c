/*
 * stellar-io's per-packet work alone: receive from a looped in-memory capture
 * (net_pcap infinite_rx), run io_ingest (decode, reassembly, malformed
 * policy) and the flow hash, and send to net_null; cycles per packet counted
 * the way testpmd's --record-core-cycles counts them (busy bursts only), so
 * the two compare. The rings to the session shards are not part of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "bench.h"
#include "../io_proc/io.h"
#include "mbuf_meta.h"

#define PACKETS 20000000ull
#define WARMUP  2000000ull /* caches and the mempool settle before measuring */

static int start_port(uint16_t id, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(id, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(id, 0, 1024, SOCKET_ID_ANY, NULL, pool) < 0 ||
	    rte_eth_tx_queue_setup(id, 0, 1024, SOCKET_ID_ANY, NULL) < 0 || rte_eth_dev_start(id) < 0)
		return -1;
	return 0;
}

int bench_io(const char *capture, json_t *out)
{
	static struct io_ctx io;
	static struct worker_rt rt;
	static struct node_slot slot;
	static struct stage_progress progress;
	static struct io_stats stats;
	static struct decode_section dcfg;
	static struct port_config pcfg[2];
	static struct port_state pst[2];
	char vdev[1200];
	char *argv[] = {"stellar-bench", "-l", "0", "--no-pci", "--file-prefix", "stellar_bench",
			"--log-level=error", "--vdev", vdev, "--vdev", "net_null0,no-rx=1", NULL};
	struct rte_mempool *pool;
	uint64_t packets = 0, busy = 0, seq = 0, seen = 0;
	uint16_t in_port, out_port;

	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,infinite_rx=1", capture);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("bench", 16383, 256, PKT_META_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool || rte_eth_dev_get_port_by_name("net_pcap0", &in_port) ||
	    rte_eth_dev_get_port_by_name("net_null0", &out_port) || start_port(in_port, pool) ||
	    start_port(out_port, pool))
		return -1;

	/* stellar-io's context, minus the shared memory it would attach to. */
	rt.node = 1;
	rt.slot = &slot;
	rt.counters = &slot.counters;
	rt.progress = &progress;
	decode_config_defaults(&dcfg.decode);
	defrag_config_defaults(&dcfg.defrag);
	io.rt = &rt;
	io.pool = pool;
	io.dcfg = &dcfg;
	io.stats = &stats;
	io.n_ports = 2;
	for (unsigned i = 0; i < 2; i++) {
		pcfg[i].type = PORT_VDEV;
		pcfg[i].ethdev = i ? out_port : in_port;
		pcfg[i].forward = 1;
		io.ports[i].cfg = &pcfg[i];
		io.ports[i].st = &pst[i];
	}
	if (io_ingest_init(&io) < 0)
		return -1;

	while (packets < PACKETS) {
		struct rte_mbuf *tx[IO_READY_CAP];
		uint64_t t0 = rte_rdtsc();
		unsigned n = io_ethdev_rx(&io, 0, IO_BURST), k = 0;

		while (io.ready_count) {
			struct rte_mbuf *m = io.ready[io.ready_head];
			struct pkt_meta *meta = pkt_meta(m);

			meta->flow_hash = decode_flow_hash(&meta->dec);
			meta->key = ++seq << PKT_KEY_SUB_BITS;
			tx[k++] = m;
			io.ready_head = (io.ready_head + 1) % IO_READY_CAP;
			io.ready_count--;
		}
		if (k)
			io_ethdev_tx(&io, 1, tx, k);
		if (n && (seen += n) > WARMUP) {
			busy += rte_rdtsc() - t0;
			packets += n;
		}
	}
	double cpp = (double)busy / (double)packets;
	printf("io     ingest+hash %6.1f cycles/packet at %.0f MHz (%llu packets of %s)\n", cpp,
	       (double)rte_get_tsc_hz() / 1e6, (unsigned long long)packets, capture);
	json_object_set_new(out, "io", json_pack("{s:f, s:f, s:I, s:s}", "cycles_per_packet", cpp,
		"tsc_mhz", (double)rte_get_tsc_hz() / 1e6, "packets", (json_int_t)packets, "capture", capture));
	rte_eth_dev_stop(in_port);
	rte_eth_dev_stop(out_port);
	rte_eal_cleanup();
	return 0;
}
