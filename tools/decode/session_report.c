#include "session_report.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_shard.h"

#define TEXT 64

/* A closed session in tshark's terms: ports only for TCP and UDP (tshark
 * puts ICMP echo, errors and ND between two hosts in one tuple), no zone. */
struct tuple {
	uint8_t proto;
	char a[TEXT];
	char b[TEXT];
	uint64_t packets;
	uint8_t reason;
	uint32_t zone;
	uint16_t id_lo, id_hi;  /* the key's own ports (ICMP: echo id) */
	uint64_t first_ns;
};

struct session_report {
	void *mem;
	struct session_table *t;
	struct session_shard shard;
	uint64_t key;
	uint64_t frames, no_session;
	struct tuple *closed;
	size_t n, cap;
};

static void endpoint(char *buf, unsigned version, const uint8_t *addr, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(version == 4 ? AF_INET : AF_INET6, addr, text, sizeof(text));
	snprintf(buf, TEXT, "%s:%u", text, port);
}

static uint64_t record_close(void *ctx, uint32_t idx)
{
	struct session_report *r = ctx;
	const struct session *s = session_at(r->t, idx);
	bool ports = s->key.proto == 6 || s->key.proto == 17;
	struct tuple *u;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct tuple *n = realloc(r->closed, cap * sizeof(*n));

		if (!n)
			return 0;
		r->closed = n;
		r->cap = cap;
	}
	u = &r->closed[r->n++];
	u->proto = s->key.proto;
	endpoint(u->a, s->key.ip_version, s->key.lo, ports ? s->key.lo_port : 0);
	endpoint(u->b, s->key.ip_version, s->key.hi, ports ? s->key.hi_port : 0);
	if (strcmp(u->b, u->a) < 0) {
		char t[TEXT];

		memcpy(t, u->a, TEXT);
		memcpy(u->a, u->b, TEXT);
		memcpy(u->b, t, TEXT);
	}
	u->packets = s->pkts[0] + s->pkts[1];
	u->reason = s->close_reason;
	u->zone = s->key.zone;
	u->id_lo = s->key.lo_port;
	u->id_hi = s->key.hi_port;
	u->first_ns = s->ts_first;
	/* Nothing downstream here: the event is handled as it is made. */
	session_at(r->t, idx)->worker_flags |= WF_CLOSED;
	return ++r->t->last_key;
}

static bool always_past(void *ctx, uint16_t worker, uint64_t key)
{
	(void)ctx;
	(void)worker;
	(void)key;
	return true;
}

struct session_report *session_report_new(uint32_t max_sessions)
{
	struct session_report *r = calloc(1, sizeof(*r));
	struct session_timeouts to;
	struct session_shard_ops ops = {.emit_close = record_close, .worker_past = always_past};

	if (!r)
		return NULL;
	session_timeouts_defaults(&to);
	r->mem = aligned_alloc(64, (session_table_size(max_sessions) + 63) & ~(size_t)63);
	r->t = r->mem ? session_table_init(r->mem, max_sessions, &to) : NULL;
	if (!r->t) {
		session_report_free(r);
		return NULL;
	}
	ops.ctx = r;
	session_shard_init(&r->shard, r->t, 0, NULL, 1, &ops);
	return r;
}

void session_report_free(struct session_report *r)
{
	if (!r)
		return;
	free(r->mem);
	free(r->closed);
	free(r);
}

void session_report_packet(struct session_report *r, const struct pkt_decode *d, uint64_t ts_ns, uint32_t wire_len)
{
	struct pkt_session ps;

	r->key += 1ull << 20;
	session_shard_advance(&r->shard, ts_ns, UINT32_MAX);
	session_shard_packet(&r->shard, d, decode_flow_hash(d), ts_ns, wire_len, r->key, NULL, &ps);
	r->frames++;
	if (ps.idx == SESSION_NONE)
		r->no_session++;
	session_shard_reap(&r->shard, UINT32_MAX);
}

static int by_tuple(const void *x, const void *y)
{
	const struct tuple *a = x, *b = y;
	int c;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if ((c = strcmp(a->a, b->a)))
		return c;
	return strcmp(a->b, b->b);
}

static int by_tuple_then_time(const void *x, const void *y)
{
	const struct tuple *a = x, *b = y;
	int c = by_tuple(x, y);

	if (c)
		return c;
	return a->first_ns < b->first_ns ? -1 : a->first_ns > b->first_ns;
}

/* Why one tshark tuple became several sessions: each session's zone, key
 * ports (the echo id for ICMP), close reason and packets. */
static json_t *splits(const struct tuple *u, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:i, s:i, s:s, s:I}", "zone", (json_int_t)u[i].zone,
			"port_lo", u[i].id_lo, "port_hi", u[i].id_hi,
			"reason", close_reason_name((enum close_reason)u[i].reason), "packets", (json_int_t)u[i].packets));
	return arr;
}

json_t *session_report_json(struct session_report *r)
{
	const struct session_stats *st = &r->t->stats;
	json_t *root = json_object(), *tuples = json_array(), *closed = json_object();

	session_shard_close_all_reset(&r->shard);
	while (session_shard_close_all(&r->shard, CLOSE_EOF, UINT32_MAX) > 0)
		;
	qsort(r->closed, r->n, sizeof(*r->closed), by_tuple_then_time);
	for (size_t i = 0; i < r->n;) {
		size_t j = i;
		uint64_t packets = 0;

		for (; j < r->n && by_tuple(&r->closed[i], &r->closed[j]) == 0; j++)
			packets += r->closed[j].packets;
		json_t *t = json_pack("{s:i, s:s, s:s, s:I, s:I}", "proto", r->closed[i].proto,
			"a", r->closed[i].a, "b", r->closed[i].b, "packets", (json_int_t)packets,
			"sessions", (json_int_t)(j - i));

		if (j - i > 1)
			json_object_set_new(t, "splits", splits(&r->closed[i], j - i));
		json_array_append_new(tuples, t);
		i = j;
	}
	for (unsigned c = CLOSE_FIN; c < CLOSE_REASON_MAX; c++)
		json_object_set_new(closed, close_reason_name((enum close_reason)c),
				    json_integer((json_int_t)st->closed_by_reason[c]));
	json_object_set_new(root, "tuples", tuples);
	json_object_set_new(root, "frames", json_integer((json_int_t)r->frames));
	json_object_set_new(root, "no_session_frames", json_integer((json_int_t)r->no_session));
	json_object_set_new(root, "created", json_integer((json_int_t)st->created));
	json_object_set_new(root, "closed", closed);
	json_object_set_new(root, "port_reuse", json_integer((json_int_t)st->port_reuse));
	json_object_set_new(root, "midstream", json_integer((json_int_t)st->midstream));
	json_object_set_new(root, "tcp_invalid_flags", json_integer((json_int_t)st->tcp_invalid_flags));
	json_object_set_new(root, "tcp_out_of_window", json_integer((json_int_t)st->tcp_out_of_window));
	return root;
}
