// L2-L4 decoding: hostile input stops cleanly with a named error; every
// supported layer and tunnel is decoded down to the innermost flow.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "decode.h"

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes &b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
void put32(Bytes &b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
void put(Bytes &b, const Bytes &x) { b.insert(b.end(), x.begin(), x.end()); }

Bytes eth(uint16_t type)
{
	Bytes b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
	put16(b, type);
	return b;
}

Bytes ipv4(uint8_t proto, const Bytes &payload, uint32_t src = 0x0a000001, uint32_t dst = 0x0a000002,
	   uint16_t frag = 0, uint16_t id = 7, const Bytes &options = {})
{
	Bytes b;
	b.push_back(0x40 | (uint8_t)((20 + options.size()) / 4));
	b.push_back(0);
	put16(b, (uint16_t)(20 + options.size() + payload.size()));
	put16(b, id);
	put16(b, frag);
	b.push_back(64);
	b.push_back(proto);
	put16(b, 0);
	put32(b, src);
	put32(b, dst);
	put(b, options);
	put(b, payload);
	return b;
}

Bytes ipv6(uint8_t next, const Bytes &payload, uint8_t last_src = 1, uint8_t last_dst = 2)
{
	Bytes b = {0x60, 0, 0, 0};
	put16(b, (uint16_t)payload.size());
	b.push_back(next);
	b.push_back(64);
	Bytes a(16, 0), z(16, 0);
	a[0] = 0x20; a[1] = 0x01; a[15] = last_src;
	z[0] = 0x20; z[1] = 0x01; z[15] = last_dst;
	put(b, a);
	put(b, z);
	put(b, payload);
	return b;
}

Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags, const Bytes &options = {}, const Bytes &data = {})
{
	Bytes b;
	put16(b, sport);
	put16(b, dport);
	put32(b, 1000);
	put32(b, 2000);
	b.push_back((uint8_t)((20 + options.size()) / 4) << 4);
	b.push_back(flags);
	put16(b, 65535);
	put32(b, 0);
	put(b, options);
	put(b, data);
	return b;
}

Bytes udp(uint16_t sport, uint16_t dport, const Bytes &data = {})
{
	Bytes b;
	put16(b, sport);
	put16(b, dport);
	put16(b, (uint16_t)(8 + data.size()));
	put16(b, 0);
	put(b, data);
	return b;
}

Bytes frame(uint16_t type, const Bytes &l3)
{
	Bytes b = eth(type);
	put(b, l3);
	return b;
}

struct Decoded {
	enum decode_status status;
	pkt_decode d;
	uint32_t hash() const { return decode_flow_hash(&d); }
};

Decoded run(const Bytes &b, uint32_t wire_len = 0, const decode_config *cfg = nullptr)
{
	decode_config def;
	Decoded r;

	decode_config_defaults(&def);
	r.status = decode_packet(b.data(), (uint32_t)b.size(), wire_len ? wire_len : (uint32_t)b.size(),
				 cfg ? cfg : &def, &r.d);
	return r;
}

void expect_error(const Bytes &b, enum decode_error err)
{
	Decoded r = run(b);
	EXPECT_EQ(r.status, DECODE_MALFORMED);
	EXPECT_EQ(r.d.error, err) << "got " << decode_error_name((enum decode_error)r.d.error);
}

// ---- hostile input ----

