// QUIC Initial decoder: headers that are not Initials or end early and
// packets that do not authenticate first, then the RFC 9001 / RFC 9369
// example packets, reassembly of a ClientHello spread over packets, and
// the SNI of a real Chromium capture against what tshark found.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "app_quic.h"
#include "harness.h"
#include "quic_vectors.h"

namespace {

using namespace quic_vectors;

class AppQuic : public ::testing::Test {
protected:
	void SetUp() override
	{
		engine_ = app_quic_engine_create();
		ASSERT_NE(engine_, nullptr);
		app_quic_conn_init(&conn_);
	}
	void TearDown() override { app_quic_engine_free(engine_); }

	int feed(const Bytes &datagram)
	{
		return app_quic_conn_feed(engine_, &conn_, datagram.data(), datagram.size());
	}

	// Protects a client Initial the way a client does (RFC 9001 5.3-5.4),
	// with a 2-byte packet number; keys from `key_dcid`.
	Bytes protect(const Bytes &key_dcid, const Bytes &dcid, uint32_t pn, const Bytes &payload)
	{
		app_quic_keys k;
		EXPECT_EQ(app_quic_initial_keys(engine_, APP_QUIC_V1, key_dcid.data(), key_dcid.size(), false, &k), 0);
		size_t length = 2 + payload.size() + 16;
		Bytes p = { 0xc1, 0, 0, 0, 1, static_cast<uint8_t>(dcid.size()) };
		p.insert(p.end(), dcid.begin(), dcid.end());
		p.insert(p.end(), { 0x00, 0x00, static_cast<uint8_t>(0x40 | length >> 8), static_cast<uint8_t>(length),
				    static_cast<uint8_t>(pn >> 8), static_cast<uint8_t>(pn) });
		size_t pn_off = p.size() - 2;
		uint8_t nonce[12], mask[16];
		memcpy(nonce, k.iv, 12);
		nonce[10] ^= static_cast<uint8_t>(pn >> 8);
		nonce[11] ^= static_cast<uint8_t>(pn);

		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		int n;
		Bytes ct(payload.size() + 16);
		EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), nullptr, k.key, nonce);
		EVP_EncryptUpdate(c, nullptr, &n, p.data(), static_cast<int>(p.size()));
		EVP_EncryptUpdate(c, ct.data(), &n, payload.data(), static_cast<int>(payload.size()));
		EVP_EncryptFinal_ex(c, ct.data() + n, &n);
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct.data() + payload.size());
		p.insert(p.end(), ct.begin(), ct.end());
		EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), nullptr, k.hp, nullptr);
		EVP_EncryptUpdate(c, mask, &n, p.data() + pn_off + 4, 16);
		EVP_CIPHER_CTX_free(c);
		p[0] ^= mask[0] & 0x0f;
		p[pn_off] ^= mask[1];
		p[pn_off + 1] ^= mask[2];
		return p;
	}

	app_quic_engine *engine_ = nullptr;
	app_quic_conn conn_;
};

// A CRYPTO frame carrying kClientHello[from, to), padded to 1162 bytes.
Bytes crypto_payload(size_t from, size_t to, const Bytes &extra = {})
{
	Bytes p = { 0x06, static_cast<uint8_t>(0x40 | from >> 8), static_cast<uint8_t>(from),
		    static_cast<uint8_t>(0x40 | (to - from) >> 8), static_cast<uint8_t>(to - from) };

	p.insert(p.end(), kClientHello.begin() + from, kClientHello.begin() + to);
	p.insert(p.end(), extra.begin(), extra.end());
	p.resize(1162, 0x00);
	return p;
}

TEST_F(AppQuic, RejectsNullArguments)
{
	app_quic_initial h;
	app_tls_hello hello;

	EXPECT_EQ(app_quic_parse_initial(nullptr, 10, &h), -EINVAL);
	EXPECT_EQ(app_quic_parse_initial(kV1Initial.data(), kV1Initial.size(), nullptr), -EINVAL);
	EXPECT_EQ(app_quic_conn_feed(nullptr, &conn_, kV1Initial.data(), kV1Initial.size()), -EINVAL);
	EXPECT_EQ(app_quic_conn_feed(engine_, &conn_, nullptr, 10), -EINVAL);
	EXPECT_EQ(app_quic_conn_hello(nullptr, &hello), -EINVAL);
}

