#include <errno.h>
#include <stdio.h>
#include <openssl/evp.h>

#include "fingerprint.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cs_fingerprint_parse(const char *text, uint8_t fp[CREDSTORE_FINGERPRINT_LEN])
{
	for (int i = 0; i < CREDSTORE_FINGERPRINT_LEN; i++) {
		if (i > 0 && *text == ':')
			text++;
		int hi = hex_value(text[0]);
		int lo = hi < 0 ? -1 : hex_value(text[1]);

		if (lo < 0)
			return -EINVAL;
		fp[i] = (uint8_t)(hi << 4 | lo);
		text += 2;
	}
	return *text == '\0' ? 0 : -EINVAL;
}

void cs_fingerprint_format(const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			   char out[CS_FINGERPRINT_HEX_LEN + 1])
{
	for (int i = 0; i < CREDSTORE_FINGERPRINT_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", fp[i]);
}

int cs_fingerprint_of_cert(X509 *cert, uint8_t fp[CREDSTORE_FINGERPRINT_LEN])
{
	unsigned int len = 0;

	if (!cert || !X509_digest(cert, EVP_sha256(), fp, &len) ||
	    len != CREDSTORE_FINGERPRINT_LEN)
		return -EINVAL;
	return 0;
}

int cs_key_id(const EVP_PKEY *key, uint8_t id[CREDSTORE_FINGERPRINT_LEN])
{
	unsigned char *der = NULL;
	int len = key ? i2d_PUBKEY(key, &der) : -1;
	int ok = len > 0 && EVP_Digest(der, (size_t)len, id, NULL, EVP_sha256(), NULL);

	OPENSSL_free(der);
	return ok ? 0 : -EINVAL;
}
