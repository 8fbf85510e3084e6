/* Signatures with a key of ours: the digest is computed here, the
 * signature in credstored.  ECDSA and RSA (PKCS#1 v1.5, PSS with MGF1 of
 * the same hash, as TLS uses it) sign a digest; Ed25519 signs the
 * message, in one piece. */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "provider.h"

enum family { FAMILY_ECDSA, FAMILY_RSA, FAMILY_ED25519 };

struct sig_ctx {
	struct cs_prov *prov;
	enum family family;
	struct cs_key *key;		/* the EVP_PKEY_CTX holds it */
	EVP_MD *md;			/* NULL for Ed25519 */
	EVP_MD_CTX *digest;		/* digest_sign_update() accumulates here */
	int pad;			/* RSA: RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
	int salt_len;			/* PSS: bytes, or RSA_PSS_SALTLEN_* */
};

static void *newctx(void *provctx, enum family family)
{
	struct sig_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->prov = provctx;
	c->family = family;
	c->pad = RSA_PKCS1_PADDING;
	c->salt_len = RSA_PSS_SALTLEN_DIGEST;
	return c;
}

static void *newctx_ecdsa(void *provctx, const char *propq)
{
	(void)propq;
	return newctx(provctx, FAMILY_ECDSA);
}

static void *newctx_rsa(void *provctx, const char *propq)
{
	(void)propq;
	return newctx(provctx, FAMILY_RSA);
}

static void *newctx_ed25519(void *provctx, const char *propq)
{
	(void)propq;
	return newctx(provctx, FAMILY_ED25519);
}

static void freectx(void *ctx)
{
	struct sig_ctx *c = ctx;

	EVP_MD_free(c->md);
	EVP_MD_CTX_free(c->digest);
	free(c);
}

static void *dupctx(void *ctx)
{
	struct sig_ctx *c = ctx, *d = malloc(sizeof(*d));

	if (!d)
		return NULL;
	*d = *c;
	d->digest = NULL;
	if (d->md && !EVP_MD_up_ref(d->md))
		d->md = NULL;
	if ((c->md && !d->md) ||
	    (c->digest && (!(d->digest = EVP_MD_CTX_new()) ||
			   !EVP_MD_CTX_copy_ex(d->digest, c->digest)))) {
		freectx(d);
		return NULL;
	}
	return d;
}

static int set_digest(struct sig_ctx *c, const char *name)
{
	EVP_MD *md;

	if (c->family == FAMILY_ED25519) {
		if (!name || !*name)
			return 1;
		cs_prov_error(c->prov, CS_R_UNSUPPORTED, "Ed25519 takes no digest (%s given)", name);
		return 0;
	}
	md = EVP_MD_fetch(c->prov->libctx, name, CS_PROV_PROPQ);
	if (!md) {
		cs_prov_error(c->prov, CS_R_UNSUPPORTED, "unknown digest %s", name);
		return 0;
	}
	EVP_MD_free(c->md);
	c->md = md;
	return 1;
}

static int set_pad_mode(struct sig_ctx *c, const OSSL_PARAM *p)
{
	const char *name;
	int pad;

	if (p->data_type == OSSL_PARAM_UTF8_STRING) {
		if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
			return 0;
		pad = !strcmp(name, OSSL_PKEY_RSA_PAD_MODE_PKCSV15) ? RSA_PKCS1_PADDING :
		      !strcmp(name, OSSL_PKEY_RSA_PAD_MODE_PSS) ? RSA_PKCS1_PSS_PADDING : -1;
	} else if (!OSSL_PARAM_get_int(p, &pad)) {
		return 0;
	}
	if (c->family != FAMILY_RSA || (pad != RSA_PKCS1_PADDING && pad != RSA_PKCS1_PSS_PADDING)) {
		cs_prov_error(c->prov, CS_R_UNSUPPORTED, "credstored signs with PKCS#1 v1.5 or PSS padding only");
		return 0;
	}
	c->pad = pad;
	return 1;
}

