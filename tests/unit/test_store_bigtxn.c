/* Transactions larger than an eraseblock, written in parts: they commit
 * and read back after a remount on NAND and NOR; GC runs to make room for
 * them and later moves their records; deletes and clears in parts; a
 * transaction aborted, cut by a power loss or refused for want of space
 * leaves nothing; failing and weak blocks under them; the RAM bound; part
 * markers corrupted under a valid CRC. */
#include "insider.h"
#include "store_helpers.h"
#include "store_layout.h"
#include "store_workload.h"
#include "tap.h"

#define DEVICES 1000

/* Device i's key, long when `long_key` (so that deletes alone fill
 * eraseblocks), and value/secret of a version. */
static void dev_key(int i, bool long_key, char *key)
{
	int n = sprintf(key, "dev-%05d", i);

	if (long_key) {
		memset(key + n, 'k', 200);
		key[n + 200] = '\0';
	}
}

static void dev_value(int i, uint32_t v, char *value)
{
	int n = sprintf(value, "fp-%05d-v%u-", i, v);
	int len = 200 + (i * 37 + (int)v) % 200;

	memset(value + n, 'a' + (i + (int)v) % 26, len);
	value[n + len] = '\0';
}

static void dev_secret(int i, uint32_t v, char *secret)
{
	sprintf(secret, "secret-%d-%u", i, v);
}

static void put_dev(struct store_txn *t, int i, uint32_t v, bool long_key)
{
	char key[256], value[512], secret[64];

	dev_key(i, long_key, key);
	dev_value(i, v, value);
	dev_secret(i, v, secret);
	store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, key, strlen(key), value,
						 strlen(value), secret, strlen(secret) }, NULL);
}

/* One transaction putting devices [first, first + n) at version v. */
static int put_devs(struct store *s, int first, int n, uint32_t v, bool long_key,
		    struct cs_err *err)
{
	struct store_txn *t = store_txn_begin(s);

	for (int i = first; i < first + n; i++)
		put_dev(t, i, v, long_key);
	return store_txn_commit(t, NULL, err);
}

/* How many of devices [first, first + n) hold version v. */
static int count_devs(struct store *s, int first, int n, uint32_t v, bool long_key)
{
	char key[256], value[512], secret[64];
	int good = 0;

	for (int i = first; i < first + n; i++) {
		dev_key(i, long_key, key);
		dev_value(i, v, value);
		dev_secret(i, v, secret);
		good += test_has(s, STORE_REC_DEVICE, key, value, secret);
	}
	return good;
}

static uint32_t device_count(struct store *s)
{
	struct store_status st;

	store_status(s, &st);
	return st.records[STORE_REC_DEVICE];
}

static struct store *remount(struct flash *f, struct store *s, const struct store_options *o)
{
	store_unmount(s);
	return test_mount(f, o, false);
}

/* Several eraseblocks in one transaction, then rewritten until GC has
 * moved the records out of the parts' segments. */
static void test_commit(const char *name, struct flash_geometry g)
{
	struct fixture fx;
	struct cs_err err = { 0 };
	uint64_t gen, programs, erases;
	int rc;

	fixture_open(&fx, g, NULL);
	programs = fx.f->stats.programs;
	test_put(fx.s, STORE_REC_ANCHOR, "before", "root", NULL);
	gen = store_generation(fx.s);
	rc = put_devs(fx.s, 0, DEVICES, 1, false, &err);
	ok(rc == 0, "%s: a transaction of %d devices commits (%s)", name, DEVICES, err.msg);
	ok(fx.f->stats.programs - programs >= 3 && store_generation(fx.s) == gen + 1,
	   "%s: in %llu programs, as one generation", name,
	   (unsigned long long)(fx.f->stats.programs - programs));
	ok(count_devs(fx.s, 0, DEVICES, 1, false) == DEVICES, "%s: every device reads back", name);
	fixture_remount(&fx);
	ok(fx.s && count_devs(fx.s, 0, DEVICES, 1, false) == DEVICES && device_count(fx.s) == DEVICES &&
	   test_has(fx.s, STORE_REC_ANCHOR, "before", "root", NULL) && store_generation(fx.s) == gen + 1,
	   "%s: and after a remount, with what was there before", name);
	erases = fx.f->stats.erases;
	for (uint32_t v = 2; v <= 6 && fx.s; v++) {
		rc = put_devs(fx.s, 0, DEVICES, v, false, &err);
		fixture_remount(&fx);
		if (rc || !fx.s || count_devs(fx.s, 0, DEVICES, v, false) != DEVICES)
			break;
	}
	ok(!rc && fx.s && count_devs(fx.s, 0, DEVICES, 6, false) == DEVICES &&
	   device_count(fx.s) == DEVICES && test_has(fx.s, STORE_REC_ANCHOR, "before", "root", NULL),
	   "%s: rewritten 5 times (GC: %llu erases), every version reads back after a remount",
	   name, (unsigned long long)(fx.f->stats.erases - erases));
	fixture_close(&fx);
}

