// The TCP state machine, one transition at a time, through the shard's
// packet path (what stellar-session runs for every packet).
#include <gtest/gtest.h>

#include "session_fixture.h"

using namespace sessions;

namespace {

const Endpoint C = {"10.0.0.1", 40000}, S = {"10.0.0.2", 80};
constexpr uint8_t SYN = TCP_SYN, ACK = TCP_ACK, FIN = TCP_FIN, RST = TCP_RST, PSH = TCP_PSH;

// Client ISN 1000, server ISN 5000.
class Tcp : public ::testing::Test {
protected:
	Shard sh;
	uint64_t t = 100 * kSecond;

	pkt_session c2s(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t len = 0)
	{
		t += 1000;
		return sh.feed(tcp(C, S, flags, seq, ack, len), t);
	}
	pkt_session s2c(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t len = 0)
	{
		t += 1000;
		return sh.feed(tcp(S, C, flags, seq, ack, len), t);
	}
	void handshake()
	{
		c2s(SYN, 1000, 0);
		s2c(SYN | ACK, 5000, 1001);
		c2s(ACK, 1001, 5001);
	}
	uint8_t state(const pkt_session &ps) { return sh.at(ps.idx)->state; }
};

TEST_F(Tcp, InvalidFlagCombinationsAreCountedAndMoveNothing)
{
	handshake();
	pkt_session ps = c2s(SYN | FIN, 1001, 5001);
	EXPECT_EQ(ps.tcp_invalid & TCP_INVALID_FLAGS, TCP_INVALID_FLAGS);
	EXPECT_EQ(state(ps), SS_ESTABLISHED);
	ps = c2s(0, 1001, 5001); // NULL scan
	EXPECT_EQ(ps.tcp_invalid & TCP_INVALID_FLAGS, TCP_INVALID_FLAGS);
	ps = s2c(FIN | PSH | TCP_URG, 5001, 1001); // XMAS without ACK
	EXPECT_EQ(ps.tcp_invalid & TCP_INVALID_FLAGS, TCP_INVALID_FLAGS);
	EXPECT_EQ(state(ps), SS_ESTABLISHED);
	EXPECT_EQ(sh.stats().tcp_invalid_flags, 3u);
}

TEST_F(Tcp, SegmentsOutsideTheWindowAreCountedAndBlindResetsIgnored)
{
	handshake();
	pkt_session ps = c2s(ACK | PSH, 1001 + 10000000, 5001, 100);
	EXPECT_EQ(ps.tcp_invalid, TCP_INVALID_WINDOW);
	ps = s2c(RST, 5001 + 50000000, 0); // a blind reset must not close it
	EXPECT_EQ(ps.tcp_invalid, TCP_INVALID_WINDOW);
	EXPECT_EQ(state(ps), SS_ESTABLISHED);
	EXPECT_EQ(sh.stats().tcp_out_of_window, 2u);
	ps = c2s(ACK | PSH, 1001, 5001, 100); // in window: fine
	EXPECT_EQ(ps.tcp_invalid, 0);
}

TEST_F(Tcp, ThreeWayHandshake)
{
	pkt_session ps = c2s(SYN, 1000, 0);
	EXPECT_EQ(ps.events, EV_OPENING | EV_PACKET);
	EXPECT_EQ(ps.dir, DIR_C2S);
	EXPECT_EQ(ps.state, SS_SYN_SENT);
	EXPECT_TRUE(sh.at(ps.idx)->flags & SF_EMBRYONIC);
	ps = s2c(SYN | ACK, 5000, 1001);
	EXPECT_EQ(ps.events, EV_PACKET | EV_STATE);
	EXPECT_EQ(ps.prev_state, SS_SYN_SENT);
	EXPECT_EQ(ps.state, SS_SYN_RCVD);
	EXPECT_EQ(ps.dir, DIR_S2C);
	ps = c2s(ACK, 1001, 5001);
	EXPECT_EQ(ps.state, SS_ESTABLISHED);
	EXPECT_FALSE(sh.at(ps.idx)->flags & SF_EMBRYONIC);
	EXPECT_EQ(sh.table()->embryonic_count, 0u);
	ps = c2s(ACK | PSH, 1001, 5001, 10);
	EXPECT_EQ(ps.events, EV_PACKET);
	EXPECT_EQ(sh.at(ps.idx)->pkts[DIR_C2S], 3u);
	EXPECT_EQ(sh.at(ps.idx)->pkts[DIR_S2C], 1u);
	EXPECT_EQ(sh.stats().created, 1u);
	EXPECT_EQ(sh.stats().active_by_proto[PROTO_CLASS_TCP], 1u);
}

TEST_F(Tcp, OrderlyCloseEndsInTimeWaitWithReasonFin)
{
	handshake();
	pkt_session ps = c2s(FIN | ACK, 1001, 5001);
	EXPECT_EQ(ps.state, SS_FIN_WAIT);
	ps = s2c(FIN | ACK, 5001, 1002);
	EXPECT_EQ(ps.state, SS_CLOSING);
	ps = c2s(ACK, 1002, 5002);
	EXPECT_EQ(ps.state, SS_TIME_WAIT);
	EXPECT_EQ(sh.at(ps.idx)->close_reason, CLOSE_FIN);
	// Late duplicates still belong to it: no new session.
	c2s(ACK, 1002, 5002);
	EXPECT_EQ(sh.stats().created, 1u);
}

TEST_F(Tcp, SimultaneousClose)
{
	handshake();
	c2s(FIN | ACK, 1001, 5001);
	pkt_session ps = s2c(FIN | ACK, 5001, 1001); // crossed: does not ack the client's FIN
	EXPECT_EQ(ps.state, SS_CLOSING);
	ps = c2s(ACK, 1002, 5002);
	EXPECT_EQ(ps.state, SS_CLOSING); // only the server's FIN is acknowledged
	ps = s2c(ACK, 5002, 1002);
	EXPECT_EQ(ps.state, SS_TIME_WAIT);
}

TEST_F(Tcp, HalfCloseKeepsDataFlowing)
{
	handshake();
	c2s(FIN | ACK, 1001, 5001);
	pkt_session ps = s2c(ACK | PSH, 5001, 1002, 500);
	EXPECT_EQ(ps.state, SS_FIN_WAIT);
	EXPECT_EQ(ps.tcp_invalid, 0);
}

struct RstCase {
	const char *name;
	int steps; // packets of the normal exchange before the reset
};

class RstInEachState : public Tcp, public ::testing::WithParamInterface<RstCase> {};

TEST_P(RstInEachState, ResetClosesWithReasonRst)
{
	const uint8_t expect_before[] = {SS_NONE, SS_SYN_SENT, SS_SYN_RCVD, SS_ESTABLISHED, SS_FIN_WAIT, SS_CLOSING};
	pkt_session ps{};
	int steps = GetParam().steps;

	if (steps >= 1) ps = c2s(SYN, 1000, 0);
	if (steps >= 2) ps = s2c(SYN | ACK, 5000, 1001);
	if (steps >= 3) ps = c2s(ACK, 1001, 5001);
	if (steps >= 4) ps = c2s(FIN | ACK, 1001, 5001);
	if (steps >= 5) ps = s2c(FIN | ACK, 5001, 1001);
	ASSERT_EQ(ps.state, expect_before[steps]);
	// The reset comes from the server, in its own sequence space.
	ps = s2c(RST | ACK, steps >= 2 ? 5001 : 0, 1001);
	EXPECT_EQ(ps.state, SS_CLOSED);
	EXPECT_EQ(ps.prev_state, expect_before[steps]);
	EXPECT_TRUE(ps.events & EV_STATE);
	EXPECT_EQ(sh.at(ps.idx)->close_reason, CLOSE_RST);
	EXPECT_FALSE(sh.at(ps.idx)->flags & SF_EMBRYONIC);
}

INSTANTIATE_TEST_SUITE_P(States, RstInEachState,
			 ::testing::Values(RstCase{"SynSent", 1}, RstCase{"SynRcvd", 2}, RstCase{"Established", 3},
					   RstCase{"FinWait", 4}, RstCase{"Closing", 5}),
			 [](const ::testing::TestParamInfo<RstCase> &i) { return std::string(i.param.name); });

TEST_F(Tcp, ResetAfterTimeWaitKeepsReasonFin)
{
	handshake();
	c2s(FIN | ACK, 1001, 5001);
	s2c(FIN | ACK, 5001, 1002);
	pkt_session ps = c2s(ACK, 1002, 5002);
	ASSERT_EQ(ps.state, SS_TIME_WAIT);
	ps = c2s(RST, 1002, 0);
	EXPECT_EQ(ps.state, SS_CLOSED);
	EXPECT_EQ(sh.at(ps.idx)->close_reason, CLOSE_FIN);
}

TEST_F(Tcp, RetransmittedSynIsCountedNotANewSession)
{
	pkt_session a = c2s(SYN, 1000, 0);
	pkt_session b = c2s(SYN, 1000, 0);
	EXPECT_EQ(a.idx, b.idx);
	EXPECT_EQ(b.state, SS_SYN_SENT);
	EXPECT_EQ(b.events, EV_PACKET);
	s2c(SYN | ACK, 5000, 1001);
	c2s(SYN, 1000, 0); // the SYN/ACK was lost on its way
	EXPECT_EQ(sh.stats().syn_retransmit, 2u);
	EXPECT_EQ(sh.stats().created, 1u);
}

TEST_F(Tcp, SimultaneousOpen)
{
	c2s(SYN, 1000, 0);
	pkt_session ps = s2c(SYN, 5000, 0);
	EXPECT_EQ(ps.state, SS_SYN_RCVD);
	EXPECT_EQ(sh.stats().simultaneous_open, 1u);
	c2s(SYN | ACK, 1000, 5001);
	ps = s2c(SYN | ACK, 5000, 1001);
	EXPECT_EQ(ps.state, SS_SYN_RCVD);
	ps = s2c(ACK, 5001, 1001);
	EXPECT_EQ(ps.state, SS_ESTABLISHED);
	EXPECT_EQ(sh.stats().created, 1u);
}

TEST_F(Tcp, PortReuseAfterCloseOpensANewSession)
{
	handshake();
	c2s(FIN | ACK, 1001, 5001);
	s2c(FIN | ACK, 5001, 1002);
	pkt_session old = c2s(ACK, 1002, 5002);
	ASSERT_EQ(old.state, SS_TIME_WAIT);
	pkt_session fresh = c2s(SYN, 90000, 0);
	EXPECT_EQ(fresh.events, EV_OPENING | EV_PACKET);
	EXPECT_EQ(fresh.state, SS_SYN_SENT);
	EXPECT_NE(fresh.generation == old.generation && fresh.idx == old.idx, true);
	ASSERT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.closed[0].idx, old.idx);
	EXPECT_EQ(sh.closed[0].reason, CLOSE_FIN);
	EXPECT_EQ(sh.stats().port_reuse, 1u);
	EXPECT_EQ(sh.stats().created, 2u);
	EXPECT_EQ(sh.stats().active, 1u);
	// After a reset, too; this time the server side reconnects.
	s2c(SYN | ACK, 7000, 90001);
	c2s(RST, 90001, 0);
	fresh = s2c(SYN, 123, 0);
	EXPECT_EQ(fresh.events & EV_OPENING, EV_OPENING);
	EXPECT_EQ(fresh.dir, DIR_C2S); // the new initiator is the server host
	ASSERT_EQ(sh.closed.size(), 2u);
	EXPECT_EQ(sh.closed[1].reason, CLOSE_RST);
}

