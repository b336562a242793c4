#include "stats_json.h"

static json_t *workers_json(Stellar__Control__V1__Worker **w, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:i, s:I, s:s, s:I, s:I, s:I, s:I}",
			"kind", w[i]->kind, "index", (json_int_t)w[i]->index, "pid", w[i]->pid,
			"restarts", (json_int_t)w[i]->restarts, "state", w[i]->state,
			"packets", (json_int_t)w[i]->packets, "out", (json_int_t)w[i]->out,
			"lcore", (json_int_t)w[i]->lcore, "last_gap_us", (json_int_t)w[i]->last_gap_us));
	return arr;
}

static json_t *counters_json(Stellar__Control__V1__Counter **c, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, c[i]->name, json_integer((json_int_t)c[i]->value));
	return o;
}

static json_t *decoder_json(const Stellar__Control__V1__Decoder *d)
{
	const Stellar__Control__V1__Defrag *f = d ? d->defrag : NULL;

	if (!d || !f)
		return json_object();
	return json_pack("{s:o, s:o, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:o}}",
		"errors", counters_json(d->errors, d->n_errors),
		"encap", counters_json(d->encap, d->n_encap),
		"not_ip", (json_int_t)d->not_ip, "opaque", (json_int_t)d->opaque,
		"defrag", "fragments", (json_int_t)f->fragments, "reassembled", (json_int_t)f->reassembled,
		"absorbed", (json_int_t)f->absorbed, "tiny", (json_int_t)f->tiny,
		"released", counters_json(f->released, f->n_released));
}

static json_t *session_events_json(const Stellar__Control__V1__SessionEvents *e)
{
	if (!e)
		return json_object();
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}",
		"opening", (json_int_t)e->opening, "packets", (json_int_t)e->packets,
		"no_session", (json_int_t)e->no_session, "state_changes", (json_int_t)e->state_changes,
		"closing", (json_int_t)e->closing,
		"closing_by_reason", counters_json(e->closing_by_reason, e->n_closing_by_reason),
		"stale", (json_int_t)e->stale, "meta_freed", (json_int_t)e->meta_freed,
		"duplicates", (json_int_t)e->duplicates);
}

static json_t *sessions_json(const Stellar__Control__V1__Sessions *ss)
{
	json_t *j;

	if (!ss)
		return json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}", "created", (json_int_t)0,
				 "closed", (json_int_t)0, "active", (json_int_t)0, "by_proto", "tcp", (json_int_t)0,
				 "udp", (json_int_t)0, "icmp", (json_int_t)0, "other", (json_int_t)0);
	j = json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I}",
		"created", (json_int_t)ss->created, "closed", (json_int_t)ss->closed,
		"active", (json_int_t)ss->active, "by_proto",
		"tcp", (json_int_t)ss->tcp, "udp", (json_int_t)ss->udp,
		"icmp", (json_int_t)ss->icmp, "other", (json_int_t)ss->other,
		"closed_by_reason", counters_json(ss->closed_by_reason, ss->n_closed_by_reason),
		"active_by_proto", counters_json(ss->active_by_proto, ss->n_active_by_proto),
		"evicted", (json_int_t)ss->evicted, "not_created", (json_int_t)ss->not_created,
		"midstream", (json_int_t)ss->midstream, "port_reuse", (json_int_t)ss->port_reuse,
		"syn_retransmit", (json_int_t)ss->syn_retransmit,
		"simultaneous_open", (json_int_t)ss->simultaneous_open);
	json_object_set_new(j, "tcp_invalid", json_pack("{s:I, s:I}", "flags", (json_int_t)ss->tcp_invalid_flags,
							  "out_of_window", (json_int_t)ss->tcp_out_of_window));
	json_object_set_new(j, "zombies", json_integer((json_int_t)ss->zombies));
	json_object_set_new(j, "repairs", json_integer((json_int_t)ss->repairs));
	json_object_set_new(j, "events_resent", json_integer((json_int_t)ss->events_resent));
	json_object_set_new(j, "meta_reclaimed", json_integer((json_int_t)ss->meta_reclaimed));
	json_object_set_new(j, "moved", json_integer((json_int_t)ss->moved));
	json_object_set_new(j, "capacity", json_integer((json_int_t)ss->capacity));
	json_object_set_new(j, "bytes_per_session", json_real(ss->bytes_per_session));
	json_object_set_new(j, "events", session_events_json(ss->events));
	return j;
}

