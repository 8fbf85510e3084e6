/* The cache of master secrets: a slab of entries on two lists, the free
 * ones and the used ones from the oldest insertion to the newest (the
 * oldest makes room when the slab is full, so the size is a hard bound
 * and every step costs the same), found through a hash table
 * (common/hashtab.h) at most half full, for short chains: a lookup is
 * made at every handshake.  Only device ids the store knows are ever
 * inserted, so an unknown peer cannot shape the index.
 *
 * The slab holds secrets: it is its own mapping, kept out of core dumps
 * and, where RLIMIT_MEMLOCK allows, out of swap; every entry that goes is
 * wiped with OPENSSL_cleanse. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <openssl/crypto.h>

#include "hashtab.h"
#include "keycache.h"

#define EMPTY	UINT32_MAX

struct entry {
	char id[CREDSTORE_DEVICE_ID_MAX];
	uint8_t key[CREDSTORE_SECRET_MAX];
	size_t len;			/* 0: a free entry */
	uint32_t hash;
	time_t expires;
	uint32_t older, newer;		/* the lists' links: slab positions; EMPTY */
};

struct keycache {
	struct entry *slab;
	size_t n, count, slab_bytes;
	uint32_t oldest, newest, free;	/* the lists: slab positions; EMPTY */
	struct cs_hashtab index;	/* of the used entries */
	unsigned int seconds;
	time_t swept;
};

/* FNV-1a: short printable ids, no adversary choosing them (its low
 * bits: the index is far smaller than 2^32 slots). */
static uint32_t hash_id(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *id; id++)
		h = (h ^ (uint8_t)*id) * 0x100000001b3ULL;
	return (uint32_t)h;
}

struct keycache *keycache_new(size_t entries, unsigned int seconds)
{
	struct keycache *kc;

	if (entries < 1 || entries > KEYCACHE_ENTRIES_MAX || seconds < 1 ||
	    seconds > KEYCACHE_SECONDS_MAX)
		return NULL;
	kc = calloc(1, sizeof(*kc));
	if (!kc)
		return NULL;
	cs_hashtab_init(&kc->index, offsetof(struct entry, hash));
	/* room for half as many again: at most half full (the table's
	 * bound is three quarters) */
	if (cs_hashtab_reserve(&kc->index, entries + (entries + 1) / 2))
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
	cs_hashtab_free(&kc->index);
	free(kc);
}

static struct entry *find(const struct keycache *kc, const char *id, uint32_t hash)
{
	const struct cs_hashtab *t = &kc->index;

	for (uint32_t i = hash & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
		struct entry *e = t->slot[i];

		if (e->hash == hash && !strcmp(e->id, id))
			return e;
	}
	return NULL;
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

/* Out of the index (first: it reads the hash), then released. */
static void drop(struct keycache *kc, struct entry *e)
{
	cs_hashtab_remove(&kc->index, e);
	release(kc, (uint32_t)(e - kc->slab));
}

bool keycache_get(struct keycache *kc, const char *device_id, uint8_t *key, size_t *len,
		  time_t now)
{
	struct entry *e = find(kc, device_id, hash_id(device_id));

	if (!e)
		return false;
	if (now >= e->expires) {
		drop(kc, e);
		return false;
	}
	memcpy(key, e->key, e->len);
	*len = e->len;
	return true;
}

void keycache_put(struct keycache *kc, const char *device_id, const uint8_t *key, size_t len,
		  time_t now)
{
	uint32_t hash = hash_id(device_id), p;
	struct entry *e;

	if (len == 0 || len > CREDSTORE_SECRET_MAX || strlen(device_id) >= CREDSTORE_DEVICE_ID_MAX)
		return;
	e = find(kc, device_id, hash);
	if (!e) {
		if (kc->free == EMPTY)		/* full: the oldest insertion makes room */
			drop(kc, &kc->slab[kc->oldest]);
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
		kc->count++;
		strcpy(e->id, device_id);
		e->hash = hash;
		cs_hashtab_place(&kc->index, e);
	}
	OPENSSL_cleanse(e->key, sizeof(e->key));
	memcpy(e->key, key, len);
	e->len = len;
	e->expires = now + (time_t)kc->seconds;
}

void keycache_forget(struct keycache *kc, const char *device_id)
{
	struct entry *e = find(kc, device_id, hash_id(device_id));

	if (e)
		drop(kc, e);
}

void keycache_clear(struct keycache *kc)
{
	OPENSSL_cleanse(kc->slab, kc->slab_bytes);
	cs_hashtab_clear(&kc->index);
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
			drop(kc, &kc->slab[p]);
}

size_t keycache_count(const struct keycache *kc)
{
	return kc->count;
}
