/* Authentication of what the store writes (FORMAT.md, "Authentication"),
 * under a key derived from the store key with HKDF-SHA-256, so that it is
 * never the key that seals secrets.  A header's tag is HMAC-SHA-256 (its
 * first MAC_TAG_LEN bytes).  A commit's tag is Poly1305 under a one-time
 * key, HMAC-SHA-256 of the commit's place (store id, segment seq, the
 * segment's random nonce, offset): a commit's bytes are hashed once, at a
 * speed close to the CRC's, where HMAC over them cost three times the
 * CRC at every mount.  Each place is written once per segment (a unit
 * that holds anything is never programmed again), so no one-time key
 * ever tags two commits.  The keyed HMAC context is made once per mount;
 * each MAC starts again from it. */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "store_int.h"

static const char hkdf_salt[] = "credstore";
static const char hkdf_info[] = "credstore v4 log mac";

static int derive(const uint8_t store_key[STORE_KEY_LEN], uint8_t out[32])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)store_key,
						  STORE_KEY_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)hkdf_salt,
						  sizeof(hkdf_salt) - 1),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)hkdf_info,
						  sizeof(hkdf_info) - 1),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, out, 32, params) == 1;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -EIO;
}

int mac_init(struct store *s)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC *poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t key[32];
	int rc = derive(s->key, key);

	if (!rc) {
		s->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
		s->poly = poly ? EVP_MAC_CTX_new(poly) : NULL;
		if (!s->mac || !s->poly || EVP_MAC_init(s->mac, key, sizeof(key), params) != 1)
			rc = -EIO;
	}
	OPENSSL_cleanse(key, sizeof(key));
	EVP_MAC_free(mac);
	EVP_MAC_free(poly);
	return rc;
}

void mac_free(struct store *s)
{
	EVP_MAC_CTX_free(s->mac);
	EVP_MAC_CTX_free(s->poly);
	s->mac = s->poly = NULL;
}

struct piece {
	const void *data;
	size_t len;
};

/* HMAC-SHA-256 of label (with its NUL: no label is a prefix of another)
 * and the pieces, in order: its first len bytes (32 at most). */
static int mac(struct store *s, const char *label, const struct piece *p, size_t n,
	       uint8_t *out, size_t out_len)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t len = 0;
	bool ok = EVP_MAC_init(s->mac, NULL, 0, NULL) == 1 &&
		  EVP_MAC_update(s->mac, (const uint8_t *)label, strlen(label) + 1) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = !p[i].len || EVP_MAC_update(s->mac, p[i].data, p[i].len) == 1;
	ok = ok && EVP_MAC_final(s->mac, full, &len, sizeof(full)) == 1 && len >= out_len;
	memcpy(out, full, out_len);
	OPENSSL_cleanse(full, sizeof(full));
	return ok ? 0 : -EIO;
}

static void le(uint8_t *out, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		out[i] = (uint8_t)(v >> 8 * i);
}

static int header_tag(struct store *s, uint32_t block, const uint8_t *hdr,
		      uint8_t tag[MAC_TAG_LEN])
{
	uint8_t where[4];
	struct piece p[] = { { where, sizeof(where) }, { hdr, BLOCK_HEADER_MAC_LEN } };

	le(where, block, 4);
	return mac(s, "credstore segment", p, 2, tag, MAC_TAG_LEN);
}

/* Poly1305 of the commit's header bytes and stored payload, under the
 * one-time key of its place. */
static int commit_tag(struct store *s, const struct place *at, const uint8_t *commit,
		      uint32_t payload_len, uint8_t tag[MAC_TAG_LEN])
{
	uint8_t where[8 + SEG_NONCE_LEN + 4], key[32];
	struct piece p[] = { { s->store_id, STORE_ID_LEN }, { where, sizeof(where) } };
	size_t len = 0;
	int rc;

	le(where, at->seq, 8);
	memcpy(where + 8, at->nonce, SEG_NONCE_LEN);
	le(where + 8 + SEG_NONCE_LEN, at->offset, 4);
	rc = mac(s, "credstore commit key", p, 2, key, sizeof(key));
	if (!rc && (EVP_MAC_init(s->poly, key, sizeof(key), NULL) != 1 ||
		    EVP_MAC_update(s->poly, commit, COMMIT_HEADER_MAC_LEN) != 1 ||
		    (payload_len && EVP_MAC_update(s->poly, commit + COMMIT_HEADER_SIZE,
						   payload_len) != 1) ||
		    EVP_MAC_final(s->poly, tag, &len, MAC_TAG_LEN) != 1 || len != MAC_TAG_LEN))
		rc = -EIO;
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int block_header_seal(struct store *s, uint32_t block, struct block_header *h,
		      uint8_t out[BLOCK_HEADER_SIZE])
{
	int rc;

	memcpy(h->store_id, s->store_id, STORE_ID_LEN);
	memset(h->tag, 0, MAC_TAG_LEN);
	block_header_encode(h, out);
	if ((rc = header_tag(s, block, out, h->tag)))
		return rc;
	block_header_encode(h, out);
	return 0;
}

bool block_header_authentic(struct store *s, uint32_t block, const uint8_t *in,
			    const struct block_header *h)
{
	uint8_t tag[MAC_TAG_LEN];

	return !header_tag(s, block, in, tag) && !CRYPTO_memcmp(tag, h->tag, MAC_TAG_LEN);
}

int commit_seal(struct store *s, const struct place *at, struct commit_header *h, uint8_t *buf)
{
	int rc;

	memset(h->tag, 0, MAC_TAG_LEN);
	commit_header_encode(h, buf);
	if ((rc = commit_tag(s, at, buf, h->payload_len, h->tag)))
		return rc;
	commit_header_encode(h, buf);
	return 0;
}

bool commit_authentic(struct store *s, const struct place *at, const uint8_t *commit,
		      const struct commit_header *h)
{
	uint8_t tag[MAC_TAG_LEN];

	return !commit_tag(s, at, commit, h->payload_len, tag) &&
	       !CRYPTO_memcmp(tag, h->tag, MAC_TAG_LEN);
}