TEST_F(AppQuic, RejectsPacketsThatAreNotLongHeaderInitials)
{
	app_quic_initial h;
	Bytes b = kV1Initial;

	b[0] = 0x41;   // short header
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	b[0] = 0x80;   // fixed bit clear
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	b[0] = 0xe0;   // Handshake
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	b[0] = 0xd0;   // 0-RTT in v1, though Initial in v2
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	b = kV2Initial;
	b[0] = 0xc0;   // Retry in v2
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	b = kV1Initial;
	b[1] = b[2] = b[3] = b[4] = 0;   // Version Negotiation
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	b = kV1Initial;
	b[5] = 21;   // DCID longer than QUIC v1 allows
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
	EXPECT_EQ(feed(b), -EINVAL);
}

TEST_F(AppQuic, ReportsUnknownVersionWithItsConnectionIds)
{
	app_quic_initial h;
	Bytes b = kV1Initial;

	b[1] = b[2] = b[3] = b[4] = 0x0a;   // a greased version
	ASSERT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EPROTONOSUPPORT);
	EXPECT_EQ(h.version, 0x0a0a0a0au);
	EXPECT_EQ(to_hex(h.dcid, h.dcid_len), "8394c8f03e515708");
	EXPECT_EQ(feed(b), -EPROTONOSUPPORT);
}

TEST_F(AppQuic, RejectsLengthTooShortToProtect)
{
	app_quic_initial h;
	Bytes b = kV1Initial;

	b[16] = 0x40;
	b[17] = 19;   // Length 19: no room for the header-protection sample
	EXPECT_EQ(app_quic_parse_initial(b.data(), b.size(), &h), -EINVAL);
}

TEST_F(AppQuic, EveryPrefixOfAnInitialIsAgain)
{
	app_quic_initial h;

	for (size_t n = 0; n < kV1Initial.size(); n++) {
		ASSERT_EQ(app_quic_parse_initial(kV1Initial.data(), n, &h), -EAGAIN) << n << " bytes";
		ASSERT_EQ(app_quic_conn_feed(engine_, &conn_, kV1Initial.data(), n), -EAGAIN) << n << " bytes";
	}
	EXPECT_FALSE(conn_.keyed);
	EXPECT_EQ(feed(kV1Initial), 0);
}

TEST_F(AppQuic, RejectsTamperedPackets)
{
	app_tls_hello hello;

	for (size_t at : { size_t(0), size_t(10), size_t(16), size_t(18), size_t(100), size_t(1199) }) {
		Bytes b = kV1Initial;

		b[at] ^= 0x01;
		EXPECT_NE(feed(b), 0) << "bit flipped at " << at;
	}
	Bytes b = kV1Initial;
	b[500] ^= 0x80;
	EXPECT_EQ(feed(b), -EBADMSG);
	EXPECT_FALSE(conn_.keyed) << "a packet that fails must not fix the keys";
	EXPECT_EQ(app_quic_conn_hello(&conn_, &hello), -EAGAIN);
	EXPECT_EQ(feed(kV1Initial), 0);
	EXPECT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
}

TEST_F(AppQuic, RejectsServerPacketsInClientConnection)
{
	ASSERT_EQ(feed(kV1Initial), 0);
	EXPECT_EQ(feed(kV1ServerInitial), -EBADMSG);
	EXPECT_EQ(conn_.packets, 1);
}

TEST_F(AppQuic, RejectsFramesNotAllowedInInitials)
{
	Bytes stream = crypto_payload(0, 10, { 0x08, 0x00, 0x01, 'x' });   // STREAM
	Bytes ack = crypto_payload(0, 10, { 0x02, 0x05, 0x00, 0x7f, 0xff, 0x00 });   // 16383 ranges

	EXPECT_EQ(feed(protect(kDcid, kDcid, 0, stream)), -EINVAL);
	EXPECT_EQ(feed(protect(kDcid, kDcid, 1, ack)), -EINVAL);
	EXPECT_EQ(feed(protect(kDcid, kDcid, 2, Bytes(1162, 0x00))), 0) << "all padding is fine";
}