/* A store whose blocks hold mostly dead records: the big transaction
 * needs GC to free segments for it first. */
static void test_gc_first(void)
{
	struct fixture fx;
	static char big[30000];
	char key[16];
	uint64_t erases;
	int rc = 0;

	fixture_open(&fx, test_nand(16), NULL);
	/* letters at random: a value the commit compression cannot shrink */
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + rand() % 26);
	for (int i = 0; i < 120 && !rc; i++)
		rc = test_put(fx.s, STORE_REC_IDENTITY, (sprintf(key, "id%d", i % 8), key), big, NULL);
	erases = fx.f->stats.erases;
	rc = rc ? rc : put_devs(fx.s, 0, DEVICES, 1, false, NULL);
	ok(rc == 0 && fx.f->stats.erases > erases, "a transaction that needs GC first commits "
	   "(%llu erases during it)", (unsigned long long)(fx.f->stats.erases - erases));
	fixture_remount(&fx);
	ok(fx.s && count_devs(fx.s, 0, DEVICES, 1, false) == DEVICES &&
	   test_has(fx.s, STORE_REC_IDENTITY, "id7", big, NULL),
	   "its records and the older ones read back after a remount");
	fixture_close(&fx);
}

/* Deletes and a clear spread over several parts. */
static void test_deletes(void)
{
	struct fixture fx;
	struct store_txn *t;
	char key[256];
	int rc;

	fixture_open(&fx, test_nor(64), NULL);
	put_devs(fx.s, 0, DEVICES, 1, true, NULL);
	t = store_txn_begin(fx.s);
	for (int i = 0; i < DEVICES; i += 2)
		store_txn_delete(t, STORE_REC_DEVICE, key, (dev_key(i, true, key), strlen(key)), NULL);
	rc = store_txn_commit(t, NULL, NULL);
	fixture_remount(&fx);
	ok(!rc && fx.s && device_count(fx.s) == DEVICES / 2 &&
	   count_devs(fx.s, 1, 1, 1, true) == 1 && count_devs(fx.s, 0, 1, 1, true) == 0,
	   "%d deletes of 208-byte keys in one transaction: half the devices are left",
	   DEVICES / 2);
	t = store_txn_begin(fx.s);
	store_txn_clear(t, STORE_REC_DEVICE, NULL);
	for (int i = 0; i < DEVICES; i += 4)
		put_dev(t, i, 2, true);
	rc = store_txn_commit(t, NULL, NULL);
	fixture_remount(&fx);
	ok(!rc && fx.s && device_count(fx.s) == DEVICES / 4 &&
	   count_devs(fx.s, 0, 1, 2, true) == 1 && count_devs(fx.s, 4, 1, 2, true) == 1,
	   "a clear and %d puts after it in one transaction: the puts are what is left",
	   DEVICES / 4);
	fixture_close(&fx);
}

/* Aborted, or cut by a power loss half way through its parts. */
static void test_nothing_left(void)
{
	struct fixture fx;
	struct flash *probe;
	struct store *s;
	struct store_txn *t;
	struct flash_faults faults;
	uint64_t ops, gen;
	bool none = true;

	fixture_open(&fx, test_nand(16), NULL);
	t = store_txn_begin(fx.s);
	for (int i = 0; i < DEVICES; i++)
		put_dev(t, i, 1, false);
	store_txn_abort(t);
	ok(device_count(fx.s) == 0, "an aborted transaction leaves nothing");
	test_put(fx.s, STORE_REC_ANCHOR, "before", "root", NULL);
	store_unmount(fx.s);
	fx.s = NULL;
	/* how many programs and erases the transaction takes */
	probe = flash_emu_clone(fx.f, NULL);
	s = test_mount(probe, &fx.o, false);
	ops = flash_emu_ops(probe);
	put_devs(s, 0, DEVICES, 1, false, NULL);
	ops = flash_emu_ops(probe) - ops;
	store_unmount(s);
	flash_close(probe);
	for (uint64_t cut = 0; cut < ops; cut++) {
		struct flash *img = flash_emu_clone(fx.f, NULL);

		s = test_mount(img, &fx.o, false);
		gen = store_generation(s);
		flash_faults_none(&faults);
		faults.cut_after = (int64_t)cut;
		faults.torn = cut % 2;
		flash_emu_set_faults(img, &faults);
		none &= put_devs(s, 0, DEVICES, 1, false, NULL) != 0;
		store_unmount(s);
		flash_emu_power_on(img);
		s = test_mount(img, &fx.o, false);
		none &= s && device_count(s) == 0 && store_generation(s) >= gen &&
			test_has(s, STORE_REC_ANCHOR, "before", "root", NULL) &&
			put_devs(s, 0, 10, 2, false, NULL) == 0;
		s = remount(img, s, &fx.o);
		none &= s && device_count(s) == 10 && count_devs(s, 0, 10, 2, false) == 10;
		store_unmount(s);
		flash_close(img);
	}
	ok(none, "cut at each of its %llu programs and erases, it leaves "
	   "nothing, and the store takes and keeps new transactions", (unsigned long long)ops);
	fixture_close(&fx);
}

