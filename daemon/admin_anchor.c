/* anchor add | replace | remove | crl, and the CRL query: one root (or
 * trusted intermediate) CA certificate per name, and the CRL it signs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "cert_policy.h"
#include "log.h"
#include "pki.h"
#include "server.h"

/* The anchor's certificate from the request, checked. */
static X509 *take_anchor_cert(struct cmd_ctx *c, struct cs_err *err)
{
	struct nlattr *pem = c->tb[CREDSTORE_A_ADMIN_PEM];
	STACK_OF(X509) *certs = NULL;
	X509 *cert = NULL;
	int r = need_attr(c->tb, CREDSTORE_A_ADMIN_PEM, "anchor certificate", err);

	if (!r) {
		certs = cs_pki_parse_certs(nla_data(pem), (size_t)nla_len(pem), err);
		r = certs ? 0 : -EINVAL;
	}
	if (!r && sk_X509_num(certs) != 1)
		r = cs_err_set(err, EINVAL, "an anchor is one certificate; the input holds %d",
			       sk_X509_num(certs));
	if (!r) {
		cert = sk_X509_value(certs, 0);
		r = cs_pki_check_dates(cert, "the anchor", err);
	}
	if (!r)
		r = cert_check_ca(cert, err);
	if (!r)
		r = cert_check_strength(&c->d->policy, cert, "the anchor", err);
	if (!r && !X509_up_ref(cert))
		r = cs_err_set(err, ENOMEM, "out of memory");
	cs_pki_free_certs(certs);
	return r ? NULL : cert;
}

static int cert_der(X509 *cert, struct model_anchor *a, struct cs_err *err)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);

	if (n <= 0)
		return cs_err_set(err, EINVAL, "cannot encode the anchor as DER");
	free(a->cert);
	a->cert = malloc((size_t)n);
	if (a->cert)
		memcpy(a->cert, der, (size_t)n);
	OPENSSL_free(der);
	a->cert_len = a->cert ? (size_t)n : 0;
	return a->cert ? 0 : cs_err_set(err, ENOMEM, "out of memory");
}

static X509_CRL *parse_crl(const uint8_t *der, size_t len)
{
	return cs_pki_parse_crl(der, len, NULL);
}

/* Is the stored CRL of a signed by cert? */
static bool crl_signed_by(struct cmd_ctx *c, const struct model_anchor *a, X509 *cert)
{
	uint8_t *der = NULL;
	size_t len = 0;
	X509_CRL *crl = NULL;
	bool ok = false;

	if (model_get_crl(&c->d->model, c->txn, a, &der, &len, NULL) == 0)
		crl = parse_crl(der, len);
	ok = crl && X509_CRL_verify(crl, X509_get0_pubkey(cert)) == 1;
	X509_CRL_free(crl);
	free(der);
	ERR_clear_error();
	return ok;
}

static int put_anchor(struct cmd_ctx *c, bool replace, struct cs_err *err)
{
	struct model_anchor a = { 0 };
	const char *name = attr_string(c->tb, CREDSTORE_A_NAME);
	X509 *cert = NULL;
	int r = need_new_name(c->tb, CREDSTORE_A_NAME, "anchor name", err);

	if (!r) {
		r = model_get_anchor(&c->d->model, c->txn, name, &a, err);
		if (r == 0 && !replace)
			r = cs_err_set(err, EEXIST, "anchor '%s' exists: replace it with `anchor "
				       "replace`, or choose another name", name);
		else if (r == -ENOENT && replace)
			r = cs_err_set(err, ENOENT, "unknown anchor '%s'", name);
		else if (r == -ENOENT)
			r = 0;
	}
	if (!r)
		r = (cert = take_anchor_cert(c, err)) ? 0 : -EINVAL;
	if (!r && a.crl.len && !crl_signed_by(c, &a, cert)) {
		reply_warning(c, "the new certificate of anchor '%s' did not sign its CRL: the CRL "
			      "is dropped", name);
		r = model_delete_crl(c->txn, &a, err);
	}
	if (!r)
		r = cert_der(cert, &a, err);
	if (!r) {
		snprintf(a.name, sizeof(a.name), "%s", name);
		r = model_put_anchor(c->txn, &a, err);
	}
	if (!r)
		cert_warn_expiry(c, cert, "the anchor");
	X509_free(cert);
	model_anchor_release(&a);
	return r;
}

