/* The store's heap, counted: every allocation the store keeps passes
 * here, so that store_status reports the heap it really holds (the
 * allocator's chunks, as glibc sizes them), not an estimate of what its
 * records should take.  Copies handed to the caller (store_get) are the
 * caller's and are not counted. */
#include <malloc.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "store_int.h"

/* A chunk's usable bytes and the size word glibc keeps before them. */
static size_t chunk(void *p)
{
	return p ? malloc_usable_size(p) + sizeof(size_t) : 0;
}

void *mem_alloc(struct store *s, size_t n)
{
	void *p = malloc(n ? n : 1);

	s->heap_bytes += chunk(p);
	return p;
}

void *mem_zalloc(struct store *s, size_t n)
{
	void *p = calloc(1, n ? n : 1);

	s->heap_bytes += chunk(p);
	return p;
}

void *mem_realloc(struct store *s, void *p, size_t n)
{
	size_t before = chunk(p);
	void *q = realloc(p, n ? n : 1);

	if (q)
		s->heap_bytes += chunk(q) - before;
	return q;
}

void mem_free(struct store *s, void *p)
{
	s->heap_bytes -= chunk(p);
	free(p);
}

void mem_clear_free(struct store *s, void *p, size_t len)
{
	s->heap_bytes -= chunk(p);
	OPENSSL_clear_free(p, len);
}

void mem_count_store(struct store *s)
{
	s->heap_bytes += chunk(s);
}
