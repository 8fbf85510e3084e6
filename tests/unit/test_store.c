/* The store's API on emulated NAND: format, mount, transactions, lookups,
 * iteration, sealing, refusals, a full store. */
#include "store_helpers.h"
#include "tap.h"

static int collect(const struct store_record *r, void *arg)
{
	char *out = arg;

	strncat(out, r->key, r->key_len);
	strcat(out, ",");
	return 0;
}

static int stop_at_second(const struct store_record *r, void *arg)
{
	(void)r;
	return ++*(int *)arg == 2 ? 42 : 0;
}

static void test_basics(void)
{
	struct fixture fx;
	struct cs_err err = { 0 };
	struct store_txn *t;
	char keys[256] = "";
	uint64_t gen, gen2;
	int n = 0;

	fixture_open(&fx, test_nand(16), NULL);
	ok(fx.s != NULL, "a formatted flash mounts");
	gen = store_generation(fx.s);
	ok(test_put(fx.s, STORE_REC_DEVICE, "dev-b", "fp-b", "secret-b") == 0 &&
	   test_put(fx.s, STORE_REC_DEVICE, "dev-a", "fp-a", NULL) == 0 &&
	   test_put(fx.s, STORE_REC_DEVICE, "dev-c", "fp-c", NULL) == 0 &&
	   test_put(fx.s, STORE_REC_ANCHOR, "root", "der", NULL) == 0, "four puts commit");
	ok(store_generation(fx.s) == gen + 4, "each commit adds one to the generation");
	ok(test_has(fx.s, STORE_REC_DEVICE, "dev-b", "fp-b", "secret-b"), "get returns value and secret");
	ok(store_get(fx.s, STORE_REC_DEVICE, "dev-x", 5, &(struct store_record){ 0 }, &err) == -ENOENT,
	   "get of a missing record: -ENOENT");
	store_iterate(fx.s, STORE_REC_DEVICE, NULL, 0, collect, keys, NULL);
	ok(!strcmp(keys, "dev-a,dev-b,dev-c,"), "iteration is in key order, one type (%s)", keys);
	keys[0] = '\0';
	store_iterate(fx.s, STORE_REC_DEVICE, "dev-a", 5, collect, keys, NULL);
	ok(!strcmp(keys, "dev-b,dev-c,"), "iteration resumes after a key (%s)", keys);
	ok(store_iterate(fx.s, STORE_REC_DEVICE, NULL, 0, stop_at_second, &n, NULL) == 42,
	   "iteration stops with the callback's value");

	t = store_txn_begin(fx.s);
	store_txn_delete(t, STORE_REC_DEVICE, "dev-a", 5, NULL);
	store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, "dev-d", 5, "fp-d", 4, NULL, 0 }, NULL);
	ok(store_txn_commit(t, &gen2, &err) == 0 && gen2 == gen + 5, "a delete and a put in one commit");
	t = store_txn_begin(fx.s);
	store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, "dev-e", 5, "fp-e", 4, NULL, 0 }, NULL);
	store_txn_abort(t);
	ok(!test_has(fx.s, STORE_REC_DEVICE, "dev-e", "fp-e", NULL),
	   "an aborted transaction leaves nothing");

	fixture_remount(&fx);
	ok(fx.s && store_generation(fx.s) == gen + 5, "remount keeps the generation");
	keys[0] = '\0';
	store_iterate(fx.s, STORE_REC_DEVICE, NULL, 0, collect, keys, NULL);
	ok(!strcmp(keys, "dev-b,dev-c,dev-d,"), "remount keeps exactly the committed records (%s)", keys);
	ok(test_has(fx.s, STORE_REC_DEVICE, "dev-b", "fp-b", "secret-b"),
	   "the secret opens after remount");

	t = store_txn_begin(fx.s);
	store_txn_clear(t, STORE_REC_DEVICE, NULL);
	store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, "dev-z", 5, "fp-z", 4, NULL, 0 }, NULL);
	ok(store_txn_commit(t, NULL, &err) == 0, "clear and put commit together");
	fixture_remount(&fx);
	keys[0] = '\0';
	store_iterate(fx.s, STORE_REC_DEVICE, NULL, 0, collect, keys, NULL);
	ok(!strcmp(keys, "dev-z,") && test_has(fx.s, STORE_REC_ANCHOR, "root", "der", NULL),
	   "a clear removes one type only, a put after it stays (%s)", keys);
	fixture_close(&fx);
}

