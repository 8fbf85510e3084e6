/* Decoders: a server that only knows "a key file" reads the reference
 * PEM with PEM_read_bio_PrivateKey() (nginx, HAProxy, s_server -key):
 * the PEM decoder takes our label only and passes the DER on; the key
 * decoders turn it into a key of this provider, of their own type. */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "provider.h"

/* A reference is a name and a public key: RSA-16384's is 2 KiB. */
#define REFERENCE_MAX 16384

struct decoder_ctx {
	struct cs_prov *prov;
	const char *type;		/* key decoders: the key type they make */
};

static void *newctx(void *provctx, const char *type)
{
	struct decoder_ctx *d = OPENSSL_zalloc(sizeof(*d));

	if (d) {
		d->prov = provctx;
		d->type = type;
	}
	return d;
}

static void *newctx_pem(void *provctx)
{
	return newctx(provctx, NULL);
}

static void freectx(void *ctx)
{
	OPENSSL_free(ctx);
}

/* Not our PEM block, or not our key type, is no error: returning 1
 * without an object lets OpenSSL try its other decoders. */
static int decode_pem(void *ctx, OSSL_CORE_BIO *cin, int selection, OSSL_CALLBACK *data_cb,
		      void *data_cbarg, OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
	struct decoder_ctx *d = ctx;
	BIO *in = BIO_new_from_core_bio(d->prov->libctx, cin);
	char *label = NULL, *header = NULL;
	unsigned char *der = NULL;
	long len = 0;
	int ret = 1;

	(void)selection, (void)pw_cb, (void)pw_cbarg;
	if (in && PEM_read_bio(in, &label, &header, &der, &len) > 0 &&
	    strcmp(label, CS_KEYREF_PEM_LABEL) == 0) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_DATA, der, (size_t)len),
			OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_STRUCTURE,
					       (char *)CS_KEYREF_STRUCTURE, 0),
			OSSL_PARAM_END
		};

		ret = data_cb(params, data_cbarg);
	}
	OPENSSL_free(label);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(in);
	return ret;
}

/* The whole of a (small) DER input. */
static int read_all(BIO *in, unsigned char *buf, size_t *len)
{
	int n;

	*len = 0;
	while (*len < REFERENCE_MAX && (n = BIO_read(in, buf + *len, (int)(REFERENCE_MAX - *len))) > 0)
		*len += (size_t)n;
	return *len > 0 && *len < REFERENCE_MAX;
}

static const char *type_of(struct cs_prov *prov, const unsigned char *der, size_t len)
{
	struct cs_keyref ref;
	EVP_PKEY *key;
	const char *type = NULL;

	if (cs_keyref_from_der(der, len, &ref) < 0)
		return NULL;
	key = cs_prov_public_key(prov, ref.spki, ref.spki_len);
	if (key)
		type = EVP_PKEY_is_a(key, "EC") ? "EC" : EVP_PKEY_is_a(key, "RSA") ? "RSA" :
		       EVP_PKEY_is_a(key, "ED25519") ? "ED25519" : NULL;
	EVP_PKEY_free(key);
	cs_keyref_release(&ref);
	return type;
}

static int decode_key(void *ctx, OSSL_CORE_BIO *cin, int selection, OSSL_CALLBACK *data_cb,
		      void *data_cbarg, OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
	struct decoder_ctx *d = ctx;
	BIO *in = BIO_new_from_core_bio(d->prov->libctx, cin);
	unsigned char *der = OPENSSL_malloc(REFERENCE_MAX);
	struct cs_keyref_object obj = { .prov = d->prov, .der = der };
	int object_type = OSSL_OBJECT_PKEY;
	const char *type;
	int ret = 1;

	(void)selection, (void)pw_cb, (void)pw_cbarg;
	if (in && der && read_all(in, der, &obj.len) &&
	    (type = type_of(d->prov, der, obj.len)) && strcmp(type, d->type) == 0) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
			OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, (char *)type, 0),
			OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &obj, sizeof(obj)),
			OSSL_PARAM_END
		};

		ret = data_cb(params, data_cbarg);
	}
	OPENSSL_free(der);
	BIO_free(in);
	return ret;
}

static void *newctx_ec(void *provctx)
{
	return newctx(provctx, "EC");
}

static void *newctx_rsa(void *provctx)
{
	return newctx(provctx, "RSA");
}

static void *newctx_ed25519(void *provctx)
{
	return newctx(provctx, "ED25519");
}

/* A reference stands for a private key: decoders of certificates' and
 * public keys (every certificate a TLS server parses, e.g. a client's)
 * leave these out at once rather than try each on their input.
 * Selection 0 asks for anything (the store loader). */
static int does_selection(void *provctx, int selection)
{
	(void)provctx;
	return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY);
}

const OSSL_DISPATCH cs_decoder_pem[] = {
	{ OSSL_FUNC_DECODER_DOES_SELECTION, (void (*)(void))does_selection },
	{ OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))newctx_pem },
	{ OSSL_FUNC_DECODER_FREECTX, (void (*)(void))freectx },
	{ OSSL_FUNC_DECODER_DECODE, (void (*)(void))decode_pem },
	{ 0, NULL }
};

#define KEY_DECODER(newctx_fn) \
	{ OSSL_FUNC_DECODER_DOES_SELECTION, (void (*)(void))does_selection }, \
	{ OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))newctx_fn }, \
	{ OSSL_FUNC_DECODER_FREECTX, (void (*)(void))freectx }, \
	{ OSSL_FUNC_DECODER_DECODE, (void (*)(void))decode_key }, \
	{ 0, NULL }

const OSSL_DISPATCH cs_decoder_key_ec[] = { KEY_DECODER(newctx_ec) };
const OSSL_DISPATCH cs_decoder_key_rsa[] = { KEY_DECODER(newctx_rsa) };
const OSSL_DISPATCH cs_decoder_key_ed25519[] = { KEY_DECODER(newctx_ed25519) };
