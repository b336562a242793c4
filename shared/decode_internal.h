/* Shared by the decode_*.c files only: a cursor over the packet and the
 * per-layer entry points. */
#ifndef STELLAR_DECODE_INTERNAL_H
#define STELLAR_DECODE_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "decode.h"

#define DECODE_MAX_LAYERS 24  /* headers of any kind, all tunnels included */
#define DECODE_MAX_IP     4   /* IP headers nested in one packet */

struct dcur {
	const uint8_t *data;
	uint32_t len;          /* bytes we may read */
	bool cut;              /* the capture holds less than the wire carried */
	const struct decode_config *cfg;
	struct pkt_decode *d;
	unsigned layers;
	unsigned ip_count;
};

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Records the first error; decoding stops at the caller's discretion. */
static inline void dfail(struct dcur *c, enum decode_error err)
{
	c->d->status = DECODE_MALFORMED;
	if (c->d->error == DERR_NONE)
		c->d->error = (uint8_t)err;
}

/* One more header of any kind; false when the packet nests too deep. */
static inline bool dlayer(struct dcur *c)
{
	if (++c->layers > DECODE_MAX_LAYERS) {
		dfail(c, DERR_TOO_MANY_LAYERS);
		return false;
	}
	return true;
}

static inline void dpush_encap(struct dcur *c, enum encap_type type, uint32_t id)
{
	struct pkt_decode *d = c->d;

	if (d->n_encap < DECODE_MAX_ENCAP) {
		d->encap[d->n_encap].type = (uint8_t)type;
		d->encap[d->n_encap].id = id;
	}
	/* Counted even when not stored, so the zone sees the real depth. */
	if (d->n_encap < 255)
		d->n_encap++;
}

/* decode_l2.c */
void decode_ether(struct dcur *c, uint32_t off, uint32_t end);
void decode_ethertype(struct dcur *c, uint16_t type, uint32_t off, uint32_t end);
/* decode_ip.c: `end` bounds the header and what it carries. */
void decode_ipv4(struct dcur *c, uint32_t off, uint32_t end);
void decode_ipv6(struct dcur *c, uint32_t off, uint32_t end);
/* Dispatches on the first nibble (MPLS, GTP-U and friends carry no type). */
void decode_ip_any(struct dcur *c, uint32_t off, uint32_t end);
/* decode_l4.c */
void decode_l4(struct dcur *c, uint8_t proto, uint32_t off, uint32_t end);
/* decode_tunnel.c */
void decode_gre(struct dcur *c, uint32_t off, uint32_t end);
/* Returns true if the UDP payload was a tunnel it decoded. */
bool decode_udp_tunnel(struct dcur *c, uint16_t sport, uint16_t dport, uint32_t off, uint32_t end);

#endif
