/* SIGN: the one operation that uses an identity's private key.  Front
 * ends (the OpenSSL provider, libcredstore) send the digest of what they
 * sign and get the signature back; the key stays here.  Allowed to root
 * and to the identity's signer group, from the caller's credentials as
 * the transport reports them. */
#include <errno.h>
#include <string.h>
#include <openssl/rsa.h>

#include "fingerprint.h"
#include "log.h"
#include "server.h"
#include "sign_keys.h"

/* Digests a signature may be made over; none weaker than SHA-1, which
 * TLS 1.2 still offers (OpenSSL's security level decides whether it is
 * used). */
static const char *const allowed_digests[] = { "SHA1", "SHA224", "SHA256", "SHA384", "SHA512" };

static const char *const scheme_names[CREDSTORE_SIGN_MAX + 1] = {
	[CREDSTORE_SIGN_ECDSA] = "ECDSA",
	[CREDSTORE_SIGN_RSA_PKCS1] = "RSA PKCS#1 v1.5",
	[CREDSTORE_SIGN_RSA_PSS] = "RSA-PSS",
	[CREDSTORE_SIGN_ED25519] = "Ed25519",
};

/* The key type each scheme needs (EVP_PKEY_is_a names). */
static const char *const scheme_key_type[CREDSTORE_SIGN_MAX + 1] = {
	[CREDSTORE_SIGN_ECDSA] = "EC",
	[CREDSTORE_SIGN_RSA_PKCS1] = "RSA",
	[CREDSTORE_SIGN_RSA_PSS] = "RSA",
	[CREDSTORE_SIGN_ED25519] = "ED25519",
};

struct sign_request {
	const char *name;
	uint8_t scheme;
	const EVP_MD *md;		/* NULL for Ed25519 */
	int salt_len;
	const uint8_t *data;
	size_t len;
};

static int authorise_signer(const struct cmd_ctx *c, const struct sign_identity *id,
			    struct cs_err *err)
{
	const struct ucred *cred = &c->conn->cred;

	/* The groups the peer held when it connected (SO_PEERGROUPS): a
	 * worker that dropped privileges is judged by what it kept. */
	if (cred->uid == 0 || (id->has_signers && conn_in_group(c->conn, id->signers)))
		return 0;
	cs_err_set(err, EPERM, "uid %u may not sign with identity '%s' (its signers: root%s)",
		   (unsigned int)cred->uid, id->name, id->has_signers ? " and its signer group" : " only");
	log_msg(LOG_WARNING, "%s", err->msg);
	return -EPERM;
}

/* The slot of the key the request names, or -1. */
static int pick_key(const struct sign_identity *id, const uint8_t *key_id, struct cs_err *err)
{
	char hex[CS_FINGERPRINT_HEX_LEN + 1];

	for (int k = 0; k < SIGN_KEY_COUNT; k++)
		if (id->key[k] && memcmp(id->key_id[k], key_id, CREDSTORE_FINGERPRINT_LEN) == 0)
			return k;
	cs_fingerprint_format(key_id, hex);
	cs_err_set(err, ENOKEY, "identity '%s' no longer holds key %.16s...: it was replaced; "
		   "load its new key reference", id->name, hex);
	return -1;
}

static int parse_digest(struct cmd_ctx *c, struct sign_request *s, struct cs_err *err)
{
	const char *name = attr_string(c->tb, CREDSTORE_A_SIGN_DIGEST);

	if (s->scheme == CREDSTORE_SIGN_ED25519) {
		if (name)
			return cs_err_set(err, EOPNOTSUPP, "Ed25519 signs the message itself, not a digest");
		return 0;
	}
	if (!name)
		return cs_err_set(err, EINVAL, "missing digest name");
	for (size_t i = 0; i < sizeof(allowed_digests) / sizeof(allowed_digests[0]); i++)
		if (strcmp(name, allowed_digests[i]) == 0)
			s->md = EVP_get_digestbyname(name);
	if (!s->md)
		return cs_err_set(err, EOPNOTSUPP, "unsupported digest '%s'", name);
	if ((size_t)EVP_MD_get_size(s->md) != s->len)
		return cs_err_set(err, EINVAL, "a %s digest has %d bytes, not %zu", name,
				  EVP_MD_get_size(s->md), s->len);
	return 0;
}

