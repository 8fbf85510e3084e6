/* The store's event hook (store_options.on_event): each kind is reported
 * as it happens, with its eraseblock and reason, and the events agree
 * with store_status's counters.  Faults from the emulated flash, on the
 * blocks the store has written. */
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

/* A store that reports to e, after `puts` puts; the blocks whose second
 * page holds data (the segments written) in used[0 .. *n - 1]. */
static void start(struct fixture *x, struct events *e, int puts, uint32_t *used, uint32_t *n)
{
	struct store_options o = test_options(1);

	o.on_event = record;
	o.event_arg = e;
	fixture_open(x, test_nand(24), &o);
	ok(put_many(x->s, "a", puts) == puts && e->n == 0,
	   "%d commits on a healthy flash: no event (%u)", puts, e->n);
	*n = 0;
	for (uint32_t b = 0; b < x->g.eraseblock_count && *n < FLASH_EMU_LIST_MAX; b++)
		if (!is_erased(flash_emu_block(x->f, b) + x->g.page_size, x->g.page_size))
			used[(*n)++] = b;
}

enum fault { PROGRAM_FAILS, BIT_FLIPS, PAGE_UNREADABLE };

/* From now on each of the n blocks fails its programs, reads back with
 * corrected bit flips, or has its second page unreadable. */
static void break_blocks(struct fixture *x, enum fault fault, const uint32_t *used, uint32_t n)
{
	struct flash_faults faults;

	flash_faults_none(&faults);
	for (uint32_t i = 0; i < n; i++) {
		if (fault == PROGRAM_FAILS)
			faults.program_fail[faults.n_program_fail++] = used[i];
		else if (fault == BIT_FLIPS)
			faults.bitflip[faults.n_bitflip++] = used[i];
		else
			faults.badpage[faults.n_badpage++] = (struct flash_emu_page){ used[i], 1 };
	}
	flash_emu_set_faults(x->f, &faults);
}

/* The events of a kind: at least one, each naming one of the n blocks
 * and a reason holding `words`, their counts adding up to `counter`. */
static void expect(const struct events *e, enum store_event_kind kind, const uint32_t *used,
		   uint32_t n, const char *words, uint64_t counter, const char *what)
{
	uint64_t sum = 0;
	uint32_t seen = 0;
	bool fits = true;

	for (uint32_t i = 0; i < e->n; i++) {
		bool named = false;

		if (e->ev[i].kind != kind)
			continue;
		seen++;
		sum += e->ev[i].count;
		for (uint32_t k = 0; k < n; k++)
			named |= e->ev[i].eraseblock == used[k];
		fits &= named && e->ev[i].count >= 1 && strstr(e->ev[i].reason, words);
	}
	ok(seen > 0 && fits && sum == counter,
	   "%s: reported with the block and '%s' (%u events, counter %llu)", what, words, seen,
	   (unsigned long long)counter);
}

/* The head's block fails its programs: the commit moves to a new
 * segment, the failing block's segment is relocated and the block
 * retired, each reported with the flash's words. */
static void test_retired_and_relocated(void)
{
	struct events e = { 0 };
	struct fixture x;
	struct store_status st;
	uint32_t used[FLASH_EMU_LIST_MAX], n;

	start(&x, &e, 20, used, &n);
	break_blocks(&x, PROGRAM_FAILS, used, n);
	ok(put_many(x.s, "b", 20) == 20, "the commits go on while the head's block fails");
	store_status(x.s, &st);
	expect(&e, STORE_EVENT_RETIRED, used, n, "program failed", st.bad_blocks,
	       "each retired block");
	expect(&e, STORE_EVENT_RELOCATED, used, n, "program failed", st.relocations,
	       "each relocation");
	fixture_close(&x);
}

/* Blocks read back with corrected bit flips: the mount marks their
 * segments, the next commit scrubs them. */
static void test_scrubbed(void)
{
	struct events e = { 0 };
	struct fixture x;
	struct store_status st;
	uint32_t used[FLASH_EMU_LIST_MAX], n;

	start(&x, &e, 400, used, &n);
	break_blocks(&x, BIT_FLIPS, used, n);
	fixture_remount(&x);
	put_many(x.s, "b", 1);
	store_status(x.s, &st);
	expect(&e, STORE_EVENT_SCRUBBED, used, n, "corrected bit flips", st.scrubs,
	       "each scrub after corrected bit flips");
	fixture_close(&x);
}

