/* credstore-coapd's key cache (tools/coapd/keycache.c): lookups, the
 * bound, expiry, retraction, and the index staying right through many
 * insertions and removals (checked against a plain table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/coapd/keycache.h"
#include "tap.h"

static bool has(struct keycache *kc, const char *id, const char *key, time_t now)
{
	uint8_t got[CREDSTORE_SECRET_MAX];
	size_t len = 0;

	return keycache_get(kc, id, got, &len, now) && len == strlen(key) && !memcmp(got, key, len);
}

static void put(struct keycache *kc, const char *id, const char *key, time_t now)
{
	keycache_put(kc, id, (const uint8_t *)key, strlen(key), now);
}

static void basics(void)
{
	struct keycache *kc = keycache_new(4, 10);
	char long_id[CREDSTORE_DEVICE_ID_MAX + 1];
	size_t n;

	ok(kc != NULL, "a cache of 4 entries, 10 s");
	ok(!keycache_new(0, 10) && !keycache_new(4, 0) &&
	   !keycache_new(KEYCACHE_ENTRIES_MAX + 1, 10) && !keycache_new(4, KEYCACHE_SECONDS_MAX + 1),
	   "no cache of 0 entries, 0 s or past the limits");
	ok(!has(kc, "dev1", "k1", 100), "empty: nothing found");
	put(kc, "dev1", "k1-secret", 100);
	ok(has(kc, "dev1", "k1-secret", 100), "a key put is found");
	ok(!has(kc, "dev2", "k1-secret", 100), "under its device id only");
	put(kc, "dev1", "k1-rotated", 101);
	ok(has(kc, "dev1", "k1-rotated", 101) && keycache_count(kc) == 1, "put again: replaced, one entry");
	ok(has(kc, "dev1", "k1-rotated", 110), "found until its time (10 s after the put)");
	ok(!has(kc, "dev1", "k1-rotated", 111) && keycache_count(kc) == 0,
	   "expired at 10 s: not found, and gone");
	put(kc, "dev1", "k1", 200);
	put(kc, "dev2", "k2", 205);
	keycache_expire(kc, 210);
	ok(!has(kc, "dev1", "k1", 209) && has(kc, "dev2", "k2", 209) && keycache_count(kc) == 1,
	   "keycache_expire wipes what is past its time, keeps the rest");
	put(kc, "dev1", "k1", 300);
	keycache_forget(kc, "dev1");
	ok(!has(kc, "dev1", "k1", 300), "forget: gone");
	n = keycache_count(kc);
	keycache_forget(kc, "dev9");
	ok(keycache_count(kc) == n && has(kc, "dev2", "k2", 209),
	   "forgetting an id not cached changes nothing");
	keycache_clear(kc);
	for (int i = 0; i < 6; i++) {
		char id[16];

		snprintf(id, sizeof(id), "dev%d", i);
		put(kc, id, "key", 400);
	}
	ok(keycache_count(kc) == 4, "6 devices into 4 entries: 4 kept");
	ok(!has(kc, "dev0", "key", 400) && !has(kc, "dev1", "key", 400) &&
	   has(kc, "dev2", "key", 400) && has(kc, "dev5", "key", 400),
	   "the oldest insertions made room");
	keycache_clear(kc);
	ok(keycache_count(kc) == 0 && !has(kc, "dev5", "key", 400), "clear: nothing left");
	memset(long_id, 'i', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	put(kc, long_id, "key", 500);
	keycache_put(kc, "dev1", (const uint8_t *)"", 0, 500);
	ok(keycache_count(kc) == 0, "an over-long id or an empty key is not kept");
	keycache_free(kc);
}

/* Random puts, forgets and gets against a plain table of what must be
 * there: linear probing with backward-shift removal must find all of it. */
static void against_model(void)
{
	enum { IDS = 300, ENTRIES = 128, STEPS = 200000 };
	static int model[IDS];		/* the generation of the key held; 0: none */
	int order[ENTRIES], n_order = 0, bad = 0, gen = 1;
	struct keycache *kc = keycache_new(ENTRIES, 1000);
	unsigned int seed = 7;

	for (int step = 0; step < STEPS && kc; step++) {
		int i = (int)(rand_r(&seed) % IDS), op = (int)(rand_r(&seed) % 4);
		char id[16], key[16];

		snprintf(id, sizeof(id), "d%d", i);
		if (op == 0) {		/* put: the oldest insertion may go */
			snprintf(key, sizeof(key), "k%d", gen);
			if (!model[i]) {
				if (n_order == ENTRIES) {
					model[order[0]] = 0;
					memmove(order, order + 1, (ENTRIES - 1) * sizeof(order[0]));
					n_order--;
				}
				order[n_order++] = i;
			}
			model[i] = gen++;
			put(kc, id, key, 1);
		} else if (op == 1) {
			keycache_forget(kc, id);
			if (model[i]) {
				int j = 0;

				while (order[j] != i)
					j++;
				memmove(order + j, order + j + 1, (size_t)(n_order - j - 1) * sizeof(order[0]));
				n_order--;
			}
			model[i] = 0;
		} else {
			snprintf(key, sizeof(key), "k%d", model[i]);
			if (has(kc, id, key, 1) != (model[i] != 0))
				bad++;
		}
	}
	ok(kc && bad == 0, "%d random operations on %d ids in %d entries: every lookup right (%d wrong)",
	   STEPS, IDS, ENTRIES, bad);
	ok(kc && keycache_count(kc) == (size_t)n_order, "the count is the model's (%zu, %d)",
	   kc ? keycache_count(kc) : 0, n_order);
	keycache_free(kc);
}

int main(void)
{
	basics();
	against_model();
	return tap_done();
}
