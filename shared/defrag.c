/* rte_ip_frag_table_del_expired_entries is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API 1

#include "defrag.h"

#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "mbuf_meta.h"

#define BUCKET_ENTRIES 16
#define IPV6_FRAG_HDR 44

void defrag_config_defaults(struct defrag_config *cfg)
{
	cfg->enabled = true;
	cfg->timeout_ms = 30000; /* Linux's ipfrag_time */
	cfg->max_datagrams = 4096;
	cfg->incomplete_policy = DEFRAG_FORWARD;
	cfg->invalid_policy = DEFRAG_FORWARD;
}

const char *defrag_reason_name(enum defrag_release_reason r)
{
	static const char *const names[DEFRAG_REASON_MAX] = {
		[DEFRAG_TIMEOUT] = "timeout",
		[DEFRAG_INVALID] = "invalid",
		[DEFRAG_NO_ROOM] = "no_room",
		[DEFRAG_UNSUPPORTED] = "unsupported",
	};

	return (unsigned)r < DEFRAG_REASON_MAX ? names[r] : "unknown";
}

int defrag_init(struct defrag *df, const struct defrag_config *cfg, struct rte_mempool *pool,
		uint16_t node, struct defrag_stats *stats)
{
	uint32_t buckets;

	memset(df, 0, sizeof(*df));
	df->cfg = *cfg;
	df->pool = pool;
	df->stats = stats;
	df->shadow_tag = (uint16_t)(MBUF_OWNER_SHADOW | node);
	df->timeout_ns = (uint64_t)cfg->timeout_ms * 1000000ull;
	if (!cfg->enabled)
		return 0;
	buckets = rte_align32pow2((cfg->max_datagrams + BUCKET_ENTRIES - 1) / BUCKET_ENTRIES);
	df->tbl = rte_ip_frag_table_create(buckets, BUCKET_ENTRIES, cfg->max_datagrams, df->timeout_ns,
					   SOCKET_ID_ANY);
	return df->tbl ? 0 : -ENOMEM;
}

void defrag_fini(struct defrag *df)
{
	if (df->tbl)
		rte_ip_frag_table_destroy(df->tbl);
	df->tbl = NULL;
}

static void release(struct defrag *df, struct defrag_released *rel, struct rte_mbuf *orig,
		    enum defrag_release_reason reason)
{
	df->stats->released[reason]++;
	df->held--;
	rel->pkts[rel->n] = orig;
	rel->reason[rel->n++] = (uint8_t)reason;
}

static void free_copy(struct rte_mbuf *copy)
{
	pkt_meta(copy)->orig = NULL;
	pkt_meta(copy)->owner = MBUF_OWNER_FREE;
	rte_pktmbuf_free(copy);
}

/* The table put copies it gave up on in the death row; their originals go
 * back to the caller. `current` is the copy just pushed, if any. */
static void drain_death_row(struct defrag *df, struct defrag_released *rel, struct rte_mbuf *current,
			    uint64_t now, bool expiring)
{
	bool alone = df->dr.cnt == 1 && df->dr.row[0] == current;

	for (uint32_t i = 0; i < df->dr.cnt; i++) {
		struct rte_mbuf *copy = df->dr.row[i];
		struct pkt_meta *meta = pkt_meta(copy);
		enum defrag_release_reason reason = DEFRAG_INVALID;

		if (expiring || (copy != current && meta->ts_ns + df->timeout_ns < now))
			reason = DEFRAG_TIMEOUT;
		else if (alone)
			reason = DEFRAG_NO_ROOM; /* nothing else of it was held: no entry for it */
		if (meta->orig)
			release(df, rel, meta->orig, reason);
		free_copy(copy);
	}
	df->dr.cnt = 0;
}

static int l3_length(const struct pkt_decode *d, const uint8_t *ip)
{
	if (d->ip_version == 4)
		return (ip[0] & 0x0f) * 4;
	/* rte_ip_frag only knows a fragment header right after the fixed one. */
	return ip[6] == IPV6_FRAG_HDR ? 48 : -1;
}

/* Completed: the originals, in arrival order, ride on the rebuilt packet. */
static struct rte_mbuf *adopt(struct defrag *df, struct rte_mbuf *out, struct rte_mbuf *last)
{
	struct rte_mbuf *origs[RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1], **link;
	unsigned n = 0;
	struct pkt_meta *meta = pkt_meta(out);

