/* Trust anchor records: value = CHAIN holding the one DER certificate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "usersock.h"

void model_anchor_release(struct model_anchor *a)
{
	free(a->cert);
	a->cert = NULL;
	a->cert_len = 0;
}

int model_anchor_encode(const struct model_anchor *a, struct store_record *r, struct cs_err *err)
{
	struct nl_msg *value = model_attrs_new();
	int ret = model_record_key(r, STORE_REC_ANCHOR, a->name, err);

	if (!ret && (!value || nla_put(value, CREDSTORE_A_CHAIN, (int)a->cert_len, a->cert) < 0))
		ret = cs_err_set(err, EMSGSIZE, "anchor '%s' is too large", a->name);
	if (!ret)
		return model_attrs_take(value, (void **)&r->value, &r->value_len, err);
	nlmsg_free(value);
	return ret;
}

int model_anchor_decode(const struct store_record *r, struct model_anchor *a, struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	int ret;

	memset(a, 0, sizeof(*a));
	ret = model_record_key_string(r, a->name, sizeof(a->name), err);
	if (!ret)
		ret = model_attrs_parse(r->value, r->value_len, tb, err);
	if (!ret && !tb[CREDSTORE_A_CHAIN])
		ret = cs_err_set(err, EBADMSG, "anchor '%s' has no certificate", a->name);
	if (!ret)
		ret = model_attr_dup(tb[CREDSTORE_A_CHAIN], &a->cert, &a->cert_len, err);
	return ret;
}
