/* Certificates and keys through OpenSSL 3, for credstored (validation,
 * key generation, CSRs) and credctl (display, fingerprints).  Input may
 * be PEM or DER; the store keeps chains as concatenated DER (leaf first)
 * and keys as DER PKCS#8. */
#ifndef CREDSTORE_PKI_H
#define CREDSTORE_PKI_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "error.h"
#include "fingerprint.h"

/* Every certificate in data (PEM blocks, or one or more DER
 * certificates back to back), in order.  NULL and a message when there is
 * none or the data is neither PEM nor DER. */
STACK_OF(X509) *cs_pki_parse_certs(const void *data, size_t len, struct cs_err *err);
void cs_pki_free_certs(STACK_OF(X509) *certs);

/* Concatenated DER of certs, malloc'd. */
int cs_pki_certs_to_der(STACK_OF(X509) *certs, uint8_t **der, size_t *len, struct cs_err *err);
/* PEM text of certs, malloc'd and NUL-terminated. */
int cs_pki_certs_to_pem(STACK_OF(X509) *certs, char **pem, size_t *len, struct cs_err *err);

/* A private key in PEM (encrypted with password, or not) or DER
 * (PKCS#8 or traditional). */
EVP_PKEY *cs_pki_parse_key(const void *data, size_t len, const char *password,
			   struct cs_err *err);
/* DER PKCS#8, malloc'd; the caller wipes it (OPENSSL_clear_free). */
int cs_pki_key_to_der(EVP_PKEY *key, uint8_t **der, size_t *len, struct cs_err *err);

/* "ec-p256" (default when NULL), "rsa2048" or "rsa3072". */
EVP_PKEY *cs_pki_generate_key(const char *type, struct cs_err *err);
/* A CSR signed by key for subject "/CN=x/O=y", with the subjectAltName
 * extension san ("DNS:a.example,IP:192.0.2.1"; NULL: none), as PEM
 * (malloc'd). */
int cs_pki_make_csr(EVP_PKEY *key, const char *subject, const char *san, char **pem,
		    size_t *len, struct cs_err *err);

/* The key, the certificate and the chain to it (leaf first: the file's
 * other certificates in issuing order) of a PKCS#12 file. */
int cs_pki_parse_pkcs12(const void *data, size_t len, const char *password, EVP_PKEY **key,
			STACK_OF(X509) **chain, struct cs_err *err);

/* A CRL, PEM or DER. */
X509_CRL *cs_pki_parse_crl(const void *data, size_t len, struct cs_err *err);
/* ASN1_TIME in Unix seconds (0 when absent or unreadable). */
uint64_t cs_pki_time(const ASN1_TIME *t);
/* Whole days from now to t, rounded down (negative once past). */
long cs_days_until(uint64_t t);
/* t as ISO 8601 UTC, "2030-01-31T12:00:00Z". */
void cs_format_time(uint64_t t, char out[32]);

/* The checks of an installed chain, each with a message that names it. */
int cs_pki_check_dates(X509 *cert, const char *what, struct cs_err *err);
int cs_pki_check_key_matches(X509 *leaf, EVP_PKEY *key, struct cs_err *err);
/* Leaf first, then each certificate's issuer: names the one out of place. */
int cs_pki_check_order(STACK_OF(X509) *chain, struct cs_err *err);
/* The chain must reach one of anchors (anchor_name: "anchor 'x'" or
 * "a stored anchor", for the message). */
int cs_pki_check_chain(STACK_OF(X509) *chain, STACK_OF(X509) *anchors, const char *anchor_name,
		       struct cs_err *err);

/* What `show` prints about a certificate. */
struct cs_cert_info {
	char subject[256], issuer[256];
	char serial[80];
	char not_before[32], not_after[32];	/* ISO 8601, UTC */
	uint64_t not_after_time;		/* Unix seconds */
	char fingerprint[CS_FINGERPRINT_HEX_LEN + 1];
};
int cs_pki_describe(X509 *cert, struct cs_cert_info *info);

#endif
