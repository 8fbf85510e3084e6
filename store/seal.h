/* Sealing of a record's secret with AES-256-GCM (OpenSSL EVP) under the
 * store key.  The additional data binds the record's type, key, generation
 * and value, so that a sealed secret moved to another record, or a value
 * changed under it, fails to open.  Sealed form: nonce (12) | ciphertext
 * | tag (16). */
#ifndef CREDSTORE_SEAL_H
#define CREDSTORE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SEAL_NONCE_LEN	12
#define SEAL_TAG_LEN	16
#define SEAL_OVERHEAD	(SEAL_NONCE_LEN + SEAL_TAG_LEN)

struct seal_binding {
	uint8_t type;
	const void *key;
	size_t key_len;
	uint64_t generation;
	const void *value;
	size_t value_len;
};

/* out holds len + SEAL_OVERHEAD bytes.  0 or -EIO (OpenSSL failed). */
int seal(const uint8_t store_key[32], const struct seal_binding *b,
	 const void *secret, size_t len, uint8_t *out);
/* Opens sealed_len bytes into out, which holds out_cap bytes: 0, -EBADMSG
 * when the seal does not authenticate (out is then wiped: GCM writes the
 * plaintext before it checks the tag), -EMSGSIZE when the secret it holds
 * (sealed_len - SEAL_OVERHEAD) would not fit in out_cap (nothing is
 * written: a length from flash is never trusted). */
int unseal(const uint8_t store_key[32], const struct seal_binding *b,
	   const uint8_t *sealed, size_t sealed_len, uint8_t *out, size_t out_cap);

#endif