TEST(Decode, TruncatedEthernet)
{
	expect_error({}, DERR_ETH_TRUNCATED);
	expect_error({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, DERR_ETH_TRUNCATED);
}

TEST(Decode, BrokenIpv4Headers)
{
	Bytes good = ipv4(17, udp(1, 2));
	expect_error(frame(0x0800, Bytes(good.begin(), good.begin() + 12)), DERR_IPV4_TRUNCATED);
	Bytes v = good;
	v[0] = 0x55;
	expect_error(frame(0x0800, v), DERR_IPV4_BAD_VERSION);
	Bytes ihl = good;
	ihl[0] = 0x44;
	expect_error(frame(0x0800, ihl), DERR_IPV4_BAD_IHL);
	Bytes big = good;
	big[0] = 0x4f; // 60-byte header in a 28-byte packet
	expect_error(frame(0x0800, big), DERR_IPV4_TRUNCATED);
	Bytes shortlen = good;
	shortlen[2] = 0;
	shortlen[3] = 10;
	expect_error(frame(0x0800, shortlen), DERR_IPV4_BAD_LENGTH);
	Bytes longlen = good;
	longlen[3] = 200;
	expect_error(frame(0x0800, longlen), DERR_IPV4_BAD_LENGTH);
	expect_error(frame(0x0800, ipv4(17, udp(1, 2), 1, 2, 0, 7, {0x07, 0x09, 0, 0})), DERR_IPV4_BAD_OPTIONS);
}

TEST(Decode, LengthBeyondTheCaptureIsFineWhenTheSnaplenCutIt)
{
	Bytes b = frame(0x0800, ipv4(6, tcp(1, 2, TCP_ACK, {}, Bytes(100, 'x'))));
	Bytes cut(b.begin(), b.begin() + 14 + 20 + 20 + 10);
	Decoded r = run(cut, (uint32_t)b.size());
	EXPECT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.payload_len, 10);
	EXPECT_EQ(run(cut).status, DECODE_MALFORMED); // not cut: the header lies
}

TEST(Decode, BrokenIpv6Headers)
{
	Bytes good = ipv6(17, udp(1, 2));
	expect_error(frame(0x86dd, Bytes(good.begin(), good.begin() + 30)), DERR_IPV6_TRUNCATED);
	Bytes v = good;
	v[0] = 0x40;
	expect_error(frame(0x86dd, v), DERR_IPV6_BAD_VERSION);
	// A hop-by-hop header claiming 16 bytes in an 8-byte payload.
	expect_error(frame(0x86dd, ipv6(0, {17, 1, 0, 0, 0, 0, 0, 0})), DERR_IPV6_EXT_TRUNCATED);
	// Nine destination-options headers chained.
	Bytes chain;
	for (int i = 0; i < 9; i++)
		put(chain, {60, 0, 1, 4, 0, 0, 0, 0});
	expect_error(frame(0x86dd, ipv6(60, chain)), DERR_IPV6_TOO_MANY_EXT);
}

TEST(Decode, BrokenTransportHeaders)
{
	expect_error(frame(0x0800, ipv4(6, {0, 1, 0, 2, 0, 0})), DERR_TCP_TRUNCATED);
	Bytes t = tcp(1, 2, TCP_SYN);
	t[12] = 0x20; // data offset 8 bytes
	expect_error(frame(0x0800, ipv4(6, t)), DERR_TCP_BAD_OFFSET);
	t[12] = 0xf0; // 60 bytes in a 20-byte segment
	expect_error(frame(0x0800, ipv4(6, t)), DERR_TCP_BAD_OFFSET);
	expect_error(frame(0x0800, ipv4(6, tcp(1, 2, TCP_SYN, {2, 9, 0, 0}))), DERR_TCP_BAD_OPTIONS);
	Bytes u = udp(1, 2);
	u[5] = 4;
	expect_error(frame(0x0800, ipv4(17, u)), DERR_UDP_BAD_LENGTH);
	expect_error(frame(0x0800, ipv4(17, {0, 1})), DERR_UDP_TRUNCATED);
	expect_error(frame(0x0800, ipv4(1, {8})), DERR_ICMP_TRUNCATED);
}

