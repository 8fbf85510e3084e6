#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashtab.h"

#define MIN_SLOTS	64

void cs_hashtab_init(struct cs_hashtab *t, size_t hash_offset)
{
	*t = (struct cs_hashtab){ .hash_offset = hash_offset };
}

static uint32_t home(const struct cs_hashtab *t, const void *entry)
{
	uint32_t h;

	memcpy(&h, (const char *)entry + t->hash_offset, sizeof(h));
	return h & t->mask;
}

static size_t slots(const struct cs_hashtab *t)
{
	return t->slot ? (size_t)t->mask + 1 : 0;
}

void cs_hashtab_place(struct cs_hashtab *t, void *entry)
{
	uint32_t i = home(t, entry);

	while (t->slot[i])
		i = (i + 1) & t->mask;
	t->slot[i] = entry;
	t->count++;
}

int cs_hashtab_reserve(struct cs_hashtab *t, size_t n)
{
	size_t cap = slots(t) ? slots(t) : MIN_SLOTS;
	struct cs_hashtab bigger = { .hash_offset = t->hash_offset };

	while ((t->count + n) * 4 > cap * 3)
		cap *= 2;
	if (cap == slots(t))
		return 0;
	if (cap > UINT32_MAX || !(bigger.slot = calloc(cap, sizeof(*bigger.slot))))
		return -ENOMEM;
	bigger.mask = (uint32_t)(cap - 1);
	for (size_t i = 0; i < slots(t); i++)
		if (t->slot[i])
			cs_hashtab_place(&bigger, t->slot[i]);
	free(t->slot);
	*t = bigger;
	return 0;
}

/* An entry after the hole moves into it unless its home lies cyclically
 * in (hole, j]: there a lookup starting at its home would not pass the
 * hole. */
void cs_hashtab_remove(struct cs_hashtab *t, const void *entry)
{
	uint32_t hole = home(t, entry), j;

	while (t->slot[hole] != entry)
		hole = (hole + 1) & t->mask;
	for (j = (hole + 1) & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
		uint32_t h = home(t, t->slot[j]);

		if (((j - h) & t->mask) >= ((j - hole) & t->mask)) {
			t->slot[hole] = t->slot[j];
			hole = j;
		}
	}
	t->slot[hole] = NULL;
	t->count--;
}

void cs_hashtab_clear(struct cs_hashtab *t)
{
	if (t->slot)
		memset(t->slot, 0, slots(t) * sizeof(*t->slot));
	t->count = 0;
}

void cs_hashtab_free(struct cs_hashtab *t)
{
	free(t->slot);
	cs_hashtab_init(t, t->hash_offset);
}
