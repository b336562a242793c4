/* Idle timeouts by protocol and state. */
#include "session_table.h"

void session_timeouts_defaults(struct session_timeouts *t)
{
	/* Linux conntrack's values, except established TCP: conntrack keeps
	 * it five days, which fills a table with dead peers; one hour is
	 * Suricata's choice. */
	for (unsigned i = 0; i < SS_STATE_MAX; i++)
		t->tcp[i] = 60;
	t->tcp[SS_SYN_SENT] = 120;
	t->tcp[SS_SYN_RCVD] = 60;
	t->tcp[SS_ESTABLISHED] = 3600;
	t->tcp[SS_FIN_WAIT] = 120;
	t->tcp[SS_CLOSING] = 60;
	t->tcp[SS_TIME_WAIT] = 120;
	t->tcp[SS_CLOSED] = 10;
	t->udp_new = 30;
	t->udp_active = 120;
	t->icmp_new = 30;
	t->icmp_active = 30;
	t->other_new = 30;
	t->other_active = 600;
}

uint32_t session_timeout_of(const struct session_timeouts *t, const struct session *s)
{
	bool active = s->state == SS_ACTIVE;

	switch (s->proto_class) {
	case PROTO_CLASS_TCP:
		return s->state < SS_STATE_MAX ? t->tcp[s->state] : t->tcp[SS_CLOSED];
	case PROTO_CLASS_UDP:
		return active ? t->udp_active : t->udp_new;
	case PROTO_CLASS_ICMP:
		return active ? t->icmp_active : t->icmp_new;
	default:
		return active ? t->other_active : t->other_new;
	}
}