TEST(Decode, BrokenTunnels)
{
	expect_error(frame(0x0800, ipv4(47, {0x00, 0x05, 0x08, 0x00})), DERR_GRE_BAD_VERSION);
	expect_error(frame(0x0800, ipv4(47, {0x20, 0x00, 0x08, 0x00, 0, 0})), DERR_GRE_TRUNCATED);
	expect_error(frame(0x0800, ipv4(17, udp(1, 4789, {8, 0, 0}))), DERR_VXLAN_TRUNCATED);
	expect_error(frame(0x0800, ipv4(17, udp(1, 6081, {2, 0, 0x65, 0x58, 0, 0, 1, 0}))),
		     DERR_GENEVE_TRUNCATED);
	// GTP-U with an extension header whose length runs off the end.
	expect_error(frame(0x0800, ipv4(17, udp(2152, 2152, {0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 9}))),
		     DERR_GTPU_TRUNCATED);
}

TEST(Decode, EndlessNestingIsCutOff)
{
	Bytes b = eth(0x8100);
	for (int i = 0; i < 40; i++)
		put(b, {0, 1, 0x81, 0x00});
	expect_error(b, DERR_TOO_MANY_LAYERS);
	// IP in IP in IP ... deeper than any real network uses.
	Bytes inner = udp(1, 2);
	for (int i = 0; i < 6; i++)
		inner = ipv4(i ? 4 : 17, inner);
	expect_error(frame(0x0800, inner), DERR_TOO_MANY_LAYERS);
}

TEST(Decode, EveryPrefixOfARealPacketIsSafe)
{
	Bytes b = frame(0x0800, ipv4(17, udp(1, 4789, [] {
		Bytes v = {8, 0, 0, 0, 0, 0x12, 0x34, 0};
		put(v, frame(0x86dd, ipv6(6, tcp(80, 1234, TCP_ACK, {2, 4, 5, 0xb4}, {'h', 'i'}))));
		return v;
	}())));
	for (size_t n = 0; n <= b.size(); n++) {
		Bytes p(b.begin(), b.begin() + n);
		Decoded r = run(p);
		EXPECT_LE((size_t)r.d.payload_off + r.d.payload_len, p.size());
	}
}

// ---- the happy path ----

TEST(Decode, Ipv4TcpWithOptions)
{
	Bytes opts = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	Decoded r = run(frame(0x0800, ipv4(6, tcp(40000, 443, TCP_SYN, opts))));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.ip_version, 4);
	EXPECT_EQ(r.d.l4_proto, 6);
	EXPECT_EQ(r.d.sport, 40000);
	EXPECT_EQ(r.d.dport, 443);
	EXPECT_EQ(r.d.tcp_flags, TCP_SYN);
	EXPECT_EQ(r.d.tcp_seq, 1000u);
	EXPECT_EQ(r.d.tcp_ack, 2000u);
	EXPECT_EQ(r.d.tcp_opts, TCPOPT_HAS_MSS | TCPOPT_HAS_WSCALE | TCPOPT_HAS_SACKOK | TCPOPT_HAS_TS);
	EXPECT_EQ(r.d.tcp_mss, 1460);
	EXPECT_EQ(r.d.tcp_wscale, 7);
	EXPECT_EQ(r.d.l3_off, 14);
	EXPECT_EQ(r.d.l4_off, 34);
	EXPECT_EQ(r.d.n_encap, 0);
	uint8_t src[4] = {10, 0, 0, 1};
	EXPECT_EQ(memcmp(r.d.src, src, 4), 0);
}

TEST(Decode, EthernetPaddingIsNotPayload)
{
	Bytes b = frame(0x0800, ipv4(17, udp(53, 53, {1, 2})));
	b.resize(60, 0);
	Decoded r = run(b);
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.payload_len, 2);
}

TEST(Decode, SegmentationOffloadTotalLengthZero)
{
	Bytes ip = ipv4(6, tcp(1, 2, TCP_ACK, {}, Bytes(3000, 'x')));
	ip[2] = ip[3] = 0;
	Decoded r = run(frame(0x0800, ip));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.payload_len, 3000);
}