	for (struct rte_mbuf *s = out; s; s = s->next) {
		struct pkt_meta *sm = pkt_meta(s);

		if (sm->orig && n < RTE_DIM(origs))
			origs[n++] = sm->orig;
		sm->orig = NULL;
		sm->owner = MBUF_OWNER_SEGMENT;
	}
	for (unsigned i = 1; i < n; i++) /* insertion sort by arrival */
		for (unsigned j = i; j > 0 && pkt_meta(origs[j - 1])->key > pkt_meta(origs[j])->key; j--) {
			struct rte_mbuf *t = origs[j];

			origs[j] = origs[j - 1];
			origs[j - 1] = t;
		}
	link = &meta->frags;
	for (unsigned i = 0; i < n; i++) {
		pkt_meta(origs[i])->owner = MBUF_OWNER_ATTACHED;
		pkt_meta(origs[i])->frags = NULL;
		*link = origs[i];
		link = &pkt_meta(origs[i])->frags;
	}
	meta->owner = (uint16_t)(df->shadow_tag & ~MBUF_OWNER_SHADOW);
	meta->nframes = (uint16_t)n;
	meta->flags = PKT_F_REASSEMBLED;
	meta->ts_ns = pkt_meta(last)->ts_ns;
	meta->rx_port = pkt_meta(last)->rx_port;
	meta->tx_port = pkt_meta(last)->tx_port;
	meta->wire_len = out->pkt_len;
	meta->verdict = 0;
	meta->rl_group = 0;
	df->held -= n;
	df->stats->reassembled++;
	df->stats->absorbed += n ? n - 1 : 0;
	return out;
}

struct rte_mbuf *defrag_push(struct defrag *df, struct rte_mbuf *m, struct defrag_released *rel)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct pkt_decode *d = &meta->dec;
	struct rte_mbuf *copy, *out;
	struct pkt_meta *cm;
	uint8_t *ip;
	int l3len;

	df->stats->fragments++;
	df->held++;
	if (d->frag & FRAG_TINY)
		df->stats->tiny++;
	meta->frags = NULL;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, d->l3_off);
	l3len = rte_pktmbuf_data_len(m) >= d->l3_off + (d->ip_version == 4 ? 20u : 48u) ?
		l3_length(d, ip) : -1;
	if (!df->tbl || l3len < 0) {
		release(df, rel, m, DEFRAG_UNSUPPORTED);
		return NULL;
	}
	copy = rte_pktmbuf_copy(m, df->pool, 0, UINT32_MAX);
	if (!copy) {
		release(df, rel, m, DEFRAG_NO_ROOM);
		return NULL;
	}
	cm = pkt_meta(copy);
	memcpy(cm, meta, offsetof(struct pkt_meta, frags));
	cm->owner = df->shadow_tag;
	cm->orig = m;
	cm->frags = NULL;
	cm->nframes = 0;
	meta->key = ++df->arrivals; /* until it leaves, the original's key is its arrival rank */
	copy->l2_len = d->l3_off;
	copy->l3_len = (uint64_t)l3len;
	ip = rte_pktmbuf_mtod_offset(copy, uint8_t *, d->l3_off);
	if (d->ip_version == 4)
		out = rte_ipv4_frag_reassemble_packet(df->tbl, &df->dr, copy, meta->ts_ns,
						      (struct rte_ipv4_hdr *)ip);
	else
		out = rte_ipv6_frag_reassemble_packet(df->tbl, &df->dr, copy, meta->ts_ns,
						      (struct rte_ipv6_hdr *)ip,
						      (struct rte_ipv6_fragment_ext *)(ip + 40));
	drain_death_row(df, rel, copy, meta->ts_ns, false);
	return out ? adopt(df, out, m) : NULL;
}

void defrag_expire(struct defrag *df, uint64_t now_ns, struct defrag_released *rel)
{
	uint32_t before;

	if (!df->tbl)
		return;
	/* One death row's worth per round; the caller's buffer holds that. */
	do {
		before = df->held;
		if (rel->n + RTE_IP_FRAG_DEATH_ROW_MBUF_LEN > DEFRAG_RELEASE_MAX)
			return;
		rte_ip_frag_table_del_expired_entries(df->tbl, &df->dr, now_ns);
		drain_death_row(df, rel, NULL, now_ns, true);
	} while (df->held && df->held != before);
}

unsigned defrag_pending(const struct defrag *df)
{
	return df->held;
}
