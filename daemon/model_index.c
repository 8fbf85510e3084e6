/* The model's indexes.  A transaction's lookup trees: the latest staged
 * change of each record, and which staged devices hold each fingerprint
 * (glibc's tsearch trees; without them every operation of a batch looked
 * at every change staged before it).  And the upkeep of the committed
 * device index (device_index.h): built once at mount, then changed by
 * each commit with the devices it changed, so that no transaction reads
 * (let alone unseals) all devices to check that a fingerprint is free:
 * once, every fingerprint added decoded every committed device, and a
 * command at 100,000 devices cost 20 times what it cost at 1,000. */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "device_index.h"
#include "model_internal.h"

struct key_node {
	size_t change;			/* the latest change of this record */
	uint8_t type;
	char key[];
};

/* A staged device holding a fingerprint. */
struct holder {
	struct holder *next;
	size_t change;
};

struct fp_node {
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	struct holder *holders;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key_node *x = a, *y = b;

	return x->type != y->type ? x->type - y->type : strcmp(x->key, y->key);
}

static int fp_cmp(const void *a, const void *b)
{
	return memcmp(((const struct fp_node *)a)->fp, ((const struct fp_node *)b)->fp,
		      CREDSTORE_FINGERPRINT_LEN);
}

const struct model_change *model_index_find(const struct model_txn *t, uint8_t type,
					    const char *key)
{
	struct key_node *probe;
	struct key_node **found;
	size_t len = strlen(key) + 1;

	if (!t || !t->by_key)
		return NULL;
	/* the probe lives on the stack: keys are at most STORE_RECORD_KEY_MAX */
	probe = alloca(sizeof(*probe) + len);
	probe->type = type;
	memcpy(probe->key, key, len);
	found = tfind(probe, &t->by_key, key_cmp);
	return found ? &t->changes[(*found)->change] : NULL;
}

bool model_change_latest(const struct model_txn *t, const struct model_change *c)
{
	return model_index_find(t, c->type, c->key) == c;
}

static int index_key(struct model_txn *t, size_t i)
{
	const struct model_change *c = &t->changes[i];
	size_t len = strlen(c->key) + 1;
	struct key_node *n = malloc(sizeof(*n) + len), **slot;

	if (!n)
		return -ENOMEM;
	n->change = i;
	n->type = c->type;
	memcpy(n->key, c->key, len);
	slot = tsearch(n, &t->by_key, key_cmp);
	if (!slot) {
		free(n);
		return -ENOMEM;
	}
	if (*slot != n) {	/* the record changed before: this is its latest */
		(*slot)->change = i;
		free(n);
	}
	return 0;
}

static int add_holder(void **tree, const uint8_t *fp, size_t change)
{
	struct holder *h = malloc(sizeof(*h));
	struct fp_node *n = malloc(sizeof(*n)), **slot;

	if (!h || !n)
		goto nomem;
	memcpy(n->fp, fp, sizeof(n->fp));
	n->holders = NULL;
	slot = tsearch(n, tree, fp_cmp);
	if (!slot)
		goto nomem;
	if (*slot != n)
		free(n);
	h->change = change;
	h->next = (*slot)->holders;
	(*slot)->holders = h;
	return 0;
nomem:
	free(h);
	free(n);
	return -ENOMEM;
}

/* Adds the fingerprints of staged device record r to tree. */
static int index_fps(void **tree, const struct store_record *r, size_t change)
{
	struct model_device d;
	int ret = 0;

	if (model_device_decode_public(r, &d, NULL))
		return 0;	/* a record that does not decode holds nothing */
	for (int s = 0; s < SLOT_COUNT && !ret; s++)
		if (d.has_fp[s])
			ret = add_holder(tree, d.fp[s], change);
	return ret;
}

int model_index_change(struct model_txn *t, size_t i)
{
	const struct model_change *c = &t->changes[i];
	int ret = index_key(t, i);

	if (!ret && c->type == STORE_REC_DEVICE && !c->deleted)
		ret = index_fps(&t->staged_fps, &c->rec, i);
	return ret;
}

