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

std::string to_hex(const uint8_t *p, size_t n)
{
	std::string s;
	char buf[3];

	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%02x", p[i]);
		s += buf;
	}
	return s;
}

const Bytes kDcid = hex("8394c8f03e515708");

// RFC 9001 A.2: the client's first Initial, 1200 bytes, packet number 2.
const Bytes kV1Initial = hex(
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
	"d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
	"1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
	"8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
	"30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
	"457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
	"4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
	"4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
	"485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
	"059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
	"7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
	"9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
	"be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
	"68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
	"c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
	"f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
	"291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
	"25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
	"14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
	"ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
	"e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
	"c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
	"203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
	"cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
	"fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
	"a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
	"90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
	"162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
	"40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
	"6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
	"8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
	"be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
	"54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
	"760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
	"f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
	"056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
	"e221af44860018ab0856972e194cd934");

// RFC 9369 A.2: the same ClientHello in a QUIC v2 Initial.
const Bytes kV2Initial = hex(
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
	"dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
	"9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
	"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
	"12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
	"cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
	"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
	"12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
	"d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
	"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
	"bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
	"636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
	"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
	"16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
	"4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
	"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
	"8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
	"14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
	"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
	"abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
	"80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
	"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
	"d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
	"c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
	"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
	"f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
	"10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
	"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
	"06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
	"8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
	"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
	"e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
	"5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
	"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
	"d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
	"6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
	"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
	"a18b2faa745b6fe189cf772a9f84cbfc");

// draft-ietf-quic-tls-29 A.2: a draft-29 Initial whose ClientHello names
// "server".
const Bytes kDraft29Initial = hex(
	"c5ff00001d088394c8f03e5157080000449e4a95245bfb66bc5f93032b7ddd89"
	"fe0ff15d9c4f7050fccdb71c1cd80512d4431643a53aafa1b0b518b44968b18b"
	"8d3e7a4d04c30b3ed9410325b2abb2dafb1c12f8b70479eb8df98abcaf95dd8f"
	"3d1c78660fbc719f88b23c8aef6771f3d50e10fdfb4c9d92386d44481b6c52d5"
	"9e5538d3d3942de9f13a7f8b702dc31724180da9df22714d01003fc5e3d165c9"
	"50e630b8540fbd81c9df0ee63f94997026c4f2e1887a2def79050ac2d86ba318"
	"e0b3adc4c5aa18bcf63c7cf8e85f569249813a2236a7e72269447cd1c755e451"
	"f5e77470eb3de64c8849d292820698029cfa18e5d66176fe6e5ba4ed18026f90"
	"900a5b4980e2f58e39151d5cd685b10929636d4f02e7fad2a5a458249f5c0298"
	"a6d53acbe41a7fc83fa7cc01973f7a74d1237a51974e097636b6203997f921d0"
	"7bc1940a6f2d0de9f5a11432946159ed6cc21df65c4ddd1115f86427259a196c"
	"7148b25b6478b0dc7766e1c4d1b1f5159f90eabc61636226244642ee148b464c"
	"9e619ee50a5e3ddc836227cad938987c4ea3c1fa7c75bbf88d89e9ada642b2b8"
	"8fe8107b7ea375b1b64889a4e9e5c38a1c896ce275a5658d250e2d76e1ed3a34"
	"ce7e3a3f383d0c996d0bed106c2899ca6fc263ef0455e74bb6ac1640ea7bfedc"
	"59f03fee0e1725ea150ff4d69a7660c5542119c71de270ae7c3ecfd1af2c4ce5"
	"51986949cc34a66b3e216bfe18b347e6c05fd050f85912db303a8f054ec23e38"
	"f44d1c725ab641ae929fecc8e3cefa5619df4231f5b4c009fa0c0bbc60bc75f7"
	"6d06ef154fc8577077d9d6a1d2bd9bf081dc783ece60111bea7da9e5a9748069"
	"d078b2bef48de04cabe3755b197d52b32046949ecaa310274b4aac0d008b1948"
	"c1082cdfe2083e386d4fd84c0ed0666d3ee26c4515c4fee73433ac703b690a9f"
	"7bf278a77486ace44c489a0c7ac8dfe4d1a58fb3a730b993ff0f0d61b4d89557"
	"831eb4c752ffd39c10f6b9f46d8db278da624fd800e4af85548a294c1518893a"
	"8778c4f6d6d73c93df200960104e062b388ea97dcf4016bced7f62b4f062cb6c"
	"04c20693d9a0e3b74ba8fe74cc01237884f40d765ae56a51688d985cf0ceaef4"
	"3045ed8c3f0c33bced08537f6882613acd3b08d665fce9dd8aa73171e2d3771a"
	"61dba2790e491d413d93d987e2745af29418e428be34941485c93447520ffe23"
	"1da2304d6a0fd5d07d0837220236966159bef3cf904d722324dd852513df39ae"
	"030d8173908da6364786d3c1bfcb19ea77a63b25f1e7fc661def480c5d00d444"
	"56269ebd84efd8e3a8b2c257eec76060682848cbf5194bc99e49ee75e4d0d254"
	"bad4bfd74970c30e44b65511d4ad0e6ec7398e08e01307eeeea14e46ccd87cf3"
	"6b285221254d8fc6a6765c524ded0085dca5bd688ddf722e2c0faf9d0fb2ce7a"
	"0c3f2cee19ca0ffba461ca8dc5d2c8178b0762cf67135558494d2a96f1a139f0"
	"edb42d2af89a9c9122b07acbc29e5e722df8615c343702491098478a389c9872"
	"a10b0c9875125e257c7bfdf27eef4060bd3d00f4c14fd3e3496c38d3c5d1a566"
	"8c39350effbc2d16ca17be4ce29f02ed969504dda2a8c6b9ff919e693ee79e09"
	"089316e7d1d89ec099db3b2b268725d888536a4b8bf9aee8fb43e82a4d919d48"
	"43b1ca70a2d8d3f725ead1391377dcc0");

// RFC 9001 A.3: the server's Initial (ACK + CRYPTO with the ServerHello).
const Bytes kV1ServerInitial = hex(
	"cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
	"5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
	"dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
	"022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
	"2158407dd074ee");

// The ClientHello of RFC 9001 A.2, for packets made up by the tests.
const Bytes kClientHello = hex(
	"010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff");

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
