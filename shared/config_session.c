/* The `session:` section: table size, metadata store, idle timeouts. */
#include <stdio.h>
#include <string.h>

#include "config_yaml.h"

struct timeout_key {
	const char *name;
	size_t offset; /* into struct session_timeouts */
};

#define TCP(state) (offsetof(struct session_timeouts, tcp) + (state) * sizeof(uint32_t))
static const struct timeout_key timeout_keys[] = {
	{"tcp_syn_sent", TCP(SS_SYN_SENT)},
	{"tcp_syn_rcvd", TCP(SS_SYN_RCVD)},
	{"tcp_established", TCP(SS_ESTABLISHED)},
	{"tcp_fin_wait", TCP(SS_FIN_WAIT)},
	{"tcp_closing", TCP(SS_CLOSING)},
	{"tcp_time_wait", TCP(SS_TIME_WAIT)},
	{"tcp_closed", TCP(SS_CLOSED)},
	{"udp_new", offsetof(struct session_timeouts, udp_new)},
	{"udp_active", offsetof(struct session_timeouts, udp_active)},
	{"icmp_new", offsetof(struct session_timeouts, icmp_new)},
	{"icmp_active", offsetof(struct session_timeouts, icmp_active)},
	{"other_new", offsetof(struct session_timeouts, other_new)},
	{"other_active", offsetof(struct session_timeouts, other_active)},
};
#define N_TIMEOUT_KEYS (sizeof(timeout_keys) / sizeof(timeout_keys[0]))

static int parse_timeouts(struct cy *c, yaml_node_t *n, struct session_timeouts *t)
{
	const char *keys[N_TIMEOUT_KEYS + 1];
	char dotted[96];
	uint64_t v;

	for (unsigned i = 0; i < N_TIMEOUT_KEYS; i++)
		keys[i] = timeout_keys[i].name;
	keys[N_TIMEOUT_KEYS] = NULL;
	if (cy_expect_mapping(c, n, "session.timeouts") < 0 || cy_check_keys(c, n, "session.timeouts", keys) < 0)
		return -1;
	for (unsigned i = 0; i < N_TIMEOUT_KEYS; i++) {
		yaml_node_t *x = cy_get(c, n, timeout_keys[i].name);

		if (!x)
			continue;
		snprintf(dotted, sizeof(dotted), "session.timeouts.%s", timeout_keys[i].name);
		/* Seconds; up to a week (longer than the wheel's 4096 s round:
		 * such timers go round more than once). */
		if (cy_uint(c, x, dotted, 1, 7 * 86400, &v) < 0)
			return -1;
		*(uint32_t *)((char *)t + timeout_keys[i].offset) = (uint32_t)v;
	}
	return 0;
}

void config_session_defaults(struct session_config *s)
{
	s->max_sessions = 1u << 20;
	s->metadata_mb = 32;
	session_timeouts_defaults(&s->timeouts);
}

int config_parse_session(struct cy *c, yaml_node_t *n, struct stellar_config *cfg)
{
	static const char *const keys[] = {"max_sessions", "metadata_mb", "timeouts", NULL};
	struct session_config *s = &cfg->session;
	yaml_node_t *v;
	uint64_t x;

	if (cy_expect_mapping(c, n, "session") < 0 || cy_check_keys(c, n, "session", keys) < 0)
		return -1;
	if ((v = cy_get(c, n, "max_sessions"))) {
		if (cy_uint(c, v, "session.max_sessions", 64, 1u << 27, &x) < 0)
			return -1;
		s->max_sessions = (uint32_t)x;
	}
	if ((v = cy_get(c, n, "metadata_mb"))) {
		if (cy_uint(c, v, "session.metadata_mb", 1, 4096, &x) < 0)
			return -1;
		s->metadata_mb = (uint32_t)x;
	}
	if ((v = cy_get(c, n, "timeouts")) && parse_timeouts(c, v, &s->timeouts) < 0)
		return -1;
	return 0;
}
