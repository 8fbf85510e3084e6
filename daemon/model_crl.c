/* An anchor's CRL, in STORE_REC_CRL records "NAME/0000", "NAME/0001"...
 * of MODEL_CRL_PART_MAX bytes each (the last shorter), value = ADMIN_BLOB.
 * A CRL can be several MiB and a record holds at most STORE_VALUE_MAX;
 * the anchor record says how many parts there are (struct
 * model_crl_info), and the parts change in the same transaction as it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "usersock.h"

#define PART_KEY_MAX (CREDSTORE_NAME_MAX + 12)

static void part_key(const char *name, uint32_t part, char key[PART_KEY_MAX])
{
	snprintf(key, PART_KEY_MAX, "%s/%04u", name, part);
}

int model_delete_crl(struct model_txn *t, struct model_anchor *a, struct cs_err *err)
{
	char key[PART_KEY_MAX];
	bool existed;
	int r = 0;

	for (uint32_t i = 0; i < a->crl.parts && !r; i++) {
		part_key(a->name, i, key);
		r = model_delete(t, STORE_REC_CRL, key, &existed, err);
	}
	memset(&a->crl, 0, sizeof(a->crl));
	return r;
}

static int put_part(struct model_txn *t, const char *key, const uint8_t *data, size_t len,
		    struct cs_err *err)
{
	struct nl_msg *value = model_attrs_new();
	struct store_record r = { 0 };
	int ret = model_record_key(&r, STORE_REC_CRL, key, err);

	if (!ret && (!value || nla_put(value, CREDSTORE_A_ADMIN_BLOB, (int)len, data) < 0))
		ret = cs_err_set(err, ENOMEM, "out of memory");
	if (!ret)
		ret = model_attrs_take(value, (void **)&r.value, &r.value_len, err);
	else
		nlmsg_free(value);
	if (!ret)
		ret = model_put_record(t, &r, err);
	model_record_release(&r);
	return ret;
}

int model_put_crl(struct model_txn *t, struct model_anchor *a, const uint8_t *der, size_t len,
		  struct cs_err *err)
{
	uint32_t parts = (uint32_t)((len + MODEL_CRL_PART_MAX - 1) / MODEL_CRL_PART_MAX);
	char key[PART_KEY_MAX];
	int r = model_delete_crl(t, a, err);

	for (uint32_t i = 0; i < parts && !r; i++) {
		size_t off = (size_t)i * MODEL_CRL_PART_MAX;
		size_t n = len - off < MODEL_CRL_PART_MAX ? len - off : MODEL_CRL_PART_MAX;

		part_key(a->name, i, key);
		r = put_part(t, key, der + off, n, err);
	}
	if (!r) {
		a->crl.len = (uint32_t)len;
		a->crl.parts = parts;
	}
	return r;
}

struct part {
	uint8_t *data;
	size_t len;
};

static int decode_part(const struct store_record *r, void *out, struct cs_err *err)
{
	struct part *p = out;
	struct nlattr *tb[CREDSTORE_A_MAX + 1];
	int ret = model_attrs_parse(r->value, r->value_len, tb, err);

	if (!ret && !tb[CREDSTORE_A_ADMIN_BLOB])
		ret = cs_err_set(err, EBADMSG, "a stored CRL part is empty");
	return ret ? ret : model_attr_dup(tb[CREDSTORE_A_ADMIN_BLOB], &p->data, &p->len, err);
}

int model_get_crl_part(struct model *m, struct model_txn *t, const char *name, uint32_t part,
		       uint8_t **data, size_t *len, struct cs_err *err)
{
	struct part p = { 0 };
	char key[PART_KEY_MAX];
	int r;

	part_key(name, part, key);
	r = model_lookup(m, t, STORE_REC_CRL, key, decode_part, &p, err);
	*data = p.data;
	*len = p.len;
	return r;
}

int model_get_crl(struct model *m, struct model_txn *t, const struct model_anchor *a,
		  uint8_t **der, size_t *len, struct cs_err *err)
{
	uint8_t *all = malloc(a->crl.len ? a->crl.len : 1);
	size_t got = 0;
	int r = all ? 0 : cs_err_set(err, ENOMEM, "out of memory");

	for (uint32_t i = 0; i < a->crl.parts && !r; i++) {
		struct part p;

		r = model_get_crl_part(m, t, a->name, i, &p.data, &p.len, err);
		if (r == -ENOENT || (!r && got + p.len > a->crl.len))
			r = cs_err_set(err, EBADMSG, "the CRL of anchor '%s' is damaged in the store",
				       a->name);
		if (!r) {
			memcpy(all + got, p.data, p.len);
			got += p.len;
		}
		free(p.data);
	}
	if (!r && got != a->crl.len)
		r = cs_err_set(err, EBADMSG, "the CRL of anchor '%s' is damaged in the store", a->name);
	if (r) {
		free(all);
		return r;
	}
	*der = all;
	*len = got;
	return 0;
}

int model_crl_part_check(const struct store_record *r, struct cs_err *err)
{
	struct part p = { 0 };
	int ret = decode_part(r, &p, err);

	free(p.data);
	return ret;
}
