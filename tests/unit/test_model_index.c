/* The committed device index (daemon/device_index.c) and its upkeep by
 * the model (daemon/model_index.c): the tables against a plain reference
 * through random puts, removes and clears; then the model over a store,
 * whose index must follow every commit, ignore what was not committed,
 * come back the same after a remount, and answer without unsealing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_index.h"
#include "store_helpers.h"
#include "tap.h"

#define IDS	300
#define FPS	40	/* few, so that devices share fingerprints */

/* ---- the tables against a reference ---- */

struct ref {
	bool present;
	int fp[SLOT_COUNT];		/* index into the pool, -1: none */
};

static uint8_t pool[FPS][CREDSTORE_FINGERPRINT_LEN];

static void ref_id(int i, char *out)
{
	snprintf(out, 32, "device-%d", i);
}

struct found {
	bool seen[IDS];
	int n;
};

static int note_found(const char *id, void *arg)
{
	struct found *f = arg;
	int i;

	if (sscanf(id, "device-%d", &i) == 1 && i >= 0 && i < IDS && !f->seen[i]) {
		f->seen[i] = true;
		f->n++;
	}
	return 0;
}

/* Every (fingerprint, slot) finds exactly its holders. */
static bool agrees(const struct device_index *ix, const struct ref *ref)
{
	size_t count = 0;

	for (int i = 0; i < IDS; i++)
		count += ref[i].present;
	if (device_index_count(ix) != count)
		return false;
	for (int p = 0; p < FPS; p++)
		for (int s = 0; s < SLOT_COUNT; s++) {
			struct found f = { 0 };
			int want = 0;

			device_index_find_fp(ix, s, pool[p], note_found, &f);
			for (int i = 0; i < IDS; i++) {
				bool holds = ref[i].present && ref[i].fp[s] == p;

				want += holds;
				if (holds != f.seen[i])
					return false;
			}
			if (want != f.n)
				return false;
		}
	return true;
}

static void put(struct device_index *ix, struct ref *ref, int i)
{
	const uint8_t *fp[SLOT_COUNT];
	char id[32];

	ref_id(i, id);
	for (int s = 0; s < SLOT_COUNT; s++) {
		ref[i].fp[s] = rand() % 3 ? rand() % FPS : -1;
		fp[s] = ref[i].fp[s] >= 0 ? pool[ref[i].fp[s]] : NULL;
	}
	if (device_index_reserve(ix, 1))
		abort();
	device_index_put(ix, device_entry_new(ix, id, fp));
	ref[i].present = true;
}

static void test_tables(void)
{
	struct device_index *ix = device_index_new();
	struct ref ref[IDS];
	bool all = true;
	int checks = 0;

	memset(ref, 0, sizeof(ref));
	for (int p = 0; p < FPS; p++)
		for (int k = 0; k < CREDSTORE_FINGERPRINT_LEN; k++)
			pool[p][k] = (uint8_t)(p * 37 + k * 11 + (p * k) % 7);
	for (int step = 0; step < 6000; step++) {
		int i = rand() % IDS, op = rand() % 100;
		char id[32];

		if (op < 60) {
			put(ix, ref, i);
		} else if (op < 99) {
			ref_id(i, id);
			device_index_remove(ix, id);
			ref[i].present = false;
		} else {
			device_index_clear(ix);
			memset(ref, 0, sizeof(ref));
		}
		if (step % 50 == 0) {
			all &= agrees(ix, ref);
			checks++;
		}
	}
	ok(all, "random puts, removes and clears: every fingerprint finds exactly its holders "
	   "(%d checks)", checks);
	for (int i = 0; i < IDS; i++)
		put(ix, ref, i);
	for (int i = 0; i < IDS; i += 2) {
		char id[32];

		ref_id(i, id);
		device_index_remove(ix, id);
		ref[i].present = false;
	}
	ok(agrees(ix, ref), "grown to every id, then half removed: still exact");
	device_index_free(ix);
}

/* ---- the model over a store ---- */

static struct fixture fx;
static struct model model;

static void fingerprint(int n, uint8_t *fp)
{
	memset(fp, 0, CREDSTORE_FINGERPRINT_LEN);
	fp[0] = 0xf0;
	fp[30] = (uint8_t)(n >> 8);
	fp[31] = (uint8_t)n;
}

/* Stages device id with master fingerprint m and sub s (0: none). */
static int stage(struct model_txn *t, const char *id, int m, int s)
{
	struct model_device d = { 0 };
	int r;

	snprintf(d.id, sizeof(d.id), "%s", id);
	d.has_fp[SLOT_MASTER] = m != 0;
	d.has_fp[SLOT_SUB] = s != 0;
	fingerprint(m, d.fp[SLOT_MASTER]);
	fingerprint(s, d.fp[SLOT_SUB]);
	d.secret_len[SLOT_MASTER] = 16;
	memcpy(d.secret[SLOT_MASTER], "0123456789abcdef", 16);
	r = model_put_device(t, &d, NULL);
	model_device_wipe(&d);
	return r;
}

