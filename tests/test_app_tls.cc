// TLS hello decoder: records and handshake messages that lie or end early
// first, then real hellos (RFC 9001's example, hellos split across
// records), then the SNIs of real captures against what tshark found.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "app_tls.h"
#include "harness.h"

namespace {

using Bytes = std::vector<uint8_t>;

Bytes hex(const char *s)
{
	Bytes b;

	for (; s[0] && s[1]; s += 2) {
		unsigned v;

		sscanf(s, "%2x", &v);
		b.push_back(static_cast<uint8_t>(v));
	}
	return b;
}

// The ClientHello of RFC 9001 A.2 (inside the client's QUIC Initial):
// SNI example.com, ALPN "alpn", supported_versions TLS 1.3.
const Bytes kClientHello = hex(
	"010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff");

// The ServerHello of RFC 9001 A.3: TLS_AES_128_GCM_SHA256, TLS 1.3.
const Bytes kServerHello = hex(
	"020000560303eefce7f7b37ba1d1632e96677825ddf73988cfc79825df566dc5430b9a045a1200130100002e0033"
	"0024001d00209d3c940d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00020304");

void put16(Bytes &b, size_t v)
{
	b.push_back(static_cast<uint8_t>(v >> 8));
	b.push_back(static_cast<uint8_t>(v));
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes b;

	for (const Bytes &p : parts)
		b.insert(b.end(), p.begin(), p.end());
	return b;
}

// `prefix`-byte length, then the data.
Bytes vec(unsigned prefix, const Bytes &data)
{
	Bytes b;

	if (prefix == 1)
		b.push_back(static_cast<uint8_t>(data.size()));
	else
		put16(b, data.size());
	return cat({ b, data });
}

Bytes ext(uint16_t type, const Bytes &data)
{
	Bytes b;

	put16(b, type);
	return cat({ b, vec(2, data) });
}

Bytes sni(const std::string &host)
{
	return ext(0, vec(2, cat({ { 0 }, vec(2, Bytes(host.begin(), host.end())) })));
}

Bytes alpn(const std::vector<std::string> &names)
{
	Bytes list;

	for (const std::string &n : names)
		list = cat({ list, vec(1, Bytes(n.begin(), n.end())) });
	return ext(16, vec(2, list));
}

// A handshake message around `body`.
Bytes handshake(uint8_t type, const Bytes &body)
{
	Bytes b = { type, static_cast<uint8_t>(body.size() >> 16) };

	put16(b, body.size());
	return cat({ b, body });
}

// A TLS 1.2-style ClientHello body: version, random, a 32-byte session id,
// three suites, null compression, then `exts` (no block when empty).
Bytes client_body(const Bytes &exts, bool with_ext_block = true)
{
	Bytes b = { 0x03, 0x03 };

	b.insert(b.end(), 32, 0x5a);
	b = cat({ b, vec(1, Bytes(32, 0x33)), vec(2, { 0x13, 0x01, 0xc0, 0x2b, 0xc0, 0x2f }), vec(1, { 0 }) });
	return with_ext_block ? cat({ b, vec(2, exts) }) : b;
}

// A ServerHello body: version, random, empty session id, one suite, null
// compression, then `exts`.
Bytes server_body(const Bytes &exts)
{
	Bytes b = { 0x03, 0x03 };

	b.insert(b.end(), 32, 0x77);
	return cat({ b, { 0x00, 0x13, 0x01, 0x00 }, vec(2, exts) });
}

// TLS records of type 22 carrying `hs`, cut before each offset in `cuts`.
Bytes records(const Bytes &hs, std::vector<size_t> cuts = {})
{
	Bytes out;
	size_t start = 0;

	cuts.push_back(hs.size());
	for (size_t cut : cuts) {
		Bytes rec = { 22, 0x03, 0x01 };

		put16(rec, cut - start);
		rec.insert(rec.end(), hs.begin() + start, hs.begin() + cut);
		out = cat({ out, rec });
		start = cut;
	}
	return out;
}

int parse_records(const Bytes &b, app_tls_hello *h)
{
	return app_tls_parse_records(b.data(), b.size(), h);
}

int parse_handshake(const Bytes &b, app_tls_hello *h)
{
	return app_tls_parse_handshake(b.data(), b.size(), h);
}

TEST(AppTls, RejectsNullArguments)
{
	app_tls_hello h;

	EXPECT_EQ(app_tls_parse_records(kClientHello.data(), kClientHello.size(), nullptr), -EINVAL);
	EXPECT_EQ(app_tls_parse_records(nullptr, 10, &h), -EINVAL);
	EXPECT_EQ(app_tls_parse_handshake(nullptr, 10, &h), -EINVAL);
}

TEST(AppTls, RejectsOtherRecordTypes)
{
	app_tls_hello h;

	for (uint8_t type : { 20, 21, 23, 0x80 }) {
		Bytes b = records(kClientHello);

		b[0] = type;
		EXPECT_EQ(parse_records(b, &h), -EINVAL) << "type " << int(type);
		b.resize(1);
		EXPECT_EQ(parse_records(b, &h), -EINVAL) << "known from the first byte";
	}
}

TEST(AppTls, RejectsBadRecordHeaders)
{
	app_tls_hello h;
	Bytes b = records(kClientHello);

	b[1] = 2;
	EXPECT_EQ(parse_records(b, &h), -EINVAL);
	b = records(kClientHello);
	b[2] = 5;
	EXPECT_EQ(parse_records(b, &h), -EINVAL);
	EXPECT_EQ(parse_records({ 22, 3, 1, 0, 0, 1 }, &h), -EINVAL) << "empty handshake record";
	EXPECT_EQ(parse_records({ 22, 3, 1, 0x48, 0x01, 1 }, &h), -EINVAL) << "longer than any record";
}

TEST(AppTls, RejectsOtherHandshakeMessages)
{
	app_tls_hello h;

	EXPECT_EQ(parse_records(records(handshake(11, Bytes(100, 0))), &h), -EINVAL);   // Certificate
	EXPECT_EQ(parse_handshake(handshake(20, Bytes(32, 0)), &h), -EINVAL);   // Finished
	EXPECT_EQ(parse_handshake({ 4 }, &h), -EINVAL);   // NewSessionTicket, known at once
}

TEST(AppTls, RejectsLyingLengths)
{
	app_tls_hello h;
	Bytes exts = cat({ sni("a.example"), alpn({ "h2" }) });
	Bytes good = handshake(1, client_body(exts));
	Bytes b;

	ASSERT_EQ(parse_handshake(good, &h), 0);
	b = good;
	b[3] -= 1;   // the message ends one byte before its extensions do
	EXPECT_EQ(parse_handshake(b, &h), -EINVAL);
	b = handshake(1, cat({ client_body(exts), { 0 } }));   // a byte after the extensions
	EXPECT_EQ(parse_handshake(b, &h), -EINVAL);
	b = good;
	b[4 + 2 + 32 + 1 + 32 + 2 + 6 + 2 + 1] += 1;   // extensions block longer than the message
	EXPECT_EQ(parse_handshake(b, &h), -EINVAL);
	b = good;
	b[4 + 2 + 32] = 33;   // session id
	EXPECT_EQ(parse_handshake(b, &h), -EINVAL);
	b = good;
	b[4 + 2 + 32 + 1 + 32 + 1] = 0x99;   // cipher suites beyond the message
	EXPECT_EQ(parse_handshake(b, &h), -EINVAL);
	// The SNI list says one byte more than its extension holds.
	Bytes bad_sni = sni("a.example");
	bad_sni[5] += 1;
	EXPECT_EQ(parse_handshake(handshake(1, client_body(bad_sni)), &h), -EINVAL);
	Bytes bad_alpn = alpn({ "h2", "http/1.1" });
	bad_alpn[6] += 1;   // the second name overruns the list
	EXPECT_EQ(parse_handshake(handshake(1, client_body(bad_alpn)), &h), -EINVAL);
	EXPECT_EQ(parse_handshake(handshake(1, Bytes(20, 3)), &h), -EINVAL) << "shorter than any hello";
	EXPECT_EQ(parse_handshake({ 1, 0xff, 0xff, 0xff }, &h), -EINVAL) << "longer than any hello";
}

TEST(AppTls, RejectsMalformedFields)
{
	app_tls_hello h;
	Bytes body = client_body({});

	body[2 + 32 + 1 + 32 + 1] = 5;   // odd cipher suites length
	EXPECT_EQ(parse_handshake(handshake(1, body), &h), -EINVAL);
	EXPECT_EQ(parse_handshake(handshake(1, client_body(sni(std::string(256, 'h')))), &h), -EINVAL);
	EXPECT_EQ(parse_handshake(handshake(1, client_body(alpn({ "h2", "" }))), &h), -EINVAL);
	EXPECT_EQ(parse_handshake(handshake(1, client_body(ext(43, { 3, 3, 4, 3 }))), &h), -EINVAL)
		<< "odd supported_versions list";
	EXPECT_EQ(parse_handshake(handshake(2, server_body(ext(43, { 3, 4, 0 }))), &h), -EINVAL)
		<< "a ServerHello selects exactly one version";
	EXPECT_EQ(parse_handshake(handshake(2, server_body(ext(43, { 3, 4 }))), &h), 0);
}

// Every cut of a valid hello is a valid prefix: -EAGAIN, and an SNI found
// on the way is the final one.
void expect_prefixes_are_again(const Bytes &b, bool in_records, const char *sni_text)
{
	app_tls_hello h;

	for (size_t n = 0; n < b.size(); n++) {
		int rc = in_records ? app_tls_parse_records(b.data(), n, &h) : app_tls_parse_handshake(b.data(), n, &h);

		ASSERT_EQ(rc, -EAGAIN) << n << " bytes";
		// A host name cut short is not shown at all.
		ASSERT_STREQ(h.sni, h.sni_len > 0 ? sni_text : "") << n << " bytes";
		ASSERT_EQ(h.alpn_count, 0) << "lists are dropped until complete";
	}
	ASSERT_EQ(in_records ? parse_records(b, &h) : parse_handshake(b, &h), 0);
	EXPECT_STREQ(h.sni, sni_text);
}

TEST(AppTls, EveryPrefixOfABareHelloIsAgain)
{
	expect_prefixes_are_again(kClientHello, false, "example.com");
}

TEST(AppTls, EveryPrefixOfAHelloInOneRecordIsAgain)
{
	expect_prefixes_are_again(records(kClientHello), true, "example.com");
}

TEST(AppTls, EveryPrefixOfAHelloSplitAcrossRecordsIsAgain)
{
	// Cut inside the handshake header, inside the host name, inside ALPN.
	expect_prefixes_are_again(records(kClientHello, { 2, 60, 90, 91 }), true, "example.com");
}

TEST(AppTls, ParsesRfc9001ClientHello)
{
	app_tls_hello h;

	ASSERT_EQ(parse_handshake(kClientHello, &h), 0);
	EXPECT_EQ(h.type, APP_TLS_CLIENT_HELLO);
	EXPECT_EQ(h.record_version, 0);
	EXPECT_EQ(h.legacy_version, 0x0303);
	EXPECT_EQ(h.length, 0xedu);
	EXPECT_EQ(h.cipher_suite_count, 2);   // 0x1301, 0x1302
	EXPECT_EQ(h.extension_count, 11);
	EXPECT_STREQ(h.sni, "example.com");
	EXPECT_EQ(h.sni_len, 11);
	ASSERT_EQ(h.alpn_count, 1);
	EXPECT_STREQ(h.alpn[0].name, "alpn");
	ASSERT_EQ(h.version_count, 1);
	EXPECT_EQ(h.versions[0], 0x0304);
}

TEST(AppTls, ParsesHelloSplitAcrossRecords)
{
	app_tls_hello h;
	Bytes b = records(kClientHello, { 1, 2, 3, 62, 100 });

	b = cat({ b, { 20, 3, 3, 0, 1, 1 } });   // a ChangeCipherSpec after it is not read
	ASSERT_EQ(parse_records(b, &h), 0);
	EXPECT_EQ(h.record_version, 0x0301);
	EXPECT_STREQ(h.sni, "example.com");
	EXPECT_STREQ(h.alpn[0].name, "alpn");
	EXPECT_EQ(h.versions[0], 0x0304);
}

TEST(AppTls, ParsesServerHelloSelectedVersion)
{
	app_tls_hello h;

	ASSERT_EQ(parse_records(records(kServerHello), &h), 0);
	EXPECT_EQ(h.type, APP_TLS_SERVER_HELLO);
	EXPECT_EQ(h.cipher_suite, 0x1301);
	EXPECT_EQ(h.selected_version, 0x0304);
	EXPECT_FALSE(h.hello_retry);
	EXPECT_EQ(h.sni_len, 0);
}

TEST(AppTls, RecognisesHelloRetryRequest)
{
	app_tls_hello h;
	Bytes b = kServerHello;
	const Bytes hrr = hex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

	std::copy(hrr.begin(), hrr.end(), b.begin() + 6);
	ASSERT_EQ(parse_handshake(b, &h), 0);
	EXPECT_TRUE(h.hello_retry);
}

TEST(AppTls, StoresFirstEightAlpnNamesAndCountsAll)
{
	app_tls_hello h;
	std::vector<std::string> names = { "h2", std::string(40, 'x'), "http/1.1", "a", "b", "c", "d", "e", "f", "g" };

	ASSERT_EQ(parse_handshake(handshake(1, client_body(alpn(names))), &h), 0);
	EXPECT_EQ(h.alpn_total, 10);
	ASSERT_EQ(h.alpn_count, 8);
	EXPECT_STREQ(h.alpn[0].name, "h2");
	EXPECT_STREQ(h.alpn[1].name, "http/1.1") << "a name too long to store is skipped";
	EXPECT_STREQ(h.alpn[7].name, "f");
}

TEST(AppTls, KeepsGreaseAndCountsAllVersions)
{
	app_tls_hello h;
	Bytes list = { 0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03 };

	for (int i = 0; i < 8; i++)
		list.insert(list.end(), { 0x03, 0x01 });
	ASSERT_EQ(parse_handshake(handshake(1, client_body(ext(43, vec(1, list)))), &h), 0);
	EXPECT_EQ(h.version_total, 11);
	ASSERT_EQ(h.version_count, APP_TLS_MAX_VERSIONS);
	EXPECT_EQ(h.versions[0], 0x7a7a);
	EXPECT_EQ(h.versions[1], 0x0304);
}

TEST(AppTls, ParsesHelloWithoutExtensions)
{
	app_tls_hello h;

	ASSERT_EQ(parse_records(records(handshake(1, client_body({}, false))), &h), 0);
	EXPECT_EQ(h.sni_len, 0);
	EXPECT_EQ(h.extension_count, 0);
}

// ---- real captures --------------------------------------------------------

struct L4 {
	uint16_t sport, dport;
	Bytes data;
};

uint16_t rd16(const uint8_t *p)
{
	return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

// TCP payloads of a capture: Ethernet, 802.1Q tags, IPv4 (first fragments
// only; total length 0 taken as TSO) or IPv6 (no extension headers).
// Enough for the captures used here; not a general decoder.
std::vector<L4> tcp_payloads(const std::string &path)
{
	std::vector<L4> out;

	for (const harness::Packet &p : harness::read_pcap(path)) {
		const auto *d = reinterpret_cast<const uint8_t *>(p.bytes.data());
		size_t n = p.bytes.size(), off = 14, end;
		uint16_t type;
		uint8_t proto;

		if (n < 14)
			continue;
		type = rd16(d + 12);
		while ((type == 0x8100 || type == 0x88a8) && off + 4 <= n) {
			type = rd16(d + off + 2);
			off += 4;
		}
		if (type == 0x0800 && off + 20 <= n) {
			if (rd16(d + off + 6) & 0x1fff)
				continue;
			proto = d[off + 9];
			end = rd16(d + off + 2) ? off + rd16(d + off + 2) : n;
			off += (d[off] & 0xf) * 4u;
		} else if (type == 0x86dd && off + 40 <= n) {
			proto = d[off + 6];
			end = off + 40 + rd16(d + off + 4);
			off += 40;
		} else {
			continue;
		}
		end = std::min(end, n);
		if (proto != 6 || off + 20 > end)
			continue;
		L4 l4 = { rd16(d + off), rd16(d + off + 2), {} };
		off += (d[off + 12] >> 4) * 4u;
		if (off < end) {
			l4.data.assign(d + off, d + end);
			out.push_back(l4);
		}
	}
	return out;
}

// The first data segment sent to (to_server) or from port 443.
Bytes first_segment(const std::string &capture, bool to_server)
{
	for (const L4 &p : tcp_payloads(harness::data_file(capture)))
		if ((to_server ? p.dport : p.sport) == 443)
			return p.data;
	return {};
}

std::set<std::string> expected(const std::string &capture, const char *key)
{
	std::set<std::string> out;
	json_t *root = harness::load_json(harness::data_file(capture + ".expected.json"));
	json_t *v;
	size_t i;

	if (!root)
		ADD_FAILURE() << "cannot read the expectations of " << capture;
	json_array_foreach(json_object_get(root, key), i, v)
		out.insert(json_string_value(v));
	json_decref(root);
	return out;
}

// Every TCP payload, whatever its port, goes through the decoder; the SNIs
// of the ClientHellos must be tshark's.
std::set<std::string> snis(const std::string &capture)
{
	std::set<std::string> out;
	app_tls_hello h;

	for (const L4 &p : tcp_payloads(harness::data_file(capture)))
		if (parse_records(p.data, &h) == 0 && h.type == APP_TLS_CLIENT_HELLO && h.sni_len > 0)
			out.insert(h.sni);
	return out;
}

std::vector<std::string> alpn_names(const app_tls_hello &h)
{
	std::vector<std::string> out;

	for (unsigned i = 0; i < h.alpn_count; i++)
		out.push_back(h.alpn[i].name);
	return out;
}

TEST(AppTls, ParsesChrome34Tls12Handshake)
{
	const char *cap = "zeek__tls__chrome-34-google.pcap";
	app_tls_hello h;

	EXPECT_EQ(snis(cap), expected(cap, "tls_snis"));
	ASSERT_EQ(parse_records(first_segment(cap, true), &h), 0);
	EXPECT_STREQ(h.sni, "google.de");
	EXPECT_EQ(alpn_names(h), (std::vector<std::string>{ "spdy/3", "spdy/3.1", "http/1.1" }));
	EXPECT_EQ(h.version_count, 0) << "no supported_versions before TLS 1.3";
	ASSERT_EQ(parse_records(first_segment(cap, false), &h), 0);
	EXPECT_EQ(h.type, APP_TLS_SERVER_HELLO);
	EXPECT_EQ(h.legacy_version, 0x0303);
	EXPECT_EQ(h.selected_version, 0);
	EXPECT_EQ(alpn_names(h), (std::vector<std::string>{ "spdy/3.1" }));
}

TEST(AppTls, ParsesChrome125Tls13HelloWithKyberKeyShare)
{
	const char *cap = "zeek__tls__chrome-1250-tls-x25519-kyber.pcap";
	app_tls_hello h;

	EXPECT_EQ(snis(cap), expected(cap, "tls_snis"));
	ASSERT_EQ(parse_records(first_segment(cap, true), &h), 0);
	EXPECT_STREQ(h.sni, "lh3.google.com");
	EXPECT_GT(h.length, 1500u);
	EXPECT_NE(std::find(h.versions, h.versions + h.version_count, 0x0304), h.versions + h.version_count);
	ASSERT_EQ(parse_records(first_segment(cap, false), &h), 0);
	EXPECT_EQ(h.type, APP_TLS_SERVER_HELLO);
	EXPECT_EQ(h.selected_version, 0x0304);
}

TEST(AppTls, FindsTsharkSnisInMixedCapture)
{
	const char *cap = "sv__base64-decode-5885__input.pcap";

	EXPECT_EQ(snis(cap), expected(cap, "tls_snis"));
}

// Whatever the port, no payload of any capture may upset the decoder (run
// under the sanitizers to mean something).
TEST(AppTls, SurvivesEveryPayloadOfEveryCapture)
{
	DIR *dir = opendir(harness::data_dir().c_str());
	struct dirent *e;
	unsigned payloads = 0;
	app_tls_hello h;

	ASSERT_NE(dir, nullptr);
	while ((e = readdir(dir)) != nullptr) {
		std::string name = e->d_name;

		if (name.size() < 5 || name.compare(name.size() - 5, 5, ".pcap") != 0)
			continue;
		for (const L4 &p : tcp_payloads(harness::data_dir() + "/" + name)) {
			parse_records(p.data, &h);
			parse_handshake(p.data, &h);
			payloads++;
		}
	}
	closedir(dir);
	EXPECT_GT(payloads, 500u);
}

}  // namespace
