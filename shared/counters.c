#include "counters.h"

#include <string.h>

static const char *const reason_names[DROP_REASON_MAX] = {
	[DROP_FIREWALL] = "firewall",
	[DROP_PLUGIN] = "plugin",
	[DROP_RATELIMIT] = "ratelimit",
	[DROP_AQM] = "aqm",
	[DROP_PARSE_ERROR] = "parse_error",
	[DROP_NO_BUFFER] = "no_buffer",
	[DROP_RING_FULL] = "ring_full",
	[DROP_WORKER_CRASH] = "worker_crash",
	[DROP_TX_ERROR] = "tx_error",
	[DROP_SHUTDOWN] = "shutdown",
	[DROP_DEFRAG] = "defrag",
};

const char *drop_reason_name(enum drop_reason reason)
{
	if ((unsigned)reason >= DROP_REASON_MAX)
		return "unknown";
	return reason_names[reason];
}

void conservation_reset(struct conservation *c)
{
	memset(c, 0, sizeof(*c));
}

void conservation_add(struct conservation *c, const struct node_counters *n)
{
	c->rx += counter_read(&n->rx);
	c->tx += counter_read(&n->tx);
	for (unsigned r = 0; r < DROP_REASON_MAX; r++) {
		uint64_t d = counter_read(&n->dropped[r]);

		c->dropped[r] += d;
		c->dropped_total += d;
	}
}

int64_t conservation_in_flight(const struct conservation *c)
{
	return (int64_t)c->rx - (int64_t)c->tx - (int64_t)c->dropped_total;
}

bool conservation_balanced(const struct conservation *c)
{
	return conservation_in_flight(c) == 0;
}
