/* The model's transactions: staged changes over the committed store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_index.h"
#include "model_internal.h"

static const char *const type_noun[STORE_REC_TYPE_MAX + 1] = {
	[STORE_REC_IDENTITY] = "identities",
	[STORE_REC_ANCHOR] = "anchors",
	[STORE_REC_DEVICE] = "devices",
	[STORE_REC_CRL] = "CRL parts",
};

static uint32_t limit_of(const struct model *m, uint8_t type)
{
	switch (type) {
	case STORE_REC_IDENTITY: return m->limits.identities;
	case STORE_REC_ANCHOR: return m->limits.anchors;
	case STORE_REC_DEVICE: return m->limits.devices;
	default: return UINT32_MAX;
	}
}

int model_open(struct model *m, struct store *s, struct cs_err *err)
{
	m->store = s;
	m->devices = device_index_new();
	if (!m->devices || model_index_build(m)) {
		model_close(m);
		return cs_err_set(err, ENOMEM, "out of memory for the index of devices");
	}
	return 0;
}

void model_close(struct model *m)
{
	device_index_free(m->devices);
	m->devices = NULL;
}

struct model_txn *model_txn_begin(struct model *m, struct cs_err *err)
{
	struct model_txn *t = calloc(1, sizeof(*t));
	struct store_status st;

	if (t)
		t->st = store_txn_begin(m->store);
	if (!t || !t->st) {
		free(t);
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	t->m = m;
	store_status(m->store, &st);
	memcpy(t->count, st.records, sizeof(t->count));
	return t;
}

int model_txn_commit(struct model_txn *t, uint64_t *generation, struct cs_err *err)
{
	struct store_txn *st = t->st;
	int ret;

	t->st = NULL;
	if (model_index_prepare(t)) {
		store_txn_abort(st);
		return cs_err_set(err, ENOMEM, "out of memory for the index of devices");
	}
	ret = store_txn_commit(st, generation, err);
	if (!ret)
		model_index_commit(t);
	return ret;
}

void model_txn_free(struct model_txn *t)
{
	if (!t)
		return;
	if (t->st)
		store_txn_abort(t->st);
	for (size_t i = 0; i < t->n_changes; i++)
		model_record_release(&t->changes[i].rec);
	free(t->changes);
	model_index_free(t);
	free(t);
}

int model_lookup(struct model *m, struct model_txn *t, uint8_t type, const char *key,
		 bool with_secret, model_decode_fn decode, void *out, struct cs_err *err)
{
	const struct model_change *c = model_index_find(t, type, key);
	struct store_record r;
	struct cs_err lookup_err = { 0 };
	int ret;

	if (c && c->deleted)
		return -ENOENT;
	if (c) {
		r = c->rec;
		if (!with_secret) {
			r.secret = NULL;
			r.secret_len = 0;
		}
		return decode(&r, out, err);
	}
	if (t && (t->cleared & (1u << type)))
		return -ENOENT;
	ret = (with_secret ? store_get : store_get_public)(m->store, type, key, strlen(key), &r,
							    &lookup_err);
	if (ret == -ENOENT)
		return ret;
	if (ret < 0)
		return cs_err_set(err, -ret, "%s", lookup_err.msg);
	ret = decode(&r, out, err);
	store_record_free(&r);
	return ret;
}

static bool exists(struct model_txn *t, uint8_t type, const char *key)
{
	struct store_record r;
	const struct model_change *c = model_index_find(t, type, key);

	if (c)
		return !c->deleted;
	if (t->cleared & (1u << type))
		return false;
	if (store_get_public(t->m->store, type, key, strlen(key), &r, NULL) < 0)
		return false;
	store_record_free(&r);
	return true;
}

static struct model_change *new_change(struct model_txn *t, uint8_t type, const char *key,
				       struct cs_err *err)
{
	struct model_change *c;

	if (strlen(key) > STORE_RECORD_KEY_MAX) {
		cs_err_set(err, ENAMETOOLONG, "key '%.32s...' is too long", key);
		return NULL;
	}
	if (t->n_changes == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		void *p = realloc(t->changes, cap * sizeof(*t->changes));

		if (!p) {
			cs_err_set(err, ENOMEM, "out of memory");
			return NULL;
		}
		t->changes = p;
		t->cap = cap;
	}
	c = &t->changes[t->n_changes];
	memset(c, 0, sizeof(*c));
	c->type = type;
	strcpy(c->key, key);
	return c;
}

/* Stage r (owned by the txn from now on, released on failure too). */
static int stage_put(struct model_txn *t, struct store_record *r, struct cs_err *err)
{
	char key[STORE_RECORD_KEY_MAX + 1];
	struct model_change *c;
	bool is_new;
	int ret = model_record_key_string(r, key, sizeof(key), err);

	if (ret)
		goto fail;
	is_new = !exists(t, r->type, key);
	if (is_new && t->count[r->type] >= limit_of(t->m, r->type)) {
		ret = cs_err_set(err, EDQUOT, "the store holds its maximum of %u %s",
				 limit_of(t->m, r->type), type_noun[r->type]);
		goto fail;
	}
	c = new_change(t, r->type, key, err);
	ret = c ? store_txn_put(t->st, r, err) : -ENOMEM;
	if (ret)
		goto fail;
	c->rec = *r;
	t->n_changes++;
	t->count[r->type] += is_new;
	return model_index_change(t, t->n_changes - 1);
fail:
	model_record_release(r);
	return ret;
}

