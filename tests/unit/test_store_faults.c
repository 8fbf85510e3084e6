/* Failing flash: every eraseblock failing its programs or its erases in
 * turn, bit flips that call for a scrub, uncorrectable pages with and
 * without a second copy, and sealed records tampered with on flash.
 * CREDSTORE_FAULTS_STEP=n fails only every n-th eraseblock in turn
 * (default 1: all; the valgrind tier takes a lighter run). */
#include <stdlib.h>
#include <zlib.h>

#include "insider.h"
#include "store_layout.h"
#include "store_workload.h"
#include "tap.h"

#define SEED 77

/* Runs n transactions of the workload; false unless all commit. */
static bool run_workload(struct store *s, int n, struct model *m)
{
	struct model next;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++) {
		struct store_txn *t = store_txn_begin(s);
		struct cs_err err = { 0 };

		wl_txn(SEED, i, m, t, &next);
		if (store_txn_commit(t, NULL, &err)) {
			printf("# transaction %d: %s\n", i, err.msg);
			return false;
		}
		*m = next;
	}
	return true;
}

/* The fixture of geometry g and redundancy r after n transactions of the
 * workload (m: what it holds). */
static void worked_store(struct fixture *fx, struct flash_geometry g, int r, int n,
			 struct model *m)
{
	struct store_options o = test_options(r);

	fixture_open(fx, g, &o);
	run_workload(fx->s, n, m);
}

/* Whether page p of eraseblock b holds data (a fault there matters). */
static bool written(struct flash *f, const struct flash_geometry *g, uint32_t b, uint32_t p)
{
	return !is_erased(flash_emu_block(f, b) + p * g->page_size, g->page_size);
}

/* Block b fails every program (or erase) from the start of the workload. */
static bool survives_failing_block(struct flash_geometry g, uint32_t b, bool erase,
				   uint32_t *retired)
{
	struct fixture fx;
	struct model m;
	struct flash_faults faults;
	struct store_status st;
	bool good;

	worked_store(&fx, g, 1, 0, &m);
	flash_faults_none(&faults);
	if (erase)
		faults.erase_fail[faults.n_erase_fail++] = b;
	else
		faults.program_fail[faults.n_program_fail++] = b;
	flash_emu_set_faults(fx.f, &faults);
	good = run_workload(fx.s, 400, &m) && wl_matches(fx.s, &m);
	store_status(fx.s, &st);
	*retired += st.bad_blocks;
	store_unmount(fx.s);
	fx.s = good ? test_mount(fx.f, &fx.o, false) : NULL;
	if (fx.s)
		store_status(fx.s, &st);
	/* relocations splice segments out of the log: never read as tampering */
	good = fx.s && wl_matches(fx.s, &m) && !st.tampered &&
	       test_put(fx.s, STORE_REC_META, "after", "x", NULL) == 0;
	fixture_close(&fx);
	return good;
}

static void test_failing_blocks(const char *name, struct flash_geometry g, uint32_t step)
{
	for (int erase = 0; erase < 2; erase++) {
		uint32_t failures = 0, retired = 0, tried = 0;

		for (uint32_t b = 0; b < g.eraseblock_count; b += step, tried++)
			if (!survives_failing_block(g, b, erase, &retired)) {
				printf("# %s: block %u failing its %s loses data\n", name, b,
				       erase ? "erases" : "programs");
				failures++;
			}
		ok(!failures && retired >= tried / 2,
		   "%s: each of %u blocks failing its %s in turn loses nothing (%u retired)",
		   name, tried, erase ? "erases" : "programs", retired);
	}
}

/* Corrected bit flips in every block holding a segment, or in every free
 * block (which holds only a header with its erase count): maintenance
 * scrubs them (a free block is erased again, once), the records stay, and
 * the next mount reads no corrected page and finds the erase counts. */
