#include "decode_report.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>

#define MAX_SESSIONS (1 << 17) /* distinct flows reported; more are left out */
#define ADDR_TEXT 64

struct session_key {
	uint32_t proto;
	char a[ADDR_TEXT];
	char b[ADDR_TEXT];
};

struct string_set {
	const char *name;
	unsigned n, cap;
	char **items;
};

enum { SET_HTTP_HOSTS, SET_HTTP_URIS, SET_DNS_QNAMES, SET_TLS_SNIS, SET_ENCAP, SET_MAX };

struct report {
	struct rte_hash *sessions;
	uint64_t *counts;
	struct session_key *keys;
	uint64_t packets, fragments, others, malformed;
	uint64_t unlisted; /* frames of flows beyond MAX_SESSIONS */
	uint64_t errors[DERR_MAX];
	struct string_set sets[SET_MAX];
};

static const char *const set_names[SET_MAX] = {"http_hosts", "http_uris", "dns_qnames", "tls_snis",
					       "encap"};

struct report *report_new(void)
{
	struct rte_hash_parameters p = {
		.name = "decode_sessions",
		.entries = MAX_SESSIONS,
		.key_len = sizeof(struct session_key),
		.socket_id = SOCKET_ID_ANY,
	};
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->sessions = rte_hash_create(&p);
	r->counts = calloc(MAX_SESSIONS, sizeof(*r->counts));
	r->keys = calloc(MAX_SESSIONS, sizeof(*r->keys));
	for (unsigned i = 0; i < SET_MAX; i++)
		r->sets[i].name = set_names[i];
	if (!r->sessions || !r->counts || !r->keys) {
		report_free(r);
		return NULL;
	}
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	rte_hash_free(r->sessions);
	free(r->counts);
	free(r->keys);
	for (unsigned i = 0; i < SET_MAX; i++) {
		for (unsigned j = 0; j < r->sets[i].n; j++)
			free(r->sets[i].items[j]);
		free(r->sets[i].items);
	}
	free(r);
}

/* tshark's notation: dotted IPv4, RFC 5952 IPv6, then ":port". */
static void endpoint(char *buf, const struct pkt_decode *d, const uint8_t *addr, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(d->ip_version == 4 ? AF_INET : AF_INET6, addr, text, sizeof(text));
	snprintf(buf, ADDR_TEXT, "%s:%u", text, port);
}

void report_session_frame(struct report *r, const struct pkt_decode *d)
{
	struct session_key k;
	bool ports = d->l4_proto == 6 || d->l4_proto == 17;
	int32_t pos;

	r->packets++;
	memset(&k, 0, sizeof(k));
	k.proto = d->l4_proto;
	endpoint(k.a, d, d->src, ports ? d->sport : 0);
	endpoint(k.b, d, d->dst, ports ? d->dport : 0);
	if (strcmp(k.b, k.a) < 0) {
		char t[ADDR_TEXT];

		memcpy(t, k.a, sizeof(t));
		memcpy(k.a, k.b, sizeof(t));
		memcpy(k.b, t, sizeof(t));
	}
	pos = rte_hash_add_key(r->sessions, &k);
	if (pos < 0) {
		r->unlisted++;
		return;
	}
	r->keys[pos] = k;
	r->counts[pos]++;
}

void report_fragment_frame(struct report *r)
{
	r->packets++;
	r->fragments++;
}

void report_other_frame(struct report *r)
{
	r->packets++;
	r->others++;
}

void report_add_string(struct report *r, const char *set, const char *value, unsigned len)
{
	struct string_set *s = NULL;

	for (unsigned i = 0; i < SET_MAX; i++)
		if (strcmp(r->sets[i].name, set) == 0)
			s = &r->sets[i];
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++)
		if (strlen(s->items[i]) == len && memcmp(s->items[i], value, len) == 0)
			return;
	if (s->n == s->cap) {
		char **n = realloc(s->items, (s->cap ? s->cap * 2 : 16) * sizeof(*n));

		if (!n)
			return;
		s->items = n;
		s->cap = s->cap ? s->cap * 2 : 16;
	}
	s->items[s->n++] = strndup(value, len);
}