TEST_F(AppQuic, DerivesRfc9001InitialKeys)
{
	app_quic_keys k;

	ASSERT_EQ(app_quic_initial_keys(engine_, APP_QUIC_V1, kDcid.data(), kDcid.size(), false, &k), 0);
	EXPECT_EQ(to_hex(k.key, 16), "1f369613dd76d5467730efcbe3b1a22d");
	EXPECT_EQ(to_hex(k.iv, 12), "fa044b2f42a3fd3b46fb255c");
	EXPECT_EQ(to_hex(k.hp, 16), "9f50449e04a0e810283a1e9933adedd2");
	ASSERT_EQ(app_quic_initial_keys(engine_, APP_QUIC_V1, kDcid.data(), kDcid.size(), true, &k), 0);
	EXPECT_EQ(to_hex(k.key, 16), "cf3a5331653c364c88f0f379b6067e37");
	EXPECT_EQ(to_hex(k.iv, 12), "0ac1493ca1905853b0bba03e");
	EXPECT_EQ(to_hex(k.hp, 16), "c206b8d9b9f0f37644430b490eeaa314");
}

TEST_F(AppQuic, DerivesRfc9369V2InitialKeys)
{
	app_quic_keys k;

	ASSERT_EQ(app_quic_initial_keys(engine_, APP_QUIC_V2, kDcid.data(), kDcid.size(), false, &k), 0);
	EXPECT_EQ(to_hex(k.key, 16), "8b1a0bc121284290a29e0971b5cd045d");
	EXPECT_EQ(to_hex(k.iv, 12), "91f73e2351d8fa91660e909f");
	EXPECT_EQ(to_hex(k.hp, 16), "45b95e15235d6f45a6b19cbcb0294ba9");
	EXPECT_EQ(app_quic_initial_keys(engine_, 0x0a0a0a0a, kDcid.data(), kDcid.size(), false, &k),
		  -EPROTONOSUPPORT);
}

TEST_F(AppQuic, DecryptsRfc9001ClientInitial)
{
	app_quic_initial h;
	app_quic_keys k;
	uint8_t out[APP_QUIC_PAYLOAD_MAX];
	size_t out_len;
	uint64_t pn;

	ASSERT_EQ(app_quic_parse_initial(kV1Initial.data(), kV1Initial.size(), &h), 0);
	EXPECT_EQ(h.version, APP_QUIC_V1);
	EXPECT_EQ(to_hex(h.dcid, h.dcid_len), "8394c8f03e515708");
	EXPECT_EQ(h.scid_len, 0);
	EXPECT_EQ(h.token_len, 0u);
	EXPECT_EQ(h.length, 1182u);
	EXPECT_EQ(h.pn_off, 18u);
	EXPECT_EQ(h.packet_len, 1200u);
	ASSERT_EQ(app_quic_initial_keys(engine_, h.version, h.dcid, h.dcid_len, false, &k), 0);
	ASSERT_EQ(app_quic_decrypt(engine_, &k, kV1Initial.data(), kV1Initial.size(), &h, -1, out, sizeof(out),
				   &out_len, &pn),
		  0);
	EXPECT_EQ(pn, 2u);
	EXPECT_EQ(out_len, 1162u);
	EXPECT_EQ(to_hex(out, 8), "060040f1010000ed");
	EXPECT_EQ(app_quic_decrypt(engine_, &k, kV1Initial.data(), kV1Initial.size(), &h, -1, out, 1000, &out_len,
				   &pn),
		  -EMSGSIZE);
}