int model_put_identity(struct model_txn *t, const struct model_identity *id, struct cs_err *err)
{
	struct store_record r = { 0 };
	int ret = model_identity_check(id, err) ?: model_identity_encode(id, &r, err);

	return ret ? (model_record_release(&r), ret) : stage_put(t, &r, err);
}

int model_put_anchor(struct model_txn *t, const struct model_anchor *a, struct cs_err *err)
{
	struct store_record r = { 0 };
	int ret = model_anchor_check(a, err) ?: model_anchor_encode(a, &r, err);

	return ret ? (model_record_release(&r), ret) : stage_put(t, &r, err);
}

int model_put_device(struct model_txn *t, const struct model_device *d, struct cs_err *err)
{
	struct store_record r = { 0 };
	int ret = model_device_check(d, err) ?: model_device_encode(d, &r, err);

	return ret ? (model_record_release(&r), ret) : stage_put(t, &r, err);
}

static void *dup_bytes(const void *p, size_t len)
{
	void *q = malloc(len ? len : 1);

	if (q && len)
		memcpy(q, p, len);
	return q;
}

int model_put_record(struct model_txn *t, const struct store_record *r, struct cs_err *err)
{
	struct store_record copy = *r;

	copy.key = dup_bytes(r->key, r->key_len);
	copy.value = dup_bytes(r->value, r->value_len);
	copy.secret = r->secret ? dup_bytes(r->secret, r->secret_len) : NULL;
	if (!copy.key || !copy.value || (r->secret && !copy.secret)) {
		model_record_release(&copy);
		return cs_err_set(err, ENOMEM, "out of memory");
	}
	return stage_put(t, &copy, err);
}

int model_delete(struct model_txn *t, uint8_t type, const char *key, bool *existed,
		 struct cs_err *err)
{
	struct model_change *c;
	int ret;

	*existed = exists(t, type, key);
	if (!*existed)
		return 0;
	c = new_change(t, type, key, err);
	ret = c ? store_txn_delete(t->st, type, key, strlen(key), err) : -ENOMEM;
	if (ret)
		return ret;
	c->deleted = true;
	t->n_changes++;
	t->count[type]--;
	return model_index_change(t, t->n_changes - 1);
}

int model_clear(struct model_txn *t, uint8_t type, struct cs_err *err)
{
	int ret = store_txn_clear(t->st, type, err);

	if (ret)
		return ret;
	/* Earlier staged changes of this type are gone with the rest. */
	for (size_t i = 0; i < t->n_changes; i++)
		if (t->changes[i].type == type && !t->changes[i].deleted) {
			model_record_release(&t->changes[i].rec);
			t->changes[i].deleted = true;
		}
	t->cleared |= 1u << type;
	t->count[type] = 0;
	return 0;
}

int model_get_identity(struct model *m, struct model_txn *t, const char *name, struct model_identity *out,
		       struct cs_err *err)
{
	return model_lookup(m, t, STORE_REC_IDENTITY, name, true,
			    (model_decode_fn)model_identity_decode, out, err);
}

int model_get_identity_public(struct model *m, const char *name, struct model_identity *out,
			      struct cs_err *err)
{
	return model_lookup(m, NULL, STORE_REC_IDENTITY, name, false,
			    (model_decode_fn)model_identity_decode, out, err);
}

int model_get_anchor(struct model *m, struct model_txn *t, const char *name, struct model_anchor *out,
		     struct cs_err *err)
{
	return model_lookup(m, t, STORE_REC_ANCHOR, name, false,
			    (model_decode_fn)model_anchor_decode, out, err);
}

int model_get_device(struct model *m, struct model_txn *t, const char *id, struct model_device *out,
		     struct cs_err *err)
{
	return model_lookup(m, t, STORE_REC_DEVICE, id, true,
			    (model_decode_fn)model_device_decode, out, err);
}

int model_get_device_public(struct model *m, struct model_txn *t, const char *id,
			    struct model_device *out, struct cs_err *err)
{
	return model_lookup(m, t, STORE_REC_DEVICE, id, false,
			    (model_decode_fn)model_device_decode, out, err);
}

struct fp_visit {
	struct model *m;
	const uint8_t *fp;
	int slot;
	int (*fn)(const struct model_device *d, void *arg);
	void *arg;
};

