/* AES-256-GCM through OpenSSL's EVP interface; see seal.h. */
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "seal.h"

static const char seal_label[] = "credstore seal v1";

/* The additional data: a label, then the binding, lengths first. */
static int bind(EVP_CIPHER_CTX *ctx, const struct seal_binding *b)
{
	uint8_t fixed[1 + 1 + 8 + 4];
	int n;

	fixed[0] = b->type;
	fixed[1] = (uint8_t)b->key_len;
	for (int i = 0; i < 8; i++)
		fixed[2 + i] = b->generation >> (8 * i);
	for (int i = 0; i < 4; i++)
		fixed[10 + i] = (uint32_t)b->value_len >> (8 * i);
	return EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)seal_label, sizeof(seal_label)) &&
	       EVP_CipherUpdate(ctx, NULL, &n, fixed, sizeof(fixed)) &&
	       (!b->key_len || EVP_CipherUpdate(ctx, NULL, &n, b->key, b->key_len)) &&
	       (!b->value_len || EVP_CipherUpdate(ctx, NULL, &n, b->value, b->value_len));
}

int seal(const uint8_t store_key[32], const struct seal_binding *b,
	 const void *secret, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t *ct = out + SEAL_NONCE_LEN;
	int n, ok;

	ok = ctx && RAND_bytes(out, SEAL_NONCE_LEN) == 1 &&
	     EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, store_key, out) &&
	     bind(ctx, b) &&
	     (!len || EVP_EncryptUpdate(ctx, ct, &n, secret, (int)len)) &&
	     EVP_EncryptFinal_ex(ctx, ct + len, &n) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN, ct + len);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int unseal(const uint8_t store_key[32], const struct seal_binding *b,
	   const uint8_t *sealed, size_t sealed_len, uint8_t *out, size_t out_cap)
{
	EVP_CIPHER_CTX *ctx;
	size_t len;
	int n, ok;

	if (sealed_len < SEAL_OVERHEAD)
		return -EBADMSG;
	len = sealed_len - SEAL_OVERHEAD;
	if (len > out_cap || len > INT_MAX)
		return -EMSGSIZE;
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, store_key, sealed) &&
	     bind(ctx, b) &&
	     (!len || EVP_DecryptUpdate(ctx, out, &n, sealed + SEAL_NONCE_LEN, (int)len)) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
				 (void *)(sealed + SEAL_NONCE_LEN + len)) &&
	     EVP_DecryptFinal_ex(ctx, out + len, &n) > 0;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		OPENSSL_cleanse(out, len);
	return ok ? 0 : -EBADMSG;
}
