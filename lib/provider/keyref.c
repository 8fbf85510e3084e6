/* The key reference: which identity, and which of its keys (by the
 * public half, so that a server can load it and compare it with its
 * certificate without asking credstored).  No secret is in it.
 *
 *   CredstoreKeyReference ::= SEQUENCE {
 *       version     INTEGER (1),
 *       identity    UTF8String,
 *       publicKey   SubjectPublicKeyInfo }
 *
 * in a PEM file labelled CREDSTORE KEY REFERENCE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/pem.h>

#include "provider.h"

#define KEYREF_VERSION 1

typedef struct {
	ASN1_INTEGER *version;
	ASN1_UTF8STRING *identity;
	ASN1_TYPE *public_key;
} CS_KEYREF;

ASN1_SEQUENCE(CS_KEYREF) = {
	ASN1_SIMPLE(CS_KEYREF, version, ASN1_INTEGER),
	ASN1_SIMPLE(CS_KEYREF, identity, ASN1_UTF8STRING),
	ASN1_SIMPLE(CS_KEYREF, public_key, ASN1_ANY),
} static_ASN1_SEQUENCE_END(CS_KEYREF)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(CS_KEYREF)
IMPLEMENT_ASN1_ENCODE_FUNCTIONS_fname(CS_KEYREF, CS_KEYREF, CS_KEYREF)

int cs_keyref_to_der(const char *identity, EVP_PKEY *public_key, unsigned char **der,
		     size_t *len)
{
	CS_KEYREF *ref = CS_KEYREF_new();
	unsigned char *spki = NULL;
	const unsigned char *p;
	int spki_len = public_key ? i2d_PUBKEY(public_key, &spki) : -1;
	int n = -1;

	*der = NULL;
	p = spki;
	if (ref && spki_len > 0 && strlen(identity) < CREDSTORE_NAME_MAX &&
	    ASN1_INTEGER_set(ref->version, KEYREF_VERSION) &&
	    ASN1_STRING_set(ref->identity, identity, -1) &&
	    d2i_ASN1_TYPE(&ref->public_key, &p, spki_len))
		n = i2d_CS_KEYREF(ref, der);
	OPENSSL_free(spki);
	CS_KEYREF_free(ref);
	if (n <= 0)
		return -EINVAL;
	*len = (size_t)n;
	return 0;
}

int cs_keyref_from_der(const unsigned char *der, size_t len, struct cs_keyref *out)
{
	const unsigned char *p = der;
	CS_KEYREF *ref = d2i_CS_KEYREF(NULL, &p, (long)len);
	const ASN1_STRING *spki;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!ref || p != der + len || ASN1_INTEGER_get(ref->version) != KEYREF_VERSION ||
	    ASN1_TYPE_get(ref->public_key) != V_ASN1_SEQUENCE)
		goto out;
	spki = ref->public_key->value.sequence;
	if (ASN1_STRING_length(ref->identity) < 1 ||
	    ASN1_STRING_length(ref->identity) >= CREDSTORE_NAME_MAX ||
	    memchr(ASN1_STRING_get0_data(ref->identity), '\0', ASN1_STRING_length(ref->identity)))
		goto out;
	memcpy(out->identity, ASN1_STRING_get0_data(ref->identity), ASN1_STRING_length(ref->identity));
	out->spki_len = (size_t)ASN1_STRING_length(spki);
	out->spki = OPENSSL_memdup(ASN1_STRING_get0_data(spki), out->spki_len);
	ret = out->spki ? 0 : -ENOMEM;
out:
	CS_KEYREF_free(ref);
	return ret;
}

void cs_keyref_release(struct cs_keyref *ref)
{
	OPENSSL_free(ref->spki);
	ref->spki = NULL;
}

int cs_keyref_write_pem(BIO *out, const char *identity, EVP_PKEY *public_key)
{
	unsigned char *der;
	size_t len;
	int ret = cs_keyref_to_der(identity, public_key, &der, &len);

	if (!ret && PEM_write_bio(out, CS_KEYREF_PEM_LABEL, "", der, (long)len) <= 0)
		ret = -EIO;
	OPENSSL_free(der);
	return ret;
}
