/* The cache of master secrets: a slab of entries on two lists, the free
 * ones and the used ones from the oldest insertion to the newest (the
 * oldest makes room when the slab is full, so the size is a hard bound
 * and every step costs the same), found through an open-addressing index
 * of twice as many slots (linear probing; removal shifts the probe chain
 * back, so there are no tombstones to clean).  Only device ids the store knows
 * are ever inserted, so an unknown peer cannot shape the index.
 *
 * The slab holds secrets: it is its own mapping, kept out of core dumps
 * and, where RLIMIT_MEMLOCK allows, out of swap; every entry that goes is
 * wiped with OPENSSL_cleanse. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <openssl/crypto.h>

#include "keycache.h"

#define EMPTY	UINT32_MAX

struct entry {
	char id[CREDSTORE_DEVICE_ID_MAX];
	uint8_t key[CREDSTORE_SECRET_MAX];
	size_t len;			/* 0: a free entry */
	uint64_t hash;
	time_t expires;
	uint32_t older, newer;		/* the lists' links: slab positions; EMPTY */
};

struct keycache {
	struct entry *slab;
	size_t n, count, slab_bytes;
	uint32_t oldest, newest, free;	/* the lists: slab positions; EMPTY */
	uint32_t *index;		/* slab positions; EMPTY */
	size_t mask;			/* index slots - 1 (a power of two) */
	unsigned int seconds;
	time_t swept;
};

/* FNV-1a: short printable ids, no adversary choosing them. */
static uint64_t hash_id(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *id; id++)
		h = (h ^ (uint8_t)*id) * 0x100000001b3ULL;
	return h;
}

struct keycache *keycache_new(size_t entries, unsigned int seconds)
{
	struct keycache *kc;
	size_t slots = 2;

