/* libFuzzer: certificate and key input as credctl and credstored take
 * it (PEM or DER, chains, encrypted keys), then what they do with a
 * parsed one: describe, re-encode, check dates, chain and key match. */
#include <string.h>
#include <openssl/crypto.h>

#include "harness.h"
#include "pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_certs(STACK_OF(X509) *certs, EVP_PKEY *key)
{
	X509 *leaf = sk_X509_value(certs, 0);
	struct cs_cert_info info;
	uint8_t *der;
	char *pem;
	size_t len;

	cs_pki_describe(leaf, &info);
	if (!cs_pki_certs_to_der(certs, &der, &len, NULL))
		free(der);
	if (!cs_pki_certs_to_pem(certs, &pem, &len, NULL))
		free(pem);
	cs_pki_check_dates(leaf, "certificate", NULL);
	cs_pki_check_order(certs, NULL);
	cs_pki_check_chain(certs, certs, "anchor", NULL);
	if (key)
		cs_pki_check_key_matches(leaf, key, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509) *certs = cs_pki_parse_certs(data, size, NULL);
	EVP_PKEY *key = cs_pki_parse_key(data, size, "password", NULL);
	uint8_t *der;
	size_t len;

	if (key && !cs_pki_key_to_der(key, &der, &len, NULL))
		OPENSSL_clear_free(der, len);
	if (certs)
		use_certs(certs, key);
	cs_pki_free_certs(certs);
	EVP_PKEY_free(key);
	return 0;
}
