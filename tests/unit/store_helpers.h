/* Helpers shared by the store's tests: the fixture (a store on an
 * emulated flash in memory, formatted and mounted), records with text
 * keys, and reading one back. */
#ifndef CREDSTORE_TEST_STORE_HELPERS_H
#define CREDSTORE_TEST_STORE_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_emu.h"
#include "store.h"

static inline struct flash_geometry test_nand(uint32_t blocks)
{
	return (struct flash_geometry){ FLASH_NAND, 128 << 10, blocks, 2048, 512, true };
}

static inline struct flash_geometry test_nor(uint32_t blocks)
{
	return (struct flash_geometry){ FLASH_NOR, 64 << 10, blocks, 1, 1, false };
}

static inline struct store_options test_options(int redundancy)
{
	struct store_options o = { .redundancy = redundancy };

	for (int i = 0; i < STORE_KEY_LEN; i++)
		o.key[i] = (uint8_t)(i * 7 + 1);
	return o;
}

/* Formats and mounts; aborts the test program on failure. */
static inline struct store *test_mount(struct flash *f, const struct store_options *o,
				       bool format)
{
	struct cs_err err = { 0 };
	struct store *s;

	if (format && store_format(f, o, &err)) {
		fprintf(stderr, "format: %s\n", err.msg);
		exit(2);
	}
	s = store_mount(f, o, &err);
	if (!s)
		fprintf(stderr, "mount: %s\n", err.msg);
	return s;
}

/* The set-up of a store test: x->s mounted on x->f, a fresh emulated
 * flash in memory of geometry x->g, formatted with options x->o. */
struct fixture {
	struct flash_geometry g;
	struct store_options o;
	struct flash *f;
	struct store *s;
};

/* Opens, formats and mounts (o NULL: test_options(1)); aborts the test
 * program on failure. */
static inline struct store *fixture_open(struct fixture *x, struct flash_geometry g,
					 const struct store_options *o)
{
	struct cs_err err = { 0 };

	x->g = g;
	x->o = o ? *o : test_options(1);
	x->f = flash_emu_open(NULL, &g, NULL, &err);
	if (!x->f) {
		fprintf(stderr, "flash_emu_open: %s\n", err.msg);
		exit(2);
	}
	x->s = test_mount(x->f, &x->o, true);
	if (!x->s)
		exit(2);
	return x->s;
}

/* Unmounts and mounts again: x->s, NULL if the mount failed. */
static inline struct store *fixture_remount(struct fixture *x)
{
	store_unmount(x->s);
	x->s = test_mount(x->f, &x->o, false);
	return x->s;
}

static inline void fixture_close(struct fixture *x)
{
	store_unmount(x->s);
	flash_close(x->f);
	x->s = NULL;
	x->f = NULL;
}

/* One put (secret may be NULL) committed on its own. */
static inline int test_put(struct store *s, uint8_t type, const char *key, const char *value,
			   const char *secret)
{
	struct store_txn *t = store_txn_begin(s);
	struct store_record r = { type, key, strlen(key), value, strlen(value),
				  secret, secret ? strlen(secret) : 0 };
	struct cs_err err = { 0 };

	if (store_txn_put(t, &r, &err)) {
		store_txn_abort(t);
		return -err.code;
	}
	return store_txn_commit(t, NULL, &err);
}

/* Whether key holds value (and secret, when not NULL). */
static inline bool test_has(struct store *s, uint8_t type, const char *key, const char *value,
			    const char *secret)
{
	struct store_record r;
	struct cs_err err = { 0 };
	bool same;

	if (store_get(s, type, key, strlen(key), &r, &err))
		return false;
	same = r.value_len == strlen(value) && !memcmp(r.value, value, r.value_len) &&
	       (!secret || (r.secret && r.secret_len == strlen(secret) &&
			    !memcmp(r.secret, secret, r.secret_len)));
	store_record_free(&r);
	return same;
}

#endif