TEST(Decode, IcmpEchoKeepsItsIdentifier)
{
	Decoded r = run(frame(0x0800, ipv4(1, {8, 0, 0, 0, 0x12, 0x34, 0, 1})));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.icmp_type, 8);
	EXPECT_EQ(r.d.icmp_id, 0x1234);
	Decoded v6 = run(frame(0x86dd, ipv6(58, {129, 0, 0, 0, 0, 9, 0, 1})));
	EXPECT_EQ(v6.d.l4_proto, 58);
	EXPECT_EQ(v6.d.icmp_id, 9);
}

TEST(Decode, Ipv6ExtensionHeadersAreWalked)
{
	Bytes payload = {60, 0, 1, 4, 0, 0, 0, 0}; // hop-by-hop -> destination options
	put(payload, {6, 0, 1, 4, 0, 0, 0, 0});      // destination options -> TCP
	put(payload, tcp(5, 6, TCP_ACK));
	Decoded r = run(frame(0x86dd, ipv6(0, payload)));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.l4_proto, 6);
	EXPECT_EQ(r.d.sport, 5);
	EXPECT_EQ(r.d.l4_off, 14 + 40 + 16);
}

TEST(Decode, VlanQinqMplsPppoe)
{
	Bytes q = eth(0x88a8);
	put(q, {0x00, 0x64, 0x81, 0x00, 0x20, 0xc8, 0x08, 0x00});
	put(q, ipv4(17, udp(1, 2)));
	Decoded r = run(q);
	ASSERT_EQ(r.status, DECODE_OK);
	ASSERT_EQ(r.d.n_encap, 2);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_QINQ);
	EXPECT_EQ(r.d.encap[0].id, 100u);
	EXPECT_EQ(r.d.encap[1].type, ENCAP_VLAN);
	EXPECT_EQ(r.d.encap[1].id, 200u);

	Bytes m = eth(0x8847);
	put(m, {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40}); // labels 16, 32 (bottom)
	put(m, ipv4(6, tcp(1, 2, TCP_ACK)));
	r = run(m);
	ASSERT_EQ(r.status, DECODE_OK);
	ASSERT_EQ(r.d.n_encap, 2);
	EXPECT_EQ(r.d.encap[1].id, 32u);
	EXPECT_EQ(r.d.l4_proto, 6);

	Bytes p = eth(0x8864);
	put(p, {0x11, 0x00, 0x00, 0x2a, 0x00, 0x20, 0x00, 0x21});
	put(p, ipv4(17, udp(7, 8)));
	r = run(p);
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_PPPOE);
	EXPECT_EQ(r.d.encap[0].id, 42u);
	EXPECT_EQ(r.d.dport, 8);
}

TEST(Decode, GreWithKeyToTheInnerFlow)
{
	Bytes g = {0x20, 0x00, 0x08, 0x00, 0, 0, 0x01, 0x00};
	put(g, ipv4(6, tcp(22, 5555, TCP_ACK), 0xc0a80001, 0xc0a80002));
	Decoded r = run(frame(0x0800, ipv4(47, g)));
	ASSERT_EQ(r.status, DECODE_OK);
	ASSERT_EQ(r.d.n_encap, 1);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_GRE);
	EXPECT_EQ(r.d.encap[0].id, 256u);
	EXPECT_EQ(r.d.sport, 22);
	EXPECT_EQ(r.d.src[0], 192);
	EXPECT_EQ(r.d.l3_off, 14 + 20 + 8);
}

TEST(Decode, GreWithAnUnknownPayloadIsTheFlow)
{
	Decoded r = run(frame(0x0800, ipv4(47, {0x00, 0x00, 0x12, 0x34, 1, 2, 3})));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.l4_proto, 47);
	EXPECT_EQ(r.d.n_encap, 0);
}

