/*
 * counter: counts every session's packets in its per-session context and
 * writes one JSON line per session when it closes. The counts live in
 * shared memory, so they survive a restart of the worker and follow the
 * session to another worker after scaling.
 *
 *   plugins:
 *     - {name: counter, path: build/plugins/counter.so, config: {file: out/counts.json}}
 *
 *   stellarctl plugin counter totals     -> {"sessions": N, "packets": N}
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <stellar/plugin.h>

struct count {
	uint64_t packets[2]; /* client to server, back */
};

struct totals {          /* plugin memory, shared by every worker */
	uint64_t sessions;
	uint64_t packets;
};

static int out = -1;     /* each worker appends its own lines */

static int load(uint16_t id, const char *config_json)
{
	json_t *cfg = json_loads(config_json, 0, NULL);
	const char *file = json_string_value(json_object_get(cfg, "file"));

	(void)id;
	if (file && (out = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0) {
		stellar_log(STELLAR_LOG_ERR, "cannot open %s: %s", file, strerror(errno));
		json_decref(cfg);
		return -errno;
	}
	json_decref(cfg);
	return 0;
}

static void entry(struct stellar_session *s, void *pme)
{
	struct count *c = pme;
	struct totals *t = stellar_plugin_memory(NULL);

	c->packets[session_packet(s)->dir]++;
	__atomic_fetch_add(&t->packets, 1, __ATOMIC_RELAXED);
}

static void endpoint(char *buf, size_t len, const uint8_t *ip, unsigned version, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(version == 4 ? AF_INET : AF_INET6, ip, text, sizeof(text));
	snprintf(buf, len, "%s:%u", text, port);
}

static void on_event(struct stellar_session *s, void *pme, uint32_t event)
{
	const struct stellar_session_info *i = session_info(s);
	const struct count *c = pme;
	char line[512], client[64], server[64];
	int n;

	if (event != STELLAR_EV_CLOSING)
		return;
	__atomic_fetch_add(&((struct totals *)stellar_plugin_memory(NULL))->sessions, 1, __ATOMIC_RELAXED);
	if (out < 0)
		return;
	endpoint(client, sizeof(client), i->client_ip, i->ip_version, i->client_port);
	endpoint(server, sizeof(server), i->server_ip, i->ip_version, i->server_port);
	n = snprintf(line, sizeof(line),
		     "{\"proto\":%u,\"client\":\"%s\",\"server\":\"%s\",\"zone\":%u,\"c2s\":%llu,\"s2c\":%llu}\n",
		     i->proto, client, server, i->zone, (unsigned long long)c->packets[0],
		     (unsigned long long)c->packets[1]);
	/* One write per line: lines of several workers never interleave. */
	if (write(out, line, (size_t)n) != n)
		stellar_log(STELLAR_LOG_WARN, "short write to the counts file");
}

static int command(const char *cmd, const char *args, char *reply, size_t len)
{
	const struct totals *t = stellar_plugin_memory(NULL);

	(void)args;
	if (strcmp(cmd, "totals") != 0) {
		snprintf(reply, len, "unknown command '%s' (try: totals)", cmd);
		return -EINVAL;
	}
	snprintf(reply, len, "{\"sessions\": %llu, \"packets\": %llu}",
		 (unsigned long long)__atomic_load_n(&t->sessions, __ATOMIC_RELAXED),
		 (unsigned long long)__atomic_load_n(&t->packets, __ATOMIC_RELAXED));
	return 0;
}

STELLAR_PLUGIN(.name = "counter", .events = STELLAR_EV_PACKET | STELLAR_EV_CLOSING,
	       .ctx_size = sizeof(struct count), .global_size = sizeof(struct totals), .load = load,
	       .entry = entry, .on_event = on_event, .command = command,
	       /* curl http://127.0.0.1:PORT/counter/totals with `http:` configured. */
	       .http_routes = {{"GET", "/counter/totals", "totals"}});