int admin_anchor_add(struct cmd_ctx *c, struct cs_err *err)
{
	return put_anchor(c, false, err);
}

int admin_anchor_replace(struct cmd_ctx *c, struct cs_err *err)
{
	return put_anchor(c, true, err);
}

static int load_anchor(struct cmd_ctx *c, struct model_anchor *a, struct cs_err *err)
{
	const char *name = attr_string(c->tb, CREDSTORE_A_NAME);
	int r = need_name(c->tb, CREDSTORE_A_NAME, "anchor name", err);

	if (!r)
		r = model_get_anchor(&c->d->model, c->txn, name, a, err);
	return r == -ENOENT ? cs_err_set(err, ENOENT, "unknown anchor '%s'", name) : r;
}

int admin_anchor_remove(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_anchor a = { 0 };
	bool existed;
	int r = load_anchor(c, &a, err);

	if (!r)
		r = model_delete_crl(c->txn, &a, err);
	if (!r)
		r = model_delete(c->txn, STORE_REC_ANCHOR, a.name, &existed, err);
	model_anchor_release(&a);
	return r;
}

/* The CRL of the request: its ADMIN_BLOB attributes, in order. */
static int gather_crl(struct cmd_ctx *c, uint8_t **der, size_t *len, struct cs_err *err)
{
	struct nlattr *pos;
	size_t total = 0;
	int rem;

	nla_for_each_attr(pos, c->attrs, c->attrs_len, rem)
		if (nla_type(pos) == CREDSTORE_A_ADMIN_BLOB)
			total += (size_t)nla_len(pos);
	*der = malloc(total ? total : 1);
	if (!*der)
		return cs_err_set(err, ENOMEM, "out of memory");
	*len = 0;
	nla_for_each_attr(pos, c->attrs, c->attrs_len, rem)
		if (nla_type(pos) == CREDSTORE_A_ADMIN_BLOB) {
			memcpy(*der + *len, nla_data(pos), (size_t)nla_len(pos));
			*len += (size_t)nla_len(pos);
		}
	return 0;
}

/* Installing the CRL the anchor has again is fine; another one of the
 * same thisUpdate is not (readers tell CRLs apart by it and their length). */
static bool same_as_installed(struct cmd_ctx *c, const struct model_anchor *a, X509_CRL *crl)
{
	uint8_t *der = NULL;
	unsigned char *given = NULL;
	size_t len = 0;
	int n = i2d_X509_CRL(crl, &given);
	bool same = n > 0 && model_get_crl(&c->d->model, c->txn, a, &der, &len, NULL) == 0 &&
		    len == (size_t)n && !memcmp(der, given, len);

	free(der);
	OPENSSL_free(given);
	return same;
}

/* Signed by the anchor, issued by it, and newer than the one it replaces
 * (an old CRL would bring revoked certificates back). */
static int check_crl(struct cmd_ctx *c, const struct model_anchor *a, X509_CRL *crl,
		     struct cs_err *err)
{
	const unsigned char *p = a->cert;
	X509 *cert = d2i_X509(NULL, &p, (long)a->cert_len);
	uint64_t this_update = cs_pki_time(X509_CRL_get0_lastUpdate(crl));
	int r = 0;

	if (!cert)
		r = cs_err_set(err, EBADMSG, "anchor '%s' is damaged in the store", a->name);
	else if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(cert)) ||
		 X509_CRL_verify(crl, X509_get0_pubkey(cert)) != 1)
		r = cs_err_set(err, EKEYREJECTED, "the CRL is not signed by anchor '%s'", a->name);
	else if (!this_update || cs_days_until(this_update) > 0)
		r = cs_err_set(err, EKEYREJECTED, "the CRL's thisUpdate is %s", this_update
			       ? "in the future" : "unreadable");
	else if (a->crl.len && this_update < a->crl.this_update)
		r = cs_err_set(err, EKEYREJECTED, "the CRL is older than the one anchor '%s' has "
			       "(thisUpdate): refusing to bring revoked certificates back",
			       a->name);
	else if (a->crl.len && this_update == a->crl.this_update && !same_as_installed(c, a, crl))
		r = cs_err_set(err, EKEYREJECTED, "the CRL has the thisUpdate of the one anchor '%s' "
			       "has, but other contents: ask its CA for a newer one", a->name);
	X509_free(cert);
	ERR_clear_error();
	return r;
}