static void test_scrub(int kind, const char *what)
{
	struct fixture fx;
	struct model m;
	struct flash_faults faults;
	struct store_status st, after;
	uint64_t corrected, erases;

	worked_store(&fx, test_nand(10), 1, 60, &m);
	store_unmount(fx.s);
	flash_faults_none(&faults);
	for (uint32_t b = 0; b < fx.g.eraseblock_count; b++)
		if (block_header_decode(flash_emu_block(fx.f, b), &(struct block_header){ 0 }) == kind)
			faults.bitflip[faults.n_bitflip++] = b;
	flash_emu_set_faults(fx.f, &faults);
	fx.s = test_mount(fx.f, &fx.o, false);
	ok(fx.s && fx.f->stats.corrected > 0 && wl_matches(fx.s, &m),
	   "%s: corrected bit flips in %u blocks read back right (%llu corrected reads)", what,
	   faults.n_bitflip, (unsigned long long)fx.f->stats.corrected);
	erases = fx.f->stats.erases;
	ok(store_maintain(fx.s, NULL) == 0, "%s: maintenance scrubs", what);
	erases = fx.f->stats.erases - erases;
	store_status(fx.s, &st);
	ok(st.scrubs > 0 && wl_matches(fx.s, &m) &&
	   (kind != BLOCK_FREE || (erases == faults.n_bitflip && st.scrubs == erases)),
	   "%s: %llu scrubbed (%llu erases), records intact", what,
	   (unsigned long long)st.scrubs, (unsigned long long)erases);
	store_unmount(fx.s);
	corrected = fx.f->stats.corrected;
	fx.s = test_mount(fx.f, &fx.o, false);
	ok(fx.s && fx.f->stats.corrected == corrected && wl_matches(fx.s, &m),
	   "%s: after the scrub a mount reads no corrected page", what);
	store_status(fx.s, &after);
	ok(after.erase_min == st.erase_min && after.erase_max == st.erase_max &&
	   after.erase_avg == st.erase_avg, "%s: and finds the erase counts of the scrubbed "
	   "blocks (min %u, avg %.2f, max %u)", what, after.erase_min, after.erase_avg,
	   after.erase_max);
	fixture_close(&fx);
}

/* Pages that go bad while the store runs: the patrol of store_maintain
 * finds them and rewrites their segments from RAM, so that even without a
 * second copy the next mount loses nothing. */
static void test_patrol(void)
{
	struct fixture fx;
	struct model m;
	struct flash_faults faults;
	struct store_status st;

	worked_store(&fx, test_nand(10), 1, 60, &m);
	flash_faults_none(&faults);
	for (uint32_t b = 0; b < fx.g.eraseblock_count && faults.n_badpage < 8; b++)
		if (written(fx.f, &fx.g, b, 1))
			faults.badpage[faults.n_badpage++] = (struct flash_emu_page){ b, 1 };
	flash_emu_set_faults(fx.f, &faults);
	for (uint32_t i = 0; i < 2 * fx.g.eraseblock_count; i++)
		store_maintain(fx.s, NULL);
	store_status(fx.s, &st);
	ok(st.scrubs > 0, "the patrol finds %u uncorrectable pages: %llu segments rewritten",
	   faults.n_badpage, (unsigned long long)st.scrubs);
	fixture_remount(&fx);
	store_status(fx.s, &st);
	ok(fx.s && wl_matches(fx.s, &m) && st.lost_commits == 0, "and a mount loses nothing");
	fixture_close(&fx);
}

/* Each written page in turn uncorrectable: with two copies nothing is
 * lost; with one the mount still works and reports the loss. */
static void test_uncorrectable(int redundancy)
{
	struct fixture fx;
	struct model m;
	struct flash_faults faults;
	struct store_status st;
	uint32_t pages = 0, intact = 0, reported = 0, mounted = 0;

	worked_store(&fx, test_nand(12), redundancy, 80, &m);
	store_unmount(fx.s);
	for (uint32_t b = 0; b < fx.g.eraseblock_count; b++) {
		for (uint32_t p = 0; p < fx.g.eraseblock_size / fx.g.page_size; p++) {
			if (!written(fx.f, &fx.g, b, p))
				continue;
			flash_faults_none(&faults);
			faults.badpage[faults.n_badpage++] = (struct flash_emu_page){ b, p };
			flash_emu_set_faults(fx.f, &faults);
			fx.s = test_mount(fx.f, &fx.o, false);
			pages++;
			if (fx.s) {
				mounted++;
				intact += wl_matches(fx.s, &m);
				store_status(fx.s, &st);
				reported += st.lost_commits > 0;
				store_unmount(fx.s);
			}
		}
	}
	if (redundancy == 2)
		ok(pages > 0 && intact == pages, "redundancy 2: each of %u written pages "
		   "uncorrectable in turn loses nothing (%u intact)", pages, intact);
	else
		ok(pages > 0 && mounted == pages && reported > 0, "redundancy 1: each of %u pages "
		   "uncorrectable in turn still mounts; %u losses reported", pages, reported);
	flash_close(fx.f);
}