	if (entries < 1 || entries > KEYCACHE_ENTRIES_MAX || seconds < 1 ||
	    seconds > KEYCACHE_SECONDS_MAX)
		return NULL;
	kc = calloc(1, sizeof(*kc));
	while (slots < 2 * entries)
		slots *= 2;
	if (!kc || !(kc->index = malloc(slots * sizeof(*kc->index))))
		goto fail;
	kc->slab_bytes = entries * sizeof(struct entry);
	kc->slab = mmap(NULL, kc->slab_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (kc->slab == MAP_FAILED) {
		kc->slab = NULL;
		goto fail;
	}
	(void)madvise(kc->slab, kc->slab_bytes, MADV_DONTDUMP);
	(void)mlock(kc->slab, kc->slab_bytes);	/* best effort: see RLIMIT_MEMLOCK */
	kc->n = entries;
	kc->mask = slots - 1;
	kc->seconds = seconds;
	keycache_clear(kc);
	return kc;
fail:
	keycache_free(kc);
	return NULL;
}

void keycache_free(struct keycache *kc)
{
	if (!kc)
		return;
	if (kc->slab) {
		OPENSSL_cleanse(kc->slab, kc->slab_bytes);
		munmap(kc->slab, kc->slab_bytes);
	}
	free(kc->index);
	free(kc);
}

/* The index slot that holds slab position pos, or the free slot where
 * the id would go (*found false). */
static size_t probe(const struct keycache *kc, const char *id, uint64_t hash, bool *found)
{
	size_t i = hash & kc->mask;

	for (; kc->index[i] != EMPTY; i = (i + 1) & kc->mask) {
		const struct entry *e = &kc->slab[kc->index[i]];

		if (e->hash == hash && !strcmp(e->id, id)) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return i;
}

/* Take entry p off the used list, wipe it, put it on the free list. */
static void release(struct keycache *kc, uint32_t p)
{
	struct entry *e = &kc->slab[p];

	if (e->older == EMPTY)
		kc->oldest = e->newer;
	else
		kc->slab[e->older].newer = e->newer;
	if (e->newer == EMPTY)
		kc->newest = e->older;
	else
		kc->slab[e->newer].older = e->older;
	OPENSSL_cleanse(e, sizeof(*e));
	e->older = EMPTY;
	e->newer = kc->free;
	kc->free = p;
	kc->count--;
}

/* Empty index slot i and release its entry; the entries probed past it
 * move back where a lookup will meet them. */
static void remove_slot(struct keycache *kc, size_t i)
{
	size_t j = i;

	release(kc, kc->index[i]);
	kc->index[i] = EMPTY;
	for (;;) {
		size_t home;

		j = (j + 1) & kc->mask;
		if (kc->index[j] == EMPTY)
			return;
		home = kc->slab[kc->index[j]].hash & kc->mask;
		/* Leave it if its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		kc->index[i] = kc->index[j];
		kc->index[j] = EMPTY;
		i = j;
	}
}

static void remove_entry(struct keycache *kc, const struct entry *e)
{
	bool found;
	size_t i = probe(kc, e->id, e->hash, &found);

	if (found)
		remove_slot(kc, i);
}

bool keycache_get(struct keycache *kc, const char *device_id, uint8_t *key, size_t *len,
		  time_t now)
{
	bool found;
	size_t i = probe(kc, device_id, hash_id(device_id), &found);
	const struct entry *e;

	if (!found)
		return false;
	e = &kc->slab[kc->index[i]];
	if (now >= e->expires) {
		remove_slot(kc, i);
		return false;
	}
	memcpy(key, e->key, e->len);
	*len = e->len;
	return true;
}

void keycache_put(struct keycache *kc, const char *device_id, const uint8_t *key, size_t len,
		  time_t now)
{
	uint64_t hash = hash_id(device_id);
	bool found;
	size_t i;
	uint32_t p;
	struct entry *e;

	if (len == 0 || len > CREDSTORE_SECRET_MAX || strlen(device_id) >= CREDSTORE_DEVICE_ID_MAX)
		return;
	i = probe(kc, device_id, hash, &found);
	if (found) {
		e = &kc->slab[kc->index[i]];
	} else {
		if (kc->free == EMPTY) {	/* full: the oldest insertion makes room */
			remove_entry(kc, &kc->slab[kc->oldest]);
			i = probe(kc, device_id, hash, &found);	/* the chain may have moved */
		}
		p = kc->free;
		e = &kc->slab[p];
		kc->free = e->newer;
		e->older = kc->newest;
		e->newer = EMPTY;
		if (kc->newest == EMPTY)
			kc->oldest = p;
		else
			kc->slab[kc->newest].newer = p;
		kc->newest = p;
		kc->index[i] = p;
		kc->count++;
		strcpy(e->id, device_id);
		e->hash = hash;
	}
	OPENSSL_cleanse(e->key, sizeof(e->key));
	memcpy(e->key, key, len);
	e->len = len;
	e->expires = now + (time_t)kc->seconds;
}

void keycache_forget(struct keycache *kc, const char *device_id)
{
	bool found;
	size_t i = probe(kc, device_id, hash_id(device_id), &found);

	if (found)
		remove_slot(kc, i);
}

void keycache_clear(struct keycache *kc)
{
	OPENSSL_cleanse(kc->slab, kc->slab_bytes);
	memset(kc->index, 0xff, (kc->mask + 1) * sizeof(*kc->index));
	for (size_t p = 0; p < kc->n; p++) {
		kc->slab[p].older = EMPTY;
		kc->slab[p].newer = p + 1 < kc->n ? (uint32_t)(p + 1) : EMPTY;
	}
	kc->free = 0;
	kc->oldest = kc->newest = EMPTY;
	kc->count = 0;
}

void keycache_expire(struct keycache *kc, time_t now)
{
	if (now == kc->swept)
		return;
	kc->swept = now;
	/* Not in insertion order: a replaced key got a later time. */
	for (size_t p = 0; p < kc->n && kc->count; p++)
		if (kc->slab[p].len && now >= kc->slab[p].expires)
			remove_entry(kc, &kc->slab[p]);
}

size_t keycache_count(const struct keycache *kc)
{
	return kc->count;
}
