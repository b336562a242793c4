/*
 * QUIC Initial packet decoder: the long header of an Initial packet, the
 * Initial packet protection (RFC 9001 5: keys derived from the client's
 * Destination Connection ID, header protection, AES-128-GCM), and the
 * client's CRYPTO stream, reassembled across packets into a ClientHello
 * that app_tls reads for SNI and ALPN.
 *
 * Versions: QUIC v1 (RFC 9000), v2 (RFC 9369), drafts 29-32.
 *
 * Three layers, usable on their own:
 *   app_quic_parse_initial    header fields, no cryptography;
 *   app_quic_initial_keys     the Initial keys of a connection, and
 *   app_quic_decrypt          one packet's protection removed;
 *   app_quic_conn_*           a caller-owned per-connection context that
 *                             takes the client's datagrams one by one and
 *                             yields the ClientHello once it is whole.
 *
 * Cryptography uses OpenSSL 3 libcrypto (link -lcrypto). Its contexts live
 * in an engine made once per thread; after that nothing here allocates,
 * though libcrypto may allocate inside its own calls.
 */
#ifndef STELLAR_APP_QUIC_H
#define STELLAR_APP_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

#define APP_QUIC_V1 0x00000001u
#define APP_QUIC_V2 0x6b3343cfu
#define APP_QUIC_DRAFT29 0xff00001du   /* drafts 30-32 share its keys */

#define APP_QUIC_CID_MAX 20
/* CRYPTO bytes kept per connection: a ClientHello must fit. */
#define APP_QUIC_CRYPTO_MAX 4096
/* Largest protected payload decrypted (client Initials are ~1200-1500). */
#define APP_QUIC_PAYLOAD_MAX 4096

struct app_quic_initial {
	uint32_t version;
	uint8_t dcid_len;
	uint8_t scid_len;
	uint8_t dcid[APP_QUIC_CID_MAX];
	uint8_t scid[APP_QUIC_CID_MAX];
	uint32_t token_off;     /* offset of the token in the packet */
	uint32_t token_len;
	uint32_t length;        /* the Length field: packet number + payload */
	uint32_t pn_off;        /* offset of the (protected) packet number */
	uint32_t packet_len;    /* pn_off + length; a coalesced packet may follow */
};

/*
 * Reads a variable-length integer (RFC 9000 16) at data[*off], advancing
 * *off. Returns 0, or -EAGAIN when data ends inside it.
 */
int app_quic_varint(const uint8_t *data, size_t len, size_t *off, uint64_t *value);

/*
 * Decodes the long header of the Initial packet at the start of data (the
 * first packet of a UDP datagram, or one found at a coalescing offset).
 * Returns:
 *   0                 the header and the whole packet are in data;
 *   -EAGAIN           the header is valid but data ends before packet_len
 *                     (or inside the header); fields read so far are set;
 *   -EPROTONOSUPPORT  a long header of an unknown version: version is set,
 *                     and the connection IDs when they fit;
 *   -EINVAL           not a QUIC long-header Initial packet (short header,
 *                     Version Negotiation, another packet type, a CID over
 *                     20 bytes, a Length too small to be protected).
 */
int app_quic_parse_initial(const uint8_t *data, size_t len, struct app_quic_initial *pkt);

struct app_quic_keys {
	uint8_t key[16];
	uint8_t iv[12];
	uint8_t hp[16];
};

/* libcrypto contexts for one thread; opaque. */
struct app_quic_engine;

/* NULL with errno set (ENOMEM, or ENOTSUP when libcrypto lacks AES-GCM). */
struct app_quic_engine *app_quic_engine_create(void);
void app_quic_engine_free(struct app_quic_engine *engine);

/*
 * Derives the Initial keys of one side (server = false: what the client
 * sends with) from the Destination Connection ID of the client's first
 * Initial packet. Returns 0, -EPROTONOSUPPORT for an unknown version,
 * -EINVAL for a CID over 20 bytes, -EIO if libcrypto fails.
 */
int app_quic_initial_keys(struct app_quic_engine *engine, uint32_t version, const uint8_t *dcid,
			  size_t dcid_len, bool server, struct app_quic_keys *keys);

/*
 * Removes header protection and decrypts the Initial packet described by
 * pkt (from app_quic_parse_initial on the same data) into out. largest_pn
 * is the largest packet number seen so far in this direction, -1 if none,
 * to expand the truncated packet number. On 0, *out_len is the payload
 * (frames) length and *pn the packet number.
 * Returns 0; -EBADMSG when authentication fails (wrong keys: another
 * connection, the other direction, a corrupted packet); -EMSGSIZE when the
 * payload exceeds out_size; -EINVAL for reserved header bits set or a
 * packet shorter than its header says; -EIO if libcrypto fails. out is
 * unspecified on error.
 */
int app_quic_decrypt(struct app_quic_engine *engine, const struct app_quic_keys *keys,
		     const uint8_t *data, size_t len, const struct app_quic_initial *pkt,
		     int64_t largest_pn, uint8_t *out, size_t out_size, size_t *out_len, uint64_t *pn);

/*
 * Per-connection reassembly of the client's Initial CRYPTO stream. Owned
 * by the caller (about 4.6 KB), no pointers inside: it may be copied or
 * kept in shared memory.
 */
struct app_quic_conn {
	struct app_quic_keys keys;
	uint32_t version;
	bool keyed;             /* keys are those of this connection */
	bool overflow;          /* CRYPTO data past APP_QUIC_CRYPTO_MAX was dropped */
	uint16_t packets;       /* Initial packets decrypted */
	int64_t largest_pn;
	uint32_t contiguous;    /* CRYPTO bytes held from offset 0 without a gap */
	uint8_t have[APP_QUIC_CRYPTO_MAX / 8];   /* one bit per byte held */
	uint8_t crypto[APP_QUIC_CRYPTO_MAX];
};

void app_quic_conn_init(struct app_quic_conn *conn);

/*
 * Feeds one UDP datagram sent by the client: decrypts the Initial packet at
 * its start (and any Initial coalesced after it) and stores its CRYPTO
 * frames. The first packet that decrypts fixes the keys and version.
 * Returns 0 when at least the first packet was decrypted and its frames
 * were valid; otherwise the error of app_quic_parse_initial or
 * app_quic_decrypt, or -EINVAL for a frame that may not appear in an
 * Initial packet or is malformed, or a different version than before.
 * Data from packets that decrypted before an error is kept.
 */
int app_quic_conn_feed(struct app_quic_engine *engine, struct app_quic_conn *conn, const uint8_t *data,
		       size_t len);

/*
 * Decodes the ClientHello from the CRYPTO bytes held so far.
 * Returns app_tls_parse_handshake's result (-EAGAIN until the hello is
 * whole and contiguous from offset 0), or -ENOBUFS when the hello is
 * longer than APP_QUIC_CRYPTO_MAX.
 */
int app_quic_conn_hello(const struct app_quic_conn *conn, struct app_tls_hello *hello);

#ifdef __cplusplus
}
#endif
#endif
