// DNS message decoder: hostile names and lying lengths first, then real
// queries and responses over UDP and TCP, then the names in real captures
// against what tshark found.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "app_dns.h"
#include "harness.h"

namespace {

using Bytes = std::vector<uint8_t>;

int parse(const Bytes &b, app_dns_msg *m, unsigned flags = 0)
{
	return app_dns_parse(b.data(), b.size(), flags, m);
}

std::string addr4(const app_dns_rr &rr)
{
	char s[16];

	snprintf(s, sizeof(s), "%u.%u.%u.%u", rr.addr[0], rr.addr[1], rr.addr[2], rr.addr[3]);
	return s;
}

// A query for www.example.com, type A, class IN, recursion desired.
const Bytes kQuery = {
	0x1a, 0x2b, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00,
	0x00, 0x01, 0x00, 0x01,
};

// Its answer: a CNAME to web.example.com (compressed against the question)
// and that name's A and AAAA (compressed against the CNAME's data).
const Bytes kResponse = {
	0x1a, 0x2b, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	/* 12: question */
	0x03, 'W', 'w', 'W', 0x07, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00,
	0x00, 0x01, 0x00, 0x01,
	/* 33: www.example.com CNAME web.example.com, TTL 3600 */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x06,
	/* 45 */ 0x03, 'w', 'e', 'b', 0xc0, 0x10,
	/* 51: web.example.com A 93.184.216.34, TTL 300 */
	0xc0, 0x2d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
	93, 184, 216, 34,
	/* 67: web.example.com AAAA 2606:2800:220:1:248:1893:25c8:1946 */
	0xc0, 0x2d, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,
	0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01, 0x02, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46,
};

// A header with the given counts followed by `body`.
Bytes message(uint16_t qd, uint16_t an, const Bytes &body, uint16_t flags = 0x8180)
{
	Bytes b = { 0x00, 0x01, static_cast<uint8_t>(flags >> 8), static_cast<uint8_t>(flags),
		    0x00, static_cast<uint8_t>(qd), 0x00, static_cast<uint8_t>(an), 0, 0, 0, 0 };

	b.insert(b.end(), body.begin(), body.end());
	return b;
}

Bytes labels(const std::vector<std::string> &parts)
{
	Bytes b;

	for (const std::string &p : parts) {
		b.push_back(static_cast<uint8_t>(p.size()));
		b.insert(b.end(), p.begin(), p.end());
	}
	b.push_back(0);
	return b;
}

Bytes tcp(const Bytes &msg)
{
	Bytes b = { static_cast<uint8_t>(msg.size() >> 8), static_cast<uint8_t>(msg.size()) };

	b.insert(b.end(), msg.begin(), msg.end());
	return b;
}

TEST(AppDns, RejectsNullArguments)
{
	app_dns_msg m;
	size_t used;

	EXPECT_EQ(app_dns_parse(kQuery.data(), kQuery.size(), 0, nullptr), -EINVAL);
	EXPECT_EQ(app_dns_parse(nullptr, 12, 0, &m), -EINVAL);
	EXPECT_EQ(app_dns_parse_tcp(nullptr, 12, 0, &m, &used), -EINVAL);
}

TEST(AppDns, RejectsReservedOpcodes)
{
	app_dns_msg m;

	for (unsigned opcode : { 3u, 7u, 15u }) {
		Bytes b = kQuery;

		b[2] = static_cast<uint8_t>((b[2] & 0x87) | opcode << 3);
		EXPECT_EQ(parse(b, &m), -EINVAL) << "opcode " << opcode;
		b.resize(3);
		EXPECT_EQ(parse(b, &m), -EINVAL) << "known from the third byte on";
	}
}

TEST(AppDns, RejectsPointerToItself)
{
	app_dns_msg m;

	EXPECT_EQ(parse(message(1, 0, { 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01 }), &m), -EINVAL);
}

TEST(AppDns, RejectsForwardPointer)
{
	app_dns_msg m;

	EXPECT_EQ(parse(message(1, 0, { 0xc0, 0x12, 0x00, 0x01, 0x00, 0x01, 0x01, 'a', 0x00 }), &m), -EINVAL);
}

TEST(AppDns, RejectsPointerBackIntoItsOwnName)
{
	app_dns_msg m;

	// "a" then a pointer to the "a": backwards from the pointer, yet a loop.
	EXPECT_EQ(parse(message(1, 0, { 0x01, 'a', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01 }), &m), -EINVAL);
	// Two names pointing at each other.
	Bytes loop = message(2, 0, { 0x01, 'a', 0xc0, 0x14, 0x00, 0x01, 0x00, 0x01,
				     0x01, 'b', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01 });
	EXPECT_EQ(parse(loop, &m), -EINVAL);
}

// A chain of `pointers` pointers, each to the one before it (always
// backwards, so only the jump limit stops a long chain), kept in the data
// of a NULL record; the next record's owner name enters it at the top.
Bytes pointer_chain(unsigned pointers)
{
	Bytes body = { 0x00, 0x00, 0x01, 0x00, 0x01,            // 12: root question
		       0x00, 0x00, 0x0a, 0x00, 0x01, 0, 0, 0, 0,  // 17: root NULL record
		       static_cast<uint8_t>(pointers * 2 >> 8), static_cast<uint8_t>(pointers * 2) };
	size_t prev = 12;

	for (unsigned i = 0; i < pointers; i++) {
		size_t here = 12 + body.size();

		body.push_back(static_cast<uint8_t>(0xc0 | prev >> 8));
		body.push_back(static_cast<uint8_t>(prev));
		prev = here;
	}
	body.push_back(static_cast<uint8_t>(0xc0 | prev >> 8));
	body.push_back(static_cast<uint8_t>(prev));
	body.insert(body.end(), { 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 });
	return message(1, 2, body);
}

TEST(AppDns, BoundsPointerChains)
{
	app_dns_msg m;

	EXPECT_EQ(parse(pointer_chain(1000), &m), -EINVAL);
	ASSERT_EQ(parse(pointer_chain(8), &m), 0) << "a short chain is merely odd";
	EXPECT_EQ(m.answer_count, 2);
}

TEST(AppDns, RejectsNamesOver255Bytes)
{
	app_dns_msg m;
	std::string l63(63, 'x'), l61(61, 'y');
	Bytes body = labels({ l63, l63, l63, l63 });

	body.insert(body.end(), { 0x00, 0x01, 0x00, 0x01 });
	EXPECT_EQ(parse(message(1, 0, body), &m), -EINVAL);

	body = labels({ l63, l63, l63, l61 });   // exactly 255 bytes on the wire
	body.insert(body.end(), { 0x00, 0x01, 0x00, 0x01 });
	ASSERT_EQ(parse(message(1, 0, body), &m), 0);
	EXPECT_EQ(m.qname_len, 253);
	EXPECT_EQ(strlen(m.qname), 253u);
}

TEST(AppDns, RejectsExtendedLabelTypes)
{
	app_dns_msg m;

	EXPECT_EQ(parse(message(1, 0, { 0x41, 'a', 0x00, 0x00, 0x01, 0x00, 0x01 }), &m), -EINVAL);
	EXPECT_EQ(parse(message(1, 0, { 0x81, 'a', 0x00, 0x00, 0x01, 0x00, 0x01 }), &m), -EINVAL);
}

TEST(AppDns, RejectsAddressOfWrongSize)
{
	app_dns_msg m;
	Bytes b = kResponse;

	b[62] = 5;   // the A record's RDLENGTH, with the AAAA shifted into it
	EXPECT_EQ(parse(b, &m), -EINVAL);
}

TEST(AppDns, RejectsNameOverrunningItsRecord)
{
	app_dns_msg m;
	Bytes b = kResponse;

	b[44] = 4;   // the CNAME's RDLENGTH cuts "web" + pointer short
	EXPECT_EQ(parse(b, &m), -EINVAL);
}

TEST(AppDns, LyingAnswerCountIsAgainWithWhatWasDecoded)
{
	app_dns_msg m;
	Bytes b = kResponse;

	b[7] = 5;   // ANCOUNT 5, three present
	ASSERT_EQ(parse(b, &m), -EAGAIN);
	EXPECT_TRUE(m.has_question);
	EXPECT_STREQ(m.qname, "WwW.Example.com");
	EXPECT_EQ(m.answer_count, 3);
}

TEST(AppDns, TcpLengthThatDisagreesWithContentIsInvalid)
{
	app_dns_msg m;
	size_t used = 99;
	Bytes b = tcp(kResponse);

	b[1] -= 10;   // the prefix now ends inside the AAAA record
	EXPECT_EQ(app_dns_parse_tcp(b.data(), b.size(), 0, &m, &used), -EINVAL);
	EXPECT_EQ(used, 0u);
	b = { 0x00, 0x05, 1, 2, 3, 4, 5 };
	EXPECT_EQ(app_dns_parse_tcp(b.data(), b.size(), 0, &m, &used), -EINVAL) << "shorter than a header";
}

TEST(AppDns, EveryPrefixOfAResponseIsAgain)
{
	app_dns_msg full, m;

	ASSERT_EQ(parse(kResponse, &full), 0);
	for (size_t n = 0; n < kResponse.size(); n++) {
		SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
		ASSERT_EQ(app_dns_parse(kResponse.data(), n, 0, &m), -EAGAIN);
		if (m.has_question) {
			EXPECT_STREQ(m.qname, full.qname);
		}
		ASSERT_LE(m.answer_count, full.answer_count);
		for (unsigned i = 0; i < m.answer_count; i++) {
			EXPECT_EQ(m.answers[i].type, full.answers[i].type);
			EXPECT_STREQ(m.answers[i].name, full.answers[i].name);
			EXPECT_EQ(memcmp(m.answers[i].addr, full.answers[i].addr, 16), 0);
		}
	}
}

TEST(AppDns, EveryPrefixOverTcpIsAgain)
{
	app_dns_msg m;
	Bytes b = tcp(kResponse);
	size_t used;

	for (size_t n = 0; n < b.size(); n++)
		ASSERT_EQ(app_dns_parse_tcp(b.data(), n, 0, &m, &used), -EAGAIN) << n << " bytes";
	ASSERT_EQ(app_dns_parse_tcp(b.data(), b.size(), 0, &m, &used), 0);
	EXPECT_EQ(used, b.size());
}

TEST(AppDns, ParsesQuery)
{
	app_dns_msg m;

	ASSERT_EQ(parse(kQuery, &m), 0);
	EXPECT_EQ(m.id, 0x1a2b);
	EXPECT_FALSE(m.qr);
	EXPECT_TRUE(m.rd);
	EXPECT_EQ(m.opcode, 0);
	EXPECT_TRUE(m.has_question);
	EXPECT_STREQ(m.qname, "www.example.com");
	EXPECT_EQ(m.qname_len, 15);
	EXPECT_EQ(m.qtype, APP_DNS_TYPE_A);
	EXPECT_EQ(m.qclass, 1);
	EXPECT_EQ(m.answer_count, 0);
}

TEST(AppDns, ParsesCompressedResponse)
{
	app_dns_msg m;

	ASSERT_EQ(parse(kResponse, &m), 0);
	EXPECT_TRUE(m.qr);
	EXPECT_TRUE(m.ra);
	EXPECT_EQ(m.rcode, 0);
	EXPECT_STREQ(m.qname, "WwW.Example.com") << "case kept unless asked";
	ASSERT_EQ(m.answer_count, 3);
	EXPECT_EQ(m.answers[0].type, APP_DNS_TYPE_CNAME);
	EXPECT_EQ(m.answers[0].ttl, 3600u);
	EXPECT_TRUE(m.answers[0].has_name);
	EXPECT_STREQ(m.answers[0].name, "web.Example.com");
	EXPECT_EQ(m.answers[1].type, APP_DNS_TYPE_A);
	EXPECT_EQ(m.answers[1].addr_len, 4);
	EXPECT_EQ(addr4(m.answers[1]), "93.184.216.34");
	EXPECT_EQ(m.answers[2].type, APP_DNS_TYPE_AAAA);
	EXPECT_EQ(m.answers[2].addr_len, 16);
	EXPECT_EQ(m.answers[2].addr[0], 0x26);
	EXPECT_EQ(m.answers[2].addr[15], 0x46);
}

TEST(AppDns, LowerCasesNamesWhenAsked)
{
	app_dns_msg m;

	ASSERT_EQ(parse(kResponse, &m, APP_DNS_LOWER), 0);
	EXPECT_STREQ(m.qname, "www.example.com");
	EXPECT_STREQ(m.answers[0].name, "web.example.com");
}

TEST(AppDns, ParsesRootAndShowsControlBytes)
{
	app_dns_msg m;

	ASSERT_EQ(parse(message(1, 0, { 0x00, 0x00, 0x02, 0x00, 0x01 }, 0x0100), &m), 0);
	EXPECT_STREQ(m.qname, "");
	EXPECT_EQ(m.qtype, APP_DNS_TYPE_NS);
	Bytes body = { 0x03, 'a', 0x00, 0x0a, 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01 };
	ASSERT_EQ(parse(message(1, 0, body, 0x0100), &m), 0);
	EXPECT_STREQ(m.qname, "a??.com");
}

TEST(AppDns, ParsesMdnsQuestionWithUnicastBit)
{
	app_dns_msg m;
	Bytes body = labels({ "_googlecast", "_tcp", "local" });

	body.insert(body.end(), { 0x00, 0x0c, 0x80, 0x01 });
	ASSERT_EQ(parse(message(1, 0, body, 0x0000), &m), 0);
	EXPECT_STREQ(m.qname, "_googlecast._tcp.local");
	EXPECT_EQ(m.qtype, APP_DNS_TYPE_PTR);
	EXPECT_EQ(m.qclass & APP_DNS_CLASS_MASK, 1);
	EXPECT_EQ(m.qclass, 0x8001);
}

TEST(AppDns, StoresTheFirstSixteenAnswers)
{
	app_dns_msg m;
	Bytes body = labels({ "many", "example" });

	body.insert(body.end(), { 0x00, 0x01, 0x00, 0x01 });
	for (uint8_t i = 0; i < 20; i++)
		body.insert(body.end(), { 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0, 4, 10, 0, 0, i });
	ASSERT_EQ(parse(message(1, 20, body), &m), 0);
	ASSERT_EQ(m.answer_count, APP_DNS_MAX_ANSWERS);
	EXPECT_EQ(m.ancount, 20);
	EXPECT_EQ(addr4(m.answers[15]), "10.0.0.15");
}

TEST(AppDns, ParsesTwoMessagesInOneTcpSegment)
{
	app_dns_msg m;
	Bytes seg = tcp(kQuery), second = tcp(kResponse);
	size_t used;

	seg.insert(seg.end(), second.begin(), second.end());
	ASSERT_EQ(app_dns_parse_tcp(seg.data(), seg.size(), 0, &m, &used), 0);
	EXPECT_FALSE(m.qr);
	ASSERT_EQ(used, kQuery.size() + 2);
	ASSERT_EQ(app_dns_parse_tcp(seg.data() + used, seg.size() - used, 0, &m, &used), 0);
	EXPECT_TRUE(m.qr);
	EXPECT_EQ(m.answer_count, 3);
	EXPECT_EQ(used, kResponse.size() + 2);
}

// ---- real captures --------------------------------------------------------

struct L4 {
	bool tcp;
	uint16_t sport, dport;
	Bytes data;
};

uint16_t rd16(const uint8_t *p)
{
	return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

// TCP and UDP payloads of a capture: Ethernet, 802.1Q/802.1ad tags, IPv4
// (first fragments only) or IPv6 (no extension headers). Enough for the
// captures used here; not a general decoder.
std::vector<L4> l4_payloads(const std::string &path)
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
			end = rd16(d + off + 2) ? off + rd16(d + off + 2) : n;   // 0: TSO
			off += (d[off] & 0xf) * 4u;
		} else if (type == 0x86dd && off + 40 <= n) {
			proto = d[off + 6];
			end = off + 40 + rd16(d + off + 4);
			off += 40;
		} else {
			continue;
		}
		end = std::min(end, n);
		if ((proto != 6 && proto != 17) || off + 8 > end)
			continue;
		L4 l4 = { proto == 6, rd16(d + off), rd16(d + off + 2), {} };
		if (proto == 6 && off + 20 > end)
			continue;
		off += proto == 6 ? (d[off + 12] >> 4) * 4u : 8;
		if (off < end) {
			l4.data.assign(d + off, d + end);
			out.push_back(l4);
		}
	}
	return out;
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