TEST_F(AppQuic, DecryptsRfc9001ServerInitialWithServerKeys)
{
	app_quic_initial h;
	app_quic_keys k;
	app_tls_hello hello;
	uint8_t out[APP_QUIC_PAYLOAD_MAX];
	size_t out_len;
	uint64_t pn;

	ASSERT_EQ(app_quic_parse_initial(kV1ServerInitial.data(), kV1ServerInitial.size(), &h), 0);
	// The server's keys come from the client's first DCID too.
	ASSERT_EQ(app_quic_initial_keys(engine_, APP_QUIC_V1, kDcid.data(), kDcid.size(), true, &k), 0);
	ASSERT_EQ(app_quic_decrypt(engine_, &k, kV1ServerInitial.data(), kV1ServerInitial.size(), &h, 0, out,
				   sizeof(out), &out_len, &pn),
		  0);
	EXPECT_EQ(pn, 1u);
	// ACK (5 bytes), then CRYPTO at offset 0 with 0x5a bytes: the ServerHello.
	ASSERT_EQ(to_hex(out, 9), "02000000000600405a");
	ASSERT_EQ(app_tls_parse_handshake(out + 9, out_len - 9, &hello), 0);
	EXPECT_EQ(hello.type, APP_TLS_SERVER_HELLO);
	EXPECT_EQ(hello.selected_version, 0x0304);
}

TEST_F(AppQuic, FindsClientHelloInRfc9001Initial)
{
	app_tls_hello hello;

	ASSERT_EQ(feed(kV1Initial), 0);
	EXPECT_EQ(conn_.version, APP_QUIC_V1);
	EXPECT_EQ(conn_.largest_pn, 2);
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	EXPECT_STREQ(hello.sni, "example.com");
	ASSERT_EQ(hello.alpn_count, 1);
	EXPECT_STREQ(hello.alpn[0].name, "alpn");
	EXPECT_EQ(hello.versions[0], 0x0304);
}

TEST_F(AppQuic, FindsClientHelloInRfc9369V2Initial)
{
	app_tls_hello hello;

	ASSERT_EQ(feed(kV2Initial), 0);
	EXPECT_EQ(conn_.version, APP_QUIC_V2);
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	EXPECT_STREQ(hello.sni, "example.com");
}

TEST_F(AppQuic, FindsClientHelloInDraft29Initial)
{
	app_tls_hello hello;

	ASSERT_EQ(feed(kDraft29Initial), 0);
	EXPECT_EQ(conn_.version, APP_QUIC_DRAFT29);
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	EXPECT_STREQ(hello.sni, "server");
}

TEST_F(AppQuic, ReassemblesClientHelloAcrossPacketsInAnyOrder)
{
	app_tls_hello hello;
	// Two CRYPTO frames in reverse order in the first packet, with PING
	// and an ACK between them; the rest in the second.
	Bytes tail = { 0x01, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x3c };
	tail.insert(tail.end(), kClientHello.begin(), kClientHello.begin() + 60);
	Bytes first = protect(kDcid, kDcid, 0, crypto_payload(60, 120, tail));
	Bytes second = protect(kDcid, kDcid, 1, crypto_payload(120, kClientHello.size()));

	ASSERT_EQ(feed(second), 0);
	EXPECT_EQ(conn_.contiguous, 0u);
	EXPECT_EQ(app_quic_conn_hello(&conn_, &hello), -EAGAIN);
	ASSERT_EQ(feed(first), 0);
	EXPECT_EQ(conn_.contiguous, kClientHello.size());
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	EXPECT_STREQ(hello.sni, "example.com");
	EXPECT_EQ(conn_.packets, 2);
}

TEST_F(AppQuic, KeepsFirstKeysWhenServerChangesTheConnectionId)
{
	app_tls_hello hello;
	Bytes new_dcid = hex("f067a5502a4262b5");

	ASSERT_EQ(feed(protect(kDcid, kDcid, 0, crypto_payload(0, 100))), 0);
	EXPECT_EQ(app_quic_conn_hello(&conn_, &hello), -EAGAIN);
	ASSERT_EQ(feed(protect(kDcid, new_dcid, 1, crypto_payload(100, kClientHello.size()))), 0);
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	EXPECT_STREQ(hello.sni, "example.com");
}