/* Bigger than the free space: refused before anything is written. */
static void test_enospc(void)
{
	struct fixture fx;
	struct cs_err err = { 0 };
	uint64_t ops, gen;
	int rc;

	fixture_open(&fx, test_nand(8), NULL);
	put_devs(fx.s, 0, 200, 1, false, NULL);
	ops = flash_emu_ops(fx.f);
	gen = store_generation(fx.s);
	rc = put_devs(fx.s, 1000, 3 * DEVICES, 1, false, &err);
	ok(rc == -ENOSPC && flash_emu_ops(fx.f) == ops && store_generation(fx.s) == gen &&
	   device_count(fx.s) == 200, "a transaction larger than the free space: -ENOSPC, "
	   "nothing written (%s)", err.msg);
	cs_err_clear(&err);
	rc = put_devs(fx.s, 1000, DEVICES / 2, 1, false, &err);
	fixture_remount(&fx);
	ok(!rc && fx.s && count_devs(fx.s, 0, 200, 1, false) == 200 &&
	   count_devs(fx.s, 1000, DEVICES / 2, 1, false) == DEVICES / 2,
	   "then one that fits commits and reads back after a remount (%s)", err.msg);
	fixture_close(&fx);
}

/* A block failing its programs, and blocks reading back with corrected
 * bit flips, under a transaction in parts. */
static void test_failing_blocks(void)
{
	struct flash_geometry g = test_nand(16);
	struct flash_faults faults;
	int good = 0, scrubbed = 0;
	uint64_t relocations = 0, scrubs = 0, retired = 0;

	for (uint32_t b = 0; b < g.eraseblock_count; b++) {
		struct fixture fx;
		struct store_status st;
		int rc;

		fixture_open(&fx, g, NULL);
		flash_faults_none(&faults);
		faults.program_fail[faults.n_program_fail++] = b;
		flash_emu_set_faults(fx.f, &faults);
		rc = put_devs(fx.s, 0, DEVICES, 1, false, NULL);
		store_status(fx.s, &st);
		relocations += st.relocations;
		retired += st.bad_blocks;
		fixture_remount(&fx);
		good += !rc && fx.s && count_devs(fx.s, 0, DEVICES, 1, false) == DEVICES;
		/* every block now reads back weak: the patrol scrubs them */
		flash_faults_none(&faults);
		for (uint32_t k = 0; k < g.eraseblock_count; k++)
			faults.bitflip[faults.n_bitflip++] = k;
		flash_emu_set_faults(fx.f, &faults);
		for (int k = 0; fx.s && k < 40; k++)
			store_maintain(fx.s, NULL);
		store_status(fx.s, &st);
		scrubs += st.scrubs;
		fixture_remount(&fx);
		scrubbed += fx.s && count_devs(fx.s, 0, DEVICES, 1, false) == DEVICES;
		fixture_close(&fx);
	}
	ok(good == (int)g.eraseblock_count && relocations && retired,
	   "with each block failing its programs in turn the transaction commits and reads "
	   "back (%llu blocks retired, %llu relocations)", (unsigned long long)retired,
	   (unsigned long long)relocations);
	ok(scrubbed == (int)g.eraseblock_count && scrubs,
	   "its segments scrubbed (%llu scrubs), it reads back after a remount",
	   (unsigned long long)scrubs);
}

