#include "amq_ratelimit.h"

#include <string.h>

#include "mbuf_meta.h"

void amq_ratelimit_init(struct amq_ratelimit *rl, const struct amq_group *groups, uint64_t hz)
{
	memset(rl, 0, sizeof(*rl));
	rl->groups = groups;
	rl->hz = hz;
}

/* The group's meter, (re)configured when its definition appears. */
static struct amq_meter *meter_of(struct amq_ratelimit *rl, uint16_t g)
{
	const struct amq_group *def = &rl->groups[g];
	struct amq_meter *m = &rl->meters[g];
	struct rte_meter_srtcm_params p;

	if (__atomic_load_n(&def->state, __ATOMIC_ACQUIRE) != 2)
		return NULL;
	if (m->cir == def->cir && m->cbs == def->cbs && (m->ready || m->refused))
		return m->ready ? m : NULL;
	/* No excess burst: beyond CBS a packet is red. */
	p.cir = def->cir;
	p.cbs = def->cbs;
	p.ebs = 0;
	m->cir = def->cir;
	m->cbs = def->cbs;
	m->ready = false;
	m->refused = rte_meter_srtcm_profile_config(&m->profile, &p) != 0 ||
		     rte_meter_srtcm_config(&m->meter, &m->profile) != 0;
	if (m->refused)
		return NULL;
	m->ready = true;
	m->last = 0;
	return m;
}

bool amq_ratelimit_pass(struct amq_ratelimit *rl, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct amq_meter *mt;
	uint64_t t;

	if (meta->rl_group == 0 || meta->rl_group >= AMQ_MAX_GROUPS || !(mt = meter_of(rl, meta->rl_group)))
		return true;
	/* rte_meter counts in TSC cycles; packet time converted to them, as
	 * time since the meter's first packet, and never backwards (an
	 * out-of-order timestamp must not refill the bucket). */
	t = (uint64_t)((double)meta->ts_ns * (double)rl->hz / 1e9);
	if (mt->last == 0) {
		mt->meter.time = t;
		mt->last = t;
	}
	if (t < mt->last)
		t = mt->last;
	mt->last = t;
	return rte_meter_srtcm_color_blind_check(&mt->meter, &mt->profile, t, meta->wire_len) != RTE_COLOR_RED;
}
