/*
 * The functions a plugin calls (struct stellar_api). They act on the call
 * in progress, which the dispatcher set up: one worker runs one plugin
 * callback at a time, so the host is a process global here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_pause.h>

#include "counters.h"
#include "log.h"
#include "plugin_host.h"
#include "session.h"

static struct plugin_host *host;

void plugin_api_bind(struct plugin_host *h)
{
	host = h;
}

/* The handle must be the one of the call in progress: plugins get no other. */
static bool current(const struct stellar_session *s)
{
	return host && s == &host->call.s && host->call.rec;
}

void plugin_detach(struct plugin_host *h, uint16_t p)
{
	struct session *rec = h->call.rec;
	uint32_t bit = 1u << p;

	if (!rec || (rec->detached_mask & bit))
		return;
	rec->detached_mask |= bit;
	/* A detached plugin holds nothing of the session, locks included. */
	__atomic_fetch_and(&rec->lock_mask, ~bit, __ATOMIC_RELEASE);
	h->env.counts[p].detached++;
}

/* The caller itself detached from the session (say, inside its own error
 * callback): it may no longer act on it. */
static bool caller_detached(void)
{
	return host->call.rec->detached_mask & (1u << host->call.plugin);
}

static int api_drop(struct stellar_session *s)
{
	if (!current(s) || !host->call.m)
		return -EINVAL;
	if (!host->call.drop)
		host->env.counts[host->call.plugin].dropped++;
	host->call.drop = true;
	return 0;
}

static int api_ratelimit(struct stellar_session *s, uint32_t group)
{
	if (!current(s))
		return -EINVAL;
	if (caller_detached())
		return -EPERM;
	if (group >= AMQ_MAX_GROUPS)
		return -ERANGE;
	host->call.rec->rl_group = (uint16_t)group;
	if (host->call.meta)
		host->call.meta->rl_group = (uint16_t)group;
	return 0;
}

static int api_dettach_me(struct stellar_session *s)
{
	if (!current(s))
		return -EINVAL;
	if (host->call.rec->detached_mask & (1u << host->call.plugin))
		return 0;
	plugin_detach(host, host->call.plugin);
	return 0;
}

/* Every other plugin attached to the session gets ERROR_EVENT_DETTACH
 * once, then nothing more for it. */
static int api_dettach_others(struct stellar_session *s)
{
	uint16_t me;
	uint32_t quarantined;

	if (!current(s))
		return -EINVAL;
	if (caller_detached())
		return -EPERM;
	me = host->call.plugin;
	quarantined = __atomic_load_n(&host->env.plugins->quarantined_mask, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < host->n_order; k++) {
		uint16_t q = host->order[k];
		struct plugin_rt *rt = &host->p[q];
		uint32_t bit = 1u << q;
		bool attached;

		if (q == me || !rt->loaded || (host->call.rec->detached_mask & bit))
			continue;
		attached = (host->call.rec->attached_mask & bit) && !(quarantined & bit);
		/* Detached first: what it does in its callback cannot reach it again. */
		plugin_detach(host, q);
		if (!attached)
			continue;
		plugin_enter(host, q);
		if (rt->lua)
			plugin_lua_error(host, rt->lua, ERROR_EVENT_DETTACH);
		else if (rt->desc.on_error)
			rt->desc.on_error(s, plugin_ctx(host, q), ERROR_EVENT_DETTACH);
	}
	plugin_enter(host, me);
	return 0;
}

