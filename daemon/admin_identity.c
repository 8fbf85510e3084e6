/* identity csr | install | remove | export-key.  The private key leaves
 * the store only through export-key, the administrator's explicit backup
 * path (logged): csr keeps the key it makes, install keeps the key it is
 * given, and front ends sign through SIGN (sign.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cert_policy.h"
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
	int r = need_new_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	if (!r) {
		snprintf(default_subject, sizeof(default_subject), "/CN=%s", name);
		key = cs_pki_generate_key(attr_string(c->tb, CREDSTORE_A_ADMIN_KEY_TYPE), err);
		r = key ? load_identity(c, name, &id, err) : -EINVAL;
	}
	if (!r)
		r = cert_check_key_strength(&c->d->policy, key, "the key type asked for", err);
	if (!r)
		r = cs_pki_make_csr(key, subject ? subject : default_subject,
				    attr_string(c->tb, CREDSTORE_A_ADMIN_SAN), &csr, &csr_len, err);
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

static int push_anchor(STACK_OF(X509) *anchors, const struct model_anchor *a)
{
	const unsigned char *p = a->cert;
	X509 *x = d2i_X509(NULL, &p, (long)a->cert_len);

	if (x && !sk_X509_push(anchors, x)) {
		X509_free(x);
		return -ENOMEM;
	}
	return 0;
}

/* Gather the anchors' certificates (a damaged one is left out). */
static int add_anchor(const struct store_record *rec, void *arg)
{
	struct model_anchor a;
	int r = model_anchor_decode(rec, &a, NULL) ? 0 : push_anchor(arg, &a);

	model_anchor_release(&a);
	return r;
}

/* The chain must reach the anchor named, or else any stored anchor,
 * unless the administrator says it need not. */
static int check_anchor(struct cmd_ctx *c, STACK_OF(X509) *chain, struct cs_err *err)
{
	const char *name = attr_string(c->tb, CREDSTORE_A_ADMIN_ANCHOR);
	STACK_OF(X509) *anchors = sk_X509_new_null();
	struct model_anchor a = { 0 };
	struct cs_err why = { 0 };
	char what[CREDSTORE_NAME_MAX + 16];
	int r = only_one(c->tb, CREDSTORE_A_ADMIN_ANCHOR, CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK,
			 "give --anchor NAME or --no-anchor-check", err);

	if (r || c->tb[CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK]) {
		sk_X509_free(anchors);
		return r;
	}
	if (!anchors)
		return cs_err_set(err, ENOMEM, "out of memory");
	if (name) {
		snprintf(what, sizeof(what), "anchor '%s'", name);
		r = model_get_anchor(&c->d->model, c->txn, name, &a, err);
		if (r == -ENOENT)
			r = cs_err_set(err, ENOENT, "unknown anchor '%s'", name);
		if (!r && push_anchor(anchors, &a))
			r = cs_err_set(err, ENOMEM, "out of memory");
		model_anchor_release(&a);
	} else {
		snprintf(what, sizeof(what), "a stored anchor");
		r = model_each(&c->d->model, c->txn, STORE_REC_ANCHOR, add_anchor, anchors, err);
		if (!r && sk_X509_num(anchors) == 0)
			r = cs_err_set(err, ENOENT, "there is no trust anchor to check the chain "
				       "against: add its CA first (anchor add), or give "
				       "--no-anchor-check");
	}
	if (!r && cs_pki_check_chain(chain, anchors, what, &why))
		r = cs_err_set(err, why.code, "%s%s", why.msg,
			       name ? "" : "; add its CA (anchor add) or give --no-anchor-check");
	cs_pki_free_certs(anchors);
	return r;
}

static EVP_PKEY *der_key(const uint8_t *der, size_t len)
{
	return der ? cs_pki_parse_key(der, len, NULL, NULL) : NULL;
}

static bool key_fits(X509 *leaf, EVP_PKEY *key)
{
	return key && X509_check_private_key(leaf, key) == 1;
}

/* Without a key given: the CSR's, else the current one (a renewed
 * certificate for the same key), whichever the leaf is for. */
