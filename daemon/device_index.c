/* Three hash tables (common/hashtab.h) over one set of entries.
 *
 * The hashes are keyed with a random key per index: ids and fingerprints
 * come from outside (an administrator, a certificate), and unkeyed hashes
 * would let whoever chooses them pile entries into one probe chain. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "device_index.h"
#include "hashtab.h"

enum { BY_ID, BY_MASTER, BY_SUB, TABLES };	/* BY_MASTER + slot: a slot's table */

struct device_entry {
	uint32_t hash[TABLES];		/* of the id, of each fingerprint */
	uint8_t in;			/* bit per table that holds the entry */
	char id[];
};

struct device_index {
	uint64_t key;
	struct cs_hashtab t[TABLES];	/* of struct device_entry */
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
	for (int k = 0; ix && k < TABLES; k++)
		cs_hashtab_init(&ix->t[k], offsetof(struct device_entry, hash) + k * sizeof(uint32_t));
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

int device_index_reserve(struct device_index *ix, size_t n)
{
	for (int k = 0; k < TABLES; k++)
		if (cs_hashtab_reserve(&ix->t[k], n))
			return -ENOMEM;
	return 0;
}

static struct device_entry *find_id(const struct device_index *ix, const char *id)
{
	const struct cs_hashtab *t = &ix->t[BY_ID];
	uint32_t h, i;

	if (!t->count)
		return NULL;
	h = hash_bytes(ix->key, id, strlen(id));
	for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
		struct device_entry *e = t->slot[i];

		if (e->hash[BY_ID] == h && !strcmp(e->id, id))
			return e;
	}
	return NULL;
}

void device_index_remove(struct device_index *ix, const char *id)
{
	struct device_entry *e = find_id(ix, id);

	if (!e)
		return;
	for (int k = 0; k < TABLES; k++)
		if (e->in & (1u << k))
			cs_hashtab_remove(&ix->t[k], e);
	free(e);
}

void device_index_put(struct device_index *ix, struct device_entry *e)
{
	device_index_remove(ix, e->id);
	for (int k = 0; k < TABLES; k++)
		if (e->in & (1u << k))
			cs_hashtab_place(&ix->t[k], e);
}

/* The tables keep their size: room reserved before a clear stays. */
void device_index_clear(struct device_index *ix)
{
	struct cs_hashtab *ids = &ix->t[BY_ID];

	for (size_t i = 0; ids->slot && i <= ids->mask; i++)
		free(ids->slot[i]);
	for (int k = 0; k < TABLES; k++)
		cs_hashtab_clear(&ix->t[k]);
}

void device_index_free(struct device_index *ix)
{
	if (!ix)
		return;
	device_index_clear(ix);
	for (int k = 0; k < TABLES; k++)
		cs_hashtab_free(&ix->t[k]);
	free(ix);
}

size_t device_index_count(const struct device_index *ix)
{
	return ix->t[BY_ID].count;
}

int device_index_find_fp(const struct device_index *ix, int slot, const uint8_t *fp,
			 int (*fn)(const char *id, void *arg), void *arg)
{
	const struct cs_hashtab *t = &ix->t[BY_MASTER + slot];
	uint32_t h, i;
	int r = 0;

	if (!t->count)
		return 0;
	h = hash_bytes(ix->key, fp, CREDSTORE_FINGERPRINT_LEN);
	for (i = h & t->mask; t->slot[i] && !r; i = (i + 1) & t->mask) {
		const struct device_entry *e = t->slot[i];

		if (e->hash[BY_MASTER + slot] == h)
			r = fn(e->id, arg);
	}
	return r;
}