void report_frame_layers(struct report *r, const struct pkt_decode *d)
{
	unsigned n = d->n_encap < DECODE_MAX_ENCAP ? d->n_encap : DECODE_MAX_ENCAP, vlans = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct encap_layer *e = &d->encap[i];
		char name[32];

		switch (e->type) {
		case ENCAP_VLAN:
		case ENCAP_QINQ:
			vlans++;
			continue;
		case ENCAP_GTPU:
			snprintf(name, sizeof(name), "gtp");
			break;
		case ENCAP_IPIP:
			snprintf(name, sizeof(name), "ipv%u-in-ipv%u", e->id & 0xf, e->id >> 4);
			break;
		default:
			snprintf(name, sizeof(name), "%s", encap_type_name((enum encap_type)e->type));
			break;
		}
		report_add_string(r, "encap", name, (unsigned)strlen(name));
	}
	if (vlans)
		report_add_string(r, "encap", "vlan", 4);
	if (vlans >= 2)
		report_add_string(r, "encap", "qinq", 4);
	if (d->status == DECODE_MALFORMED) {
		r->malformed++;
		r->errors[d->error]++;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_session(const void *x, const void *y)
{
	const struct session_key *a = x, *b = y;
	int c;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if ((c = strcmp(a->a, b->a)))
		return c;
	return strcmp(a->b, b->b);
}

json_t *report_json(struct report *r)
{
	json_t *root = json_object(), *sessions = json_array(), *errors = json_object();
	struct session_key *sorted;
	const void *key;
	void *data;
	uint32_t iter = 0, n = 0, tcp = 0, udp = 0;
	int32_t pos;

	sorted = calloc(rte_hash_count(r->sessions) + 1, sizeof(*sorted));
	while ((pos = rte_hash_iterate(r->sessions, &key, &data, &iter)) >= 0)
		sorted[n++] = r->keys[pos];
	qsort(sorted, n, sizeof(*sorted), cmp_session);
	for (uint32_t i = 0; i < n; i++) {
		pos = rte_hash_lookup(r->sessions, &sorted[i]);
		json_array_append_new(sessions, json_pack("{s:i, s:s, s:s, s:I}", "proto", sorted[i].proto,
			"a", sorted[i].a, "b", sorted[i].b, "packets", (json_int_t)r->counts[pos]));
		tcp += sorted[i].proto == 6;
		udp += sorted[i].proto == 17;
	}
	json_object_set_new(root, "packets", json_integer((json_int_t)r->packets));
	json_object_set_new(root, "sessions", sessions);
	json_object_set_new(root, "fragments_nonfinal", json_integer((json_int_t)r->fragments));
	json_object_set_new(root, "non_session_frames", json_integer((json_int_t)r->others));
	json_object_set_new(root, "tcp_sessions", json_integer(tcp));
	json_object_set_new(root, "udp_sessions", json_integer(udp));
	for (unsigned i = 0; i < SET_MAX; i++) {
		json_t *arr = json_array();

		qsort(r->sets[i].items, r->sets[i].n, sizeof(char *), cmp_str);
		for (unsigned j = 0; j < r->sets[i].n; j++)
			json_array_append_new(arr, json_string(r->sets[i].items[j]));
		json_object_set_new(root, r->sets[i].name, arr);
	}
	json_object_set_new(root, "unlisted_session_frames", json_integer((json_int_t)r->unlisted));
	json_object_set_new(root, "malformed_frames", json_integer((json_int_t)r->malformed));
	for (unsigned e = 1; e < DERR_MAX; e++)
		if (r->errors[e])
			json_object_set_new(errors, decode_error_name((enum decode_error)e),
					    json_integer((json_int_t)r->errors[e]));
	json_object_set_new(root, "decode_errors", errors);
	free(sorted);
	return root;
}
