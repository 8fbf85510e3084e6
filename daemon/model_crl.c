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

int model_put_crl(struct model_txn *t, struct model_anchor *a, const uint8_t *der, size_t len,
		  struct cs_err *err)
{
	uint32_t parts = (uint32_t)((len + MODEL_CRL_PART_MAX - 1) / MODEL_CRL_PART_MAX);
	char key[PART_KEY_MAX];
	int r = model_delete_crl(t, a, err);

	for (uint32_t i = 0; i < parts && !r; i++) {
		size_t off = (size_t)i * MODEL_CRL_PART_MAX;
		size_t n = len - off < MODEL_CRL_PART_MAX ? len - off : MODEL_CRL_PART_MAX;

		struct store_record rec = { 0 };

		part_key(a->name, i, key);
		r = model_crl_part_encode(key, der + off, n, &rec, err);
		if (!r)
			r = model_put_record(t, &rec, err);
		model_record_release(&rec);
	}
	if (!r) {
		a->crl.len = (uint32_t)len;
		a->crl.parts = parts;
	}
	return r;
}

int model_get_crl_part(struct model *m, struct model_txn *t, const char *name, uint32_t part,
		       uint8_t **data, size_t *len, struct cs_err *err)
{
	struct model_crl_part p = { 0 };
	char key[PART_KEY_MAX];
	int r;

	part_key(name, part, key);
	r = model_lookup(m, t, STORE_REC_CRL, key, false,
			 (model_decode_fn)model_crl_part_decode, &p, err);
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
		struct model_crl_part p;

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

