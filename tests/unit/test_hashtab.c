/* The shared hash table (common/hashtab.c) with hashes chosen by the
 * test: long chains of one home, chains that wrap past the last slot,
 * removal from their middle (the backward shift), growth, and random
 * operations against a model, each entry then found by walking its chain
 * from its home as the table's users do. */
#include <stdlib.h>

#include "hashtab.h"
#include "tap.h"

struct item {
	int key;
	uint32_t hash;
	int in;				/* what the model says */
};

#define N 500

static struct item items[N];

static int findable(const struct cs_hashtab *t, const struct item *it)
{
	if (!t->count)
		return 0;
	for (uint32_t i = it->hash & t->mask; t->slot[i]; i = (i + 1) & t->mask)
		if (t->slot[i] == it)
			return 1;
	return 0;
}

/* Every entry the model holds is found, no other is, and the count agrees. */
static int agrees(const struct cs_hashtab *t, int n)
{
	uint32_t held = 0;

	for (int k = 0; k < n; k++) {
		if (findable(t, &items[k]) != items[k].in)
			return 0;
		held += (uint32_t)items[k].in;
	}
	return held == t->count;
}

static void put(struct cs_hashtab *t, int k)
{
	cs_hashtab_place(t, &items[k]);
	items[k].in = 1;
}

static void drop(struct cs_hashtab *t, int k)
{
	cs_hashtab_remove(t, &items[k]);
	items[k].in = 0;
}

int main(void)
{
	struct cs_hashtab t;
	int ok_all = 1;

	cs_hashtab_init(&t, offsetof(struct item, hash));
	ok(t.count == 0 && cs_hashtab_reserve(&t, 40) == 0 && t.mask == 63,
	   "40 entries: 64 slots (at most three quarters full)");
	/* 10 entries homed at the last two slots: the chain wraps to 0. */
	for (int k = 0; k < 10; k++) {
		items[k] = (struct item){ .key = k, .hash = 62 + (uint32_t)(k % 2) };
		put(&t, k);
	}
	/* and 5 homed at slot 1, behind the wrapped ones */
	for (int k = 10; k < 15; k++) {
		items[k] = (struct item){ .key = k, .hash = 64 + 1 };
		put(&t, k);
	}
	ok(agrees(&t, 15), "chains that wrap past the last slot: every entry found");
	drop(&t, 0);
	drop(&t, 5);
	drop(&t, 11);
	ok(agrees(&t, 15), "removed from the middle of a wrapped chain: the rest still found");
	for (int k = 0; k < 15; k++)
		if (items[k].in)
			drop(&t, k);
	ok(agrees(&t, 15) && t.count == 0, "all removed: empty, nothing found");
	for (int k = 0; k < 15; k++)
		put(&t, k);
	ok_all = cs_hashtab_reserve(&t, N) == 0;
	ok(ok_all && t.mask + 1 >= (15 + N) * 4 / 3 && agrees(&t, 15),
	   "grown to %u slots: every entry moved and found", t.mask + 1);
	cs_hashtab_clear(&t);
	for (int k = 0; k < 15; k++)
		items[k].in = 0;
	ok(agrees(&t, 15) && t.mask + 1 >= (15 + N) * 4 / 3, "cleared: empty, its room kept");

	/* Random puts and removes over 16 homes around the end of the 1024
	 * slots: one cluster that wraps, its chains interleaved. */
	srand(7);
	for (int k = 0; k < N; k++)
		items[k] = (struct item){ .key = k, .hash = 1016 + (uint32_t)(rand() % 16) };
	for (int step = 0; step < 20000 && ok_all; step++) {
		int k = rand() % N;

		if (items[k].in)
			drop(&t, k);
		else
			put(&t, k);
		if (step % 97 == 0)
			ok_all = agrees(&t, N);
	}
	ok(ok_all && agrees(&t, N), "20000 random puts and removes on 16 homes that wrap: the model's entries, "
	   "each found from its home (%u held)", t.count);
	cs_hashtab_free(&t);
	return tap_done();
}
