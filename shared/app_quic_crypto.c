/*
 * QUIC Initial packet protection (RFC 9001 5.2-5.4, RFC 9369 3.3) with
 * OpenSSL 3 EVP: HKDF over an HMAC-SHA256 context, AES-128-ECB for the
 * header protection mask, AES-128-GCM for the payload.
 *
 * The engine holds every libcrypto context, made once; each packet only
 * re-keys them, which allocates nothing on our side.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "app_common.h"
#include "app_quic.h"

#define SHA256_LEN 32
#define TAG_LEN 16
#define SAMPLE_LEN 16

struct app_quic_engine {
	EVP_MAC *mac;
	EVP_MAC_CTX *hmac;
	EVP_CIPHER *ecb_cipher;
	EVP_CIPHER *gcm_cipher;
	EVP_CIPHER_CTX *ecb;
	EVP_CIPHER_CTX *gcm;
};

struct quic_salt {
	uint32_t first, last;       /* versions using this salt */
	uint8_t salt[20];
	const char *prefix;         /* of the key, iv and hp labels */
};

static const struct quic_salt quic_salts[] = {
	{ APP_QUIC_V1, APP_QUIC_V1,
	  { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a }, "quic" },
	{ APP_QUIC_V2, APP_QUIC_V2,
	  { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 }, "quicv2" },
	{ APP_QUIC_DRAFT29, 0xff000020u,
	  { 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	    0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 }, "quic" },
};

struct app_quic_engine *app_quic_engine_create(void)
{
	struct app_quic_engine *e = calloc(1, sizeof(*e));
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};

	if (e == NULL)
		return NULL;
	e->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	e->ecb_cipher = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	e->gcm_cipher = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	if (e->mac == NULL || e->ecb_cipher == NULL || e->gcm_cipher == NULL) {
		app_quic_engine_free(e);
		errno = ENOTSUP;
		return NULL;
	}
	e->hmac = EVP_MAC_CTX_new(e->mac);
	e->ecb = EVP_CIPHER_CTX_new();
	e->gcm = EVP_CIPHER_CTX_new();
	/* Bind the algorithms now so that per-packet calls only re-key. */
	if (e->hmac == NULL || e->ecb == NULL || e->gcm == NULL ||
	    EVP_MAC_CTX_set_params(e->hmac, params) != 1 ||
	    EVP_EncryptInit_ex2(e->ecb, e->ecb_cipher, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(e->ecb, 0) != 1 ||
	    EVP_DecryptInit_ex2(e->gcm, e->gcm_cipher, NULL, NULL, NULL) != 1) {
		app_quic_engine_free(e);
		errno = ENOMEM;
		return NULL;
	}
	return e;
}

void app_quic_engine_free(struct app_quic_engine *e)
{
	if (e == NULL)
		return;
	EVP_CIPHER_CTX_free(e->gcm);
	EVP_CIPHER_CTX_free(e->ecb);
	EVP_MAC_CTX_free(e->hmac);
	EVP_CIPHER_free(e->gcm_cipher);
	EVP_CIPHER_free(e->ecb_cipher);
	EVP_MAC_free(e->mac);
	free(e);
}

