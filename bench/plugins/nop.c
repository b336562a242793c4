/* Bench plugin: the least a plugin does per packet (count it in its
 * per-session context), to measure what dispatching to it costs. */
#include <stellar/plugin.h>

struct nop_ctx {
	uint64_t packets;
};

static void entry(struct stellar_session *s, void *pme)
{
	(void)s;
	((struct nop_ctx *)pme)->packets++;
}

STELLAR_PLUGIN(.name = "nop", .events = STELLAR_EV_PACKET, .ctx_size = sizeof(struct nop_ctx), .entry = entry);
