#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "backup_seal.h"

#define MAGIC		"CSBK"
#define VERSION		2
#define SALT_OFF	8
#define SALT_LEN	16
#define NONCE_OFF	(SALT_OFF + SALT_LEN)
#define NONCE_LEN	8
#define TAG_LEN		16
#define KEY_LEN		32
#define SCRYPT_LOG2_N	15
#define SCRYPT_R	8
#define SCRYPT_P	1
#define SCRYPT_MAXMEM	(64u << 20)

_Static_assert(NONCE_OFF + NONCE_LEN == BACKUP_HEADER_LEN, "header layout");

static int derive(struct backup_key *k, const char *passphrase, struct cs_err *err)
{
	uint8_t log2n = k->header[5], r = k->header[6], p = k->header[7];

	if (log2n < 10 || log2n > 20 || !r || r > 16 || !p || p > 4)
		return cs_err_set(err, EINVAL, "the backup's key derivation parameters are out of range");
	if (EVP_PBE_scrypt(passphrase, strlen(passphrase), k->header + SALT_OFF, SALT_LEN,
			   (uint64_t)1 << log2n, r, p, SCRYPT_MAXMEM, k->key, KEY_LEN) != 1)
		return cs_err_set(err, ENOMEM, "scrypt failed");
	return 0;
}

int backup_seal_begin(struct backup_key *k, const char *passphrase, struct cs_err *err)
{
	if (strlen(passphrase) < BACKUP_PASSPHRASE_MIN)
		return cs_err_set(err, EINVAL, "the passphrase must have at least %d characters",
				  BACKUP_PASSPHRASE_MIN);
	memcpy(k->header, MAGIC, 4);
	k->header[4] = VERSION;
	k->header[5] = SCRYPT_LOG2_N;
	k->header[6] = SCRYPT_R;
	k->header[7] = SCRYPT_P;
	if (RAND_bytes(k->header + SALT_OFF, SALT_LEN + NONCE_LEN) != 1)
		return cs_err_set(err, EIO, "no randomness for the backup");
	return derive(k, passphrase, err);
}

int backup_open_begin(struct backup_key *k, const uint8_t *header, size_t len,
		      const char *passphrase, struct cs_err *err)
{
	if (len < 5 || memcmp(header, MAGIC, 4))
		return cs_err_set(err, EINVAL, "not a credstore backup");
	if (header[4] != VERSION)
		return cs_err_set(err, EINVAL, "a credstore backup of format version %u; this "
				  "credstored reads version %d", header[4], VERSION);
	if (len != BACKUP_HEADER_LEN)
		return cs_err_set(err, EINVAL, "the backup's header is damaged");
	memcpy(k->header, header, BACKUP_HEADER_LEN);
	return derive(k, passphrase, err);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One AES-256-GCM pass over a chunk; enc 1 seals, 0 opens (and checks
 * the tag). */
static int gcm(int enc, const struct backup_key *k, uint32_t index, bool last,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TAG_LEN])
{
	uint8_t iv[NONCE_LEN + 4], where[5];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	memcpy(iv, k->header + NONCE_OFF, NONCE_LEN);
	put_be32(iv + NONCE_LEN, index);
	put_be32(where, index);
	where[4] = last;
	ok = ctx && len <= BACKUP_CHUNK_PLAIN_MAX &&
	     EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, k->key, iv, enc) &&
	     EVP_CipherUpdate(ctx, NULL, &n, k->header, BACKUP_HEADER_LEN) &&
	     EVP_CipherUpdate(ctx, NULL, &n, where, sizeof(where)) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag)) &&
	     EVP_CipherFinal_ex(ctx, out + n, &n) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag));
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int backup_seal_chunk(const struct backup_key *k, uint32_t index, bool last,
		      const uint8_t *plain, size_t len, uint8_t *out, struct cs_err *err)
{
	put_be32(out, (uint32_t)len | (last ? BACKUP_CHUNK_LAST : 0));
	if (gcm(1, k, index, last, plain, len, out + 4, out + 4 + len) < 0)
		return cs_err_set(err, EIO, "sealing the backup failed");
	return 0;
}

int backup_open_chunk(const struct backup_key *k, uint32_t index, const uint8_t *in,
		      size_t len, uint8_t *plain, bool *last, struct cs_err *err)
{
	uint8_t tag[TAG_LEN];
	int is_last = 0;
	size_t body;

	if (backup_chunk_size(in, len, &is_last) != len)
		return cs_err_set(err, EINVAL, "backup chunk %u is damaged (bad length)", index);
	body = len - BACKUP_CHUNK_OVERHEAD;
	*last = is_last;
	memcpy(tag, in + 4 + body, TAG_LEN);
	if (gcm(0, k, index, *last, in + 4, body, plain, tag) == 0)
		return 0;
	if (index == 0)
		return cs_err_set(err, EACCES, "cannot open the backup: wrong passphrase or damaged file");
	return cs_err_set(err, EACCES, "cannot open backup chunk %u: the file is damaged", index);
}

void backup_key_wipe(struct backup_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