static int install_crl(struct cmd_ctx *c, struct model_anchor *a, struct cs_err *err)
{
	uint8_t *der = NULL, *canon = NULL;
	size_t len = 0;
	X509_CRL *crl = NULL;
	int n = 0, r = gather_crl(c, &der, &len, err);

	if (!r)
		r = (crl = cs_pki_parse_crl(der, len, err)) ? 0 : -EINVAL;
	if (!r)
		r = check_crl(c, a, crl, err);
	if (!r && (n = i2d_X509_CRL(crl, &canon)) <= 0)
		r = cs_err_set(err, EINVAL, "cannot encode the CRL as DER");
	if (!r)
		r = model_put_crl(c->txn, a, canon, (size_t)n, err);
	if (!r) {
		STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);

		a->crl.entries = (uint32_t)(revoked ? sk_X509_REVOKED_num(revoked) : 0);
		a->crl.this_update = cs_pki_time(X509_CRL_get0_lastUpdate(crl));
		a->crl.next_update = cs_pki_time(X509_CRL_get0_nextUpdate(crl));
		if (a->crl.next_update && cs_days_until(a->crl.next_update) < 0)
			reply_warning(c, "the CRL of anchor '%s' is past its nextUpdate: ask its CA "
				      "for a newer one", a->name);
		log_msg(LOG_NOTICE, "anchor '%s': a CRL of %u bytes revoking %u certificates",
			a->name, a->crl.len, a->crl.entries);
	}
	OPENSSL_free(canon);
	X509_CRL_free(crl);
	free(der);
	return r;
}

int admin_anchor_crl(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_anchor a = { 0 };
	bool given = false;
	struct nlattr *pos;
	int rem, r = load_anchor(c, &a, err);

	nla_for_each_attr(pos, c->attrs, c->attrs_len, rem)
		given |= nla_type(pos) == CREDSTORE_A_ADMIN_BLOB;
	if (!r && given)
		r = install_crl(c, &a, err);
	else if (!r && !a.crl.len)
		r = cs_err_set(err, ENOENT, "anchor '%s' has no CRL", a.name);
	else if (!r)
		r = model_delete_crl(c->txn, &a, err);
	if (!r)
		r = model_put_anchor(c->txn, &a, err);
	model_anchor_release(&a);
	return r;
}

int query_crl(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_anchor a = { 0 };
	uint32_t part = c->tb[CREDSTORE_A_CRL_PART] ? nla_get_u32(c->tb[CREDSTORE_A_CRL_PART]) : 0;
	uint8_t *data = NULL;
	size_t len = 0;
	int r = load_anchor(c, &a, err);

	if (!r && !a.crl.len)
		r = cs_err_set(err, ENOENT, "anchor '%s' has no CRL", a.name);
	else if (!r && part >= a.crl.parts)
		r = cs_err_set(err, ERANGE, "the CRL of anchor '%s' has %u parts", a.name,
			       a.crl.parts);
	if (!r && model_get_crl_part(&c->d->model, NULL, a.name, part, &data, &len, err))
		r = cs_err_set(err, EBADMSG, "the CRL of anchor '%s' is damaged in the store", a.name);
	if (!r)
		r = reply_put(nla_put_string(c->reply, CREDSTORE_A_NAME, a.name) ||
			      nla_put_u32(c->reply, CREDSTORE_A_CRL_PART, part) ||
			      nla_put_u32(c->reply, CREDSTORE_A_CRL_PARTS, a.crl.parts) ||
			      nla_put_u32(c->reply, CREDSTORE_A_CRL_LEN, a.crl.len) ||
			      nla_put_u64(c->reply, CREDSTORE_A_CRL_THIS_UPDATE, a.crl.this_update) ||
			      nla_put_u64(c->reply, CREDSTORE_A_GENERATION,
					  store_generation(c->d->model.store)) ||
			      nla_put(c->reply, CREDSTORE_A_ADMIN_BLOB, (int)len, data), err);
	free(data);
	model_anchor_release(&a);
	return r;
}
