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

struct sign_identity {
	char name[CREDSTORE_NAME_MAX];
	bool has_signers;
	uint32_t signers;			/* the gid that may sign */
	EVP_PKEY *key[SIGN_KEY_COUNT];		/* NULL: none */
	uint8_t key_id[SIGN_KEY_COUNT][CREDSTORE_FINGERPRINT_LEN];
};

struct sign_keys;

struct sign_keys *sign_keys_new(void);
void sign_keys_free(struct sign_keys *keys);

/* The identity's keys, from the cache or read from the committed state.
 * -ENOENT (err set) when there is no such identity with a certificate. */
int sign_keys_get(struct sign_keys *keys, struct model *m, const char *name,
		  const struct sign_identity **out, struct cs_err *err);

/* Drop what a committed transaction changed. */
void sign_keys_forget(struct sign_keys *keys, const struct model_txn *t);

#endif
