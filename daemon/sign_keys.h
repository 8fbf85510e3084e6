/* The identities' signing keys, parsed once and kept between SIGN
 * requests (parsing a key and opening its sealed record cost more than
 * an ECDSA signature), dropped as soon as a transaction changes the
 * identity.  Only credstored's memory ever holds them. */
#ifndef CREDSTORE_SIGN_KEYS_H
#define CREDSTORE_SIGN_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "model.h"

enum { SIGN_KEY_CURRENT, SIGN_KEY_PREVIOUS, SIGN_KEY_COUNT };

/* Signing contexts kept per key: a server signs with one or two
 * (scheme, digest) pairs, TLS 1.3 with one. */
#define SIGN_PREPARED_MAX	4

/* A context initialised to sign with one key for one scheme, digest and
 * salt length, kept with the key: OpenSSL 3 fetches the algorithm and
 * builds a context at each EVP_PKEY_CTX_new(), a tenth of what an ECDSA
 * signature costs.  (Ed25519 signs through a digest context, made each
 * time: OpenSSL refuses to reuse one.) */
struct sign_prepared {
	EVP_PKEY_CTX *ctx;			/* NULL: unused */
	uint8_t scheme;
	const EVP_MD *md;
	int salt_len;
};

struct sign_identity {
	char name[CREDSTORE_NAME_MAX];
	bool has_signers;
	uint32_t signers;			/* the gid that may sign */
	EVP_PKEY *key[SIGN_KEY_COUNT];		/* NULL: none */
	uint8_t key_id[SIGN_KEY_COUNT][CREDSTORE_FINGERPRINT_LEN];
	struct sign_prepared prepared[SIGN_KEY_COUNT][SIGN_PREPARED_MAX];
};

struct sign_keys;

struct sign_keys *sign_keys_new(void);
void sign_keys_free(struct sign_keys *keys);

/* The identity's keys, from the cache or read from the committed state.
 * -ENOENT (err set) when there is no such identity with a certificate. */
int sign_keys_get(struct sign_keys *keys, struct model *m, const char *name,
		  struct sign_identity **out, struct cs_err *err);

/* Drop what a committed transaction changed. */
void sign_keys_forget(struct sign_keys *keys, const struct model_txn *t);

#endif
