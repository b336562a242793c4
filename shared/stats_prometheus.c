/* Metric names follow Prometheus conventions: stellar_ prefix, _total for
 * counters, base units; one family per name, labels for the breakdowns. */
#include "stats_prometheus.h"

#include <inttypes.h>
#include <string.h>

/* A label value with \, " and newline escaped. */
static void label(FILE *f, const char *value)
{
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f), fputc(*p, f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void scalar(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
	family(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void by_name(FILE *f, const char *name, const char *type, const char *help, const char *key,
		    Stellar__Control__V1__Counter **c, size_t n)
{
	family(f, name, type, help);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s{%s=\"", name, key);
		label(f, c[i]->name);
		fprintf(f, "\"} %" PRIu64 "\n", c[i]->value);
	}
}

static void drops(FILE *f, const Stellar__Control__V1__Stats *s)
{
	family(f, "stellar_dropped_packets_total", "counter", "Packets dropped, by reason.");
	for (size_t i = 0; i < s->n_dropped; i++) {
		fprintf(f, "stellar_dropped_packets_total{reason=\"");
		label(f, s->dropped[i]->reason);
		fprintf(f, "\"} %" PRIu64 "\n", s->dropped[i]->packets);
	}
}

static void sessions(FILE *f, const Stellar__Control__V1__Sessions *ss)
{
	if (!ss)
		return;
	scalar(f, "stellar_sessions_active", "gauge", "Open sessions, all shards.", ss->active);
	scalar(f, "stellar_sessions_created_total", "counter", "Sessions created.", ss->created);
	by_name(f, "stellar_sessions_closed_total", "counter", "Sessions closed, by reason.", "reason",
		ss->closed_by_reason, ss->n_closed_by_reason);
	scalar(f, "stellar_sessions_evicted_total", "counter", "Sessions evicted to make room.", ss->evicted);
	scalar(f, "stellar_sessions_not_created_total", "counter",
	       "Packets that found the table full with nothing evictable.", ss->not_created);
	scalar(f, "stellar_sessions_capacity", "gauge", "Open sessions per shard before eviction.", ss->capacity);
}

struct worker_metric {
	const char *name, *type, *help;
};

static uint64_t worker_value(const Stellar__Control__V1__Worker *w, unsigned which)
{
	switch (which) {
	case 0: return w->packets;
	case 1: return w->out;
	case 2: return w->restarts;
	case 3: return strcmp(w->state, "running") == 0;
	default: return w->last_gap_us;
	}
}

static void workers(FILE *f, const Stellar__Control__V1__Stats *s)
{
	static const struct worker_metric m[] = {
		{"stellar_worker_packets_total", "counter", "Packets a worker took in (io: received)."},
		{"stellar_worker_out_packets_total", "counter", "Packets a worker passed on (io: transmitted)."},
		{"stellar_worker_restarts_total", "counter", "Restarts of a worker (crashes, kills, operator)."},
		{"stellar_worker_up", "gauge", "1 when the worker is running."},
		{"stellar_worker_last_gap_microseconds", "gauge", "Its last time out of service."},
	};

	for (unsigned k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		family(f, m[k].name, m[k].type, m[k].help);
		for (size_t i = 0; i < s->n_workers; i++)
			fprintf(f, "%s{kind=\"%s\",index=\"%u\"} %" PRIu64 "\n", m[k].name, s->workers[i]->kind,
				s->workers[i]->index, worker_value(s->workers[i], k));
	}
}

static void rings(FILE *f, const Stellar__Control__V1__Stats *s)
{
	family(f, "stellar_ring_used", "gauge", "Packets waiting in a ring between workers.");
	for (size_t i = 0; i < s->n_rings; i++)
		fprintf(f, "stellar_ring_used{ring=\"%s\"} %u\n", s->rings[i]->name, s->rings[i]->used);
	family(f, "stellar_ring_size", "gauge", "Capacity of a ring.");
	for (size_t i = 0; i < s->n_rings; i++)
		fprintf(f, "stellar_ring_size{ring=\"%s\"} %u\n", s->rings[i]->name, s->rings[i]->size);
}

static void ports(FILE *f, const Stellar__Control__V1__Stats *s)
{
	static const char *const names[] = {"stellar_port_rx_packets_total", "stellar_port_tx_packets_total",
					    "stellar_port_missed_packets_total", "stellar_port_errors_total"};

	for (unsigned k = 0; k < 4; k++) {
		family(f, names[k], "counter", "Per port, as its device counts them.");
		for (size_t i = 0; i < s->n_ports; i++) {
			const Stellar__Control__V1__Port *p = s->ports[i];
			uint64_t v = k == 0 ? p->rx : k == 1 ? p->tx : k == 2 ? p->missed : p->errors;

			fprintf(f, "%s{port=\"", names[k]);
			label(f, p->name);
			fprintf(f, "\"} %" PRIu64 "\n", v);
		}
	}
}

static void plugins(FILE *f, const Stellar__Control__V1__Stats *s)
{
	static const char *const names[] = {"stellar_plugin_packets_total", "stellar_plugin_crashes_total",
					    "stellar_plugin_errors_total", "stellar_plugin_dropped_packets_total",
					    "stellar_plugin_quarantined"};

	for (unsigned k = 0; k < 5; k++) {
		family(f, names[k], k == 4 ? "gauge" : "counter",
		       k == 4 ? "1 when the plugin is quarantined." : "Per plugin, all workers.");
		for (size_t i = 0; i < s->n_plugins; i++) {
			const Stellar__Control__V1__PluginState *p = s->plugins[i];
			uint64_t v = k == 0 ? p->packets : k == 1 ? p->crashes : k == 2 ? p->errors :
				     k == 3 ? p->dropped : strcmp(p->state, "quarantined") == 0;

			fprintf(f, "%s{plugin=\"", names[k]);
			label(f, p->name);
			fprintf(f, "\"} %" PRIu64 "\n", v);
		}
	}
}

int stats_prometheus_write(FILE *f, const Stellar__Control__V1__Stats *s)
{
	scalar(f, "stellar_rx_packets_total", "counter", "Packets received on every port.", s->rx);
	scalar(f, "stellar_tx_packets_total", "counter", "Packets transmitted.", s->tx);
	drops(f, s);
	family(f, "stellar_in_flight_packets", "gauge", "Packets inside the pipeline now (rx - tx - dropped).");
	fprintf(f, "stellar_in_flight_packets %" PRId64 "\n", s->in_flight);
	sessions(f, s->sessions);
	workers(f, s);
	rings(f, s);
	ports(f, s);
	plugins(f, s);
	if (s->mempool) {
		scalar(f, "stellar_mempool_in_use", "gauge", "Packet buffers in use.", s->mempool->in_use);
		scalar(f, "stellar_mempool_size", "gauge", "Packet buffers in the pool.", s->mempool->total);
	}
	if (s->decoder)
		by_name(f, "stellar_decode_errors_total", "counter", "Malformed packets, by what was wrong.", "error",
			s->decoder->errors, s->decoder->n_errors);
	scalar(f, "stellar_uptime_seconds", "gauge", "Time since the orchestrator started.", s->uptime_ms / 1000);
	return ferror(f) ? -1 : 0;
}
