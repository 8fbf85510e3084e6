/* identity csr | install | remove | export-key.  The private key leaves
 * the store only through export-key, the administrator's explicit backup
 * path (logged): csr keeps the key it makes, install keeps the key it is
 * given, and front ends sign through SIGN (sign.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "log.h"
#include "pki.h"
#include "server.h"

static int load_identity(struct cmd_ctx *c, const char *name, struct model_identity *id,
			 struct cs_err *err)
{
	int r = model_get_identity(&c->d->model, c->txn, name, id, err);

	if (r == -ENOENT) {
		memset(id, 0, sizeof(*id));
		snprintf(id->name, sizeof(id->name), "%s", name);
		r = 0;
	}
	return r;
}

int admin_identity_csr(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_identity id = { 0 };
	const char *name = attr_string(c->tb, CREDSTORE_A_NAME);
	const char *subject = attr_string(c->tb, CREDSTORE_A_ADMIN_SUBJECT);
	char default_subject[CREDSTORE_NAME_MAX + 4];
	EVP_PKEY *key = NULL;
	char *csr = NULL;
	size_t csr_len = 0;
	int r = need_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	if (!r) {
		snprintf(default_subject, sizeof(default_subject), "/CN=%s", name);
		key = cs_pki_generate_key(attr_string(c->tb, CREDSTORE_A_ADMIN_KEY_TYPE), err);
		r = key ? load_identity(c, name, &id, err) : -EINVAL;
	}
	if (!r)
		r = cs_pki_make_csr(key, subject ? subject : default_subject, &csr, &csr_len, err);
	if (!r) {
		model_key_free(&id.pending_key, &id.pending_key_len);
		r = cs_pki_key_to_der(key, &id.pending_key, &id.pending_key_len, err);
	}
	if (!r)
		r = model_put_identity(c->txn, &id, err);
	if (!r)
		r = reply_put(nla_put(c->reply, CREDSTORE_A_ADMIN_CSR, (int)csr_len, csr), err);
	free(csr);
	EVP_PKEY_free(key);
	model_identity_release(&id);
	return r;
}

static int check_dates(STACK_OF(X509) *chain, struct cs_err *err)
{
	int r = 0;

	for (int i = 0; i < sk_X509_num(chain) && !r; i++)
		r = cs_pki_check_dates(sk_X509_value(chain, i),
				       i ? "chain certificate" : "the certificate", err);
	return r;
}

static int check_anchor(struct cmd_ctx *c, STACK_OF(X509) *chain, struct cs_err *err)
{
	const char *name = attr_string(c->tb, CREDSTORE_A_ADMIN_ANCHOR);
	struct model_anchor a;
	STACK_OF(X509) *anchor;
	int r;

	if (!name)
		return 0;
	r = model_get_anchor(&c->d->model, c->txn, name, &a, err);
	if (r == -ENOENT)
		return cs_err_set(err, ENOENT, "unknown anchor '%s'", name);
	if (r)
		return r;
	anchor = cs_pki_parse_certs(a.cert, a.cert_len, err);
	r = anchor ? cs_pki_check_chain(chain, sk_X509_value(anchor, 0), name, err) : -EBADMSG;
	cs_pki_free_certs(anchor);
	model_anchor_release(&a);
	return r;
}

static EVP_PKEY *der_key(const uint8_t *der, size_t len)
{
	return der ? cs_pki_parse_key(der, len, NULL, NULL) : NULL;
}

/* The key to install: the one given, else the CSR's, else the current one
 * (a renewed certificate for the same key); whichever matches the leaf. */
static EVP_PKEY *choose_key(struct cmd_ctx *c, const struct model_identity *id, X509 *leaf,
			    struct cs_err *err)
{
	struct nlattr *given = c->tb[CREDSTORE_A_ADMIN_KEY_PEM];
	EVP_PKEY *key;