static EVP_PKEY *stored_key(struct model_identity *id, X509 *leaf, struct cs_err *err)
{
	EVP_PKEY *pending = der_key(id->pending_key, id->pending_key_len);
	EVP_PKEY *current = der_key(id->key, id->key_len);
	EVP_PKEY *key = key_fits(leaf, pending) ? pending : key_fits(leaf, current) ? current : NULL;

	if (key != pending)
		EVP_PKEY_free(pending);
	if (key != current)
		EVP_PKEY_free(current);
	ERR_clear_error();
	if (key)
		return key;
	if (pending)
		cs_err_set(err, EKEYREJECTED, "the certificate is not for the key of the last CSR of "
			   "'%s'%s: was it issued for another CSR?", id->name,
			   current ? " (nor for its installed key)" : "");
	else if (current)
		cs_err_set(err, EKEYREJECTED, "the certificate does not match the installed key of "
			   "'%s': give its key (--key), or make a CSR first", id->name);
	else
		cs_err_set(err, EINVAL, "no private key for '%s': give one (--key), or make a CSR "
			   "first", id->name);
	return NULL;
}

static bool same_key(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a && b && a_len == b_len && CRYPTO_memcmp(a, b, a_len) == 0;
}

/* Keep key (given, or the stored one) as the identity's key: a key that
 * changes becomes the previous key, which keeps signing for servers that
 * still hold a reference to it until the next install; an install that
 * keeps the key drops the previous one.  A CSR key that is now installed
 * is pending no more. */
static int keep_key(struct model_identity *id, X509 *leaf, EVP_PKEY *key, struct cs_err *err)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r = cs_pki_key_to_der(key, &der, &der_len, err);

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
	ERR_clear_error();
	return r;
}

/* The chain and the key given: PEM/DER chain and key, or a PKCS#12 file
 * (then *key is set); *key stays NULL when the stored key is to be used. */
static int take_input(struct cmd_ctx *c, STACK_OF(X509) **chain, EVP_PKEY **key,
		      struct cs_err *err)
{
	struct nlattr *pem = c->tb[CREDSTORE_A_ADMIN_PEM], *given = c->tb[CREDSTORE_A_ADMIN_KEY_PEM];
	struct nlattr *p12 = c->tb[CREDSTORE_A_ADMIN_PKCS12];
	const char *password = attr_string(c->tb, CREDSTORE_A_ADMIN_PASSWORD);
	int r = only_one(c->tb, CREDSTORE_A_ADMIN_PKCS12, CREDSTORE_A_ADMIN_PEM,
			 "give a PKCS#12 file or a chain", err);

	if (!r)
		r = only_one(c->tb, CREDSTORE_A_ADMIN_PKCS12, CREDSTORE_A_ADMIN_KEY_PEM,
			     "give a PKCS#12 file or a key", err);
	if (!r && p12)
		return cs_pki_parse_pkcs12(nla_data(p12), (size_t)nla_len(p12), password, key, chain,
					   err);
	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_ADMIN_PEM, "certificate chain", err);
	if (!r) {
		*chain = cs_pki_parse_certs(nla_data(pem), (size_t)nla_len(pem), err);
		r = *chain ? 0 : -EINVAL;
	}
	if (!r && given) {
		*key = cs_pki_parse_key(nla_data(given), (size_t)nla_len(given), password, err);
		r = *key ? 0 : -EINVAL;
	}
	return r;
}

/* Everything a chain must pass before it serves. */
static int check_chain(struct cmd_ctx *c, STACK_OF(X509) *chain, struct cs_err *err)
{
	X509 *leaf = sk_X509_value(chain, 0);
	int r = check_dates(chain, err);

	if (!r)
		r = cs_pki_check_order(chain, err);
	if (!r)
		r = cert_check_server(leaf, err);
	if (!r)
		r = cert_check_chain_strength(&c->d->policy, chain, err);
	if (!r)
		r = check_anchor(c, chain, err);
	return r;
}

int admin_identity_install(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_identity id = { 0 };
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r = need_new_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	if (!r)
		r = take_input(c, &chain, &key, err);
	if (!r) {
		leaf = sk_X509_value(chain, 0);
		r = cs_pki_certs_to_der(chain, &der, &der_len, err);
	}
	if (!r && der_len > CREDSTORE_CHAIN_MAX)
		r = cs_err_set(err, E2BIG, "the chain is %zu bytes of DER; the limit is %d",
			       der_len, CREDSTORE_CHAIN_MAX);
	if (!r)
		r = check_chain(c, chain, err);
	if (!r)
		r = load_identity(c, attr_string(c->tb, CREDSTORE_A_NAME), &id, err);
	if (!r && !key)
		r = (key = stored_key(&id, leaf, err)) ? 0 : -EKEYREJECTED;
	if (!r)
		r = cs_pki_check_key_matches(leaf, key, err);
	if (!r)
		r = keep_key(&id, leaf, key, err);
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
	if (!r)
		cert_warn_expiry(c, leaf, "the server certificate");
	free(der);
	EVP_PKEY_free(key);
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