/* The index names candidates; the record says whether they hold fp. */
static int visit_candidate(const char *id, void *arg)
{
	struct fp_visit *v = arg;
	struct model_device d;
	int ret = 0;

	if (model_get_device_public(v->m, NULL, id, &d, NULL))
		return 0;
	if (d.has_fp[v->slot] && !memcmp(d.fp[v->slot], v->fp, CREDSTORE_FINGERPRINT_LEN))
		ret = v->fn(&d, v->arg);
	model_device_wipe(&d);
	return ret;
}

int model_devices_with_fingerprint(struct model *m, const uint8_t *fp,
				   int (*fn)(const struct model_device *d, void *arg), void *arg)
{
	struct fp_visit v = { m, fp, SLOT_MASTER, fn, arg };
	int ret = device_index_find_fp(m->devices, SLOT_MASTER, fp, visit_candidate, &v);

	v.slot = SLOT_SUB;
	return ret ? ret : device_index_find_fp(m->devices, SLOT_SUB, fp, visit_candidate, &v);
}

struct committed_search {
	const struct model_txn *t;
	const char *exclude;
	char *out;
};

/* A committed holder counts unless t staged a change of it (then what
 * t staged is what holds, or not, the fingerprint). */
static int committed_owner(const struct model_device *d, void *arg)
{
	struct committed_search *cs = arg;

	if (!strcmp(d->id, cs->exclude) || model_index_find(cs->t, STORE_REC_DEVICE, d->id))
		return 0;
	snprintf(cs->out, CREDSTORE_DEVICE_ID_MAX, "%s", d->id);
	return 1;
}

int model_fingerprint_owner(struct model_txn *t, const uint8_t *fp, const char *exclude,
			    char out[CREDSTORE_DEVICE_ID_MAX])
{
	struct committed_search cs = { t, exclude, out };
	const char *id = model_index_staged_owner(t, fp, exclude);

	if (id) {	/* a device id is shorter than the keys of other records */
		snprintf(out, CREDSTORE_DEVICE_ID_MAX, "%.*s", CREDSTORE_DEVICE_ID_MAX - 1, id);
		return 1;
	}
	if (t->cleared & (1u << STORE_REC_DEVICE))
		return 0;
	return model_devices_with_fingerprint(t->m, fp, committed_owner, &cs);
}

int model_iterate(struct model *m, uint8_t type, const char *after,
		  int (*fn)(const struct store_record *r, void *arg), void *arg,
		  struct cs_err *err)
{
	return store_iterate(m->store, type, after, after ? strlen(after) : 0, fn, arg, err);
}

int model_iterate_public(struct model *m, uint8_t type, const char *after,
			 int (*fn)(const struct store_record *r, void *arg), void *arg,
			 struct cs_err *err)
{
	return store_iterate_public(m->store, type, after, after ? strlen(after) : 0, fn, arg,
				    err);
}

struct each {
	struct model_txn *t;
	int (*fn)(const struct store_record *r, void *arg);
	void *arg;
};

static int each_committed(const struct store_record *r, void *arg)
{
	struct each *e = arg;
	char key[STORE_RECORD_KEY_MAX + 1];

	if (model_record_key_string(r, key, sizeof(key), NULL) ||
	    model_index_find(e->t, r->type, key))
		return 0;	/* staged: seen below */
	return e->fn(r, e->arg);
}

int model_each(struct model *m, struct model_txn *t, uint8_t type,
	       int (*fn)(const struct store_record *r, void *arg), void *arg, struct cs_err *err)
{
	struct each e = { t, fn, arg };
	int r = 0;

	if (!t || !(t->cleared & (1u << type)))
		r = model_iterate(m, type, NULL, each_committed, &e, err);
	for (size_t i = 0; t && i < t->n_changes && !r; i++) {
		const struct model_change *c = &t->changes[i];

		if (c->type == type && !c->deleted && model_change_latest(t, c))
			r = fn(&c->rec, arg);
	}
	return r;
}

int model_record_check(const struct store_record *r, struct cs_err *err)
{
	union {
		struct model_identity id;
		struct model_anchor a;
		struct model_device d;
	} u;
	int ret;

	memset(&u, 0, sizeof(u));
	switch (r->type) {
	case STORE_REC_IDENTITY:
		ret = model_identity_decode(r, &u.id, err) ?: model_identity_check(&u.id, err);
		model_identity_release(&u.id);
		return ret;
	case STORE_REC_ANCHOR:
		ret = model_anchor_decode(r, &u.a, err) ?: model_anchor_check(&u.a, err);
		model_anchor_release(&u.a);
		return ret;
	case STORE_REC_DEVICE:
		ret = model_device_decode(r, &u.d, err) ?: model_device_check(&u.d, err);
		model_device_wipe(&u.d);
		return ret;
	case STORE_REC_CRL:
		return model_crl_part_check(r, err);
	default:
		return cs_err_set(err, EBADMSG, "unknown record type %u", r->type);
	}
}
