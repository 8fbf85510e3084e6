/* A full store: filled one record per commit until it refuses, it must
 * still take everything that does not grow it (overwrites, deletes, a
 * clear) and changes that grow what it holds a little; it must refuse
 * every add, a batch as well as a single one, without writing anything;
 * and `free_bytes` must be exactly what an add can use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_devices.h"
#include "store_helpers.h"
#include "tap.h"

#define VALUE_LEN	DEV_VALUE_LEN
#define OVERWRITES	2000

static struct fixture fx;

static int commit(struct store_txn *t)
{
	struct cs_err err = { 0 };

	return store_txn_commit(t, NULL, &err);
}

static int put(uint32_t i, uint32_t version, size_t value_len)
{
	struct store_txn *t = store_txn_begin(fx.s);

	dev_put(t, i, version, value_len);
	return commit(t);
}

static int delete(uint32_t i)
{
	struct store_txn *t = store_txn_begin(fx.s);
	uint8_t id[DEV_ID_LEN];

	dev_random_bytes(i, id, DEV_ID_LEN);
	if (store_txn_delete(t, STORE_REC_DEVICE, id, DEV_ID_LEN, NULL))
		abort();
	return commit(t);
}

static struct store_status status(void)
{
	struct store_status st;

	store_status(fx.s, &st);
	return st;
}

/* A batch of count adds from device `from` in one transaction. */
static int add_batch(uint32_t from, uint32_t count)
{
	struct store_txn *t = store_txn_begin(fx.s);

	for (uint32_t k = 0; k < count; k++)
		dev_put(t, from + k, 0, VALUE_LEN);
	return commit(t);
}

int main(void)
{
	struct store_status before, st;
	uint32_t n = 0, accepted = 0;
	bool free_agrees = true;
	int rc = 0;

	fixture_open(&fx, test_nand(8), NULL);

	/* fill: free_bytes says in advance whether each add is taken */
	while (rc == 0) {
		bool room = status().free_bytes >= dev_size(VALUE_LEN);

		rc = put(n, 0, VALUE_LEN);
		free_agrees &= room == (rc == 0);
		n += rc == 0;
	}
	st = status();
	ok(rc == -ENOSPC && n > 1000, "filled one record per commit: %u records, then %d", n, rc);
	ok(free_agrees && st.free_bytes < dev_size(VALUE_LEN),
	   "free_bytes is what an add can use, before every add (%llu left at the end)",
	   (unsigned long long)st.free_bytes);
	ok(st.live_bytes <= st.capacity_bytes, "no add went past the capacity (%llu of %llu)",
	   (unsigned long long)st.live_bytes, (unsigned long long)st.capacity_bytes);

	for (uint32_t k = 0; k < OVERWRITES; k++)
		accepted += put((uint32_t)rand() % n, k + 1, VALUE_LEN) == 0;
	ok(accepted == OVERWRITES, "full: %u of %d overwrites taken", accepted, OVERWRITES);

	before = status();
	rc = add_batch(n, 3);
	st = status();
	ok(rc == -ENOSPC && st.generation == before.generation && st.live_bytes == before.live_bytes,
	   "full: a batch of 3 adds is refused whole (%d)", rc);
	rc = add_batch(n, 1500);
	st = status();
	ok(rc == -ENOSPC && st.generation == before.generation && st.live_bytes == before.live_bytes,
	   "full: a batch larger than a segment (in parts) is refused before a part is written "
	   "(%d)", rc);

	accepted = 0;
	for (uint32_t k = 0; k < 20; k++)
		accepted += delete(k) == 0;
	ok(accepted == 20, "full: deletes taken");
	accepted = 0;
	for (uint32_t k = 0; k < 20; k++)
		accepted += put(n + k, 0, VALUE_LEN) == 0;
	ok(accepted == 20 && put(n + 20, 0, VALUE_LEN) == -ENOSPC,
	   "the room 20 deletes freed takes 20 adds, not one more");

	accepted = 0;
	for (uint32_t k = 100; k < 300; k++)
		accepted += put(k, 1000, VALUE_LEN + 16) == 0;
	st = status();
	ok(accepted == 200 && st.live_bytes > st.capacity_bytes,
	   "full: 200 changes that grow records taken, into the margin (%llu over the capacity)",
	   (unsigned long long)(st.live_bytes - st.capacity_bytes));
	ok(put(n + 100, 0, VALUE_LEN) == -ENOSPC && status().free_bytes == 0,
	   "over the capacity, adds are refused and nothing is free");

	before = status();
	fixture_remount(&fx);
	st = status();
	ok(st.records[STORE_REC_DEVICE] == before.records[STORE_REC_DEVICE] &&
	   st.live_bytes == before.live_bytes, "after a remount: the same %u records",
	   st.records[STORE_REC_DEVICE]);
	{
		struct store_txn *t = store_txn_begin(fx.s);

		if (store_txn_clear(t, STORE_REC_DEVICE, NULL))
			abort();
		dev_put(t, 1, 7, VALUE_LEN);
		rc = commit(t);
	}
	ok(rc == 0 && status().records[STORE_REC_DEVICE] == 1,
	   "full: a reset of every record with an add in the same commit is taken");
	fixture_close(&fx);
	return tap_done();
}
