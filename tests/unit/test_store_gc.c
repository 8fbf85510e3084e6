/* GC in bounded steps: with the store at 95% of its capacity and
 * updates of random records (random ids: nothing compresses), no commit
 * programs more than its own program units, GC's fixed step and a new
 * segment's header, however long the run; the collector of before
 * (store_options.gc_unbounded) drains whole segments inside some commits,
 * which this test sees too.  Both keep the log within what a mount should
 * read. */
#include <stdlib.h>
#include <string.h>

#include "store_devices.h"
#include "store_helpers.h"
#include "tap.h"

#define UPDATES		30000
/* A commit of one update: its program unit; GC's step (1 KiB); a new
 * segment's header (one unit); a page's worth of slack. */
#define BOUND		(512 + 1024 + 512 + 2048)

struct result {
	uint64_t largest;		/* bytes one commit programmed, at most */
	double per_update;
	uint64_t log_pages, live;
};

static struct result run(bool unbounded)
{
	struct store_options o = test_options(1);
	struct result res = { 0 };
	struct store_status st;
	struct fixture fx;
	struct store *s;
	struct flash *f;
	uint64_t start, before;
	uint32_t n;

	o.gc_unbounded = unbounded;
	s = fixture_open(&fx, test_nand(16), &o);
	f = fx.f;
	store_status(s, &st);
	n = (uint32_t)(0.95 * (double)st.capacity_bytes / (double)dev_size(DEV_VALUE_LEN));
	for (uint32_t i = 0; i < n; i += 200) {
		struct store_txn *t = store_txn_begin(s);

		for (uint32_t k = i; k < n && k < i + 200; k++)
			dev_put(t, k, 0, DEV_VALUE_LEN);
		if (store_txn_commit(t, NULL, NULL))
			abort();
	}
	start = f->stats.bytes_programmed;
	srand(11);
	for (uint32_t u = 0; u < UPDATES; u++) {
		struct store_txn *t = store_txn_begin(s);

		dev_put(t, (uint32_t)rand() % n, u + 1, DEV_VALUE_LEN);
		before = f->stats.bytes_programmed;
		if (store_txn_commit(t, NULL, NULL))
			abort();
		if (f->stats.bytes_programmed - before > res.largest)
			res.largest = f->stats.bytes_programmed - before;
	}
	res.per_update = (double)(f->stats.bytes_programmed - start) / UPDATES;
	store_status(s, &st);
	res.live = st.live_bytes;
	before = f->stats.pages_read;
	fixture_remount(&fx);
	res.log_pages = f->stats.pages_read - before;
	fixture_close(&fx);
	return res;
}

int main(void)
{
	struct result b = run(false), u = run(true);
	uint64_t budget = (b.live * 5 / 4 + 2047) / 2048 + 16;

	ok(b.largest <= BOUND, "bounded GC: no commit of %d programmed more than %d bytes "
	   "(at most %llu)", UPDATES, BOUND, (unsigned long long)b.largest);
	ok(u.largest > 16 * BOUND, "the unbounded collector drains whole segments in a commit "
	   "(%llu bytes at once): the bound above is the pacing's", (unsigned long long)u.largest);
	ok(b.per_update <= 1.05 * u.per_update, "and it programs no more than 1.05x what the "
	   "unbounded one does (%.0f against %.0f bytes per update)", b.per_update, u.per_update);
	ok(b.log_pages <= budget, "a mount reads %llu pages, within 1.25x live + a page per "
	   "eraseblock (%llu)", (unsigned long long)b.log_pages, (unsigned long long)budget);
	return tap_done();
}
