/*
 * stellar-session's per-packet path, session_shard_packet: new sessions per
 * second (the first packet of a new UDP flow, or a TCP SYN), and the cost
 * of a packet of a session that exists, in a table of 1M sessions. Nothing
 * waits on plugin workers here, so closes never block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "bench.h"
#include "session_shard.h"
#include "session_timer.h"

#define SHARD_FLOWS 1000000u

struct shard_ctx {
	uint64_t keys;
	struct session_table *t;
};

/* Every close is sent and handled at once, and every worker is past
 * everything. */
static uint64_t emit_close(void *ctx, uint32_t idx)
{
	struct shard_ctx *c = ctx;

	if (c->t)
		session_at(c->t, idx)->worker_flags |= WF_CLOSED;
	return ++c->keys;
}

static bool worker_past(void *ctx, uint16_t worker, uint64_t key)
{
	(void)ctx, (void)worker, (void)key;
	return true;
}

/* The decode of flow i's packet, as stellar-io leaves it; `reply` swaps
 * the endpoints. Only the fields a flow changes are written. */
static void flow_packet(struct pkt_decode *d, uint32_t i, bool reply)
{
	uint32_t a = bench_mix32(i), b = 0xc0a80000u | (i & 0xffff);
	uint16_t pa = (uint16_t)(1024 + i % 60000), pb = d->l4_proto == 6 ? 443 : 53;

	memcpy(reply ? d->dst : d->src, &a, 4);
	memcpy(reply ? d->src : d->dst, &b, 4);
	d->sport = reply ? pb : pa;
	d->dport = reply ? pa : pb;
	d->tcp_seq = a;
}

static void decode_init(struct pkt_decode *d, uint8_t proto)
{
	memset(d, 0, sizeof(*d));
	d->status = DECODE_OK;
	d->ip_version = 4;
	d->l4_proto = proto;
	d->tcp_flags = proto == 6 ? TCP_SYN : 0;
	d->tcp_win = 64240;
}

/* Flow hashes in advance: the real path gets them from stellar-io. */
static void flow_hashes(uint8_t proto, uint32_t *hash)
{
	struct pkt_decode d;
	struct session_key k;

	decode_init(&d, proto);
	for (uint32_t i = 0; i < SHARD_FLOWS; i++) {
		flow_packet(&d, i, false);
		session_key_from(&d, &k);
		hash[i] = rte_hash_crc(&k, sizeof(k), 0);
	}
}

/* New sessions per second: the first packet of SHARD_FLOWS new flows. */
static double shard_new(struct session_shard *sh, uint8_t proto, const uint32_t *hash, uint64_t *created)
{
	struct pkt_decode d;
	struct pkt_session ps;
	uint64_t t0, ts = BENCH_T0_NS, key = 0, opened = 0;

	decode_init(&d, proto);
	t0 = bench_now_ns();
	for (uint32_t i = 0; i < SHARD_FLOWS; i++) {
		flow_packet(&d, i, false);
		session_shard_packet(sh, &d, hash[i], ts += BENCH_TICK_NS, 64, ++key, NULL, &ps);
		opened += (ps.events & EV_OPENING) != 0;
	}
	t0 = bench_now_ns() - t0;
	*created += opened;
	return (double)SHARD_FLOWS * 1e9 / (double)t0;
}

/* Packets of existing sessions in shuffled order, both directions: with
 * stellar-session's bulk lookup first (its hints), or without. */
static double shard_existing(struct session_shard *sh, const uint32_t *perm, const uint32_t *seq_hash,
			     bool bulk, uint64_t *opened)
{
	struct pkt_decode d[BENCH_BURST];
	const struct pkt_decode *dp[BENCH_BURST];
	struct session_hint hint[BENCH_BURST];
	struct pkt_session ps;
	uint64_t t0, ts = BENCH_T0_NS + 10 * SESSION_NS_PER_S, key = SHARD_FLOWS;

	for (unsigned i = 0; i < BENCH_BURST; i++)
		decode_init(&d[i], 17);
	t0 = bench_now_ns();
	for (uint32_t j = 0; j < SHARD_FLOWS; j += BENCH_BURST) {
		unsigned m = SHARD_FLOWS - j < BENCH_BURST ? SHARD_FLOWS - j : BENCH_BURST;

		for (unsigned i = 0; i < m; i++) {
			flow_packet(&d[i], perm[j + i], (j + i) & 1);
			dp[i] = &d[i];
		}
		if (bulk)
			session_shard_prepare(sh, dp, &seq_hash[j], m, hint);
		for (unsigned i = 0; i < m; i++) {
			session_shard_packet(sh, &d[i], seq_hash[j + i], ts += BENCH_TICK_NS, 64, ++key,
					     bulk ? &hint[i] : NULL, &ps);
			*opened += (ps.events & EV_OPENING) != 0;
		}
	}
	return (double)(bench_now_ns() - t0) / SHARD_FLOWS;
}