static void test_refusals(void)
{
	struct store_options o = test_options(1), other = test_options(1);
	struct flash_geometry g = test_nand(8);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);
	struct cs_err err = { 0 };
	struct store *s;
	struct store_txn *t;
	static char big[STORE_VALUE_MAX + 1];

	ok(!store_mount(f, &o, &err) && err.code == ENODATA, "a blank flash: -ENODATA (%s)", err.msg);
	memset(flash_emu_block(f, 3), 0x42, 4096);
	cs_err_clear(&err);
	ok(!store_mount(f, &o, &err) && err.code == EMEDIUMTYPE,
	   "a flash with other data: -EMEDIUMTYPE (%s)", err.msg);
	s = test_mount(f, &o, true);
	store_unmount(s);
	other.key[0] ^= 1;
	cs_err_clear(&err);
	ok(!store_mount(f, &other, &err) && err.code == EKEYREJECTED,
	   "another store key: -EKEYREJECTED (%s)", err.msg);
	s = test_mount(f, &o, false);
	t = store_txn_begin(s);
	cs_err_clear(&err);
	ok(store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, "k", 1, big, sizeof(big), NULL, 0 },
			 &err) == -EINVAL, "an oversized value is refused (%s)", err.msg);
	cs_err_clear(&err);
	ok(store_txn_put(t, &(struct store_record){ 0, "k", 1, "v", 1, NULL, 0 }, &err) == -EINVAL,
	   "an unknown type is refused (%s)", err.msg);
	store_txn_abort(t);
	store_unmount(s);
	flash_close(f);
}

static void test_full(void)
{
	struct fixture fx;
	static char value[40000];
	char key[32];
	int i, rc = 0;

	fixture_open(&fx, test_nand(8), NULL);
	memset(value, 'v', sizeof(value) - 1);
	for (i = 0; i < 1000 && !(rc = test_put(fx.s, STORE_REC_IDENTITY, (sprintf(key, "id%d", i), key),
						   value, NULL)); i++)
		;
	ok(rc == -ENOSPC, "puts end in -ENOSPC after %d records", i);
	ok(test_has(fx.s, STORE_REC_IDENTITY, "id0", value, NULL) &&
	   test_has(fx.s, STORE_REC_IDENTITY, (sprintf(key, "id%d", i - 1), key), value, NULL),
	   "a full store still serves every record");
	fixture_remount(&fx);
	ok(fx.s && test_has(fx.s, STORE_REC_IDENTITY, "id0", value, NULL) &&
	   test_has(fx.s, STORE_REC_IDENTITY, key, value, NULL), "and mounts with them all");
	for (int j = 0; j < 3; j++) {
		struct store_txn *t = store_txn_begin(fx.s);

		sprintf(key, "id%d", j);
		store_txn_delete(t, STORE_REC_IDENTITY, key, strlen(key), NULL);
		store_txn_commit(t, NULL, NULL);
	}
	ok(test_put(fx.s, STORE_REC_IDENTITY, "again", value, NULL) == 0,
	   "after deletes it takes new records again");
	fixture_close(&fx);
}

/* A format cut at each of its programs and erases leaves the old store
 * whole or the new one empty. */
