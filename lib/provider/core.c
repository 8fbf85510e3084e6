/* What every part of the provider uses: its errors (raised through the
 * core, with the reason strings of provider.c) and the public keys made
 * in its library context. */
#include <stdarg.h>

#include "provider.h"

const char cs_name_ec[] = "EC:id-ecPublicKey:1.2.840.10045.2.1";
const char cs_name_rsa[] = "RSA:rsaEncryption:1.2.840.113549.1.1.1";
const char cs_name_ed25519[] = "ED25519:1.3.101.112";

void cs_prov_error(const struct cs_prov *prov, int reason, const char *fmt, ...)
{
	va_list ap;

	if (!prov->new_error)
		return;
	va_start(ap, fmt);
	prov->new_error(prov->handle);
	prov->set_error_debug(prov->handle, NULL, 0, NULL);
	prov->vset_error(prov->handle, (uint32_t)reason, fmt, ap);
	va_end(ap);
}

EVP_PKEY *cs_prov_public_key(struct cs_prov *prov, const unsigned char *spki, size_t len)
{
	const unsigned char *p = spki;
	EVP_PKEY *key = d2i_PUBKEY_ex(NULL, &p, (long)len, prov->libctx, CS_PROV_PROPQ);

	if (!key || p != spki + len) {
		EVP_PKEY_free(key);
		cs_prov_error(prov, CS_R_REFERENCE, "the reference's public key does not parse");
		return NULL;
	}
	return key;
}