int bench_session_shard(json_t *out)
{
	struct shard_ctx ctx = {0};
	struct session_shard_ops ops = {emit_close, worker_past, &ctx};
	struct session_timeouts to;
	struct session_shard sh;
	size_t size = session_table_size(SHARD_FLOWS);
	uint32_t *hash = malloc(SHARD_FLOWS * 4), *perm = malloc(SHARD_FLOWS * 4);
	uint32_t *seq_hash = malloc(SHARD_FLOWS * 4);
	double tcp[BENCH_ROUNDS], udp[BENCH_ROUNDS], hinted[BENCH_ROUNDS], plain[BENCH_ROUNDS];
	uint64_t made_tcp = 0, made_udp = 0, reopened = 0, not_created = 0, evicted = 0;
	void *mem = bench_thp_alloc(size);
	int rc = -ENOMEM;

	if (!hash || !perm || !seq_hash || !mem)
		goto out;
	session_timeouts_defaults(&to);
	bench_shuffle(perm, SHARD_FLOWS);
	for (int r = 0; r < BENCH_ROUNDS; r++) {
		struct session_table *t = session_table_init(mem, SHARD_FLOWS, &to);

		ctx.t = t;
		session_shard_init(&sh, t, 0, NULL, 0, &ops);
		flow_hashes(6, hash);
		tcp[r] = shard_new(&sh, 6, hash, &made_tcp);
		not_created += t->stats.not_created;
		evicted += t->stats.evicted;

		/* UDP last: its sessions serve the packets of existing flows. */
		t = session_table_init(mem, SHARD_FLOWS, &to);
		ctx.t = t;
		session_shard_init(&sh, t, 0, NULL, 0, &ops);
		flow_hashes(17, hash);
		udp[r] = shard_new(&sh, 17, hash, &made_udp);
		not_created += t->stats.not_created;
		evicted += t->stats.evicted;
		for (uint32_t j = 0; j < SHARD_FLOWS; j++)
			seq_hash[j] = hash[perm[j]];
		hinted[r] = shard_existing(&sh, perm, seq_hash, true, &reopened);
		plain[r] = shard_existing(&sh, perm, seq_hash, false, &reopened);
	}
	json_object_set_new(out, "shard", json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:b, s:I, s:I, s:I}",
		"flows", SHARD_FLOWS, "new_tcp_per_s", bench_median(tcp), "new_udp_per_s", bench_median(udp),
		"existing_ns_per_packet", bench_median(hinted), "existing_nohint_ns_per_packet", bench_median(plain),
		"new_goal_per_s", 3e6, "met", bench_median(tcp) >= 3e6 && bench_median(udp) >= 3e6,
		"not_created", (json_int_t)(not_created / BENCH_ROUNDS),
		"evicted", (json_int_t)(evicted / BENCH_ROUNDS), "reopened", (json_int_t)reopened));
	printf("sessions shard new TCP %.2f M/s, new UDP %.2f M/s; existing %.1f ns/packet (%.1f without "
	       "bulk hints); %llu evicted, %llu not created per round\n", bench_median(tcp) / 1e6,
	       bench_median(udp) / 1e6, bench_median(hinted), bench_median(plain),
	       (unsigned long long)(evicted / BENCH_ROUNDS), (unsigned long long)(not_created / BENCH_ROUNDS));
	/* Every first packet opened its session, and no later one did. */
	rc = made_tcp == (uint64_t)BENCH_ROUNDS * SHARD_FLOWS && made_udp == made_tcp && !reopened ? 0 : -EIO;
	if (rc)
		fprintf(stderr, "bench: shard: %llu/%llu sessions opened, %llu reopened\n",
			(unsigned long long)made_tcp, (unsigned long long)made_udp, (unsigned long long)reopened);
out:
	bench_thp_free(mem, size);
	free(hash);
	free(perm);
	free(seq_hash);
	return rc;
}
