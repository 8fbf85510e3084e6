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
 * -ENOENT (err untouched) when absent. */
typedef int (*model_decode_fn)(const struct store_record *r, void *out, struct cs_err *err);
int model_lookup(struct model *m, struct model_txn *t, uint8_t type, const char *key,
		 model_decode_fn decode, void *out, struct cs_err *err);

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

/* The txn's lookup trees (model_index.c).  model_index_change() after
 * t->changes[i] is staged; a failure (-ENOMEM) dooms the txn. */
int model_index_change(struct model_txn *t, size_t i);
const struct model_change *model_index_find(const struct model_txn *t, uint8_t type,
					    const char *key);
void model_index_free(struct model_txn *t);

#endif
