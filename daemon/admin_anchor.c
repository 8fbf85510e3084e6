/* anchor add | remove: one root (or trusted intermediate) certificate
 * per name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki.h"
#include "server.h"

int admin_anchor_add(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_anchor a = { 0 };
	STACK_OF(X509) *certs = NULL;
	int r = need_name(c->tb, CREDSTORE_A_NAME, "anchor name", err);

	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_ADMIN_PEM, "anchor certificate", err);
	if (!r) {
		struct nlattr *pem = c->tb[CREDSTORE_A_ADMIN_PEM];

		certs = cs_pki_parse_certs(nla_data(pem), (size_t)nla_len(pem), err);
		r = certs ? 0 : -EINVAL;
	}
	if (!r && sk_X509_num(certs) != 1)
		r = cs_err_set(err, EINVAL, "an anchor is one certificate; the input holds %d",
			       sk_X509_num(certs));
	if (!r)
		r = cs_pki_check_dates(sk_X509_value(certs, 0), "the anchor", err);
	if (!r)
		r = cs_pki_certs_to_der(certs, &a.cert, &a.cert_len, err);
	if (!r) {
		snprintf(a.name, sizeof(a.name), "%s", attr_string(c->tb, CREDSTORE_A_NAME));
		r = model_put_anchor(c->txn, &a, err);
	}
	cs_pki_free_certs(certs);
	model_anchor_release(&a);
	return r;
}

int admin_anchor_remove(struct cmd_ctx *c, struct cs_err *err)
{
	const char *name = attr_string(c->tb, CREDSTORE_A_NAME);
	bool existed;
	int r = need_name(c->tb, CREDSTORE_A_NAME, "anchor name", err);

	if (!r)
		r = model_delete(c->txn, STORE_REC_ANCHOR, name, &existed, err);
	if (!r && !existed)
		r = cs_err_set(err, ENOENT, "unknown anchor '%s'", name);
	return r;
}
