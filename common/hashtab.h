/* An open-addressing hash table of pointers to the caller's entries:
 * linear probing, at most three quarters full, removal by backward shift
 * (the entries probed past a hole move back into it: no tombstones, so
 * chains stay as short as the load allows after any number of removals).
 * Shared by the daemon's device index and credstore-coapd's key cache;
 * written here because glibc's hsearch cannot delete and keeps one table
 * per process, and a tree (tsearch) costs four times the memory.
 *
 * The caller hashes its keys (keyed, where outsiders choose them: else
 * they could pile entries into one chain), keeps each entry's hash as a
 * uint32_t inside the entry at hash_offset, and walks a chain itself to
 * find by key, so that its comparison costs no call:
 *
 *	for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask)
 *		if (its hash == h && its key matches) ...
 *
 * (with t->count 0 there may be no slots at all: test it first). */
#ifndef CREDSTORE_HASHTAB_H
#define CREDSTORE_HASHTAB_H

#include <stddef.h>
#include <stdint.h>

struct cs_hashtab {
	void **slot;			/* NULL: no room made yet */
	uint32_t mask;			/* slots - 1, a power of two */
	uint32_t count;
	size_t hash_offset;		/* of the entries' uint32_t hash */
};

void cs_hashtab_init(struct cs_hashtab *t, size_t hash_offset);
/* Room for n more entries, so that the next n places do not allocate:
 * 0 or -ENOMEM (the table is as it was). */
int cs_hashtab_reserve(struct cs_hashtab *t, size_t n);
/* Within the room reserved: never fails. */
void cs_hashtab_place(struct cs_hashtab *t, void *entry);
/* entry must be in the table. */
void cs_hashtab_remove(struct cs_hashtab *t, const void *entry);
/* Empty, keeping the room (the entries are the caller's). */
void cs_hashtab_clear(struct cs_hashtab *t);
void cs_hashtab_free(struct cs_hashtab *t);

#endif