static int commit(struct model_txn *t)
{
	struct cs_err err = { 0 };
	int r = model_txn_commit(t, NULL, &err);

	model_txn_free(t);
	return r;
}

struct holder {
	char id[CREDSTORE_DEVICE_ID_MAX];
	int n;
};

static int take_holder(const struct model_device *d, void *arg)
{
	struct holder *h = arg;

	snprintf(h->id, sizeof(h->id), "%s", d->id);
	h->n++;
	return 0;
}

/* Whether fingerprint n is held by exactly `id` (NULL: by nobody). */
static bool held_by(int n, const char *id)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	struct holder h = { 0 };

	fingerprint(n, fp);
	model_devices_with_fingerprint(&model, fp, take_holder, &h);
	return id ? h.n == 1 && !strcmp(h.id, id) : h.n == 0;
}

static uint64_t unseals(void)
{
	struct store_status st;

	store_status(model.store, &st);
	return st.unseals;
}

static void remount(void)
{
	model_close(&model);
	if (model_open(&model, fixture_remount(&fx), NULL))
		abort();
}

static void test_model(void)
{
	struct model_device d;
	struct model_txn *t;
	char owner[CREDSTORE_DEVICE_ID_MAX];
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	uint64_t before;
	int r = 0, added = 0;

	model.limits = (struct model_limits){ 4, 4, 100000 };
	if (model_open(&model, fixture_open(&fx, test_nand(8), NULL), NULL))
		abort();

	t = model_txn_begin(&model, NULL);
	stage(t, "d1", 1, 0);
	stage(t, "d2", 2, 3);
	ok(commit(t) == 0 && held_by(1, "d1") && held_by(2, "d2") && held_by(3, "d2"),
	   "committed masters and subs are found");

	t = model_txn_begin(&model, NULL);
	stage(t, "d1", 4, 0);
	ok(held_by(1, "d1") && held_by(4, NULL), "a staged change is not in the index yet");
	model_txn_free(t);
	ok(held_by(1, "d1") && held_by(4, NULL), "nor after its transaction is dropped");

	t = model_txn_begin(&model, NULL);
	stage(t, "d1", 4, 0);
	stage(t, "d3", 1, 0);	/* takes the fingerprint d1 gives up */
	ok(commit(t) == 0 && held_by(4, "d1") && held_by(1, "d3"),
	   "a replaced fingerprint moves with its commit");

	t = model_txn_begin(&model, NULL);
	model_delete(t, STORE_REC_DEVICE, "d2", &(bool){ false }, NULL);
	ok(commit(t) == 0 && held_by(2, NULL) && held_by(3, NULL),
	   "a removed device's fingerprints are gone");

	remount();
	ok(held_by(4, "d1") && held_by(1, "d3") && held_by(2, NULL),
	   "after a remount the index is the same");

	before = unseals();
	held_by(4, "d1");
	t = model_txn_begin(&model, NULL);
	fingerprint(1, fp);
	r = model_fingerprint_owner(t, fp, "d1", owner);
	model_txn_free(t);
	model_get_device_public(&model, NULL, "d1", &d, NULL);
	ok(r == 1 && !strcmp(owner, "d3") && unseals() == before && d.secret_len[SLOT_MASTER] == 0,
	   "lookups by fingerprint, uniqueness checks and public reads unseal nothing");
	model_get_device(&model, NULL, "d1", &d, NULL);
	ok(unseals() == before + 1 && d.secret_len[SLOT_MASTER] == 16,
	   "a read of the secrets unseals one");
	model_device_wipe(&d);

	t = model_txn_begin(&model, NULL);
	model_clear(t, STORE_REC_DEVICE, NULL);
	stage(t, "d9", 4, 0);
	ok(commit(t) == 0 && held_by(4, "d9") && held_by(1, NULL),
	   "reset of every device, then a new one in the same commit");

	/* Full: the refused device is in no index. */
	r = 0;
	for (int i = 100; r == 0 && i < 90000; i++) {
		snprintf(owner, sizeof(owner), "fill-%d", i);
		t = model_txn_begin(&model, NULL);
		r = stage(t, owner, i, 0);
		r = r ? (model_txn_free(t), r) : commit(t);
		added += r == 0;
	}
	snprintf(owner, sizeof(owner), "fill-%d", 100 + added - 1);
	ok(r == -ENOSPC && added > 100, "the store fills (%d devices, then %d)", added, r);
	ok(held_by(100 + added, NULL) && held_by(100 + added - 1, owner),
	   "a commit refused as full leaves the index as it was");
	model_close(&model);
	fixture_close(&fx);
}

int main(void)
{
	srand(7);
	test_tables();
	test_model();
	return tap_done();
}