static int set_salt_len(struct sig_ctx *c, const OSSL_PARAM *p)
{
	const char *name;

	if (p->data_type != OSSL_PARAM_UTF8_STRING)
		return OSSL_PARAM_get_int(p, &c->salt_len);
	if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
		return 0;
	if (!strcmp(name, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST))
		c->salt_len = RSA_PSS_SALTLEN_DIGEST;
	else if (!strcmp(name, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) ||
		 !strcmp(name, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO))
		c->salt_len = RSA_PSS_SALTLEN_MAX;
	else
		c->salt_len = atoi(name);
	return 1;
}

static int set_ctx_params(void *ctx, const OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;
	const OSSL_PARAM *p;
	const char *name;

	if (!params)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
	if (p && (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !set_digest(c, name)))
		return 0;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
	if (p && !set_pad_mode(c, p))
		return 0;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
	if (p && !set_salt_len(c, p))
		return 0;
	p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
	if (p && (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !c->md || !EVP_MD_is_a(c->md, name))) {
		cs_prov_error(c->prov, CS_R_UNSUPPORTED, "credstored's PSS uses MGF1 with the signature's digest");
		return 0;
	}
	return 1;
}

static const OSSL_PARAM *settable_ctx_params(void *ctx, void *provctx)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
		OSSL_PARAM_END
	};

	(void)ctx, (void)provctx;
	return table;
}

static int get_ctx_params(void *ctx, OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;
	OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);

	if (p && c->md && !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(c->md)))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
	if (p && c->family == FAMILY_RSA && p->data_type == OSSL_PARAM_INTEGER &&
	    !OSSL_PARAM_set_int(p, c->pad))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
	return !p || p->data_type != OSSL_PARAM_INTEGER || OSSL_PARAM_set_int(p, c->salt_len);
}

static const OSSL_PARAM *gettable_ctx_params(void *ctx, void *provctx)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
		OSSL_PARAM_int(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL),
		OSSL_PARAM_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL),
		OSSL_PARAM_END
	};

	(void)ctx, (void)provctx;
	return table;
}

static int init(struct sig_ctx *c, void *provkey, const char *mdname, const OSSL_PARAM params[])
{
	c->key = provkey;
	if (!c->key)
		return 0;
	if (mdname && *mdname && !set_digest(c, mdname))
		return 0;
	return set_ctx_params(c, params);
}

static int sign_init(void *ctx, void *provkey, const OSSL_PARAM params[])
{
	return init(ctx, provkey, NULL, params);
}

static int digest_sign_init(void *ctx, const char *mdname, void *provkey, const OSSL_PARAM params[])
{
	struct sig_ctx *c = ctx;

	if (!init(c, provkey, mdname, params))
		return 0;
	if (c->family == FAMILY_ED25519)
		return 1;
	if (!c->md && !set_digest(c, "SHA256"))
		return 0;
	if (!c->digest)
		c->digest = EVP_MD_CTX_new();
	return c->digest && EVP_DigestInit_ex2(c->digest, c->md, NULL);
}

static enum credstore_sign_scheme scheme_of(const struct sig_ctx *c)
{
	switch (c->family) {
	case FAMILY_ECDSA:
		return CREDSTORE_SIGN_ECDSA;
	case FAMILY_ED25519:
		return CREDSTORE_SIGN_ED25519;
	default:
		return c->pad == RSA_PKCS1_PSS_PADDING ? CREDSTORE_SIGN_RSA_PSS : CREDSTORE_SIGN_RSA_PKCS1;
	}
}

/* RSA_PSS_SALTLEN_DIGEST is credstored's default; the largest salt the
 * modulus leaves room for is computed here. */
static int salt_len(const struct sig_ctx *c)
{
	int em_len = (EVP_PKEY_get_bits(c->key->public_key) + 6) / 8;

	if (c->salt_len == RSA_PSS_SALTLEN_MAX || c->salt_len == RSA_PSS_SALTLEN_AUTO)
		return em_len - EVP_MD_get_size(c->md) - 2;
	return c->salt_len;
}