static int api_group_create(uint32_t group, uint64_t cir, uint64_t cbs)
{
	struct amq_group *g;

	if (!host || group == 0 || group >= AMQ_MAX_GROUPS || cir == 0 || cbs == 0)
		return -EINVAL;
	g = &host->env.groups[group];
	/* The first definition wins, in every worker alike. */
	uint32_t expected = 0;
	if (__atomic_compare_exchange_n(&g->state, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		g->owner = host->env.worker_index;
		g->cir = cir;
		g->cbs = cbs;
		__atomic_store_n(&g->state, 2, __ATOMIC_RELEASE);
		return 0;
	}
	/* Another worker is writing it: a few stores away. */
	for (unsigned spin = 0; spin < 1000000 && __atomic_load_n(&g->state, __ATOMIC_ACQUIRE) == 1; spin++)
		rte_pause();
	if (__atomic_load_n(&g->state, __ATOMIC_ACQUIRE) != 2)
		return -EAGAIN;
	return g->cir == cir && g->cbs == cbs ? 0 : -EEXIST;
}

const struct stellar_session_info *plugin_call_info(struct plugin_host *h)
{
	struct stellar_session_info *i = &h->call.info;
	const struct session *r = h->call.rec;
	bool hi = r->flags & SF_INIT_IS_HI;

	if (h->call.info_ready)
		return i;
	i->ip_version = r->key.ip_version;
	i->proto = r->key.proto;
	i->state = r->state;
	i->close_reason = r->close_reason;
	memcpy(i->client_ip, hi ? r->key.hi : r->key.lo, 16);
	memcpy(i->server_ip, hi ? r->key.lo : r->key.hi, 16);
	i->client_port = hi ? r->key.hi_port : r->key.lo_port;
	i->server_port = hi ? r->key.lo_port : r->key.hi_port;
	i->zone = r->key.zone;
	memcpy(i->packets, r->pkts, sizeof(i->packets));
	memcpy(i->bytes, r->bytes, sizeof(i->bytes));
	i->first_ns = r->ts_first;
	i->last_ns = r->ts_last;
	i->midstream = (r->flags & SF_MIDSTREAM) != 0;
	h->call.info_ready = true;
	return i;
}

const struct stellar_packet_info *plugin_call_packet(struct plugin_host *h)
{
	struct stellar_packet_info *p = &h->call.pkt;
	struct rte_mbuf *m = h->call.m;
	const struct pkt_decode *d;

	if (!m)
		return NULL;
	if (h->call.pkt_ready) {
		p->dropped = h->call.drop; /* a plugin since may have dropped it */
		return p;
	}
	d = &h->call.meta->dec;
	p->len = rte_pktmbuf_pkt_len(m);
	if (m->nb_segs == 1) {
		p->data = rte_pktmbuf_mtod(m, const uint8_t *);
	} else {
		if (p->len > sizeof(h->flat))
			p->len = sizeof(h->flat);
		p->data = rte_pktmbuf_read(m, 0, p->len, h->flat);
	}
	p->wire_len = h->call.meta->wire_len;
	p->ts_ns = h->call.meta->ts_ns;
	p->dir = h->call.ps->dir;
	p->tcp_flags = d->tcp_flags;
	p->dropped = h->call.drop;
	p->tcp_invalid = h->call.ps->tcp_invalid;
	p->l3_off = d->l3_off;
	p->l4_off = d->l4_off;
	p->payload_off = d->payload_off;
	p->payload_len = d->payload_len;
	p->tcp_seq = d->tcp_seq;
	p->tcp_ack = d->tcp_ack;
	h->call.pkt_ready = true;
	return p;
}

static const struct stellar_session_info *api_info(struct stellar_session *s)
{
	return current(s) ? plugin_call_info(host) : NULL;
}

static const struct stellar_packet_info *api_packet(struct stellar_session *s)
{
	return current(s) ? plugin_call_packet(host) : NULL;
}

static const char *api_state_name(uint8_t state)
{
	return session_state_name((enum session_state)state);
}

static uint16_t api_plugin_id(void)
{
	return host ? host->call.plugin : 0;
}

static void *api_plugin_memory(size_t *size)
{
	const struct plugin_slot *sl = host ? host->p[host->call.plugin].slot : NULL;

	if (size)
		*size = sl ? sl->global_size : 0;
	return sl ? sl->global : NULL;
}

static void api_log(int level, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	switch (level) {
	case STELLAR_LOG_ERR:
		LOG_ERR("%s: %s", host ? host->p[host->call.plugin].slot->name : "plugin", msg);
		break;
	case STELLAR_LOG_WARN:
		LOG_WARN("%s: %s", host ? host->p[host->call.plugin].slot->name : "plugin", msg);
		break;
	default:
		LOG_INFO("%s: %s", host ? host->p[host->call.plugin].slot->name : "plugin", msg);
		break;
	}
}

const struct stellar_api plugin_api_table = {
	.size = sizeof(struct stellar_api),
	.abi_version = STELLAR_PLUGIN_ABI,
	.session_get_metadata = session_get_metadata,
	.session_set_metadata = session_set_metadata,
	.session_del_metadata = session_del_metadata,
	.session_drop_current_packet = api_drop,
	.session_set_ratelimit_group = api_ratelimit,
	.session_lock = session_lock,
	.session_unlock = session_unlock,
	.pm_session_dettach_me = api_dettach_me,
	.pm_session_dettach_others = api_dettach_others,
	.amq_group_create = api_group_create,
	.session_info = api_info,
	.session_packet = api_packet,
	.state_name = api_state_name,
	.plugin_id = api_plugin_id,
	.plugin_memory = api_plugin_memory,
	.log = api_log,
};