	if (given)
		return cs_pki_parse_key(nla_data(given), (size_t)nla_len(given),
					attr_string(c->tb, CREDSTORE_A_ADMIN_PASSWORD), err);
	key = der_key(id->pending_key, id->pending_key_len);
	if (!key || X509_check_private_key(leaf, key) != 1) {
		EVP_PKEY_free(key);
		key = der_key(id->key, id->key_len);
	}
	if (!key)
		cs_err_set(err, EINVAL, "no private key: give one, or make a CSR first");
	return key;
}

static bool same_key(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a && b && a_len == b_len && CRYPTO_memcmp(a, b, a_len) == 0;
}

/* Install the key: a key that changes becomes the previous key, which
 * keeps signing for servers that still hold a reference to it until the
 * next install; an install that keeps the key drops the previous one. */
static int pick_key(struct cmd_ctx *c, struct model_identity *id, X509 *leaf, struct cs_err *err)
{
	EVP_PKEY *key = choose_key(c, id, leaf, err);
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r = key ? cs_pki_check_key_matches(leaf, key, err) : -EINVAL;

	if (!r)
		r = cs_pki_key_to_der(key, &der, &der_len, err);
	if (!r) {
		model_key_free(&id->previous_key, &id->previous_key_len);
		if (id->key && !same_key(id->key, id->key_len, der, der_len)) {
			id->previous_key = id->key;
			id->previous_key_len = id->key_len;
			id->key = NULL;
		}
		model_key_free(&id->key, &id->key_len);
		id->key = der;
		id->key_len = der_len;
	}
	if (!r && id->pending_key && X509_check_private_key(leaf, key) == 1)
		model_key_free(&id->pending_key, &id->pending_key_len);
	EVP_PKEY_free(key);
	return r;
}

int admin_identity_install(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_identity id = { 0 };
	STACK_OF(X509) *chain = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r = need_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_ADMIN_PEM, "certificate chain", err);
	if (!r) {
		struct nlattr *pem = c->tb[CREDSTORE_A_ADMIN_PEM];

		chain = cs_pki_parse_certs(nla_data(pem), (size_t)nla_len(pem), err);
		r = chain ? cs_pki_certs_to_der(chain, &der, &der_len, err) : -EINVAL;
	}
	if (!r && der_len > CREDSTORE_CHAIN_MAX)
		r = cs_err_set(err, E2BIG, "the chain is %zu bytes of DER; the limit is %d",
			       der_len, CREDSTORE_CHAIN_MAX);
	if (!r)
		r = check_dates(chain, err);
	if (!r)
		r = check_anchor(c, chain, err);
	if (!r)
		r = load_identity(c, attr_string(c->tb, CREDSTORE_A_NAME), &id, err);
	if (!r)
		r = pick_key(c, &id, sk_X509_value(chain, 0), err);
	if (!r && c->tb[CREDSTORE_A_SIGNERS]) {
		id.has_signers = true;
		id.signers = nla_get_u32(c->tb[CREDSTORE_A_SIGNERS]);
	}
	if (!r) {
		free(id.chain);
		id.chain = der;
		id.chain_len = der_len;
		der = NULL;
		r = model_put_identity(c->txn, &id, err);
	}
	free(der);
	cs_pki_free_certs(chain);
	model_identity_release(&id);
	return r;
}

int admin_identity_remove(struct cmd_ctx *c, struct cs_err *err)
{
	bool existed;
	int r = need_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	return r ? r : model_delete(c->txn, STORE_REC_IDENTITY,
				    attr_string(c->tb, CREDSTORE_A_NAME), &existed, err);
}

int admin_identity_export_key(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_identity id = { 0 };
	int r = query_get_identity(c, true, &id, err);

	if (!r && !id.key)
		r = cs_err_set(err, ENOENT, "identity '%s' has no key", id.name);
	if (!r)
		r = reply_put(nla_put(c->reply, CREDSTORE_A_KEY, (int)id.key_len, id.key), err);
	if (!r)
		log_msg(LOG_NOTICE, "uid %u: identity export-key %s: the private key was exported",
			(unsigned int)c->req->cred.uid, id.name);
	model_identity_release(&id);
	return r;
}