static json_t *plugins_json(Stellar__Control__V1__PluginState **p, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
			"name", p[i]->name, "kind", p[i]->kind, "state", p[i]->state,
			"crashes", (json_int_t)p[i]->crashes, "packets", (json_int_t)p[i]->packets,
			"events", (json_int_t)p[i]->events, "errors", (json_int_t)p[i]->errors,
			"detached", (json_int_t)p[i]->detached, "dropped", (json_int_t)p[i]->dropped));
	return arr;
}

static json_t *filters_json(Stellar__Control__V1__FilterNode **f, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:i, s:I, s:I, s:I}", "expr", f[i]->expr,
			"parent", f[i]->parent, "subscribers", (json_int_t)f[i]->subscribers,
			"evaluated", (json_int_t)f[i]->evaluated, "matched", (json_int_t)f[i]->matched));
	return arr;
}

static json_t *rings_json(Stellar__Control__V1__Ring **r, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "name", r[i]->name, "used",
						     (json_int_t)r[i]->used, "size", (json_int_t)r[i]->size));
	return arr;
}

json_t *stats_json_from_pb(const Stellar__Control__V1__Stats *s)
{
	json_t *dropped = json_object(), *ports = json_array(), *sessions, *root;
	uint64_t total = 0;
	const Stellar__Control__V1__Sessions *ss = s->sessions;
	const Stellar__Control__V1__Mempool *mp = s->mempool;

	for (size_t i = 0; i < s->n_dropped; i++) {
		json_object_set_new(dropped, s->dropped[i]->reason, json_integer((json_int_t)s->dropped[i]->packets));
		total += s->dropped[i]->packets;
	}
	for (size_t i = 0; i < s->n_ports; i++)
		json_array_append_new(ports, json_pack("{s:s, s:I, s:I, s:I, s:I, s:b}",
			"name", s->ports[i]->name, "rx", (json_int_t)s->ports[i]->rx,
			"tx", (json_int_t)s->ports[i]->tx, "missed", (json_int_t)s->ports[i]->missed,
			"errors", (json_int_t)s->ports[i]->errors, "eof", s->ports[i]->eof));
	sessions = sessions_json(ss);
	root = json_pack("{s:{s:I, s:I, s:o, s:I, s:I}, s:o, s:o, s:{s:I, s:I, s:I}, s:o, s:I}",
		"packets", "rx", (json_int_t)s->rx, "tx", (json_int_t)s->tx, "dropped", dropped,
		"dropped_total", (json_int_t)total, "in_flight", (json_int_t)s->in_flight,
		"sessions", sessions,
		"workers", workers_json(s->workers, s->n_workers),
		"mempool", "in_use", (json_int_t)(mp ? mp->in_use : 0), "total", (json_int_t)(mp ? mp->total : 0),
		"baseline", (json_int_t)(mp ? mp->baseline : 0),
		"ports", ports, "uptime_ms", (json_int_t)s->uptime_ms);
	json_object_set_new(root, "decoder", decoder_json(s->decoder));
	json_object_set_new(root, "plugins", plugins_json(s->plugins, s->n_plugins));
	json_object_set_new(root, "filters", filters_json(s->filters, s->n_filters));
	json_object_set_new(root, "rings", rings_json(s->rings, s->n_rings));
	return root;
}

json_t *status_json_from_pb(const Stellar__Control__V1__Status *s)
{
	return json_pack("{s:s, s:i, s:I, s:s, s:s, s:o, s:o, s:I}", "instance", s->instance, "pid", s->pid,
			 "uptime_ms", (json_int_t)s->uptime_ms, "state", s->state,
			 "config", s->config_path ? s->config_path : "",
			 "workers", workers_json(s->workers, s->n_workers),
			 "plugins", plugins_json(s->plugins, s->n_plugins), "generation", (json_int_t)s->generation);
}
