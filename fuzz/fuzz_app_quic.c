/*
 * libFuzzer harness for the QUIC Initial decoder. Random bytes almost
 * never authenticate, so the input picks a mode with its first byte:
 *   even: the rest is raw datagrams, fed as a client would send them;
 *   odd:  the rest is plaintext payloads, each protected here as a client
 *         Initial (QUIC v1, fixed DCID) before it is fed, so that the
 *         frame walk, the CRYPTO reassembly and the TLS parser see
 *         fuzzed bytes.
 * Datagrams / payloads are cut from the rest by 2-byte length prefixes.
 * The header parser and the varint reader also see the whole input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app_quic.h"

#define MAX_DATAGRAM 1500

static struct app_quic_engine *engine;
static struct app_quic_keys keys;
static const uint8_t dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };

/* A client Initial around payload[n] with packet number pn (2 bytes). */
static size_t protect(const uint8_t *payload, size_t n, uint16_t pn, uint8_t *out)
{
	uint8_t nonce[12], mask[16];
	size_t length = 2 + n + 16, pn_off, p = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl;

	if (c == NULL)
		abort();
	out[p++] = 0xc1;
	memcpy(out + p, "\x00\x00\x00\x01\x08", 5);
	p += 5;
	memcpy(out + p, dcid, sizeof(dcid));
	p += sizeof(dcid);
	out[p++] = 0;   /* SCID length */
	out[p++] = 0;   /* token length */
	out[p++] = (uint8_t)(0x40 | length >> 8);
	out[p++] = (uint8_t)length;
	pn_off = p;
	out[p++] = (uint8_t)(pn >> 8);
	out[p++] = (uint8_t)pn;
	memcpy(nonce, keys.iv, sizeof(nonce));
	nonce[10] ^= (uint8_t)(pn >> 8);
	nonce[11] ^= (uint8_t)pn;
	if (EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, keys.key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &outl, out, (int)p) != 1 ||
	    EVP_EncryptUpdate(c, out + p, &outl, payload, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, out + p + n, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + p + n) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, keys.hp, NULL) != 1 ||
	    EVP_EncryptUpdate(c, mask, &outl, out + pn_off + 4, 16) != 1)
		abort();
	EVP_CIPHER_CTX_free(c);
	p += n + 16;
	out[0] ^= mask[0] & 0x0f;
	out[pn_off] ^= mask[1];
	out[pn_off + 1] ^= mask[2];
	return p;
}

static void check_conn(const struct app_quic_conn *conn)
{
	struct app_tls_hello hello;
	int rc = app_quic_conn_hello(conn, &hello);

	if (rc != 0 && rc != -EAGAIN && rc != -EINVAL && rc != -ENOBUFS)
		abort();
	if (conn->contiguous > APP_QUIC_CRYPTO_MAX)
		abort();
	if (hello.sni_len > APP_TLS_SNI_MAX || hello.sni[hello.sni_len] != '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app_quic_conn conn;
	static uint8_t packet[MAX_DATAGRAM + 64];
	uint8_t payload[MAX_DATAGRAM];
	struct app_quic_initial h;
	size_t off = 0, i = 0;
	uint64_t v;
	int rc;

	if (engine == NULL) {
		engine = app_quic_engine_create();
		if (engine == NULL ||
		    app_quic_initial_keys(engine, APP_QUIC_V1, dcid, sizeof(dcid), false, &keys) != 0)
			abort();
	}
	rc = app_quic_parse_initial(data, size, &h);
	if (rc == 0 && (h.packet_len > size || h.pn_off >= h.packet_len))
		abort();
	while (app_quic_varint(data, size, &off, &v) == 0)
		if (v >= (1ull << 62))
			abort();
	if (size == 0)
		return 0;

	app_quic_conn_init(&conn);
	for (off = 1; off + 2 <= size; i++) {
		size_t n = (size_t)(data[off] << 8 | data[off + 1]) % MAX_DATAGRAM;

		off += 2;
		if (n > size - off)
			n = size - off;
		if (data[0] & 1) {
			/* Pad to the 4 bytes that header protection samples from. */
			memset(payload, 0, 4);
			memcpy(payload, data + off, n);
			app_quic_conn_feed(engine, &conn, packet,
					   protect(payload, n < 4 ? 4 : n, (uint16_t)i, packet));
		} else {
			app_quic_conn_feed(engine, &conn, data + off, n);
		}
		off += n;
		check_conn(&conn);
	}
	return 0;
}
