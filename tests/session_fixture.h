// A session shard over a table in ordinary memory, with packets built by
// hand and closing events collected in a list: what stellar-session does,
// without processes or rings, on a clock the test controls.
#ifndef STELLAR_TESTS_SESSION_FIXTURE_H
#define STELLAR_TESTS_SESSION_FIXTURE_H

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" {
#include "session_evict.h"
#include "session_shard.h"
#include "session_table.h"
#include "session_tcp.h"
#include "session_timer.h"
}

namespace sessions {

constexpr uint64_t kSecond = 1000000000ull;

struct Closed {
	uint32_t idx;
	uint8_t reason;
	uint8_t state;
	uint16_t worker;
	uint64_t key;
};

// One direction of a flow: addresses and ports as the packet carries them.
struct Endpoint {
	const char *ip;
	uint16_t port;
};

inline pkt_decode packet(uint8_t proto, Endpoint src, Endpoint dst)
{
	pkt_decode d;

	memset(&d, 0, sizeof(d));
	d.status = DECODE_OK;
	d.l4_proto = proto;
	bool v6 = strchr(src.ip, ':') != nullptr;
	d.ip_version = v6 ? 6 : 4;
	inet_pton(v6 ? AF_INET6 : AF_INET, src.ip, d.src);
	inet_pton(v6 ? AF_INET6 : AF_INET, dst.ip, d.dst);
	d.sport = src.port;
	d.dport = dst.port;
	return d;
}

inline pkt_decode tcp(Endpoint src, Endpoint dst, uint8_t flags, uint32_t seq = 0, uint32_t ack = 0,
		      uint16_t payload = 0, uint16_t win = 65535)
{
	pkt_decode d = packet(6, src, dst);

	d.tcp_flags = flags;
	d.tcp_seq = seq;
	d.tcp_ack = ack;
	d.payload_len = payload;
	d.tcp_win = win;
	return d;
}

inline pkt_decode icmp_echo(Endpoint src, Endpoint dst, uint16_t id)
{
	pkt_decode d = packet(1, src, dst);

	d.icmp_type = 8;
	d.icmp_id = id;
	return d;
}

class Shard {
public:
	explicit Shard(uint32_t max_live = 1024, const session_timeouts *to = nullptr)
	{
		session_timeouts t;

		session_timeouts_defaults(&t);
		size_t size = (session_table_size(max_live) + 63) & ~size_t(63);
		mem_ = aligned_alloc(64, size);
		table_ = session_table_init(mem_, max_live, to ? to : &t);
		session_shard_ops ops = {emit, past, this};
		session_shard_init(&shard_, table_, 0, steer_, 4, &ops);
		for (unsigned i = 0; i < 4; i++)
			steer_[i] = (uint16_t)(i % 2);
	}
	~Shard() { free(mem_); }
	Shard(const Shard &) = delete;
	Shard &operator=(const Shard &) = delete;

	session_table *table() { return table_; }
	session_shard *shard() { return &shard_; }
	const session_stats &stats() const { return table_->stats; }
	session *at(uint32_t idx) { return session_at(table_, idx); }

	// A packet at time `ts` (ns); the clock advances to it first, as in
	// stellar-session. Returns what the packet learnt about its session.
	pkt_session feed(const pkt_decode &d, uint64_t ts)
	{
		pkt_session ps;

		session_shard_advance(&shard_, ts, 1u << 20);
		key_ += 1ull << 20;
		session_shard_packet(&shard_, &d, decode_flow_hash(&d), ts, 100, key_, nullptr, &ps);
		return ps;
	}
	unsigned advance(uint64_t ts, unsigned budget = 1u << 20) { return session_shard_advance(&shard_, ts, budget); }

	std::vector<Closed> closed;
	bool emit_fails = false;
	bool lose_events = false;
	bool workers_past = true;

private:
	static uint64_t emit(void *ctx, uint32_t idx)
	{
		Shard *s = static_cast<Shard *>(ctx);
		session *r = session_at(s->table_, idx);

		if (s->emit_fails)
			return 0;
		uint64_t k = ++s->table_->last_key;
		s->closed.push_back(Closed{idx, r->close_reason, r->state, r->worker, k});
		// The worker handles it at once, unless the test loses it.
		if (!s->lose_events)
			r->worker_flags |= WF_CLOSED;
		return k;
	}
	static bool past(void *ctx, uint16_t, uint64_t)
	{
		return static_cast<Shard *>(ctx)->workers_past;
	}

	void *mem_;
	session_table *table_;
	session_shard shard_;
	uint16_t steer_[4];
	uint64_t key_ = 0;
};

}  // namespace sessions

#endif