static int count_records(const struct store_record *r, void *arg)
{
	(void)r;
	++*(int *)arg;
	return 0;
}

/* The aligned commit holding needle, and (*at) where needle is. */
static uint8_t *find_commit(struct flash *f, const struct flash_geometry *g,
			    const char *needle, uint8_t **at)
{
	for (uint32_t b = 0; b < g->eraseblock_count; b++) {
		uint8_t *data = flash_emu_block(f, b);
		uint8_t *hit = memmem(data, g->eraseblock_size, needle, strlen(needle));
		struct commit_header h;

		if (!hit)
			continue;
		*at = hit;
		for (size_t off = (hit - data) / 512 * 512;; off -= 512)
			if (commit_header_decode(data + off, &h) > 0)
				return data + off;
	}
	return NULL;
}

static void test_tamper(void)
{
	struct fixture fx;
	struct store_record r;
	struct store_status st;
	struct cs_err err = { 0 };
	uint8_t *a, *b;
	int n = 0;

	fixture_open(&fx, test_nand(8), NULL);
	test_put(fx.s, STORE_REC_DEVICE, "dev-one", "value-one", "secret-one");
	test_put(fx.s, STORE_REC_DEVICE, "dev-two", "value-two", "secret-two");
	test_put(fx.s, STORE_REC_DEVICE, "dev-three", "value-three", "secret-three");
	store_unmount(fx.s);
	find_commit(fx.f, &fx.g, "dev-onevalue-one", &a);
	find_commit(fx.f, &fx.g, "dev-twovalue-two", &b);
	/* dev-two gets dev-one's sealed secret: same length, wrong binding */
	memcpy(b + 16, a + 16, 10 + 28);
	/* one bit of dev-three's ciphertext */
	find_commit(fx.f, &fx.g, "dev-threevalue-three", &a);
	a[20 + 12] ^= 1;
	/* tags and CRCs made right (with the key) so that only the seal can tell */
	insider_reseal(fx.f, fx.o.key);
	fx.s = test_mount(fx.f, &fx.o, false);
	ok(fx.s != NULL, "a store with tampered records mounts");
	ok(store_get(fx.s, STORE_REC_DEVICE, "dev-two", 7, &r, &err) == -EBADMSG,
	   "a secret moved to another record is refused (%s)", err.msg);
	cs_err_clear(&err);
	ok(store_get(fx.s, STORE_REC_DEVICE, "dev-three", 9, &r, &err) == -EBADMSG,
	   "a changed ciphertext is refused (%s)", err.msg);
	ok(test_has(fx.s, STORE_REC_DEVICE, "dev-one", "value-one", "secret-one"),
	   "an untouched record is served");
	store_iterate(fx.s, STORE_REC_DEVICE, NULL, 0, count_records, &n, NULL);
	store_status(fx.s, &st);
	ok(n == 1 && st.tampered >= 4, "iteration serves only the intact record; %llu refusals "
	   "counted", (unsigned long long)st.tampered);
	fixture_close(&fx);
}

int main(void)
{
	const char *step_env = getenv("CREDSTORE_FAULTS_STEP");
	uint32_t step = step_env && atoi(step_env) > 0 ? (uint32_t)atoi(step_env) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_failing_blocks("nand", test_nand(10), step);
	test_failing_blocks("nor", test_nor(16), step);
	test_scrub(BLOCK_SEGMENT, "segments");
	test_scrub(BLOCK_FREE, "free blocks");
	test_patrol();
	test_uncorrectable(2);
	test_uncorrectable(1);
	test_tamper();
	return tap_done();
}
