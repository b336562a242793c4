// Filter stages as the workers run them (libpcap -> rte_bpf_convert ->
// rte_bpf) agree with libpcap itself on every packet of every capture, for
// expressions that exercise every kind of load and test (including those
// DPDK 22.11 converts or JIT-compiles wrongly); and the trie merges chains.
#include <gtest/gtest.h>

#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include <string>
#include <vector>

#include "harness.h"

extern "C" {
#include "mbuf_meta.h"
#include "plugin_check.h"
#include "plugin_filter.h"
}

namespace {

rte_mempool *pool()
{
	static rte_mempool *p;

	if (!p) {
		static std::string prefix = "stellar_filter_test_" + std::to_string(getpid());
		const char *argv[] = {"test", "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "--log-level=error",
				      "-l", "0", "--file-prefix", prefix.c_str(), nullptr};
		if (rte_eal_init(11, const_cast<char **>(argv)) < 0)
			return nullptr;
		p = rte_pktmbuf_pool_create("filter_test", 4095, 0, PKT_META_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	}
	return p;
}

// A frame as stellar-io holds it: chained when longer than one mbuf.
rte_mbuf *mbuf_of(const harness::Packet &pkt)
{
	rte_mbuf *m = rte_pktmbuf_alloc(pool());
	size_t off = 0;

	while (m && off < pkt.bytes.size()) {
		rte_mbuf *seg = off ? rte_pktmbuf_alloc(pool()) : m;
		size_t n = std::min(pkt.bytes.size() - off, (size_t)rte_pktmbuf_tailroom(seg));

		memcpy(rte_pktmbuf_append(seg, (uint16_t)n), pkt.bytes.data() + off, n);
		if (off && rte_pktmbuf_chain(m, seg) != 0)
			return nullptr;
		off += n;
	}
	return m;
}

const char *const kExpressions[] = {
	"ip", "ip6", "tcp", "udp", "icmp", "vlan", "arp", "udp port 53", "tcp port 80", "host 208.80.152.2",
	"net 10.0.0.0/8", "tcp[13] = 2", "tcp[13] & 2 != 0", "tcp[tcpflags] & tcp-syn != 0", "tcp[4:4] = 1",
	"tcp[2:2] = 80", "ether[0] & 1 != 0", "ip[0] & 0x40 != 0", "ip[6:2] & 0x1fff != 0", "len > 500",
	"greater 100 and less 200", "udp and udp[8:2] != 0", "ip6 and tcp", "ether broadcast", "icmp6",
	"tcp and (port 443 or port 80) and ip[8] < 128",
};

TEST(PluginFilter, EveryStageAgreesWithLibpcapOnEveryCapturedPacket)
{
	ASSERT_NE(pool(), nullptr) << "DPDK could not start in the test";
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	unsigned checked = 0, matched = 0;

	for (const char *expr : kExpressions) {
		bpf_program prog;
		rte_bpf *bpf;
		char err[512];

		ASSERT_EQ(pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0) << expr;
		ASSERT_EQ(plugin_filter_compile_node(expr, &bpf, err, sizeof(err)), 0) << err;
		for (const std::string &cap : harness::captures())
			for (const harness::Packet &p : harness::read_pcap(harness::data_file(cap))) {
				pcap_pkthdr h{};
				h.caplen = (bpf_u_int32)p.bytes.size();
				h.len = p.wire_len;
				bool want = pcap_offline_filter(&prog, &h, reinterpret_cast<const u_char *>(p.bytes.data())) != 0;
				rte_mbuf *m = mbuf_of(p);
				ASSERT_NE(m, nullptr);
				// The frame as it arrived: its length on the wire is what
				// "len" and "greater" test.
				if (p.wire_len > p.bytes.size())
					continue; // cut by a snaplen: libpcap and mbufs differ in what "len" is
				bool got = rte_bpf_exec(bpf, m) != 0;
				rte_pktmbuf_free(m);
				ASSERT_EQ(got, want) << "'" << expr << "' on a packet of " << cap;
				checked++;
				matched += got;
			}
		rte_bpf_destroy(bpf);
		pcap_freecode(&prog);
	}
	pcap_close(dead);
	EXPECT_GT(checked, 10000u);
	EXPECT_GT(matched, 1000u);
}

TEST(PluginFilter, RefusesWhatDoesNotCompile)
{
	ASSERT_NE(pool(), nullptr);
	rte_bpf *bpf;
	char err[512];

	EXPECT_EQ(plugin_filter_compile_node("tcp prot 80", &bpf, err, sizeof(err)), -EINVAL);
	EXPECT_NE(std::string(err).find("'tcp prot 80'"), std::string::npos) << err;
}

TEST(PluginFilter, IdenticalStagesAreOneNodeAndChildrenRunOnlyUnderMatchingParents)
{
	ASSERT_NE(pool(), nullptr);
	static plugins_shm ps;
	plugin_config pc[3]{};
	uint16_t leaf[3];
	const char *chains[3][2] = {{"ip", "tcp"}, {"ip", "tcp"}, {"ip", "udp"}};
	for (int i = 0; i < 3; i++) {
		pc[i].n_filter = 2;
		snprintf(pc[i].filter[0], sizeof(pc[i].filter[0]), "%s", chains[i][0]);
		snprintf(pc[i].filter[1], sizeof(pc[i].filter[1]), "%s", chains[i][1]);
	}
	ASSERT_EQ(plugin_filter_plan(&ps, pc, 3, leaf), 0);
	ASSERT_EQ(ps.n_nodes, 3u);
	EXPECT_EQ(leaf[0], leaf[1]);
	EXPECT_NE(leaf[0], leaf[2]);
	EXPECT_EQ(ps.node[leaf[0]].subscribers, 2);

	static filter_node_counts counts[FILTER_MAX_NODES];
	plugin_filter f;
	char err[256];
	ASSERT_EQ(plugin_filter_init(&f, &ps, counts, err, sizeof(err)), 0) << err;
	unsigned packets = 0;
	for (const harness::Packet &p : harness::read_pcap(harness::data_file("zeek__wikipedia.pcap"))) {
		rte_mbuf *m = mbuf_of(p);
		plugin_filter_run(&f, m);
		rte_pktmbuf_free(m);
		packets++;
	}
	EXPECT_EQ(counts[0].evaluated, packets);
	EXPECT_EQ(counts[leaf[0]].evaluated, counts[0].matched);
	EXPECT_EQ(counts[leaf[2]].evaluated, counts[0].matched);
	EXPECT_GT(counts[leaf[0]].matched, 0u);
	EXPECT_GT(counts[leaf[2]].matched, 0u);
	plugin_filter_fini(&f);
}

}  // namespace