TEST_F(Tcp, SynAckFirstMakesItsReceiverTheInitiator)
{
	pkt_session ps = s2c(SYN | ACK, 5000, 1001);
	EXPECT_EQ(ps.state, SS_SYN_RCVD);
	EXPECT_EQ(ps.dir, DIR_S2C);
	ps = c2s(ACK, 1001, 5001);
	EXPECT_EQ(ps.dir, DIR_C2S);
	EXPECT_EQ(ps.state, SS_ESTABLISHED);
	EXPECT_EQ(sh.stats().midstream, 0u);
}

TEST_F(Tcp, PickedUpMidstream)
{
	pkt_session ps = s2c(ACK | PSH, 5000, 1001, 100);
	EXPECT_EQ(ps.state, SS_ESTABLISHED);
	EXPECT_TRUE(sh.at(ps.idx)->flags & SF_MIDSTREAM);
	EXPECT_EQ(ps.dir, DIR_C2S); // the first sender is taken as the initiator
	EXPECT_EQ(sh.stats().midstream, 1u);
	// Window scaling is unknown: no out-of-window verdicts on it.
	ps = c2s(ACK, 1001, 5100 + 3000000);
	EXPECT_EQ(ps.tcp_invalid, 0);
}

TEST(Udp, NewUntilAnsweredThenActive)
{
	Shard sh;
	Endpoint a = {"192.168.1.5", 5353}, b = {"192.168.1.1", 53};
	pkt_session ps = sh.feed(packet(17, a, b), kSecond);

	EXPECT_EQ(ps.state, SS_NEW);
	EXPECT_EQ(ps.events, EV_OPENING | EV_PACKET);
	ps = sh.feed(packet(17, a, b), 2 * kSecond);
	EXPECT_EQ(ps.state, SS_NEW);
	ps = sh.feed(packet(17, b, a), 3 * kSecond);
	EXPECT_EQ(ps.state, SS_ACTIVE);
	EXPECT_EQ(ps.dir, DIR_S2C);
	EXPECT_TRUE(ps.events & EV_STATE);
	EXPECT_EQ(sh.stats().created_by_proto[PROTO_CLASS_UDP], 1u);
}

