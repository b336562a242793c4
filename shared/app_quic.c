/*
 * QUIC long-header parsing for Initial packets (RFC 9000 17.2.2,
 * RFC 9369 3.2 for v2's packet type bits). No cryptography here.
 */
#include <errno.h>
#include <string.h>

#include "app_common.h"
#include "app_quic.h"

#define QUIC_LONG_HEADER 0x80
#define QUIC_FIXED_BIT 0x40
/* Packet number (1-4 bytes) plus the 16-byte header-protection sample
 * taken 4 bytes after its start: a shorter Length cannot be protected. */
#define QUIC_MIN_PROTECTED 20

int app_quic_varint(const uint8_t *data, size_t len, size_t *off, uint64_t *value)
{
	size_t n;
	uint64_t v;

	if (*off >= len)
		return -EAGAIN;
	n = (size_t)1 << (data[*off] >> 6);
	if (!app_fits(*off, n, len))
		return -EAGAIN;
	v = data[*off] & 0x3f;
	for (size_t i = 1; i < n; i++)
		v = v << 8 | data[*off + i];
	*off += n;
	*value = v;
	return 0;
}

/* Initial's long packet type: 0 in v1 and the drafts, 1 in v2. */
static int initial_type(uint32_t version)
{
	if (version == APP_QUIC_V1)
		return 0;
	if (version == APP_QUIC_V2)
		return 1;
	if (version >= APP_QUIC_DRAFT29 && version <= 0xff000020u)
		return 0;
	return -1;
}

static int read_cid(const uint8_t *d, size_t len, size_t *off, uint8_t *cid, uint8_t *cid_len)
{
	uint8_t n;

	if (*off >= len)
		return -EAGAIN;
	n = d[*off];
	if (n > APP_QUIC_CID_MAX)
		return -EINVAL;
	if (!app_fits(*off + 1, n, len))
		return -EAGAIN;
	memcpy(cid, d + *off + 1, n);
	*cid_len = n;
	*off += 1 + (size_t)n;
	return 0;
}

int app_quic_parse_initial(const uint8_t *data, size_t len, struct app_quic_initial *pkt)
{
	uint64_t token_len, length;
	size_t off = 5;
	int type, rc;

	if (pkt == NULL || (data == NULL && len != 0))
		return -EINVAL;
	memset(pkt, 0, sizeof(*pkt));
	if (len == 0)
		return -EAGAIN;
	if ((data[0] & (QUIC_LONG_HEADER | QUIC_FIXED_BIT)) != (QUIC_LONG_HEADER | QUIC_FIXED_BIT))
		return -EINVAL;
	if (len < 5)
		return -EAGAIN;
	pkt->version = app_rd32(data + 1);
	if (pkt->version == 0)
		return -EINVAL;   /* Version Negotiation */
	type = initial_type(pkt->version);

	rc = read_cid(data, len, &off, pkt->dcid, &pkt->dcid_len);
	if (rc == 0)
		rc = read_cid(data, len, &off, pkt->scid, &pkt->scid_len);
	if (type < 0)
		return -EPROTONOSUPPORT;
	if (rc)
		return rc;
	if (((data[0] >> 4) & 3) != type)
		return -EINVAL;

	if (app_quic_varint(data, len, &off, &token_len))
		return -EAGAIN;
	if (token_len > UINT32_MAX)
		return -EINVAL;
	pkt->token_off = (uint32_t)off;
	pkt->token_len = (uint32_t)token_len;
	if (!app_fits(off, token_len, len))
		return -EAGAIN;
	off += token_len;
	if (app_quic_varint(data, len, &off, &length))
		return -EAGAIN;
	if (length < QUIC_MIN_PROTECTED || length > UINT32_MAX - off)
		return -EINVAL;
	pkt->length = (uint32_t)length;
	pkt->pn_off = (uint32_t)off;
	pkt->packet_len = (uint32_t)(off + length);
	return pkt->packet_len <= len ? 0 : -EAGAIN;
}