static int hmac(struct app_quic_engine *e, const uint8_t *key, size_t key_len, const uint8_t *msg,
		size_t msg_len, uint8_t out[SHA256_LEN])
{
	size_t n = 0;

	if (EVP_MAC_init(e->hmac, key, key_len, NULL) != 1 || EVP_MAC_update(e->hmac, msg, msg_len) != 1 ||
	    EVP_MAC_final(e->hmac, out, &n, SHA256_LEN) != 1 || n != SHA256_LEN)
		return -EIO;
	return 0;
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for outputs of
 * one hash block or less: T(1) = HMAC(secret, info || 0x01). */
static int expand_label(struct app_quic_engine *e, const uint8_t secret[SHA256_LEN], const char *prefix,
			const char *label, uint8_t *out, size_t out_len)
{
	static const char tls13[] = "tls13 ";
	uint8_t info[2 + 1 + 32 + 1 + 1], block[SHA256_LEN];
	size_t n = 0, pl = strlen(prefix), ll = strlen(label);
	int rc;

	if (sizeof(tls13) - 1 + pl + ll > 32 || out_len > SHA256_LEN)
		return -EINVAL;
	info[n++] = 0;
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(sizeof(tls13) - 1 + pl + ll);
	memcpy(info + n, tls13, sizeof(tls13) - 1);
	n += sizeof(tls13) - 1;
	memcpy(info + n, prefix, pl);
	n += pl;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;      /* context length */
	info[n++] = 0x01;   /* block counter */
	rc = hmac(e, secret, SHA256_LEN, info, n, block);
	if (rc == 0)
		memcpy(out, block, out_len);
	return rc;
}

static const struct quic_salt *salt_find(uint32_t version)
{
	for (size_t i = 0; i < sizeof(quic_salts) / sizeof(quic_salts[0]); i++)
		if (version >= quic_salts[i].first && version <= quic_salts[i].last)
			return &quic_salts[i];
	return NULL;
}

int app_quic_initial_keys(struct app_quic_engine *e, uint32_t version, const uint8_t *dcid,
			  size_t dcid_len, bool server, struct app_quic_keys *keys)
{
	const struct quic_salt *s = salt_find(version);
	uint8_t initial[SHA256_LEN], secret[SHA256_LEN];
	int rc;

	if (e == NULL || keys == NULL || (dcid == NULL && dcid_len > 0))
		return -EINVAL;
	if (s == NULL)
		return -EPROTONOSUPPORT;
	if (dcid_len > APP_QUIC_CID_MAX)
		return -EINVAL;
	/* HKDF-Extract(salt, DCID) is HMAC keyed with the salt. */
	rc = hmac(e, s->salt, sizeof(s->salt), dcid, dcid_len, initial);
	if (rc == 0)
		rc = expand_label(e, initial, "", server ? "server in" : "client in", secret, SHA256_LEN);
	if (rc == 0)
		rc = expand_label(e, secret, s->prefix, " key", keys->key, sizeof(keys->key));
	if (rc == 0)
		rc = expand_label(e, secret, s->prefix, " iv", keys->iv, sizeof(keys->iv));
	if (rc == 0)
		rc = expand_label(e, secret, s->prefix, " hp", keys->hp, sizeof(keys->hp));
	return rc;
}

/* RFC 9000 A.3: the packet number closest to the next one expected. */
static uint64_t pn_expand(int64_t largest, uint64_t truncated, unsigned bits)
{
	uint64_t expected = (uint64_t)(largest + 1), win = 1ull << bits, hwin = win / 2;
	uint64_t candidate = (expected & ~(win - 1)) | truncated;

	if (candidate + hwin <= expected && candidate < (1ull << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

static int hp_mask(struct app_quic_engine *e, const uint8_t hp[16], const uint8_t *sample, uint8_t mask[16])
{
	int n = 0;

	if (EVP_EncryptInit_ex2(e->ecb, NULL, hp, NULL, NULL) != 1 ||
	    EVP_EncryptUpdate(e->ecb, mask, &n, sample, SAMPLE_LEN) != 1 || n != SAMPLE_LEN)
		return -EIO;
	return 0;
}

int app_quic_decrypt(struct app_quic_engine *e, const struct app_quic_keys *k, const uint8_t *data,
		     size_t len, const struct app_quic_initial *pkt, int64_t largest_pn, uint8_t *out,
		     size_t out_size, size_t *out_len, uint64_t *pn)
{
	uint8_t mask[16], first, pn_bytes[4], nonce[12], tag[TAG_LEN];
	size_t pn_off, end, clen;
	uint64_t truncated = 0;
	unsigned pn_len;
	int n;

	if (e == NULL || k == NULL || data == NULL || pkt == NULL || out_len == NULL || pn == NULL)
		return -EINVAL;
	pn_off = pkt->pn_off;
	end = pkt->packet_len;
	if (end > len || pn_off < 7 || !app_fits(pn_off + 4, SAMPLE_LEN, end))
		return -EINVAL;
	if (end > INT_MAX)
		return -EMSGSIZE;
	if (hp_mask(e, k->hp, data + pn_off + 4, mask))
		return -EIO;
	first = data[0] ^ (mask[0] & 0x0f);
	pn_len = (first & 3) + 1;
	for (unsigned i = 0; i < pn_len; i++) {
		pn_bytes[i] = data[pn_off + i] ^ mask[1 + i];
		truncated = truncated << 8 | pn_bytes[i];
	}
	clen = end - pn_off - pn_len - TAG_LEN;
	if (clen > out_size || clen > INT_MAX)
		return -EMSGSIZE;
	*pn = pn_expand(largest_pn, truncated, pn_len * 8);

	memcpy(nonce, k->iv, sizeof(nonce));
	for (unsigned i = 0; i < 8; i++)
		nonce[sizeof(nonce) - 1 - i] ^= (uint8_t)(*pn >> (8 * i));
	memcpy(tag, data + end - TAG_LEN, TAG_LEN);
	/* The AAD is the unprotected header, fed in pieces so the packet
	 * itself is never written. */
	if (EVP_DecryptInit_ex2(e->gcm, NULL, k->key, nonce, NULL) != 1 ||
	    EVP_DecryptUpdate(e->gcm, NULL, &n, &first, 1) != 1 ||
	    EVP_DecryptUpdate(e->gcm, NULL, &n, data + 1, (int)pn_off - 1) != 1 ||
	    EVP_DecryptUpdate(e->gcm, NULL, &n, pn_bytes, (int)pn_len) != 1 ||
	    EVP_DecryptUpdate(e->gcm, out, &n, data + pn_off + pn_len, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(e->gcm, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
		return -EIO;
	if (EVP_DecryptFinal_ex(e->gcm, out + clen, &n) != 1)
		return -EBADMSG;
	/* Reserved bits are only meaningful once the packet is authentic. */
	if (first & 0x0c)
		return -EINVAL;
	*out_len = clen;
	return 0;
}