TEST(Icmp, EchoIdentifierSeparatesPings)
{
	Shard sh;
	Endpoint a = {"2001:db8::1", 0}, b = {"2001:db8::2", 0};
	pkt_session p1 = sh.feed(icmp_echo(a, b, 7), kSecond);
	pkt_session p2 = sh.feed(icmp_echo(a, b, 8), kSecond);
	pkt_session r1 = sh.feed(icmp_echo(b, a, 7), kSecond);

	EXPECT_NE(p1.idx, p2.idx);
	EXPECT_EQ(r1.idx, p1.idx);
	EXPECT_EQ(r1.dir, DIR_S2C);
	EXPECT_EQ(sh.stats().created_by_proto[PROTO_CLASS_ICMP], 2u);
}

TEST(NoSession, FragmentsAndNonIpHaveNone)
{
	Shard sh;
	pkt_decode d = packet(17, {"10.1.1.1", 1}, {"10.1.1.2", 2});

	d.frag = FRAG_IS_FRAGMENT | FRAG_MORE;
	EXPECT_EQ(sh.feed(d, kSecond).idx, SESSION_NONE);
	d = packet(17, {"10.1.1.1", 1}, {"10.1.1.2", 2});
	d.ip_version = 0;
	d.status = DECODE_NOT_IP;
	EXPECT_EQ(sh.feed(d, kSecond).idx, SESSION_NONE);
	EXPECT_EQ(sh.stats().created, 0u);
}

}  // namespace

