/* Helpers shared by the model's record codecs. */
#ifndef CREDSTORE_MODEL_INTERNAL_H
#define CREDSTORE_MODEL_INTERNAL_H

#include "model.h"

int model_record_key(struct store_record *r, uint8_t type, const char *key, struct cs_err *err);
int model_record_key_string(const struct store_record *r, char *out, size_t size,
			    struct cs_err *err);
/* A malloc'd copy of an attribute's payload. */
int model_attr_dup(const struct nlattr *a, uint8_t **out, size_t *len, struct cs_err *err);

#endif