/* Pages fail ECC while mounted: the patrol (store_maintain) finds them
 * and their segments are rewritten from RAM. */
static void test_scrubbed_unreadable(void)
{
	struct events e = { 0 };
	struct fixture x;
	struct store_status st;
	uint32_t used[FLASH_EMU_LIST_MAX], n;

	start(&x, &e, 400, used, &n);
	break_blocks(&x, PAGE_UNREADABLE, used, n);
	store_status(x.s, &st);
	for (uint32_t i = 0; i < 2 * x.g.eraseblock_count && !st.scrubs; i++) {
		store_maintain(x.s, NULL);
		store_status(x.s, &st);
	}
	expect(&e, STORE_EVENT_SCRUBBED, used, n, "uncorrectable reads", st.scrubs,
	       "each scrub after an uncorrectable read");
	fixture_close(&x);
}

/* With one copy, commits on a page that fails ECC are lost at mount:
 * reported per segment, with how many. */
static void test_lost(void)
{
	struct events e = { 0 };
	struct fixture x;
	struct store_status st;
	uint32_t used[FLASH_EMU_LIST_MAX], n;

	start(&x, &e, 100, used, &n);
	break_blocks(&x, PAGE_UNREADABLE, used, n);
	fixture_remount(&x);
	store_status(x.s, &st);
	expect(&e, STORE_EVENT_LOST, used, n, "unreadable pages", st.lost_commits,
	       "the commits lost at mount");
	fixture_close(&x);
}

/* With one copy, a page that fails ECC where a commit's header starts,
 * with commits written after it: the segment's replay stops there (its
 * length is unknown), and the loss is reported, where a page cut by a
 * power loss at the end of what was written is not. */
static void test_lost_header(void)
{
	struct events e = { 0 };
	struct fixture x;
	struct store_status st;
	struct store_options o = test_options(1);
	struct flash_faults faults;
	char key[32], value[101];
	uint32_t head = UINT32_MAX, tampered = 0, lost = 0;
	int puts = 700;

	o.on_event = record;
	o.event_arg = &e;
	fixture_open(&x, test_nand(24), &o);
	/* commits of one subpage each: a page starts with a commit header */
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (int i = 0; i < puts; i++) {
		snprintf(key, sizeof(key), "k%04d", i);
		test_put(x.s, STORE_REC_META, key, value, NULL);
	}
	/* the head: the segment holding the last put, with pages after its second */
	for (uint32_t b = 0; b < x.g.eraseblock_count && head == UINT32_MAX; b++)
		if (memmem(flash_emu_block(x.f, b), x.g.eraseblock_size, key, strlen(key)))
			head = b;
	ok(head != UINT32_MAX && !is_erased(flash_emu_block(x.f, head) + 4 * x.g.page_size,
					    x.g.page_size), "the head has pages written after its third");
	flash_faults_none(&faults);
	faults.badpage[faults.n_badpage++] = (struct flash_emu_page){ head, 2 };
	flash_emu_set_faults(x.f, &faults);
	fixture_remount(&x);
	store_status(x.s, &st);
	for (uint32_t i = 0; i < e.n; i++) {
		tampered += e.ev[i].kind == STORE_EVENT_TAMPERED;
		lost += e.ev[i].kind == STORE_EVENT_LOST && e.ev[i].eraseblock == head;
	}
	ok(lost == 1 && st.lost_commits >= 1, "an unreadable commit header with commits after "
	   "it: reported lost (%u events, %llu commits)", lost,
	   (unsigned long long)st.lost_commits);
	ok(tampered == 0 && test_has(x.s, STORE_REC_META, "k0000", value, NULL),
	   "not taken for tampering (%u), the commits before it kept", tampered);
	fixture_close(&x);
}

int main(void)
{
	test_retired_and_relocated();
	test_scrubbed();
	test_scrubbed_unreadable();
	test_lost();
	test_lost_header();
	return tap_done();
}
