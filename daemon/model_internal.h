/* Helpers shared by the model's record codecs. */
#ifndef CREDSTORE_MODEL_INTERNAL_H
#define CREDSTORE_MODEL_INTERNAL_H

#include "model.h"

int model_record_key(struct store_record *r, uint8_t type, const char *key, struct cs_err *err);
int model_record_key_string(const struct store_record *r, char *out, size_t size,
			    struct cs_err *err);
/* A malloc'd copy of an attribute's payload. */
int model_attr_dup(const struct nlattr *a, uint8_t **out, size_t *len, struct cs_err *err);

/* A record of type/key as the txn sees it (t may be NULL), decoded;
 * -ENOENT (err untouched) when absent.  with_secret false: nothing is
 * unsealed, and a staged record is decoded without its secret too. */
typedef int (*model_decode_fn)(const struct store_record *r, void *out, struct cs_err *err);
int model_lookup(struct model *m, struct model_txn *t, uint8_t type, const char *key,
		 bool with_secret, model_decode_fn decode, void *out, struct cs_err *err);

/* STORE_REC_CRL records, one part of a CRL each (model_anchor.c). */
struct model_crl_part {
	uint8_t *data;		/* malloc'd */
	size_t len;
};
int model_crl_part_encode(const char *key, const uint8_t *data, size_t len, struct store_record *r,
			  struct cs_err *err);
int model_crl_part_decode(const struct store_record *r, struct model_crl_part *p,
			  struct cs_err *err);
int model_crl_part_check(const struct store_record *r, struct cs_err *err);

/* A device record without its secrets (a record's secret is ignored). */
int model_device_decode_public(const struct store_record *r, struct model_device *d,
			       struct cs_err *err);

/* The txn's lookup trees (model_index.c).  model_index_change() after
 * t->changes[i] is staged; a failure (-ENOMEM) dooms the txn. */
int model_index_change(struct model_txn *t, size_t i);
const struct model_change *model_index_find(const struct model_txn *t, uint8_t type,
					    const char *key);
void model_index_free(struct model_txn *t);
/* A device other than exclude that t staged holding fp (as it stands in
 * t), or NULL. */
const char *model_index_staged_owner(const struct model_txn *t, const uint8_t *fp,
				     const char *exclude);
/* The committed device index: built from the store (model_open), and
 * kept in step with each commit in two steps, so that nothing can fail
 * once the commit is on flash: model_index_prepare() before the store
 * commit (-ENOMEM: do not commit), model_index_commit() after it. */
int model_index_build(struct model *m);
int model_index_prepare(struct model_txn *t);
void model_index_commit(struct model_txn *t);

#endif
