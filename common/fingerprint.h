/* Certificate fingerprints: SHA-256 of the DER certificate, as bytes and
 * as the hex text that administrators type and tools print. */
#ifndef CREDSTORE_FINGERPRINT_H
#define CREDSTORE_FINGERPRINT_H

#include <stdint.h>
#include <openssl/x509.h>
#include <linux/credstore.h>

#define CS_FINGERPRINT_HEX_LEN (2 * CREDSTORE_FINGERPRINT_LEN)

/* Parse 64 hex digits, optionally separated by ':' between bytes (as
 * `openssl x509 -fingerprint` prints them).  0, or -EINVAL. */
int cs_fingerprint_parse(const char *text, uint8_t fp[CREDSTORE_FINGERPRINT_LEN]);

/* Lower-case hex, no separators, NUL-terminated. */
void cs_fingerprint_format(const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			   char out[CS_FINGERPRINT_HEX_LEN + 1]);

/* The fingerprint of a certificate.  0, or -EINVAL. */
int cs_fingerprint_of_cert(X509 *cert, uint8_t fp[CREDSTORE_FINGERPRINT_LEN]);

/* A key's id: the SHA-256 of its DER SubjectPublicKeyInfo (public half
 * of any key, private or not).  0, or -EINVAL. */
int cs_key_id(const EVP_PKEY *key, uint8_t id[CREDSTORE_FINGERPRINT_LEN]);

#endif
