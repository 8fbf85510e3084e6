/* Fingerprint text parsing and formatting, and the digest of a certificate
 * against one that OpenSSL computes independently (X509_pubkey_digest is
 * not it: the fingerprint covers the whole DER certificate). */
#include <errno.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fingerprint.h"
#include "tap.h"

static const char *hex =
	"00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";

static X509 *self_signed(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();

	ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
				   (const unsigned char *)"unit", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	X509_sign(cert, key, EVP_sha256());
	EVP_PKEY_free(key);
	return cert;
}

int main(void)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN], again[CREDSTORE_FINGERPRINT_LEN];
	char text[CS_FINGERPRINT_HEX_LEN + 1];

	ok(cs_fingerprint_parse(hex, fp) == 0 && fp[0] == 0x00 && fp[1] == 0x11 &&
	   fp[31] == 0x10, "parses plain hex");
	cs_fingerprint_format(fp, text);
	ok(strcmp(text, hex) == 0, "formats back to the same hex");

	ok(cs_fingerprint_parse("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
				"01:23:45:67:89:AB:CD:EF:FE:DC:BA:98:76:54:32:10",
				again) == 0 && memcmp(fp, again, sizeof(fp)) == 0,
	   "parses colon-separated upper-case hex as openssl prints it");
	ok(cs_fingerprint_parse("0011", fp) == -EINVAL, "rejects a short fingerprint");
	ok(cs_fingerprint_parse("00112233445566778899aabbccddeeff0123456789abcdeffedcba987654321000",
				fp) == -EINVAL, "rejects a long fingerprint");
	ok(cs_fingerprint_parse("g0112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210",
				fp) == -EINVAL, "rejects a non-hex digit");
	ok(cs_fingerprint_parse("0:0112233445566778899aabbccddeeff0123456789abcdeffedcba98765432100",
				fp) == -EINVAL, "rejects a separator inside a byte");

	X509 *cert = self_signed();
	unsigned char *der = NULL;
	int der_len = i2d_X509(cert, &der);
	unsigned char expect[CREDSTORE_FINGERPRINT_LEN];

	EVP_Digest(der, der_len, expect, NULL, EVP_sha256(), NULL);
	ok(cs_fingerprint_of_cert(cert, fp) == 0 && memcmp(fp, expect, sizeof(fp)) == 0,
	   "fingerprint of a certificate is SHA-256 of its DER");
	ok(cs_fingerprint_of_cert(NULL, fp) == -EINVAL, "no certificate, no fingerprint");
	OPENSSL_free(der);
	X509_free(cert);
	return tap_done();
}