TEST(Decode, VxlanGeneveGtpuTeredo)
{
	Bytes vx = {0x08, 0, 0, 0, 0x00, 0x13, 0x88, 0x00};
	put(vx, frame(0x0800, ipv4(6, tcp(80, 1000, TCP_ACK), 0xac100001, 0xac100002)));
	Decoded r = run(frame(0x0800, ipv4(17, udp(5000, 4789, vx))));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_VXLAN);
	EXPECT_EQ(r.d.encap[0].id, 5000u);
	EXPECT_EQ(r.d.sport, 80);
	EXPECT_EQ(r.d.src[0], 172);

	Bytes gv = {0x01, 0, 0x08, 0x00, 0, 0, 7, 0, 0, 0, 0, 0}; // one 4-byte option
	put(gv, ipv4(1, {8, 0, 0, 0, 0, 1, 0, 1}));
	r = run(frame(0x0800, ipv4(17, udp(1, 6081, gv))));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_GENEVE);
	EXPECT_EQ(r.d.encap[0].id, 7u);
	EXPECT_EQ(r.d.l4_proto, 1);

	Bytes gt = {0x34, 0xff, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0x85, 1, 0, 0, 0};
	put(gt, ipv6(17, udp(9, 10)));
	r = run(frame(0x0800, ipv4(17, udp(2152, 2152, gt))));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_GTPU);
	EXPECT_EQ(r.d.encap[0].id, 0xdeadbeefu);
	EXPECT_EQ(r.d.ip_version, 6);
	EXPECT_EQ(r.d.dport, 10);

	r = run(frame(0x0800, ipv4(17, udp(3544, 40000, ipv6(59, {})))));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_TEREDO);
	EXPECT_EQ(r.d.ip_version, 6);
	// Not IPv6 behind the Teredo port: plain UDP.
	r = run(frame(0x0800, ipv4(17, udp(3544, 40000, {1, 2, 3}))));
	EXPECT_EQ(r.d.n_encap, 0);
	EXPECT_EQ(r.d.l4_proto, 17);
}

TEST(Decode, TunnelPortsComeFromTheConfig)
{
	decode_config cfg;
	decode_config_defaults(&cfg);
	cfg.vxlan_ports[0] = 8472;
	decode_config_index(&cfg);
	Bytes vx = {0x08, 0, 0, 0, 0, 0, 1, 0};
	put(vx, frame(0x0800, ipv4(17, udp(1, 2))));
	EXPECT_EQ(run(frame(0x0800, ipv4(17, udp(9, 8472, vx))), 0, &cfg).d.encap[0].type, ENCAP_VXLAN);
	EXPECT_EQ(run(frame(0x0800, ipv4(17, udp(9, 4789, vx))), 0, &cfg).d.n_encap, 0);
}

TEST(Decode, IpInIpRecordsBothVersions)
{
	Decoded r = run(frame(0x0800, ipv4(41, ipv6(58, {128, 0, 0, 0, 0, 1, 0, 1}))));
	ASSERT_EQ(r.status, DECODE_OK);
	ASSERT_EQ(r.d.n_encap, 1);
	EXPECT_EQ(r.d.encap[0].type, ENCAP_IPIP);
	EXPECT_EQ(r.d.encap[0].id, 0x46u);
	EXPECT_EQ(r.d.ip_version, 6);
}

