/* The store's event hook (store_options.on_event): each kind is reported
 * as it happens, with its eraseblock and reason, and the events agree
 * with store_status's counters.  Faults from the emulated flash. */
#include "store_layout.h"
#include "store_helpers.h"
#include "tap.h"

#define EVENTS_MAX 256

struct events {
	struct store_event ev[EVENTS_MAX];
	char reason[EVENTS_MAX][CREDSTORE_MESSAGE_MAX];
	uint32_t n;
};

static void record(const struct store_event *ev, void *arg)
{
	struct events *e = arg;

	if (e->n == EVENTS_MAX)
		return;
	e->ev[e->n] = *ev;
	snprintf(e->reason[e->n], sizeof(e->reason[0]), "%s", ev->reason);
	e->ev[e->n].reason = e->reason[e->n];
	e->n++;
}

/* The events of a kind: how many, the sum of their counts, and whether
 * each names a block in [lo, hi] and a reason holding `words`. */
static uint64_t count_of(const struct events *e, enum store_event_kind kind, uint32_t *n,
			 uint32_t lo, uint32_t hi, const char *words, bool *fits)
{
	uint64_t sum = 0;

	*n = 0;
	*fits = true;
	for (uint32_t i = 0; i < e->n; i++) {
		if (e->ev[i].kind != kind)
			continue;
		++*n;
		sum += e->ev[i].count;
		*fits &= e->ev[i].eraseblock >= lo && e->ev[i].eraseblock <= hi &&
			 strstr(e->ev[i].reason, words) != NULL && e->ev[i].count >= 1;
	}
	return sum;
}

/* The blocks whose second page holds data: the segments written. */
static uint32_t written_blocks(struct flash *f, const struct flash_geometry *g, uint32_t *out,
			       uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b < g->eraseblock_count && n < max; b++)
		if (!is_erased(flash_emu_block(f, b) + g->page_size, g->page_size))
			out[n++] = b;
	return n;
}

/* n puts of 1500 random letters (LZ4 keeps most of them), each its own
 * commit, so that commits cross pages: how many committed. */
static int put_many(struct store *s, const char *prefix, int n)
{
	static uint32_t rng = 12345;
	char key[32], value[1501];
	int done = 0;

	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s%04d", prefix, i);
		for (size_t k = 0; k + 1 < sizeof(value); k++) {
			rng = rng * 1103515245 + 12345;
			value[k] = (char)('a' + (rng >> 16) % 26);
		}
		value[sizeof(value) - 1] = '\0';
		done += test_put(s, STORE_REC_META, key, value, NULL) == 0;
	}
	return done;
}

/* The head's block fails its programs: the commit moves to a new
 * segment, the failing block's segment is relocated and the block
 * retired, each reported with the flash's words. */
static void test_retired_and_relocated(void)
{
	struct events e = { 0 };
	struct store_options o = test_options(1);
	struct flash_geometry g = test_nand(24);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);
	struct flash_faults faults;
	struct store_status st;
	struct store *s;
	uint32_t n, head[FLASH_EMU_LIST_MAX], nw;
	uint64_t sum;
	bool fits;

	o.on_event = record;
	o.event_arg = &e;
	s = test_mount(f, &o, true);
	ok(put_many(s, "a", 20) == 20 && e.n == 0, "no event on a healthy flash (%u)", e.n);
	nw = written_blocks(f, &g, head, FLASH_EMU_LIST_MAX);
	flash_faults_none(&faults);
	for (uint32_t i = 0; i < nw; i++)
		faults.program_fail[faults.n_program_fail++] = head[i];
	flash_emu_set_faults(f, &faults);
	ok(put_many(s, "b", 20) == 20, "the commits go on while the head's block fails");
	store_status(s, &st);
	count_of(&e, STORE_EVENT_RETIRED, &n, head[0], head[nw - 1], "program failed", &fits);
	ok(n > 0 && n == st.bad_blocks && fits,
	   "each retired block is reported once, with the flash's reason (%u events, %u bad "
	   "blocks)", n, st.bad_blocks);
	sum = count_of(&e, STORE_EVENT_RELOCATED, &n, head[0], head[nw - 1], "program failed",
		       &fits);
	ok(sum == st.relocations && n > 0 && fits,
	   "each relocation is reported with the failing block (%u events, %llu relocations)",
	   n, (unsigned long long)st.relocations);
	store_unmount(s);
	flash_close(f);
}

/* Blocks read back with corrected bit flips: the mount marks their
 * segments, the next commit scrubs them. */
