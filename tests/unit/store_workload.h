/* A deterministic workload of mixed transactions and the model of what
 * the store must hold after each: new records, overwrites, deletes,
 * multi-op transactions, clears of a type, values from tens of bytes to
 * 20 KiB, some with sealed secrets.  Transaction i depends only on the
 * seed, i and the model before it, so a run cut short replays exactly. */
#ifndef CREDSTORE_TEST_STORE_WORKLOAD_H
#define CREDSTORE_TEST_STORE_WORKLOAD_H

#include "store_helpers.h"

#define WL_KEYS		30
#define WL_TYPES	3
#define WL_SLOTS	(WL_KEYS * WL_TYPES)
#define WL_VALUE_MAX	(20 * 1024)

struct model {
	uint32_t version[WL_SLOTS];	/* 0: absent */
	uint32_t next_version;
};

static inline uint64_t wl_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static inline uint8_t wl_type(int slot)
{
	return STORE_REC_IDENTITY + slot / WL_KEYS;
}

static inline size_t wl_key(int slot, char *key)
{
	return sprintf(key, "key-%03d", slot % WL_KEYS);
}

/* The value of version v of a slot; small: a multi-op transaction's. */
static inline size_t wl_value(int slot, uint32_t v, uint8_t *out)
{
	uint64_t x = (uint64_t)slot * 1000003u + v * 7919u + 1;
	size_t len;
	uint64_t pick = wl_next(&x) % 100;

	if (v & 0x80000000u)		/* small values for multi-op txns */
		len = 20 + wl_next(&x) % 4000;
	else if (pick < 40)
		len = 20 + wl_next(&x) % 400;
	else if (pick < 75)
		len = 2048 + wl_next(&x) % 6144;
	else
		len = 8192 + wl_next(&x) % (WL_VALUE_MAX - 8192);
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)wl_next(&x);
	return len;
}

/* Every third slot has a secret, bound to its version. */
static inline size_t wl_secret(int slot, uint32_t v, uint8_t *out)
{
	if (slot % 3)
		return 0;
	return sprintf((char *)out, "secret-%d-%u", slot, v);
}

static inline int wl_put(struct store_txn *t, int slot, uint32_t v)
{
	static uint8_t value[WL_VALUE_MAX];
	uint8_t secret[64];
	char key[16];
	size_t klen = wl_key(slot, key), slen = wl_secret(slot, v, secret);
	struct store_record r = { wl_type(slot), key, klen, value, wl_value(slot, v, value),
				  slen ? secret : NULL, slen };

	return store_txn_put(t, &r, NULL);
}

static inline int wl_delete(struct store_txn *t, int slot)
{
	char key[16];

	return store_txn_delete(t, wl_type(slot), key, wl_key(slot, key), NULL);
}

/* Builds transaction i from the model before it (m) into t, and the model
 * after it into next. */
static inline void wl_txn(uint64_t seed, uint32_t i, const struct model *m,
			  struct store_txn *t, struct model *next)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + i * 2654435761u + 1;
	uint32_t pick = wl_next(&x) % 100, nops;

	*next = *m;
	if (pick < 2) {
		/* clear a type, and put one record of it again */
		int type = wl_next(&x) % WL_TYPES, slot = type * WL_KEYS + wl_next(&x) % WL_KEYS;

		store_txn_clear(t, STORE_REC_IDENTITY + type, NULL);
		for (int k = 0; k < WL_KEYS; k++)
			next->version[type * WL_KEYS + k] = 0;
		next->version[slot] = ++next->next_version | 0x80000000u;
		wl_put(t, slot, next->version[slot]);
		return;
	}
	nops = pick < 75 ? 1 : 2 + wl_next(&x) % 4;
	for (uint32_t k = 0; k < nops; k++) {
		int slot = wl_next(&x) % WL_SLOTS;
		bool del = next->version[slot] && wl_next(&x) % 4 == 0;

		if (del) {
			wl_delete(t, slot);
			next->version[slot] = 0;
		} else {
			next->version[slot] = ++next->next_version | (nops > 1 ? 0x80000000u : 0);
			wl_put(t, slot, next->version[slot]);
		}
	}
}

/* The workload with big transactions: every fifth rewrites about three
 * quarters of the slots with small values (some 150 KiB: several commits
 * on NAND and NOR) and deletes the rest, some after a clear of a type. */
static inline bool wl_is_big(uint32_t i)
{
	return i % 5 == 4;
}

static inline void wl_txn_big(uint64_t seed, uint32_t i, const struct model *m,
			      struct store_txn *t, struct model *next)
{
	uint64_t x = seed * 0x2545f4914f6cdd1dULL + i * 2654435761u + 7;

	if (!wl_is_big(i)) {
		wl_txn(seed, i, m, t, next);
		return;
	}
	*next = *m;
	if (wl_next(&x) % 3 == 0) {
		store_txn_clear(t, STORE_REC_IDENTITY, NULL);
		memset(next->version, 0, WL_KEYS * sizeof(next->version[0]));
	}
	for (int slot = 0; slot < WL_SLOTS; slot++) {
		if (wl_next(&x) % 4 == 0) {
			if (next->version[slot])
				wl_delete(t, slot);
			next->version[slot] = 0;
			continue;
		}
		next->version[slot] = ++next->next_version | 0x80000000u;
		wl_put(t, slot, next->version[slot]);
	}
}

struct wl_check {
	const struct model *m;
	int type_index, seen;
	bool same;
};

static inline int wl_compare_one(const struct store_record *r, void *arg)
{
	static uint8_t value[WL_VALUE_MAX];
	struct wl_check *c = arg;
	uint8_t secret[64];
	int slot = -1;
	uint32_t v;
	size_t len, slen;

	if (r->key_len == 7 && !memcmp(r->key, "key-", 4)) {
		const char *d = (const char *)r->key + 4;

		slot = c->type_index * WL_KEYS + (d[0] - '0') * 100 + (d[1] - '0') * 10 + d[2] - '0';
	}
	if (slot < 0 || !(v = c->m->version[slot])) {
		c->same = false;
		return 1;
	}
	len = wl_value(slot, v, value);
	slen = wl_secret(slot, v, secret);
	if (r->value_len != len || memcmp(r->value, value, len) || r->secret_len != slen ||
	    (slen && memcmp(r->secret, secret, slen))) {
		c->same = false;
		return 1;
	}
	c->seen++;
	return 0;
}

/* Whether the store holds exactly the model's records (markers aside). */
static inline bool wl_matches(struct store *s, const struct model *m)
{
	for (int type = 0; type < WL_TYPES; type++) {
		struct wl_check c = { m, type, 0, true };
		int want = 0;

		for (int k = 0; k < WL_KEYS; k++)
			want += m->version[type * WL_KEYS + k] != 0;
		store_iterate(s, STORE_REC_IDENTITY + type, NULL, 0, wl_compare_one, &c, NULL);
		if (!c.same || c.seen != want)
			return false;
	}
	return true;
}

#endif
