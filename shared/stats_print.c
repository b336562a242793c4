#include <stdio.h>

#include "stats_print.h"

static void print_workers(FILE *f, Stellar__Control__V1__Worker **w, size_t n)
{
	fprintf(f, "%-9s %4s %8s %6s %-11s %9s %12s %12s\n", "KIND", "IDX", "PID", "LCORE", "STATE",
	       "RESTARTS", "PACKETS", "OUT");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-9s %4u %8d %6u %-11s %9u %12llu %12llu\n", w[i]->kind, w[i]->index, w[i]->pid,
		       w[i]->lcore, w[i]->state, w[i]->restarts, (unsigned long long)w[i]->packets,
		       (unsigned long long)w[i]->out);
}

void status_print_table(FILE *f, const Stellar__Control__V1__Status *s)
{
	fprintf(f, "instance %s  pid %d  state %s  uptime %.1fs\n", s->instance, s->pid, s->state,
	       (double)s->uptime_ms / 1000.0);
	fprintf(f, "config   %s\n\n", s->config_path);
	print_workers(f, s->workers, s->n_workers);
}

static void print_sessions(FILE *f, const Stellar__Control__V1__Sessions *ss)
{
	fprintf(f, "sessions  created %llu  closed %llu  active %llu  (tcp %llu, udp %llu, icmp %llu, "
	       "other %llu)\n", (unsigned long long)ss->created, (unsigned long long)ss->closed,
	       (unsigned long long)ss->active, (unsigned long long)ss->tcp, (unsigned long long)ss->udp,
	       (unsigned long long)ss->icmp, (unsigned long long)ss->other);
	fprintf(f, "closed   ");
	for (size_t i = 0; i < ss->n_closed_by_reason; i++)
		fprintf(f, " %s %llu", ss->closed_by_reason[i]->name, (unsigned long long)ss->closed_by_reason[i]->value);
	fprintf(f, "\n");
	if (ss->evicted || ss->not_created || ss->midstream || ss->port_reuse || ss->tcp_invalid_flags ||
	    ss->tcp_out_of_window || ss->repairs)
		fprintf(f, "          evicted %llu  no room %llu  midstream %llu  port reuse %llu  "
			"tcp invalid %llu  out of window %llu  repairs %llu\n",
			(unsigned long long)ss->evicted, (unsigned long long)ss->not_created,
			(unsigned long long)ss->midstream, (unsigned long long)ss->port_reuse,
			(unsigned long long)ss->tcp_invalid_flags, (unsigned long long)ss->tcp_out_of_window,
			(unsigned long long)ss->repairs);
}

void stats_print_table(FILE *f, const Stellar__Control__V1__Stats *s)
{
	unsigned long long dropped = 0;
	int shown = 0;

	for (size_t i = 0; i < s->n_dropped; i++)
		dropped += s->dropped[i]->packets;
	fprintf(f, "packets   rx %llu  tx %llu  dropped %llu  in flight %lld\n", (unsigned long long)s->rx,
	       (unsigned long long)s->tx, dropped, (long long)s->in_flight);
	fprintf(f, "drops    ");
	for (size_t i = 0; i < s->n_dropped; i++) {
		if (!s->dropped[i]->packets)
			continue;
		fprintf(f, " %s %llu", s->dropped[i]->reason, (unsigned long long)s->dropped[i]->packets);
		shown++;
	}
	fprintf(f, "%s\n", shown ? "" : " none");
	if (s->sessions)
		print_sessions(f, s->sessions);
	if (s->mempool)
		fprintf(f, "mbufs     in use %llu of %llu (baseline %llu)\n",
		       (unsigned long long)s->mempool->in_use, (unsigned long long)s->mempool->total,
		       (unsigned long long)s->mempool->baseline);
	if (s->decoder) {
		const Stellar__Control__V1__Decoder *d = s->decoder;

		fprintf(f, "decoder   not ip %llu  opaque %llu", (unsigned long long)d->not_ip,
			(unsigned long long)d->opaque);
		for (size_t i = 0; i < d->n_errors; i++)
			if (d->errors[i]->value)
				fprintf(f, "  %s %llu", d->errors[i]->name, (unsigned long long)d->errors[i]->value);
		fprintf(f, "\nencap    ");
		shown = 0;
		for (size_t i = 0; i < d->n_encap; i++)
			if (d->encap[i]->value) {
				fprintf(f, " %s %llu", d->encap[i]->name, (unsigned long long)d->encap[i]->value);
				shown++;
			}
		fprintf(f, "%s\n", shown ? "" : " none");
		if (d->defrag && d->defrag->fragments) {
			fprintf(f, "defrag    fragments %llu  reassembled %llu  tiny %llu",
				(unsigned long long)d->defrag->fragments, (unsigned long long)d->defrag->reassembled,
				(unsigned long long)d->defrag->tiny);
			for (size_t i = 0; i < d->defrag->n_released; i++)
				if (d->defrag->released[i]->value)
					fprintf(f, "  %s %llu", d->defrag->released[i]->name,
						(unsigned long long)d->defrag->released[i]->value);
			fprintf(f, "\n");
		}
	}
	/* Only rings holding something: where packets wait is the question. */
	fprintf(f, "rings    ");
	shown = 0;
	for (size_t i = 0; i < s->n_rings; i++)
		if (s->rings[i]->used) {
			fprintf(f, " %s %u/%u", s->rings[i]->name, s->rings[i]->used, s->rings[i]->size);
			shown++;
		}
	fprintf(f, "%s\n", shown ? "" : " all empty");
	fprintf(f, "uptime    %.1fs\n\n", (double)s->uptime_ms / 1000.0);
	fprintf(f, "%-12s %12s %12s %8s %8s %4s\n", "PORT", "RX", "TX", "MISSED", "ERRORS", "EOF");
	for (size_t i = 0; i < s->n_ports; i++)
		fprintf(f, "%-12s %12llu %12llu %8llu %8llu %4s\n", s->ports[i]->name,
		       (unsigned long long)s->ports[i]->rx, (unsigned long long)s->ports[i]->tx,
		       (unsigned long long)s->ports[i]->missed, (unsigned long long)s->ports[i]->errors,
		       s->ports[i]->eof ? "yes" : "no");
	fprintf(f, "\n");
	print_workers(f, s->workers, s->n_workers);
}
