/*
 * Reassembly of the client's Initial CRYPTO stream across packets, and the
 * walk over the frames an Initial packet may carry (RFC 9000 12.4: PADDING,
 * PING, ACK, CRYPTO, CONNECTION_CLOSE). Clients such as Chromium send the
 * ClientHello in several CRYPTO frames, out of order, and sometimes over
 * several packets: bytes are placed by offset and a bitmap tells how much
 * is contiguous from offset 0.
 */
#include <errno.h>
#include <string.h>

#include "app_common.h"
#include "app_quic.h"

#define FRAME_PADDING 0x00
#define FRAME_PING 0x01
#define FRAME_ACK 0x02
#define FRAME_ACK_ECN 0x03
#define FRAME_CRYPTO 0x06
#define FRAME_CONNECTION_CLOSE 0x1c

#define QUIC_VARINT_MAX ((1ull << 62) - 1)

void app_quic_conn_init(struct app_quic_conn *c)
{
	memset(c, 0, offsetof(struct app_quic_conn, crypto));
	c->largest_pn = -1;
}

static void crypto_store(struct app_quic_conn *c, uint64_t off, const uint8_t *data, uint64_t n)
{
	if (off >= APP_QUIC_CRYPTO_MAX) {
		c->overflow |= n > 0;
		return;
	}
	if (n > APP_QUIC_CRYPTO_MAX - off) {
		n = APP_QUIC_CRYPTO_MAX - off;
		c->overflow = true;
	}
	/* A retransmission carries the same bytes: overwriting is harmless. */
	memcpy(c->crypto + off, data, n);
	for (uint64_t i = off; i < off + n; i++)
		c->have[i / 8] |= (uint8_t)(1u << (i % 8));
	while (c->contiguous < APP_QUIC_CRYPTO_MAX &&
	       (c->have[c->contiguous / 8] & (1u << (c->contiguous % 8))))
		c->contiguous++;
}

/* Skips `count` varints. */
static int skip_varints(const uint8_t *p, size_t n, size_t *off, unsigned count)
{
	uint64_t v;

	for (unsigned i = 0; i < count; i++)
		if (app_quic_varint(p, n, off, &v))
			return -EINVAL;
	return 0;
}

/* Largest, delay, range count, first range, ranges (gap, length) and,
 * for 0x03, three ECN counts. */
static int skip_ack(const uint8_t *p, size_t n, size_t *off, bool ecn)
{
	uint64_t ranges;

	if (skip_varints(p, n, off, 2) || app_quic_varint(p, n, off, &ranges) ||
	    skip_varints(p, n, off, 1))
		return -EINVAL;
	/* Each range takes at least 2 bytes: a count beyond that is a lie. */
	if (ranges > (n - *off) / 2)
		return -EINVAL;
	if (skip_varints(p, n, off, (unsigned)ranges * 2))
		return -EINVAL;
	return ecn ? skip_varints(p, n, off, 3) : 0;
}

static int frame_crypto(struct app_quic_conn *c, const uint8_t *p, size_t n, size_t *off)
{
	uint64_t offset, len;

	if (app_quic_varint(p, n, off, &offset) || app_quic_varint(p, n, off, &len))
		return -EINVAL;
	if (!app_fits(*off, len, n) || offset + len > QUIC_VARINT_MAX)
		return -EINVAL;
	crypto_store(c, offset, p + *off, len);
	*off += len;
	return 0;
}

static int walk_frames(struct app_quic_conn *c, const uint8_t *p, size_t n)
{
	size_t off = 0;
	uint64_t type, reason;
	int rc;

	if (n == 0)
		return -EINVAL;   /* a packet without frames is a protocol violation */
	while (off < n) {
		if (app_quic_varint(p, n, &off, &type))
			return -EINVAL;
		switch (type) {
		case FRAME_PADDING:
		case FRAME_PING:
			rc = 0;
			break;
		case FRAME_ACK:
		case FRAME_ACK_ECN:
			rc = skip_ack(p, n, &off, type == FRAME_ACK_ECN);
			break;
		case FRAME_CRYPTO:
			rc = frame_crypto(c, p, n, &off);
			break;
		case FRAME_CONNECTION_CLOSE:
			rc = skip_varints(p, n, &off, 2);
			if (rc == 0 && (app_quic_varint(p, n, &off, &reason) || !app_fits(off, reason, n)))
				rc = -EINVAL;
			if (rc == 0)
				off += reason;
			break;
		default:
			rc = -EINVAL;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Decrypts one Initial packet at data and takes in its frames. */
static int feed_packet(struct app_quic_engine *e, struct app_quic_conn *c, const uint8_t *data,
		       size_t len, const struct app_quic_initial *h)
{
	uint8_t plain[APP_QUIC_PAYLOAD_MAX];
	struct app_quic_keys keys;
	size_t plain_len;
	uint64_t pn;
	int rc;

	if (c->keyed && h->version != c->version)
		return -EINVAL;
	if (c->keyed) {
		keys = c->keys;
	} else {
		/* Every client Initial uses the keys of its first DCID, even after
		 * the server picks another CID; a packet that fails to decrypt
		 * must not fix the keys. */
		rc = app_quic_initial_keys(e, h->version, h->dcid, h->dcid_len, false, &keys);
		if (rc)
			return rc;
	}
	rc = app_quic_decrypt(e, &keys, data, len, h, c->largest_pn, plain, sizeof(plain), &plain_len,
			      &pn);
	if (rc)
		return rc;
	if (!c->keyed) {
		c->keys = keys;
		c->version = h->version;
		c->keyed = true;
	}
	if ((int64_t)pn > c->largest_pn)
		c->largest_pn = (int64_t)pn;
	if (c->packets < UINT16_MAX)
		c->packets++;
	return walk_frames(c, plain, plain_len);
}

int app_quic_conn_feed(struct app_quic_engine *e, struct app_quic_conn *c, const uint8_t *data,
		       size_t len)
{
	size_t off = 0;
	int rc;

	if (e == NULL || c == NULL || (data == NULL && len != 0))
		return -EINVAL;
	if (len == 0)
		return -EAGAIN;
	do {
		struct app_quic_initial h;

		rc = app_quic_parse_initial(data + off, len - off, &h);
		/* After the first packet, anything else (0-RTT, Handshake,
		 * padding) ends the Initial packets of this datagram. */
		if (rc)
			return off == 0 ? rc : 0;
		rc = feed_packet(e, c, data + off, len - off, &h);
		if (rc)
			return rc;
		off += h.packet_len;
	} while (off < len);
	return 0;
}

int app_quic_conn_hello(const struct app_quic_conn *c, struct app_tls_hello *hello)
{
	int rc;

	if (c == NULL || hello == NULL)
		return -EINVAL;
	rc = app_tls_parse_handshake(c->crypto, c->contiguous, hello);
	if (rc == -EAGAIN && c->contiguous >= 4 && 4 + app_rd24(c->crypto + 1) > APP_QUIC_CRYPTO_MAX)
		return -ENOBUFS;
	return rc;
}