static void test_ram_bound(void)
{
	struct fixture fx;
	struct store_txn *t;
	static char value[STORE_VALUE_MAX];
	struct cs_err err = { 0 };
	char key[16];
	int i, rc = 0;

	fixture_open(&fx, test_nand(8), NULL);
	t = store_txn_begin(fx.s);
	for (i = 0; i < 1000 && !rc; i++)
		rc = store_txn_put(t, &(struct store_record){ STORE_REC_IDENTITY, key,
			sprintf(key, "id%d", i), value, sizeof(value), NULL, 0 }, &err);
	ok(rc == -EFBIG && (size_t)(i - 1) * sizeof(value) <= STORE_TXN_BYTES_MAX &&
	   (size_t)i * sizeof(value) > STORE_TXN_BYTES_MAX - sizeof(value),
	   "a transaction stops taking records at %d MiB: -EFBIG after %d puts of 48 KiB (%s)",
	   STORE_TXN_BYTES_MAX >> 20, i - 1, err.msg);
	store_txn_abort(t);
	fixture_close(&fx);
}

/* The part commits of an image: offsets of commits whose payload starts
 * with a part marker, in block b. */
static int find_parts(struct flash *f, uint32_t b, uint32_t *offsets, int max)
{
	const uint8_t *data = flash_emu_block(f, b);
	uint32_t align = f->geo.program_unit > MIN_ALIGN ? f->geo.program_unit : MIN_ALIGN;
	int n = 0;

	for (uint32_t off = align_up(BLOCK_HEADER_SIZE, align);
	     off + COMMIT_HEADER_SIZE < f->geo.eraseblock_size && n < max; off += align) {
		struct commit_header h;

		if (commit_header_decode(data + off, &h) > 0 && commit_crc_ok(data + off) &&
		    data[off + COMMIT_HEADER_SIZE] == (OP_PART | OP_HAS_GEN))
			offsets[n++] = off;
	}
	return n;
}

/* A transaction of records of random bytes, so that its commits hold
 * their payload as is (a compressed one would hide the markers).  The
 * values are long: LZ4 shrinks a run of short random records a little
 * (their op headers repeat) but not literals by the KiB. */
static void put_random(struct store *s, int n, uint64_t *x)
{
	struct store_txn *t = store_txn_begin(s);
	uint8_t key[200], value[8000];

	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(key); k++)
			key[k] = (uint8_t)wl_next(x);
		for (size_t k = 0; k < sizeof(value); k++)
			value[k] = (uint8_t)wl_next(x);
		store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, key, sizeof(key), value,
							 sizeof(value), NULL, 0 }, NULL);
	}
	store_txn_commit(t, NULL, NULL);
}

/* Each part marker overwritten with random bytes, the commit's CRC made
 * right again: mounts, reads, a commit and a remount neither crash nor
 * hang (ASan and UBSan watch), and the store is never left broken. */
static void test_corrupt_markers(void)
{
	struct fixture fx;
	struct flash *img;
	struct store *s;
	uint64_t x = 99;
	int markers = 0, mounted = 0, runs = 0;

	fixture_open(&fx, test_nand(16), NULL);
	img = flash_emu_open(NULL, &fx.g, NULL, NULL);
	put_random(fx.s, 66, &x);
	put_random(fx.s, 44, &x);
	store_unmount(fx.s);
	fx.s = NULL;
	for (uint32_t b = 0; b < fx.g.eraseblock_count; b++) {
		uint32_t offsets[64];
		int n = find_parts(fx.f, b, offsets, 64);

		markers += n;
		for (int k = 0; k < n; k++) {
			for (int round = 0; round < 8; round++, runs++) {
				uint8_t *c;
				struct commit_header h;
				/* marker bytes: kind..secret_len, gen, index, parts */
				int from = round < 4 ? 8 : 0, len = round < 4 ? 16 : 24;

				flash_emu_copy(img, fx.f);
				c = flash_emu_block(img, b) + offsets[k];
				commit_header_decode(c, &h);
				for (int i = from; i < len; i++)
					if (wl_next(&x) % 3 == 0)
						c[COMMIT_HEADER_SIZE + i] = (uint8_t)wl_next(&x);
				commit_header_encode(&h, c);
				insider_reseal(img, fx.o.key);	/* past the MAC */
				s = store_mount(img, &fx.o, NULL);
				mounted += s != NULL;
				if (s) {
					device_count(s);
					count_devs(s, 0, 10, 1, false);
					test_put(s, STORE_REC_META, "after", "corrupt", NULL);
					s = remount(img, s, &fx.o);
				}
				store_unmount(s);
			}
		}
	}
	ok(markers >= 4 && mounted == runs, "%d part markers each corrupted 8 ways (valid CRC): "
	   "%d of %d images mount and take a commit", markers, mounted, runs);
	flash_close(img);
	fixture_close(&fx);
}

int main(void)
{
	test_commit("nand", test_nand(32));
	test_commit("nor", test_nor(64));
	test_gc_first();
	test_deletes();
	test_nothing_left();
	test_enospc();
	test_failing_blocks();
	test_ram_bound();
	test_corrupt_markers();
	return tap_done();
}