static void test_format_cut(void)
{
	struct fixture old;
	struct flash *f;
	struct store *s;
	struct flash_faults faults;
	int olds = 0, news = 0, bad = 0;
	static char value[16000];
	char key[16];

	fixture_open(&old, test_nand(8), NULL);
	f = flash_emu_open(NULL, &old.g, NULL, NULL);
	/* enough rewrites that every block has held a segment */
	memset(value, 'f', sizeof(value) - 1);
	for (int i = 0; i < 200; i++)
		test_put(old.s, STORE_REC_DEVICE, (sprintf(key, "dev%d", i % 20), key),
			 i < 180 ? value : "fingerprints", "s");
	store_unmount(old.s);
	old.s = NULL;
	for (int cut = 0; cut < 12; cut++) {
		flash_emu_copy(f, old.f);
		flash_faults_none(&faults);
		faults.cut_after = cut;
		flash_emu_set_faults(f, &faults);
		store_format(f, &old.o, NULL);
		flash_emu_power_on(f);
		s = test_mount(f, &old.o, false);
		if (s && test_has(s, STORE_REC_DEVICE, "dev0", "fingerprints", "s") &&
		    test_has(s, STORE_REC_DEVICE, "dev19", "fingerprints", "s"))
			olds++;
		else if (s && !test_has(s, STORE_REC_DEVICE, "dev0", "fingerprints", NULL) &&
			 !test_has(s, STORE_REC_DEVICE, "dev19", "fingerprints", NULL))
			news++;
		else
			bad++;
		store_unmount(s);
	}
	ok(!bad && olds && news, "a format cut short leaves the old store (%d cuts) or the new "
	   "one (%d cuts), never a mix", olds, news);
	flash_close(f);
	fixture_close(&old);
}

static int collect_all(const struct store_record *r, void *arg)
{
	char (*keys)[8] = arg;
	int n = 0;

	while (keys[n][0])
		n++;
	memcpy(keys[n], r->key, r->key_len);
	keys[n][r->key_len] = '\0';
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Many keys in random order come back sorted, before and after remount. */
static void test_order(void)
{
	struct fixture fx;
	static char want[600][8], got[601][8];
	struct store_txn *t;
	uint64_t x = 12345;

	fixture_open(&fx, test_nand(8), NULL);
	t = store_txn_begin(fx.s);
	for (int i = 0; i < 600; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		sprintf(want[i], "%07llu", (unsigned long long)(x % 10000000));
		store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, want[i], 7, "v", 1,
							 NULL, 0 }, NULL);
	}
	store_txn_commit(t, NULL, NULL);
	qsort(want, 600, sizeof(want[0]), by_bytes);
	for (int pass = 0; pass < 2; pass++) {
		int n = 0;

		memset(got, 0, sizeof(got));
		store_iterate(fx.s, STORE_REC_DEVICE, NULL, 0, collect_all, got, NULL);
		while (n < 600 && got[n][0] && !strcmp(got[n], want[n]))
			n++;
		ok(n == 600 && !got[600][0], "600 random keys iterate in order %s", pass ?
		   "after remount" : "");
		fixture_remount(&fx);
	}
	fixture_close(&fx);
}

/* Erase counts, free blocks' included, survive a remount: two formats
 * erase every block twice and a mount finds that; after GC cycles a mount
 * finds the counts the store had. */
static void test_wear(void)
{
	struct fixture fx;
	struct store_status st, again;
	uint64_t x = 3;
	char key[16], value[3001];
	bool fine = true;

	fixture_open(&fx, test_nand(8), NULL);
	store_unmount(fx.s);
	fx.s = test_mount(fx.f, &fx.o, true);
	store_status(fx.s, &st);
	ok(st.erase_min == 2 && st.erase_max == 2 && st.erase_avg == 2,
	   "two formats: a mount finds every block erased twice (min %u, avg %.2f, max %u)",
	   st.erase_min, st.erase_avg, st.erase_max);
	for (int i = 0; i < 300; i++) {
		for (size_t k = 0; k < sizeof(value) - 1; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			value[k] = (char)('a' + x % 26);
		}
		value[sizeof(value) - 1] = 0;
		snprintf(key, sizeof(key), "id-%d", i % 5);
		fine &= test_put(fx.s, STORE_REC_IDENTITY, key, value, NULL) == 0;
	}
	store_status(fx.s, &st);
	fixture_remount(&fx);
	store_status(fx.s, &again);
	ok(fine && st.erase_max > 2 && again.erase_min == st.erase_min &&
	   again.erase_max == st.erase_max && again.erase_avg == st.erase_avg,
	   "after GC cycles a mount finds the erase counts the store had (min %u, avg %.2f, "
	   "max %u; after the mount %u, %.2f, %u)", st.erase_min, st.erase_avg, st.erase_max,
	   again.erase_min, again.erase_avg, again.erase_max);
	fixture_close(&fx);
}

int main(void)
{
	test_basics();
	test_refusals();
	test_full();
	test_format_cut();
	test_order();
	test_wear();
	return tap_done();
}
