/* Trust anchor records: value = CHAIN holding the one DER certificate,
 * and when the anchor has a CRL: CRL_LEN, CRL_PARTS, CRL_ENTRIES,
 * CRL_THIS_UPDATE, CRL_NEXT_UPDATE (when the CRL has one).  The CRL's
 * parts are records of their own (model_crl.c): value = ADMIN_BLOB. */
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

static int put_crl_info(struct nl_msg *value, const struct model_crl_info *crl)
{
	return nla_put_u32(value, CREDSTORE_A_CRL_LEN, crl->len) ||
	       nla_put_u32(value, CREDSTORE_A_CRL_PARTS, crl->parts) ||
	       nla_put_u32(value, CREDSTORE_A_CRL_ENTRIES, crl->entries) ||
	       nla_put_u64(value, CREDSTORE_A_CRL_THIS_UPDATE, crl->this_update) ||
	       (crl->next_update && nla_put_u64(value, CREDSTORE_A_CRL_NEXT_UPDATE, crl->next_update))
	       ? -1 : 0;
}

static void get_crl_info(struct nlattr **tb, struct model_crl_info *crl)
{
	if (!tb[CREDSTORE_A_CRL_LEN] || !tb[CREDSTORE_A_CRL_PARTS])
		return;
	crl->len = nla_get_u32(tb[CREDSTORE_A_CRL_LEN]);
	crl->parts = nla_get_u32(tb[CREDSTORE_A_CRL_PARTS]);
	if (tb[CREDSTORE_A_CRL_ENTRIES])
		crl->entries = nla_get_u32(tb[CREDSTORE_A_CRL_ENTRIES]);
	if (tb[CREDSTORE_A_CRL_THIS_UPDATE])
		crl->this_update = nla_get_u64(tb[CREDSTORE_A_CRL_THIS_UPDATE]);
	if (tb[CREDSTORE_A_CRL_NEXT_UPDATE])
		crl->next_update = nla_get_u64(tb[CREDSTORE_A_CRL_NEXT_UPDATE]);
}

int model_anchor_encode(const struct model_anchor *a, struct store_record *r, struct cs_err *err)
{
	struct nl_msg *value = model_attrs_new();
	int ret = model_record_key(r, STORE_REC_ANCHOR, a->name, err);

	if (!ret && (!value || nla_put(value, CREDSTORE_A_CHAIN, (int)a->cert_len, a->cert) < 0 ||
		     (a->crl.len && put_crl_info(value, &a->crl) < 0)))
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
	if (!ret)
		get_crl_info(tb, &a->crl);
	return ret;
}

int model_crl_part_encode(const char *key, const uint8_t *data, size_t len, struct store_record *r,
			  struct cs_err *err)
{
	struct nl_msg *value = model_attrs_new();
	int ret = model_record_key(r, STORE_REC_CRL, key, err);

	if (!ret && (!value || nla_put(value, CREDSTORE_A_ADMIN_BLOB, (int)len, data) < 0))
		ret = cs_err_set(err, ENOMEM, "out of memory");
	if (!ret)
		return model_attrs_take(value, (void **)&r->value, &r->value_len, err);
	nlmsg_free(value);
	return ret;
}

int model_crl_part_decode(const struct store_record *r, struct model_crl_part *p,
			  struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	int ret = model_attrs_parse(r->value, r->value_len, tb, err);

	if (!ret && !tb[CREDSTORE_A_ADMIN_BLOB])
		ret = cs_err_set(err, EBADMSG, "a stored CRL part is empty");
	return ret ? ret : model_attr_dup(tb[CREDSTORE_A_ADMIN_BLOB], &p->data, &p->len, err);
}

int model_crl_part_check(const struct store_record *r, struct cs_err *err)
{
	struct model_crl_part p = { 0 };
	int ret = model_crl_part_decode(r, &p, err);

	free(p.data);
	return ret;
}