static const struct holder *holders_of(void *const *tree, const uint8_t *fp)
{
	struct fp_node probe, **found;

	memcpy(probe.fp, fp, sizeof(probe.fp));
	found = tfind(&probe, tree, fp_cmp);
	return found ? (*found)->holders : NULL;
}

/* The device h stands for, if it still holds the fingerprint in t. */
static const char *current_holder(const struct model_txn *t, const struct holder *h)
{
	const struct model_change *c = &t->changes[h->change];

	return !c->deleted && model_change_latest(t, c) ? c->key : NULL;
}

const char *model_index_staged_owner(const struct model_txn *t, const uint8_t *fp,
				     const char *exclude)
{
	for (const struct holder *h = holders_of(&t->staged_fps, fp); h; h = h->next) {
		const char *id = current_holder(t, h);

		if (id && strcmp(id, exclude))
			return id;
	}
	return NULL;
}

static void free_fp_node(void *p)
{
	struct fp_node *n = p;

	while (n->holders) {
		struct holder *h = n->holders;

		n->holders = h->next;
		free(h);
	}
	free(n);
}

void model_index_free(struct model_txn *t)
{
	tdestroy(t->by_key, free);
	tdestroy(t->staged_fps, free_fp_node);
	for (size_t i = 0; i < t->n_entries; i++)
		device_entry_free(t->entries[i]);
	free(t->entries);
}

/* ---- the committed device index ---- */

/* The index entry of device record r; NULL with *ret 0 when r does not
 * decode (it holds nothing), with *ret -ENOMEM when out of memory. */
static struct device_entry *entry_of(const struct device_index *ix, const struct store_record *r,
				     int *ret)
{
	const uint8_t *fp[SLOT_COUNT] = { NULL };
	struct device_entry *e;
	struct model_device d;

	*ret = 0;
	if (model_device_decode_public(r, &d, NULL))
		return NULL;
	for (int s = 0; s < SLOT_COUNT; s++)
		fp[s] = d.has_fp[s] ? d.fp[s] : NULL;
	e = device_entry_new(ix, d.id, fp);
	if (!e)
		*ret = -ENOMEM;
	return e;
}

static int build_one(const struct store_record *r, void *arg)
{
	struct device_index *ix = arg;
	int ret;
	struct device_entry *e = entry_of(ix, r, &ret);

	if (e && !(ret = device_index_reserve(ix, 1)))
		device_index_put(ix, e);
	else
		device_entry_free(e);
	return ret;
}

int model_index_build(struct model *m)
{
	return store_iterate_public(m->store, STORE_REC_DEVICE, NULL, 0, build_one, m->devices,
				    NULL);
}

/* An entry for each device the commit puts (its latest change; NULL for
 * a record that does not decode), and room for them in the index. */
int model_index_prepare(struct model_txn *t)
{
	struct device_index *ix = t->m->devices;
	int ret = 0;

	for (size_t i = 0; i < t->n_changes && !ret; i++) {
		const struct model_change *c = &t->changes[i];
		struct device_entry *e;

		if (c->type != STORE_REC_DEVICE || c->deleted || !model_change_latest(t, c))
			continue;
		if (t->n_entries % 64 == 0) {
			void *p = realloc(t->entries, (t->n_entries + 64) * sizeof(*t->entries));

			if (!p)
				return -ENOMEM;
			t->entries = p;
		}
		e = entry_of(ix, &c->rec, &ret);
		t->entries[t->n_entries++] = e;
	}
	return ret ? ret : device_index_reserve(ix, t->n_entries);
}

/* The latest change of each device, in the order staged: the prepared
 * entries of the puts, in that same order. */
void model_index_commit(struct model_txn *t)
{
	struct device_index *ix = t->m->devices;
	size_t next = 0;

	if (t->cleared & (1u << STORE_REC_DEVICE))
		device_index_clear(ix);
	for (size_t i = 0; i < t->n_changes; i++) {
		const struct model_change *c = &t->changes[i];
		struct device_entry *e;

		if (c->type != STORE_REC_DEVICE || !model_change_latest(t, c))
			continue;
		e = c->deleted ? NULL : t->entries[next++];
		if (e)
			device_index_put(ix, e);
		else
			device_index_remove(ix, c->key);
	}
	t->n_entries = 0;	/* the index owns them now */
}