namespace {

TEST_F(Tcp, ScanProbesOpenOnlyShortLivedClosedSessions)
{
	pkt_session ps = c2s(0, 1000, 0); // NULL scan
	EXPECT_EQ(ps.state, SS_CLOSED);
	EXPECT_EQ(ps.tcp_invalid, TCP_INVALID_FLAGS);
	EXPECT_FALSE(sh.at(ps.idx)->flags & SF_EMBRYONIC);
	EXPECT_EQ(sh.at(ps.idx)->close_reason, CLOSE_NONE);
	sh.advance(t + 11 * kSecond); // tcp_closed: 10 s
	ASSERT_EQ(sh.closed.size(), 1u);
	EXPECT_EQ(sh.closed[0].reason, CLOSE_TIMEOUT);
}

TEST_F(Tcp, PickedUpAtSynAckTheClientsBurstIsInWindow)
{
	s2c(SYN | ACK, 5000, 1001);
	pkt_session ps = c2s(ACK, 1001, 5001);
	ps = c2s(ACK | PSH, 1001, 5001, 1400);
	EXPECT_EQ(ps.tcp_invalid, 0);
	ps = c2s(ACK | PSH, 2401, 5001, 1400);
	EXPECT_EQ(ps.tcp_invalid, 0);
	// The client's window scale is unknown: the server's data is not judged.
	for (uint32_t i = 0; i < 20; i++)
		EXPECT_EQ(s2c(ACK | PSH, 5001 + i * 1400, 3801, 1400).tcp_invalid, 0) << i;
	ps = s2c(FIN | ACK, 5001 + 20 * 1400, 3801);
	EXPECT_EQ(ps.state, SS_FIN_WAIT);
}

TEST_F(Tcp, WindowScaleNeedsBothSides)
{
	pkt_decode syn = tcp(C, S, SYN, 1000, 0, 0, 65535);
	syn.tcp_opts = TCPOPT_HAS_WSCALE;
	syn.tcp_wscale = 14;
	t += 1000;
	sh.feed(syn, t);
	s2c(SYN | ACK, 5000, 1001); // the server sends no window scale
	c2s(ACK, 1001, 5001);
	// The server's window is 65535 unscaled: a client segment far past it
	// is out of window (with the client's scale applied it would not be).
	pkt_session ps = c2s(ACK | PSH, 1001 + 200000, 5001, 100);
	EXPECT_EQ(ps.tcp_invalid, TCP_INVALID_WINDOW);
}

TEST_F(Tcp, PortReuseWhoseCloseCannotBeSentGoesWithoutASession)
{
	handshake();
	c2s(RST, 1001, 0);
	sh.emit_fails = true;
	pkt_session ps = c2s(SYN, 90000, 0);
	EXPECT_EQ(ps.idx, SESSION_NONE);
	EXPECT_EQ(sh.stats().not_created, 1u);
	sh.emit_fails = false;
	ps = c2s(SYN, 90000, 0);
	EXPECT_EQ(ps.events & EV_OPENING, EV_OPENING);
	EXPECT_EQ(ps.state, SS_SYN_SENT);
}

}  // namespace
