/* Corrupted images: random bytes overwritten at random places of a
 * store's image must never crash or hang a mount, nor what follows it
 * (reads, a commit, a remount); the image holds transactions in parts,
 * whose part markers get corrupted too.  Each seed is one image; a failing seed is
 * printed and replays alone with CREDSTORE_FUZZ_SEED=n.  A hang is caught
 * by an alarm.  CREDSTORE_FUZZ_COUNT sets how many seeds run (default 2000,
 * 300 under the sanitizers). */
#include <signal.h>
#include <unistd.h>

#include "store_workload.h"
#include "tap.h"

static volatile uint64_t current_seed;

static void on_signal(int sig)
{
	printf("# seed %llu %s: replay with CREDSTORE_FUZZ_SEED=%llu "
	       "build/tests/test_store_fuzz\n", (unsigned long long)current_seed,
	       sig == SIGALRM ? "hangs" : "crashes", (unsigned long long)current_seed);
	printf("not ok - fuzzing stopped by signal %d\n", sig);
	_exit(1);
}

static int touch(const struct store_record *r, void *arg)
{
	*(size_t *)arg += r->value_len + r->secret_len;
	return 0;
}

/* Overwrites a few runs of random bytes, mostly in written areas. */
static void corrupt(struct flash *f, uint64_t seed)
{
	const struct flash_geometry *g = &f->geo;
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 12345;
	int runs = 1 + wl_next(&x) % 8;

	for (int i = 0; i < runs; i++) {
		uint32_t b = wl_next(&x) % g->eraseblock_count;
		uint32_t len = 1 + wl_next(&x) % 64;
		uint32_t off = wl_next(&x) % (g->eraseblock_size - len);
		uint8_t *data = flash_emu_block(f, b);

		if (wl_next(&x) % 2)
			off %= 4096;	/* headers and first commits */
		for (uint32_t k = 0; k < len; k++)
			data[off + k] = (uint8_t)wl_next(&x);
	}
}

static bool survives(struct flash *base, struct flash *img, const struct store_options *o,
		     uint64_t seed)
{
	struct cs_err err = { 0 };
	struct store *s;
	size_t bytes = 0;

	current_seed = seed;
	flash_emu_copy(img, base);
	corrupt(img, seed);
	alarm(20);
	s = store_mount(img, o, &err);
	if (s) {
		struct store_status st;

		for (uint8_t t = 1; t <= STORE_REC_TYPE_MAX; t++)
			store_iterate(s, t, NULL, 0, touch, &bytes, NULL);
		store_status(s, &st);
		test_put(s, STORE_REC_META, "after", "fuzz", NULL);
		store_maintain(s, NULL);
		store_unmount(s);
		s = store_mount(img, o, &err);
		store_unmount(s);
	}
	alarm(0);
	return true;
}

int main(void)
{
	struct fixture base;
	struct flash *img;
	const char *one = getenv("CREDSTORE_FUZZ_SEED");
	const char *count_env = getenv("CREDSTORE_FUZZ_COUNT");
#if defined(__SANITIZE_ADDRESS__)
	long count = count_env ? strtol(count_env, NULL, 0) : 300;	/* ~25x slower */
#else
	long count = count_env ? strtol(count_env, NULL, 0) : 2000;
#endif
	struct model m, next;
	long i;

	fixture_open(&base, test_nand(8), NULL);
	img = flash_emu_open(NULL, &base.g, NULL, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	memset(&m, 0, sizeof(m));
	for (int k = 0; k < 150; k++) {
		struct store_txn *t = store_txn_begin(base.s);

		wl_txn_big(5, k, &m, t, &next);
		store_txn_commit(t, NULL, NULL);
		m = next;
	}
	store_unmount(base.s);
	base.s = NULL;
	if (one) {
		ok(survives(base.f, img, &base.o, strtoull(one, NULL, 0)), "seed %s survives", one);
	} else {
		for (i = 0; i < count && survives(base.f, img, &base.o, (uint64_t)i); i++)
			;
		ok(i == count, "%ld corrupted images (seeds 0..%ld) mount or fail cleanly", count,
		   count - 1);
	}
	flash_close(img);
	fixture_close(&base);
	return tap_done();
}