TEST_F(AppQuic, ReportsClientHelloLargerThanItsBuffer)
{
	app_tls_hello hello;
	// CRYPTO [0, 100): the start of a valid 5000-byte ClientHello whose
	// bulk is one padding extension.
	Bytes big = { 0x06, 0x00, 0x40, 0x64, 0x01, 0x00, 0x13, 0x88, 0x03, 0x03 };

	big.resize(big.size() + 32, 0x00);                          // random
	big.insert(big.end(), { 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00,   // no session id, one suite
				0x13, 0x5d, 0x00, 0x15, 0x13, 0x59 });      // extensions, padding
	big.resize(4 + 100, 0x00);
	big.resize(1162, 0x00);
	ASSERT_EQ(feed(protect(kDcid, kDcid, 0, big)), 0);
	EXPECT_EQ(app_quic_conn_hello(&conn_, &hello), -ENOBUFS);
	// CRYPTO data wholly past the buffer is dropped and flagged.
	Bytes far = { 0x06, 0x80, 0x00, 0x13, 0x88, 0x01, 0x00 };
	far.resize(1162, 0x00);
	ASSERT_EQ(feed(protect(kDcid, kDcid, 1, far)), 0);
	EXPECT_TRUE(conn_.overflow);
	EXPECT_EQ(conn_.contiguous, 100u);
}

TEST_F(AppQuic, IgnoresWhatFollowsTheInitialInADatagram)
{
	app_tls_hello hello;
	Bytes datagram = kV1Initial;

	// A coalesced 0-RTT packet, then zero padding.
	datagram.insert(datagram.end(), { 0xd0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5 });
	datagram.resize(1400, 0x00);
	ASSERT_EQ(feed(datagram), 0);
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	EXPECT_STREQ(hello.sni, "example.com");
}

// ---- real capture ---------------------------------------------------------

struct Udp {
	uint16_t sport, dport;
	Bytes data;
};

uint16_t rd16(const uint8_t *p)
{
	return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

// UDP payloads of a capture: Ethernet, IPv4 (first fragments only) or IPv6
// (no extension headers). Enough for the capture used here.
std::vector<Udp> udp_payloads(const std::string &capture)
{
	std::vector<Udp> out;

	for (const harness::Packet &p : harness::read_pcap(harness::data_file(capture))) {
		const auto *d = reinterpret_cast<const uint8_t *>(p.bytes.data());
		size_t n = p.bytes.size(), off = 14, end;

		if (n < 14)
			continue;
		if (rd16(d + 12) == 0x0800 && off + 20 <= n && d[off + 9] == 17 && !(rd16(d + off + 6) & 0x1fff)) {
			end = off + rd16(d + off + 2);
			off += (d[off] & 0xf) * 4u;
		} else if (rd16(d + 12) == 0x86dd && off + 40 <= n && d[off + 6] == 17) {
			end = off + 40 + rd16(d + off + 4);
			off += 40;
		} else {
			continue;
		}
		end = std::min(end, n);
		if (off + 8 <= end)
			out.push_back({ rd16(d + off), rd16(d + off + 2), Bytes(d + off + 8, d + end) });
	}
	return out;
}

TEST_F(AppQuic, FindsTsharkSniInChromiumInitial)
{
	const std::string cap = "zeek__quic__chromium-115.0.5790.110-api-cirrus-com.pcap";
	std::set<std::string> snis, expected;
	app_tls_hello hello;
	unsigned decrypted = 0;

	// Every datagram of both directions goes in: only the client's
	// Initial may decrypt with the client's keys.
	for (const Udp &u : udp_payloads(cap))
		decrypted += feed(u.data) == 0;
	EXPECT_EQ(decrypted, 1u);
	ASSERT_EQ(app_quic_conn_hello(&conn_, &hello), 0);
	snis.insert(hello.sni);
	ASSERT_EQ(hello.alpn_count, 1);
	EXPECT_STREQ(hello.alpn[0].name, "h3");

	json_t *root = harness::load_json(harness::data_file(cap + ".expected.json"));
	json_t *v;
	size_t i;
	ASSERT_NE(root, nullptr);
	json_array_foreach(json_object_get(root, "tls_snis"), i, v)
		expected.insert(json_string_value(v));
	json_decref(root);
	EXPECT_EQ(snis, expected);
}

}  // namespace