/* data: the digest, or Ed25519's message.  sig NULL: the size it needs. */
static int sign_data(struct sig_ctx *c, unsigned char *sig, size_t *sig_len, size_t sig_size,
		     const unsigned char *data, size_t len)
{
	struct credstore_sign_params p = {
		.identity = c->key->identity,
		.scheme = scheme_of(c),
		.digest = c->md ? OBJ_nid2sn(EVP_MD_get_type(c->md)) : NULL,
		.salt_len = c->md ? salt_len(c) : -1,
	};

	if (!sig) {
		*sig_len = (size_t)EVP_PKEY_get_size(c->key->public_key);
		return 1;
	}
	memcpy(p.key_id, c->key->key_id, sizeof(p.key_id));
	*sig_len = sig_size;
	return cs_signer_sign(c->key->signer, c->prov, &p, data, len, sig, sig_len) == 0;
}

/* EVP_PKEY_sign(): tbs is the digest already. */
static int sign(void *ctx, unsigned char *sig, size_t *sig_len, size_t sig_size,
		const unsigned char *tbs, size_t tbs_len)
{
	struct sig_ctx *c = ctx;

	if (c->family == FAMILY_ED25519) {
		cs_prov_error(c->prov, CS_R_UNSUPPORTED, "Ed25519 signs a message: use EVP_DigestSign()");
		return 0;
	}
	if (!c->md && !set_digest(c, tbs_len == 48 ? "SHA384" : tbs_len == 64 ? "SHA512" :
				  tbs_len == 20 ? "SHA1" : "SHA256"))
		return 0;
	return sign_data(c, sig, sig_len, sig_size, tbs, tbs_len);
}

static int digest_sign_update(void *ctx, const unsigned char *data, size_t len)
{
	struct sig_ctx *c = ctx;

	if (!c->digest) {
		cs_prov_error(c->prov, CS_R_UNSUPPORTED, "Ed25519 signs in one piece: use EVP_DigestSign()");
		return 0;
	}
	return EVP_DigestUpdate(c->digest, data, len);
}

static int digest_sign_final(void *ctx, unsigned char *sig, size_t *sig_len, size_t sig_size)
{
	struct sig_ctx *c = ctx;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len;

	if (!c->digest)
		return digest_sign_update(ctx, NULL, 0);
	if (!sig)
		return sign_data(c, NULL, sig_len, sig_size, NULL, 0);
	return EVP_DigestFinal_ex(c->digest, md, &md_len) &&
	       sign_data(c, sig, sig_len, sig_size, md, md_len);
}

static int digest_sign(void *ctx, unsigned char *sig, size_t *sig_len, size_t sig_size,
		       const unsigned char *tbs, size_t tbs_len)
{
	struct sig_ctx *c = ctx;

	if (c->family == FAMILY_ED25519)
		return sign_data(c, sig, sig_len, sig_size, tbs, tbs_len);
	return !sig ? sign_data(c, NULL, sig_len, sig_size, NULL, 0) :
	       digest_sign_update(c, tbs, tbs_len) && digest_sign_final(c, sig, sig_len, sig_size);
}

#define SIGNATURE(newctx_fn) \
	{ OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))newctx_fn }, \
	{ OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))freectx }, \
	{ OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))dupctx }, \
	{ OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sign_init }, \
	{ OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sign }, \
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))digest_sign_init }, \
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (void (*)(void))digest_sign_update }, \
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (void (*)(void))digest_sign_final }, \
	{ OSSL_FUNC_SIGNATURE_DIGEST_SIGN, (void (*)(void))digest_sign }, \
	{ OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, (void (*)(void))get_ctx_params }, \
	{ OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, (void (*)(void))gettable_ctx_params }, \
	{ OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))set_ctx_params }, \
	{ OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, (void (*)(void))settable_ctx_params }, \
	{ 0, NULL }

const OSSL_DISPATCH cs_signature_ecdsa[] = { SIGNATURE(newctx_ecdsa) };
const OSSL_DISPATCH cs_signature_rsa[] = { SIGNATURE(newctx_rsa) };
const OSSL_DISPATCH cs_signature_ed25519[] = { SIGNATURE(newctx_ed25519) };