bool dns_port(uint16_t port)
{
	return port == 53 || port == 5353 || port == 5355;   // DNS, mDNS, LLMNR
}

// Question names of every message on the DNS ports, lower-cased as tshark's
// expectations are.
std::set<std::string> qnames(const std::string &capture)
{
	std::set<std::string> names;
	app_dns_msg m;

	for (const L4 &p : l4_payloads(harness::data_file(capture))) {
		if (!dns_port(p.sport) && !dns_port(p.dport))
			continue;
		if (!p.tcp) {
			if (app_dns_parse(p.data.data(), p.data.size(), APP_DNS_LOWER, &m) == 0 && m.has_question)
				names.insert(m.qname);
			continue;
		}
		size_t off = 0, used;
		while (off < p.data.size() &&
		       app_dns_parse_tcp(p.data.data() + off, p.data.size() - off, APP_DNS_LOWER, &m, &used) == 0) {
			if (m.has_question)
				names.insert(m.qname);
			off += used;
		}
	}
	return names;
}

TEST(AppDns, FindsTsharkNamesInWikipediaCapture)
{
	// DNS over IPv4, mDNS and LLMNR over IPv4 and IPv6.
	EXPECT_EQ(qnames("zeek__wikipedia.pcap"), expected("zeek__wikipedia.pcap", "dns_qnames"));
}

