#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "backup_seal.h"

#define MAGIC		"CSBK"
#define VERSION		1
#define SALT_LEN	16
#define IV_LEN		12
#define TAG_LEN		16
#define HEADER_LEN	(4 + 4 + SALT_LEN + IV_LEN)
#define KEY_LEN		32
#define SCRYPT_LOG2_N	15
#define SCRYPT_R	8
#define SCRYPT_P	1
#define SCRYPT_MAXMEM	(64u << 20)

static int derive(const char *passphrase, const uint8_t *header, uint8_t key[KEY_LEN],
		  struct cs_err *err)
{
	uint8_t log2n = header[5], r = header[6], p = header[7];

	if (log2n < 10 || log2n > 20 || !r || r > 16 || !p || p > 4)
		return cs_err_set(err, EINVAL, "the backup's key derivation parameters are out of range");
	if (EVP_PBE_scrypt(passphrase, strlen(passphrase), header + 8, SALT_LEN,
			   (uint64_t)1 << log2n, r, p, SCRYPT_MAXMEM, key, KEY_LEN) != 1)
		return cs_err_set(err, ENOMEM, "scrypt failed");
	return 0;
}

/* One AES-256-GCM pass; enc 1 seals, 0 opens (and checks the tag). */
static int gcm(int enc, const uint8_t key[KEY_LEN], const uint8_t *header,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TAG_LEN])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok = ctx && len < INT32_MAX &&
		EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, header + 8 + SALT_LEN, enc) &&
		EVP_CipherUpdate(ctx, NULL, &n, header, HEADER_LEN) &&
		EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
		(enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag)) &&
		EVP_CipherFinal_ex(ctx, out + n, &n) &&
		(!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag));

	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int backup_seal(const uint8_t *plain, size_t len, const char *passphrase,
		uint8_t **sealed, size_t *sealed_len, struct cs_err *err)
{
	uint8_t key[KEY_LEN];
	uint8_t *out;
	int r;

	if (strlen(passphrase) < BACKUP_PASSPHRASE_MIN)
		return cs_err_set(err, EINVAL, "the passphrase must have at least %d characters",
				  BACKUP_PASSPHRASE_MIN);
	out = malloc(HEADER_LEN + len + TAG_LEN);
	if (!out)
		return cs_err_set(err, ENOMEM, "out of memory");
	memcpy(out, MAGIC, 4);
	out[4] = VERSION;
	out[5] = SCRYPT_LOG2_N;
	out[6] = SCRYPT_R;
	out[7] = SCRYPT_P;
	if (RAND_bytes(out + 8, SALT_LEN + IV_LEN) != 1) {
		free(out);
		return cs_err_set(err, EIO, "no randomness for the backup");
	}
	r = derive(passphrase, out, key, err);
	if (!r && gcm(1, key, out, plain, len, out + HEADER_LEN, out + HEADER_LEN + len) < 0)
		r = cs_err_set(err, EIO, "sealing the backup failed");
	OPENSSL_cleanse(key, sizeof(key));
	if (r) {
		free(out);
		return r;
	}
	*sealed = out;
	*sealed_len = HEADER_LEN + len + TAG_LEN;
	return 0;
}

int backup_unseal(const uint8_t *sealed, size_t len, const char *passphrase,
		  uint8_t **plain, size_t *plain_len, struct cs_err *err)
{
	uint8_t key[KEY_LEN], tag[TAG_LEN];
	size_t body;
	uint8_t *out;
	int r;

	if (len < HEADER_LEN + TAG_LEN || memcmp(sealed, MAGIC, 4) || sealed[4] != VERSION)
		return cs_err_set(err, EINVAL, "not a credstore backup");
	body = len - HEADER_LEN - TAG_LEN;
	out = malloc(body ? body : 1);
	if (!out)
		return cs_err_set(err, ENOMEM, "out of memory");
	memcpy(tag, sealed + HEADER_LEN + body, TAG_LEN);
	r = derive(passphrase, sealed, key, err);
	if (!r && gcm(0, key, sealed, sealed + HEADER_LEN, body, out, tag) < 0)
		r = cs_err_set(err, EACCES, "cannot open the backup: wrong passphrase or damaged file");
	OPENSSL_cleanse(key, sizeof(key));
	if (r) {
		OPENSSL_clear_free(out, body);
		return r;
	}
	*plain = out;
	*plain_len = body;
	return 0;
}
