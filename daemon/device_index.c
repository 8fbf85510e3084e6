/* Three open-addressing hash tables (linear probing, deletion by
 * backward shift) over one set of entries.  Written here because glibc's
 * hsearch cannot delete and keeps one table per process, and a tree
 * (tsearch) costs four times the memory per device.
 *
 * The hashes are keyed with a random key per index: ids and fingerprints
 * come from outside (an administrator, a certificate), and unkeyed hashes
 * would let whoever chooses them pile entries into one probe chain. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "device_index.h"

enum { BY_ID, BY_MASTER, BY_SUB, TABLES };	/* BY_MASTER + slot: a slot's table */

#define MIN_CAPACITY	64

struct device_entry {
	uint32_t hash[TABLES];		/* of the id, of each fingerprint */
	uint8_t in;			/* bit per table that holds the entry */
	char id[];
};

struct table {
	struct device_entry **slot;
	uint32_t mask;			/* capacity - 1, a power of two; 0: none */
	uint32_t count;
};

struct device_index {
	uint64_t key;
	struct table t[TABLES];
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint32_t hash_bytes(uint64_t key, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = mix(key ^ len), w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = mix(h ^ w);
	}
	w = 0;
	memcpy(&w, p, len);
	return (uint32_t)(mix(h ^ w ^ key) >> 32);
}

struct device_index *device_index_new(void)
{
	struct device_index *ix = calloc(1, sizeof(*ix));

	if (ix && getrandom(&ix->key, sizeof(ix->key), 0) != sizeof(ix->key)) {
		free(ix);
		return NULL;
	}
	return ix;
}

struct device_entry *device_entry_new(const struct device_index *ix, const char *id,
				      const uint8_t *const fp[SLOT_COUNT])
{
	size_t len = strlen(id) + 1;
	struct device_entry *e = malloc(sizeof(*e) + len);

	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, len);
	e->hash[BY_ID] = hash_bytes(ix->key, id, len - 1);
	for (int s = 0; s < SLOT_COUNT; s++)
		if (fp[s])
			e->hash[BY_MASTER + s] = hash_bytes(ix->key, fp[s], CREDSTORE_FINGERPRINT_LEN);
	/* in the id's table always, in a fingerprint's when it has one */
	e->in = 1u << BY_ID | (fp[SLOT_MASTER] ? 1u << BY_MASTER : 0) |
		(fp[SLOT_SUB] ? 1u << BY_SUB : 0);
	return e;
}

void device_entry_free(struct device_entry *e)
{
	free(e);
}

static uint32_t capacity(const struct table *t)
{
	return t->slot ? t->mask + 1 : 0;
}

static void place(struct table *t, struct device_entry *e, int k)
{
	uint32_t i = e->hash[k] & t->mask;

	while (t->slot[i])
		i = (i + 1) & t->mask;
	t->slot[i] = e;
	t->count++;
}

/* At most three quarters full, for short probe chains. */
static int make_room(struct table *t, int k, size_t n)
{
	size_t cap = capacity(t) ? capacity(t) : MIN_CAPACITY;
	struct table bigger = { 0 };

	while ((t->count + n) * 4 > cap * 3)
		cap *= 2;
	if (cap == capacity(t))
		return 0;
	if (cap > UINT32_MAX || !(bigger.slot = calloc(cap, sizeof(*bigger.slot))))
		return -ENOMEM;
	bigger.mask = (uint32_t)(cap - 1);
	for (uint32_t i = 0; i < capacity(t); i++)
		if (t->slot[i])
			place(&bigger, t->slot[i], k);
	free(t->slot);
	*t = bigger;
	return 0;
}

int device_index_reserve(struct device_index *ix, size_t n)
{
	for (int k = 0; k < TABLES; k++)
		if (make_room(&ix->t[k], k, n))
			return -ENOMEM;
	return 0;
}

/* Backward-shift deletion: the entries after the hole that may move
 * into it (their home is not between the hole and them) do. */
static void unplace(struct table *t, const struct device_entry *e, int k)
{
	uint32_t hole = e->hash[k] & t->mask, j;

	while (t->slot[hole] != e)
		hole = (hole + 1) & t->mask;
	for (j = (hole + 1) & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
		uint32_t home = t->slot[j]->hash[k] & t->mask;

		if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
			t->slot[hole] = t->slot[j];
			hole = j;
		}
	}
	t->slot[hole] = NULL;
	t->count--;
}

static struct device_entry *find_id(const struct device_index *ix, const char *id)
{
	const struct table *t = &ix->t[BY_ID];
	uint32_t h, i;

	if (!t->count)
		return NULL;
	h = hash_bytes(ix->key, id, strlen(id));
	for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask)
		if (t->slot[i]->hash[BY_ID] == h && !strcmp(t->slot[i]->id, id))
			return t->slot[i];
	return NULL;
}

void device_index_remove(struct device_index *ix, const char *id)
{
	struct device_entry *e = find_id(ix, id);

	if (!e)
		return;
	for (int k = 0; k < TABLES; k++)
		if (e->in & (1u << k))
			unplace(&ix->t[k], e, k);
	free(e);
}

void device_index_put(struct device_index *ix, struct device_entry *e)
{
	device_index_remove(ix, e->id);
	for (int k = 0; k < TABLES; k++)
		if (e->in & (1u << k))
			place(&ix->t[k], e, k);
}

/* The tables keep their size: room reserved before a clear stays. */
void device_index_clear(struct device_index *ix)
{
	struct table *ids = &ix->t[BY_ID];

	for (uint32_t i = 0; i < capacity(ids); i++)
		free(ids->slot[i]);
	for (int k = 0; k < TABLES; k++) {
		if (ix->t[k].slot)
			memset(ix->t[k].slot, 0, capacity(&ix->t[k]) * sizeof(*ix->t[k].slot));
		ix->t[k].count = 0;
	}
}

void device_index_free(struct device_index *ix)
{
	if (!ix)
		return;
	device_index_clear(ix);
	for (int k = 0; k < TABLES; k++)
		free(ix->t[k].slot);
	free(ix);
}

size_t device_index_count(const struct device_index *ix)
{
	return ix->t[BY_ID].count;
}

int device_index_find_fp(const struct device_index *ix, int slot, const uint8_t *fp,
			 int (*fn)(const char *id, void *arg), void *arg)
{
	const struct table *t = &ix->t[BY_MASTER + slot];
	uint32_t h, i;
	int r = 0;

	if (!t->count)
		return 0;
	h = hash_bytes(ix->key, fp, CREDSTORE_FINGERPRINT_LEN);
	for (i = h & t->mask; t->slot[i] && !r; i = (i + 1) & t->mask)
		if (t->slot[i]->hash[BY_MASTER + slot] == h)
			r = fn(t->slot[i]->id, arg);
	return r;
}