TEST(AppDns, FindsTsharkNamesInMixedCapture)
{
	const char *cap = "sv__base64-decode-5885__input.pcap";

	EXPECT_EQ(qnames(cap), expected(cap, "dns_qnames"));
}

TEST(AppDns, ParsesResponseOverTcpFromCapture)
{
	const char *cap = "sv__dns__dns-tcp-www-google-com__dns.pcap";
	unsigned responses = 0;
	app_dns_msg m;
	size_t used;

	EXPECT_EQ(qnames(cap), expected(cap, "dns_qnames"));
	for (const L4 &p : l4_payloads(harness::data_file(cap))) {
		if (p.sport != 53 || p.data.empty())
			continue;
		ASSERT_EQ(app_dns_parse_tcp(p.data.data(), p.data.size(), 0, &m, &used), 0);
		EXPECT_EQ(used, p.data.size());
		EXPECT_STREQ(m.qname, "www.google.com");
		EXPECT_EQ(m.ancount, 12);
		ASSERT_EQ(m.answer_count, 12);
		EXPECT_EQ(addr4(m.answers[0]), "216.197.242.244");
		EXPECT_EQ(addr4(m.answers[11]), "216.197.242.216");
		responses++;
	}
	EXPECT_EQ(responses, 1u);
}

TEST(AppDns, DecodesCaptureWithCorruptChecksums)
{
	const char *cap = "zeek__dns__dns-corrupt.pcap";
	std::vector<L4> pkts = l4_payloads(harness::data_file(cap));
	app_dns_msg m;

	EXPECT_EQ(qnames(cap), expected(cap, "dns_qnames"));
	ASSERT_EQ(pkts.size(), 2u);
	ASSERT_EQ(parse(pkts[1].data, &m), 0);
	ASSERT_EQ(m.answer_count, 2);
	EXPECT_EQ(addr4(m.answers[0]), "192.0.78.212");
	EXPECT_EQ(addr4(m.answers[1]), "192.0.78.150");
}

// Whatever the port, no payload of any capture may upset the decoder (run
// under the sanitizers to mean something).
TEST(AppDns, SurvivesEveryPayloadOfEveryCapture)
{
	DIR *dir = opendir(harness::data_dir().c_str());
	struct dirent *e;
	unsigned payloads = 0;
	app_dns_msg m;
	size_t used;

	ASSERT_NE(dir, nullptr);
	while ((e = readdir(dir)) != nullptr) {
		std::string name = e->d_name;

		if (name.size() < 5 || name.compare(name.size() - 5, 5, ".pcap") != 0)
			continue;
		for (const L4 &p : l4_payloads(harness::data_dir() + "/" + name)) {
			app_dns_parse(p.data.data(), p.data.size(), 0, &m);
			app_dns_parse_tcp(p.data.data(), p.data.size(), APP_DNS_LOWER, &m, &used);
			payloads++;
		}
	}
	closedir(dir);
	EXPECT_GT(payloads, 1000u);
}

}  // namespace
