/* A transaction's lookup trees: the latest staged change of each record,
 * and which devices hold each fingerprint, staged and committed.  Without
 * them every operation of a batch looked at every change staged before
 * it, and every fingerprint added decoded (and unsealed) every committed
 * device: 8000 device adds over 6000 devices took a minute.  glibc's
 * tsearch trees; the committed fingerprints are read once per transaction,
 * on its first fingerprint check (a transaction lives within one command,
 * so the committed store does not change under it). */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

struct key_node {
	size_t change;			/* the latest change of this record */
	uint8_t type;
	char key[];
};

/* A device holding a fingerprint: a staged change, or a committed device
 * (change == NO_CHANGE) whose id follows. */
#define NO_CHANGE SIZE_MAX

struct holder {
	struct holder *next;
	size_t change;
	char id[];
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

static int add_holder(void **tree, const uint8_t *fp, size_t change, const char *id)
{
	size_t len = id ? strlen(id) + 1 : 0;
	struct holder *h = malloc(sizeof(*h) + len);
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
	if (len)
		memcpy(h->id, id, len);
	h->next = (*slot)->holders;
	(*slot)->holders = h;
	return 0;
nomem:
	free(h);
	free(n);
	return -ENOMEM;
}

/* Adds the fingerprints of device record r to tree. */
static int index_fps(void **tree, const struct store_record *r, size_t change)
{
	struct model_device d;
	int ret = 0;

	if (model_device_decode(r, &d, NULL))
		return 0;	/* a record that does not decode holds nothing */
	for (int s = 0; s < SLOT_COUNT && !ret; s++)
		if (d.has_fp[s])
			ret = add_holder(tree, d.fp[s], change,
					 change == NO_CHANGE ? d.id : NULL);
	model_device_wipe(&d);
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

static int committed_fp(const struct store_record *r, void *arg)
{
	return index_fps(arg, r, NO_CHANGE);
}

static int build_committed(struct model_txn *t)
{
	int ret;

	if (t->committed_fps_read)
		return 0;
	ret = store_iterate_public(t->m->store, STORE_REC_DEVICE, committed_fp,
				   &t->committed_fps);
	t->committed_fps_read = ret == 0;
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
	const struct model_change *c;

	if (h->change == NO_CHANGE)	/* unless staged changes replaced it */
		return model_index_find(t, STORE_REC_DEVICE, h->id) ? NULL : h->id;
	c = &t->changes[h->change];
	return !c->deleted && model_change_latest(t, c) ? c->key : NULL;
}

static const char *owner_in(const struct model_txn *t, void *const *tree, const uint8_t *fp,
			    const char *exclude)
{
	for (const struct holder *h = holders_of(tree, fp); h; h = h->next) {
		const char *id = current_holder(t, h);

		if (id && strcmp(id, exclude))
			return id;
	}
	return NULL;
}

int model_fingerprint_owner(struct model_txn *t, const uint8_t *fp, const char *exclude,
			    char out[CREDSTORE_DEVICE_ID_MAX])
{
	const char *id = owner_in(t, &t->staged_fps, fp, exclude);
	int ret;

	if (!id && !(t->cleared & (1u << STORE_REC_DEVICE))) {
		if ((ret = build_committed(t)))
			return ret;
		id = owner_in(t, &t->committed_fps, fp, exclude);
	}
	if (id)
		snprintf(out, CREDSTORE_DEVICE_ID_MAX, "%s", id);
	return id != NULL;
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
	tdestroy(t->committed_fps, free_fp_node);
}
