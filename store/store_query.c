/* Reading the store: lookups, ordered iteration, status.  A record's
 * sealed secret is opened on every read, so that a tampered record is
 * refused each time it is asked for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "seal.h"
#include "store_int.h"

/* The record with its secret opened into secret (room for cap bytes);
 * secret NULL: without its secret. */
static int open_rec(struct store *s, const struct rec *r, uint8_t *secret, size_t cap,
		    struct store_record *out, struct cs_err *err)
{
	struct seal_binding b = { r->type, rec_data(r), r->key_len, r->gen,
				  rec_data(r) + r->key_len, r->value_len };

	*out = (struct store_record){
		.type = r->type,
		.key = rec_data(r),
		.key_len = r->key_len,
		.value = rec_data(r) + r->key_len,
		.value_len = r->value_len,
	};
	if (!r->secret_len || !secret)
		return 0;
	s->unseals++;
	if (unseal(s->key, &b, rec_data(r) + r->key_len + r->value_len, r->secret_len, secret, cap)) {
		s->tampered++;
		return cs_err_set(err, EBADMSG, "record %u/%.*s: its sealed secret fails to "
				  "authenticate (tampered); not served", r->type,
				  (int)r->key_len, (const char *)rec_data(r));
	}
	out->secret = secret;
	out->secret_len = r->secret_len - SEAL_OVERHEAD;
	return 0;
}

static int check_type(uint8_t type, struct cs_err *err)
{
	if (type < 1 || type > STORE_REC_TYPE_MAX)
		return cs_err_set(err, EINVAL, "record type %u is not one the store knows", type);
	return 0;
}

/* secret: whether the copy holds the opened secret. */
static int get(struct store *s, uint8_t type, const void *key, size_t key_len, bool secret,
	       struct store_record *out, struct cs_err *err)
{
	struct rec *r;
	uint8_t *copy;
	struct store_record tmp;
	size_t data;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_type(type, err)))
		return rc;
	r = index_find(s, type, key, key_len);
	if (!r)
		return cs_err_set(err, ENOENT, "no record %u/%.*s", type, (int)key_len,
				  (const char *)key);
	data = (size_t)r->key_len + r->value_len + (secret ? r->secret_len : 0);
	copy = malloc(data ? data : 1);
	if (!copy)
		return cs_err_set(err, ENOMEM, "out of memory");
	memcpy(copy, rec_data(r), r->key_len + r->value_len);
	rc = open_rec(s, r, secret ? copy + r->key_len + r->value_len : NULL, r->secret_len, &tmp,
		      err);
	if (rc) {
		OPENSSL_clear_free(copy, data);	/* what a failed open decrypted */
		return rc;
	}
	*out = tmp;
	out->key = copy;
	out->value = copy + r->key_len;
	if (tmp.secret)
		out->secret = copy + r->key_len + r->value_len;
	return 0;
}

int store_get(struct store *s, uint8_t type, const void *key, size_t key_len,
	      struct store_record *out, struct cs_err *err)
{
	return get(s, type, key, key_len, true, out, err);
}

int store_get_public(struct store *s, uint8_t type, const void *key, size_t key_len,
		     struct store_record *out, struct cs_err *err)
{
	return get(s, type, key, key_len, false, out, err);
}

void store_record_free(struct store_record *r)
{
	/* key, value and secret share the one allocation that key starts;
	 * the secret is the opened one */
	if (r->key)
		OPENSSL_clear_free((void *)r->key, r->key_len + r->value_len + r->secret_len);
	memset(r, 0, sizeof(*r));
}

/* secret: where opened secrets go (STORE_SECRET_MAX bytes); NULL: records
 * are passed without. */
static int iterate(struct store *s, uint8_t type, const void *after, size_t after_len,
		   uint8_t *secret, int (*fn)(const struct store_record *r, void *arg), void *arg,
		   struct cs_err *err)
{
	struct store_record out;
	struct rec *r;
	int rc;

	if ((rc = check_type(type, err)))
		return rc;
	for (r = index_next(s, type, after, after_len); r && r->type == type && !rc; r = r->next[0])
		if (!open_rec(s, r, secret, STORE_SECRET_MAX, &out, NULL))
			rc = fn(&out, arg);
	return rc;
}

int store_iterate(struct store *s, uint8_t type, const void *after, size_t after_len,
		  int (*fn)(const struct store_record *r, void *arg), void *arg,
		  struct cs_err *err)
{
	uint8_t secret[STORE_SECRET_MAX];
	int rc = iterate(s, type, after, after_len, secret, fn, arg, err);

	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

int store_iterate_public(struct store *s, uint8_t type, const void *after, size_t after_len,
			 int (*fn)(const struct store_record *r, void *arg), void *arg,
			 struct cs_err *err)
{
	return iterate(s, type, after, after_len, NULL, fn, arg, err);
}

uint64_t store_generation(const struct store *s)
{
	return s->gen;
}

void store_status(struct store *s, struct store_status *st)
{
	uint64_t ec_sum = 0;
	uint32_t known = 0;
	uint64_t cap = store_capacity(s);

	memset(st, 0, sizeof(*st));
	st->geo = s->geo;
	st->generation = s->gen;
	st->live_bytes = s->live_bytes;
	st->redundancy = s->redundancy;
	for (int t = 1; t <= STORE_REC_TYPE_MAX; t++)
		st->records[t] = s->counts[t];
	st->erase_min = UINT32_MAX;
	for (uint32_t b = 0; b < s->geo.eraseblock_count; b++) {
		const struct pblock *p = &s->pb[b];

		st->bad_blocks += p->state == PB_BAD;
		if (!p->ec_known)
			continue;
		known++;
		ec_sum += p->erase_count;
		if (p->erase_count < st->erase_min)
			st->erase_min = p->erase_count;
		if (p->erase_count > st->erase_max)
			st->erase_max = p->erase_count;
	}
	/* what new records may still take: what an add can use */
	st->free_bytes = cap > s->live_bytes ? cap - s->live_bytes : 0;
	st->capacity_bytes = cap;
	if (!known)
		st->erase_min = 0;
	st->erase_avg = known ? (double)ec_sum / known : 0;
	st->scrubs = s->scrubs;
	st->relocations = s->relocations;
	st->lost_commits = s->lost_commits;
	st->tampered = s->tampered;
	st->unseals = s->unseals;
	st->heap_bytes = s->heap_bytes;
	st->rollback = s->rollback;
	st->counter_value = s->counter_value;
	st->counter_expected = s->counter_expected;
	memcpy(st->rollback_reason, s->rollback_reason, sizeof(st->rollback_reason));
}