static void test_scrubbed(void)
{
	struct events e = { 0 };
	struct store_options o = test_options(1);
	struct flash_geometry g = test_nand(24);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);
	struct flash_faults faults;
	struct store_status st;
	struct store *s;
	uint32_t n, used[FLASH_EMU_LIST_MAX], nw;
	uint64_t sum;
	bool fits;

	o.on_event = record;
	o.event_arg = &e;
	s = test_mount(f, &o, true);
	put_many(s, "a", 400);
	store_unmount(s);
	nw = written_blocks(f, &g, used, FLASH_EMU_LIST_MAX);
	flash_faults_none(&faults);
	for (uint32_t i = 0; i < nw; i++)
		faults.bitflip[faults.n_bitflip++] = used[i];
	flash_emu_set_faults(f, &faults);
	s = test_mount(f, &o, false);
	put_many(s, "b", 1);
	store_status(s, &st);
	sum = count_of(&e, STORE_EVENT_SCRUBBED, &n, used[0], used[nw - 1], "corrected bit flips",
		       &fits);
	ok(sum == st.scrubs && n > 0 && fits,
	   "each scrub after corrected bit flips is reported with its block (%u events, %llu "
	   "scrubs, %u blocks written)", n, (unsigned long long)st.scrubs, nw);
	store_unmount(s);
	flash_close(f);
}

/* Pages fail ECC while mounted: the patrol finds them and their
 * segments are rewritten from RAM. */
static void test_scrubbed_unreadable(void)
{
	struct events e = { 0 };
	struct store_options o = test_options(1);
	struct flash_geometry g = test_nand(24);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);
	struct flash_faults faults;
	struct store_status st;
	struct store *s;
	uint32_t n, used[FLASH_EMU_LIST_MAX], nw;
	uint64_t sum;
	bool fits;

	o.on_event = record;
	o.event_arg = &e;
	s = test_mount(f, &o, true);
	put_many(s, "a", 400);
	nw = written_blocks(f, &g, used, FLASH_EMU_LIST_MAX);
	flash_faults_none(&faults);
	for (uint32_t i = 0; i < nw; i++)
		faults.badpage[faults.n_badpage++] = (struct flash_emu_page){ used[i], 1 };
	flash_emu_set_faults(f, &faults);
	store_status(s, &st);
	for (int i = 0; i < 2 * (int)g.eraseblock_count && !st.scrubs; i++) {
		store_maintain(s, NULL);
		store_status(s, &st);
	}
	sum = count_of(&e, STORE_EVENT_SCRUBBED, &n, used[0], used[nw - 1], "uncorrectable reads",
		       &fits);
	ok(sum == st.scrubs && n > 0 && fits,
	   "a scrub after an uncorrectable read is reported with its block and why (%u events, "
	   "%llu scrubs, %u blocks written)", n, (unsigned long long)st.scrubs, nw);
	store_unmount(s);
	flash_close(f);
}

/* With one copy, commits on a page that fails ECC are lost at mount:
 * reported with the block and how many. */
static void test_lost(void)
{
	struct events e = { 0 };
	struct store_options o = test_options(1);
	struct flash_geometry g = test_nand(24);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);
	struct flash_faults faults;
	struct store_status st;
	struct store *s;
	uint32_t n, used[FLASH_EMU_LIST_MAX], nw;
	uint64_t sum;
	bool fits;

	o.on_event = record;
	o.event_arg = &e;
	s = test_mount(f, &o, true);
	put_many(s, "a", 100);
	store_unmount(s);
	nw = written_blocks(f, &g, used, FLASH_EMU_LIST_MAX);
	flash_faults_none(&faults);
	for (uint32_t i = 0; i < nw; i++)
		faults.badpage[faults.n_badpage++] = (struct flash_emu_page){ used[i], 1 };
	flash_emu_set_faults(f, &faults);
	s = test_mount(f, &o, false);
	store_status(s, &st);
	sum = count_of(&e, STORE_EVENT_LOST, &n, used[0], used[nw - 1], "unreadable pages", &fits);
	ok(sum == st.lost_commits && n > 0 && n <= nw && fits,
	   "commits lost at mount are reported per segment, with how many (%u events, %llu "
	   "commits lost)", n, (unsigned long long)st.lost_commits);
	store_unmount(s);
	flash_close(f);
}

int main(void)
{
	test_retired_and_relocated();
	test_scrubbed();
	test_scrubbed_unreadable();
	test_lost();
	return tap_done();
}