TEST(Decode, Fragments)
{
	// First fragment: ports are there, but it is a fragment.
	Decoded r = run(frame(0x0800, ipv4(17, udp(1, 2, Bytes(16, 0)), 1, 2, 0x2000, 99)));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.frag, FRAG_IS_FRAGMENT | FRAG_MORE);
	EXPECT_EQ(r.d.frag_id, 99u);
	EXPECT_EQ(r.d.dport, 2);
	// A later one: no transport header to read.
	r = run(frame(0x0800, ipv4(17, Bytes(16, 0xff), 1, 2, 3, 99)));
	ASSERT_EQ(r.status, DECODE_OK);
	EXPECT_EQ(r.d.frag, FRAG_IS_FRAGMENT);
	EXPECT_EQ(r.d.frag_offset, 24);
	EXPECT_EQ(r.d.l4_off, 0);
	// Tiny first fragment: too short for TCP, flagged, not malformed.
	r = run(frame(0x0800, ipv4(6, {0, 1, 0, 2, 0, 0, 0, 0}, 1, 2, 0x2000)));
	EXPECT_EQ(r.status, DECODE_OK);
	EXPECT_TRUE(r.d.frag & FRAG_TINY);
	// An offset that runs past 64 KiB.
	expect_error(frame(0x0800, ipv4(17, Bytes(16, 0), 1, 2, 0x1fff)), DERR_FRAG_BAD_OFFSET);
	// IPv6 fragment header, then an atomic fragment (a whole packet).
	Bytes fh = {17, 0, 0x00, 0x09, 0, 0, 0, 5};
	r = run(frame(0x86dd, ipv6(44, fh)));
	EXPECT_EQ(r.d.frag, FRAG_IS_FRAGMENT | FRAG_MORE);
	EXPECT_EQ(r.d.frag_offset, 8);
	EXPECT_EQ(r.d.frag_id, 5u);
	Bytes atomic = {17, 0, 0, 0, 0, 0, 0, 6};
	put(atomic, udp(3, 4));
	r = run(frame(0x86dd, ipv6(44, atomic)));
	EXPECT_EQ(r.d.frag, 0);
	EXPECT_EQ(r.d.dport, 4);
}

TEST(Decode, NonIpIsNotAFlow)
{
	Decoded r = run(frame(0x0806, Bytes(28, 0)));
	EXPECT_EQ(r.status, DECODE_NOT_IP);
	EXPECT_EQ(decode_flow_hash(&r.d), 0u);
}

TEST(FlowHash, SymmetricPerFlowAndZoned)
{
	Decoded ab = run(frame(0x0800, ipv4(6, tcp(1000, 80, TCP_ACK), 1, 2)));
	Decoded ba = run(frame(0x0800, ipv4(6, tcp(80, 1000, TCP_ACK), 2, 1)));
	Decoded other = run(frame(0x0800, ipv4(6, tcp(1001, 80, TCP_ACK), 1, 2)));
	EXPECT_EQ(decode_flow_hash(&ab.d), decode_flow_hash(&ba.d));
	EXPECT_NE(decode_flow_hash(&ab.d), decode_flow_hash(&other.d));

	Bytes v100 = eth(0x8100), v200 = eth(0x8100);
	put(v100, {0, 100, 0x08, 0x00});
	put(v200, {0, 200, 0x08, 0x00});
	put(v100, ipv4(6, tcp(1000, 80, TCP_ACK), 1, 2));
	put(v200, ipv4(6, tcp(80, 1000, TCP_ACK), 2, 1));
	EXPECT_NE(run(v100).hash(), run(v200).hash());
	decode_config novlan;
	decode_config_defaults(&novlan);
	novlan.zone_vlan = false; // asymmetric VLANs: track across them
	EXPECT_EQ(run(v100, 0, &novlan).hash(), run(v200, 0, &novlan).hash());

	// Every fragment of a datagram goes the same way, first or not.
	Decoded first = run(frame(0x0800, ipv4(17, udp(1, 2, Bytes(16, 0)), 1, 2, 0x2000, 5)));
	Decoded later = run(frame(0x0800, ipv4(17, Bytes(16, 0), 2, 1, 3, 5)));
	EXPECT_EQ(decode_flow_hash(&first.d), decode_flow_hash(&later.d));
}

TEST(DecodeNames, AreUniqueAndComplete)
{
	for (unsigned e = 0; e < DERR_MAX; e++)
		EXPECT_STRNE(decode_error_name((enum decode_error)e), "unknown") << e;
	for (unsigned t = 0; t < ENCAP_TYPE_MAX; t++)
		EXPECT_STRNE(encap_type_name((enum encap_type)t), "unknown") << t;
}

}  // namespace