static int parse_request(struct cmd_ctx *c, struct sign_request *s, struct cs_err *err)
{
	struct nlattr *data = c->tb[CREDSTORE_A_SIGN_DATA];
	int r = need_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_SIGN_KEY_ID, "key id", err);
	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_SIGN_SCHEME, "signature scheme", err);
	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_SIGN_DATA, "data to sign", err);
	if (r)
		return r;
	s->name = attr_string(c->tb, CREDSTORE_A_NAME);
	s->scheme = nla_get_u8(c->tb[CREDSTORE_A_SIGN_SCHEME]);
	s->data = nla_data(data);
	s->len = (size_t)nla_len(data);
	if (s->scheme == CREDSTORE_SIGN_UNSPEC || s->scheme > CREDSTORE_SIGN_MAX)
		return cs_err_set(err, EOPNOTSUPP, "unsupported signature scheme %u", s->scheme);
	if (!s->len)
		return cs_err_set(err, EINVAL, "nothing to sign");
	r = parse_digest(c, s, err);
	s->salt_len = s->md ? EVP_MD_get_size(s->md) : 0;
	if (!r && c->tb[CREDSTORE_A_SIGN_SALT_LEN]) {
		uint32_t salt = nla_get_u32(c->tb[CREDSTORE_A_SIGN_SALT_LEN]);

		if (s->scheme != CREDSTORE_SIGN_RSA_PSS)
			return cs_err_set(err, EINVAL, "a salt length is for RSA-PSS only");
		if (salt > CREDSTORE_SIGNATURE_MAX)
			return cs_err_set(err, EINVAL, "salt length %u is too long", salt);
		s->salt_len = (int)salt;
	}
	return r;
}

static int set_padding(EVP_PKEY_CTX *ctx, const struct sign_request *s)
{
	if (s->scheme == CREDSTORE_SIGN_RSA_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
	if (s->scheme == CREDSTORE_SIGN_RSA_PSS)
		return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, s->md) > 0 &&
		       EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, s->salt_len) > 0;
	return 1;
}

/* The key's context for the request's scheme, digest and salt length,
 * made the first time; when all are in use, the last one made goes. */
static EVP_PKEY_CTX *prepared_ctx(struct sign_identity *id, int slot, const struct sign_request *s)
{
	struct sign_prepared *p = id->prepared[slot];
	EVP_PKEY_CTX *ctx;
	int i;

	for (i = 0; i < SIGN_PREPARED_MAX && p[i].ctx; i++)
		if (p[i].scheme == s->scheme && p[i].md == s->md && p[i].salt_len == s->salt_len)
			return p[i].ctx;
	ctx = EVP_PKEY_CTX_new(id->key[slot], NULL);
	if (!ctx || EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, s->md) <= 0 ||
	    !set_padding(ctx, s)) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	if (i == SIGN_PREPARED_MAX)
		EVP_PKEY_CTX_free(p[--i].ctx);
	p[i] = (struct sign_prepared){ .ctx = ctx, .scheme = s->scheme, .md = s->md,
				       .salt_len = s->salt_len };
	return ctx;
}

/* sig has CREDSTORE_SIGNATURE_MAX bytes. */
static int sign_with(struct sign_identity *id, int slot, const struct sign_request *s,
		     uint8_t *sig, size_t *sig_len)
{
	EVP_PKEY_CTX *ctx;
	EVP_MD_CTX *mctx;
	int ok;

	*sig_len = CREDSTORE_SIGNATURE_MAX;
	if (s->scheme == CREDSTORE_SIGN_ED25519) {
		mctx = EVP_MD_CTX_new();
		ok = mctx && EVP_DigestSignInit(mctx, NULL, NULL, NULL, id->key[slot]) == 1 &&
		     EVP_DigestSign(mctx, sig, sig_len, s->data, s->len) == 1;
		EVP_MD_CTX_free(mctx);
		return ok;
	}
	ctx = prepared_ctx(id, slot, s);
	return ctx && EVP_PKEY_sign(ctx, sig, sig_len, s->data, s->len) == 1;
}

int query_sign(struct cmd_ctx *c, struct cs_err *err)
{
	struct sign_request s = { 0 };
	struct sign_identity *id;
	uint8_t sig[CREDSTORE_SIGNATURE_MAX];
	size_t sig_len;
	int slot, r = parse_request(c, &s, err);

	if (!r && !c->d->sign_keys && !(c->d->sign_keys = sign_keys_new()))
		r = cs_err_set(err, ENOMEM, "out of memory");
	if (!r)
		r = sign_keys_get(c->d->sign_keys, &c->d->model, s.name, &id, err);
	if (!r)
		r = authorise_signer(c, id, err);
	if (r)
		return r;
	slot = pick_key(id, nla_data(c->tb[CREDSTORE_A_SIGN_KEY_ID]), err);
	if (slot < 0)
		return -ENOKEY;
	if (!EVP_PKEY_is_a(id->key[slot], scheme_key_type[s.scheme]))
		return cs_err_set(err, EOPNOTSUPP, "identity '%s' has a %s key: it cannot sign %s",
				  id->name, EVP_PKEY_get0_type_name(id->key[slot]), scheme_names[s.scheme]);
	if (!sign_with(id, slot, &s, sig, &sig_len))
		return cs_err_set(err, EINVAL, "%s signature with identity '%s' failed (salt length %d?)",
				  scheme_names[s.scheme], id->name, s.salt_len);
	return reply_put(nla_put(c->reply, CREDSTORE_A_SIGNATURE, (int)sig_len, sig), err);
}
