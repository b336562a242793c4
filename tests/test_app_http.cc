// HTTP/1.x head decoder: hostile and cut-short input first, then real
// requests and responses, then the hosts and URIs of real captures against
// what tshark found in them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "app_http.h"
#include "harness.h"

namespace {

// The result's slices point into the bytes parsed: keep the last input
// alive until the next call, so tests may pass temporaries.
std::string last_input;

int parse(const std::string &s, app_http_msg *m)
{
	last_input = s;
	return app_http_parse(reinterpret_cast<const uint8_t *>(last_input.data()), last_input.size(), m);
}

std::string str(app_str s)
{
	return s.ptr ? std::string(s.ptr, s.len) : std::string();
}

const std::string kRequest =
	"GET /wiki/Main_Page?action=view HTTP/1.1\r\n"
	"Host: en.wikipedia.org\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
	"Accept: text/html,application/xhtml+xml\r\n"
	"Accept-Language: en-US,en;q=0.5\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

const std::string kResponse =
	"HTTP/1.1 304 Not Modified\r\n"
	"Date: Fri, 03 Apr 2009 10:29:06 GMT\r\n"
	"Server: Apache\r\n"
	"Content-Type: text/html; charset=utf-8\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

const std::string kSsdp =
	"M-SEARCH * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"MAN: \"ssdp:discover\"\r\n"
	"MX: 1\r\n"
	"ST: urn:dial-multiscreen-org:service:dial:1\r\n"
	"\r\n";

TEST(AppHttp, RejectsNullArguments)
{
	app_http_msg m;

	EXPECT_EQ(app_http_parse(reinterpret_cast<const uint8_t *>("GET"), 3, nullptr), -EINVAL);
	EXPECT_EQ(app_http_parse(nullptr, 3, &m), -EINVAL);
	EXPECT_EQ(app_http_parse(nullptr, 0, &m), -EAGAIN);
}

TEST(AppHttp, RejectsOtherProtocols)
{
	app_http_msg m;

	EXPECT_EQ(parse(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), &m), -EINVAL);
	EXPECT_EQ(parse("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("220 ftp.example.com FTP server ready\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("EHLO mail.example.com\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / RTSP/1.0\r\n\r\n", &m), -EINVAL);
	// HTTP/0.9 has no version and no headers; nobody sends it any more.
	EXPECT_EQ(parse("GET /\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(m.kind, APP_HTTP_NONE);
}

TEST(AppHttp, RejectsMalformedRequestLines)
{
	app_http_msg m;

	EXPECT_EQ(parse("get / HTTP/1.1\r\n\r\n", &m), -EINVAL) << "methods are upper case";
	EXPECT_EQ(parse("GET  / HTTP/1.1\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse(" GET / HTTP/1.1\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / HTTP/1.1 \r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / HTTP/x.1\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / HTTP/1.1x\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET /a\x01z HTTP/1.1\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse(std::string(APP_HTTP_METHOD_MAX + 1, 'A') + " / HTTP/1.1\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse(std::string(APP_HTTP_METHOD_MAX, 'A') + " / HTTP/1.1\r\n\r\n", &m), 0);
}

TEST(AppHttp, RejectsMalformedStatusLines)
{
	app_http_msg m;

	EXPECT_EQ(parse("HTTP/1.1 20x OK\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("HTTP/1.1 099 Low\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("HTTP/1.1200 OK\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("HTTP/1.1 2000 OK\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("HTTP/1.1 200 O\x7fK\r\n\r\n", &m), -EINVAL);
}

TEST(AppHttp, RejectsMalformedHeaders)
{
	app_http_msg m;

	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost www.example.com\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost : www.example.com\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / HTTP/1.1\r\n: empty-name\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse(std::string("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 30), &m), -EINVAL);
	// A bare CR is neither a line end nor text.
	EXPECT_EQ(parse("GET / HTTP/1.1\rHost: x\r\n\r\n", &m), -EINVAL);
	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", &m), -EINVAL);
	// A continuation line needs a header to continue.
	EXPECT_EQ(parse("GET / HTTP/1.1\r\n folded\r\n\r\n", &m), -EINVAL);
}

TEST(AppHttp, RejectsLinesBeyondSliceLength)
{
	app_http_msg m;
	std::string uri(70000, 'a');

	EXPECT_EQ(parse("GET /" + uri + " HTTP/1.1\r\n\r\n", &m), -EINVAL);
	// Cut short, the same line is already too long to ever fit.
	EXPECT_EQ(parse("GET /" + uri, &m), -EINVAL);
}

TEST(AppHttp, RequestLineWithoutHeadersIsAgain)
{
	app_http_msg m;

	ASSERT_EQ(parse("GET /index.html HTTP/1.1\r\n", &m), -EAGAIN);
	EXPECT_EQ(m.kind, APP_HTTP_REQUEST);
	EXPECT_EQ(str(m.uri), "/index.html");
	EXPECT_EQ(m.head_len, 0u);
	ASSERT_EQ(parse("GET /index.html HTTP/1.1\r\nHost: example.com\r\n", &m), -EAGAIN);
	EXPECT_EQ(str(m.host), "example.com");
}

// Every cut of a valid head is a valid prefix: -EAGAIN, and whatever the
// result holds already is exactly what the whole message gives.
void expect_prefixes_are_again(const std::string &msg)
{
	app_http_msg full, m;

	ASSERT_EQ(parse(msg, &full), 0);
	for (size_t n = 0; n < msg.size(); n++) {
		SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
		ASSERT_EQ(app_http_parse(reinterpret_cast<const uint8_t *>(msg.data()), n, &m), -EAGAIN);
		EXPECT_EQ(m.head_len, 0u);
		if (m.kind == APP_HTTP_NONE) {
			EXPECT_EQ(m.uri.ptr, nullptr);
			EXPECT_EQ(m.reason.ptr, nullptr);
			continue;
		}
		EXPECT_EQ(m.kind, full.kind);
		EXPECT_EQ(str(m.method_name), str(full.method_name));
		EXPECT_EQ(str(m.uri), str(full.uri));
		EXPECT_EQ(m.status, full.status);
		EXPECT_EQ(str(m.reason), str(full.reason));
		if (m.host.ptr) {
			EXPECT_EQ(str(m.host), str(full.host));
		}
		if (m.user_agent.ptr) {
			EXPECT_EQ(str(m.user_agent), str(full.user_agent));
		}
	}
}

TEST(AppHttp, EveryPrefixOfARequestIsAgain)
{
	expect_prefixes_are_again(kRequest);
}

TEST(AppHttp, EveryPrefixOfAResponseIsAgain)
{
	expect_prefixes_are_again(kResponse);
}

TEST(AppHttp, EveryPrefixOfAnSsdpSearchIsAgain)
{
	expect_prefixes_are_again(kSsdp);
}

TEST(AppHttp, ParsesRequest)
{
	app_http_msg m;

	ASSERT_EQ(parse(kRequest + "trailing body bytes", &m), 0);
	EXPECT_EQ(m.kind, APP_HTTP_REQUEST);
	EXPECT_EQ(m.method, APP_HTTP_M_GET);
	EXPECT_EQ(str(m.method_name), "GET");
	EXPECT_EQ(str(m.uri), "/wiki/Main_Page?action=view");
	EXPECT_EQ(m.version_major, 1);
	EXPECT_EQ(m.version_minor, 1);
	EXPECT_EQ(str(m.host), "en.wikipedia.org");
	EXPECT_EQ(str(m.user_agent), "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0");
	EXPECT_EQ(m.header_count, 5);
	EXPECT_EQ(m.head_len, kRequest.size());
	EXPECT_EQ(m.content_length, -1);
}

TEST(AppHttp, MatchesHeaderNamesWithoutCase)
{
	app_http_msg m;

	ASSERT_EQ(parse("POST /api HTTP/1.0\r\nhOsT: a.example\r\nUSER-AGENT: curl/8.4.0\r\n"
			"content-LENGTH: 42\r\nCONTENT-TYPE: application/json\r\n\r\n",
			&m),
		  0);
	EXPECT_EQ(m.method, APP_HTTP_M_POST);
	EXPECT_EQ(m.version_minor, 0);
	EXPECT_EQ(str(m.host), "a.example");
	EXPECT_EQ(str(m.user_agent), "curl/8.4.0");
	EXPECT_EQ(m.content_length, 42);
	EXPECT_EQ(str(m.content_type), "application/json");
}

TEST(AppHttp, ToleratesLfOnlyLineEnds)
{
	app_http_msg m;
	std::string msg = "GET /lf HTTP/1.1\nHost: lf.example\nUser-Agent: nc\n\n";

	ASSERT_EQ(parse(msg, &m), 0);
	EXPECT_EQ(str(m.uri), "/lf");
	EXPECT_EQ(str(m.host), "lf.example");
	EXPECT_EQ(m.head_len, msg.size());
	ASSERT_EQ(parse("GET /lf HTTP/1.1\r\nHost: mixed.example\n\r\n", &m), 0);
	EXPECT_EQ(str(m.host), "mixed.example");
}

TEST(AppHttp, TrimsBlanksAndKeepsTheFirstOfRepeatedHeaders)
{
	app_http_msg m;

	ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost:\t first.example \t\r\nHost: second.example\r\n"
			"Content-Length: 12x\r\nX-Long: part one\r\n  part two\r\n\r\n",
			&m),
		  0);
	EXPECT_EQ(str(m.host), "first.example");
	EXPECT_EQ(m.content_length, -1) << "not a plain decimal";
	EXPECT_EQ(m.header_count, 5);
}

TEST(AppHttp, ParsesSsdpSearchAsRequest)
{
	app_http_msg m;

	ASSERT_EQ(parse(kSsdp, &m), 0);
	EXPECT_EQ(m.kind, APP_HTTP_REQUEST);
	EXPECT_EQ(m.method, APP_HTTP_M_MSEARCH);
	EXPECT_EQ(str(m.uri), "*");
	EXPECT_EQ(str(m.host), "239.255.255.250:1900");
	ASSERT_EQ(parse("NOTIFY * HTTP/1.1\r\nHOST: [FF02::C]:1900\r\nNTS: ssdp:alive\r\n\r\n", &m), 0);
	EXPECT_EQ(m.method, APP_HTTP_M_NOTIFY);
	EXPECT_EQ(str(m.host), "[FF02::C]:1900");
}

TEST(AppHttp, AcceptsUnknownUpperCaseMethods)
{
	app_http_msg m;

	ASSERT_EQ(parse("PROPFIND /dav/ HTTP/1.1\r\nHost: dav.example\r\nDepth: 1\r\n\r\n", &m), 0);
	EXPECT_EQ(m.method, APP_HTTP_M_OTHER);
	EXPECT_EQ(str(m.method_name), "PROPFIND");
}

TEST(AppHttp, ParsesResponses)
{
	app_http_msg m;

	ASSERT_EQ(parse(kResponse, &m), 0);
	EXPECT_EQ(m.kind, APP_HTTP_RESPONSE);
	EXPECT_EQ(m.status, 304);
	EXPECT_EQ(str(m.reason), "Not Modified");
	EXPECT_EQ(str(m.server), "Apache");
	EXPECT_EQ(m.content_length, 0);
	ASSERT_EQ(parse("HTTP/1.0 200\r\n\r\n", &m), 0) << "the reason phrase is often left out";
	EXPECT_EQ(m.status, 200);
	EXPECT_EQ(m.reason.len, 0);
	ASSERT_EQ(parse("HTTP/1.1 404 \r\n\r\n", &m), 0);
	EXPECT_EQ(m.status, 404);
}

// ---- real captures --------------------------------------------------------

uint16_t rd16(const uint8_t *p)
{
	return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

// TCP and UDP payloads of a capture: Ethernet, 802.1Q/802.1ad tags, IPv4
// (first fragments only) or IPv6 (no extension headers). Enough for the
// captures used here; not a general decoder.
std::vector<std::string> l4_payloads(const std::string &capture)
{
	std::vector<std::string> out;

	for (const harness::Packet &p : harness::read_pcap(harness::data_file(capture))) {
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
		if (proto == 6 && off + 20 <= end)
			off += (d[off + 12] >> 4) * 4u;
		else if (proto == 17 && off + 8 <= end)
			off += 8;
		else
			continue;
		if (off < end)
			out.emplace_back(reinterpret_cast<const char *>(d + off), end - off);
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

// Every TCP and UDP payload goes through the decoder, whatever its port:
// only HTTP may come out as a request.
void expect_tshark_hosts_and_uris(const std::string &capture)
{
	std::set<std::string> hosts, uris;
	app_http_msg m;

	for (const std::string &payload : l4_payloads(capture)) {
		if (parse(payload, &m) != 0 || m.kind != APP_HTTP_REQUEST)
			continue;
		if (m.host.ptr)
			hosts.insert(str(m.host));
		uris.insert(str(m.uri));
	}
	EXPECT_EQ(hosts, expected(capture, "http_hosts"));
	EXPECT_EQ(uris, expected(capture, "http_uris"));
}

TEST(AppHttp, FindsTsharkHostsAndUrisInWikipediaCapture)
{
	expect_tshark_hosts_and_uris("zeek__wikipedia.pcap");
}

TEST(AppHttp, FindsSsdpAndHttpHostsInMixedCapture)
{
	// SSDP M-SEARCH over IPv4 and IPv6 UDP, and plain HTTP over TCP.
	expect_tshark_hosts_and_uris("sv__base64-decode-5885__input.pcap");
}

TEST(AppHttp, FindsHostBehindVlanTag)
{
	expect_tshark_hosts_and_uris("zeek__http-vlan-0.pcap");
}

TEST(AppHttp, ParsesResponsesInWikipediaCapture)
{
	unsigned responses = 0;
	app_http_msg m;

	for (const std::string &payload : l4_payloads("zeek__wikipedia.pcap")) {
		if (parse(payload, &m) == 0 && m.kind == APP_HTTP_RESPONSE) {
			EXPECT_EQ(m.status, 304);
			responses++;
		}
	}
	EXPECT_EQ(responses, 15u);
}

}  // namespace
