/* The ordered in-memory index: a skip list of records by (type, key).
 * Written here because neither libc nor the project's libraries offer an
 * ordered map with "first after" searches; a skip list is the shortest
 * one with O(log n) lookups and updates and in-order walks. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static int rec_compare(const struct rec *r, uint8_t type, const void *key, size_t key_len)
{
	size_t n = r->key_len < key_len ? r->key_len : key_len;
	int c;

	if (r->type != type)
		return r->type < type ? -1 : 1;
	c = memcmp(rec_data(r), key, n);
	if (c)
		return c;
	return r->key_len < key_len ? -1 : r->key_len > key_len;
}

static int random_level(struct index *ix)
{
	int level = 1;

	ix->rng ^= ix->rng << 13;
	ix->rng ^= ix->rng >> 7;
	ix->rng ^= ix->rng << 17;
	/* p = 1/4: 1.33 pointers per record on average */
	for (uint64_t r = ix->rng; (r & 3) == 0 && level < INDEX_LEVELS; r >>= 2)
		level++;
	return level;
}

struct rec *rec_new(struct store *s, const struct op *op, uint64_t gen, int level)
{
	size_t data = (size_t)op->key_len + op->value_len + op->secret_len;
	struct rec *r;
	uint8_t *d;

	if (!level)
		level = random_level(&s->idx);
	r = mem_alloc(s, sizeof(*r) + level * sizeof(r->next[0]) + data);
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->level = (uint8_t)level;
	r->type = op->type;
	r->key_len = op->key_len;
	r->value_len = op->value_len;
	r->secret_len = op->secret_len;
	r->gen = gen;
	d = rec_data(r);
	memcpy(d, op->key, op->key_len);
	memcpy(d + op->key_len, op->value, op->value_len);
	memcpy(d + op->key_len + op->value_len, op->secret, op->secret_len);
	return r;
}

void rec_free(struct store *s, struct rec *r)
{
	mem_free(s, r);
}

/* Fills update[] with the last record before (type, key) at each level. */
static struct rec *find_before(struct store *s, uint8_t type, const void *key,
			       size_t key_len, struct rec ***update)
{
	struct rec **next = s->idx.head;

	for (int l = INDEX_LEVELS - 1; l >= 0; l--) {
		while (next[l] && rec_compare(next[l], type, key, key_len) < 0)
			next = next[l]->next;
		if (update)
			update[l] = next;
	}
	return next[0];
}

struct rec *index_find(struct store *s, uint8_t type, const void *key, size_t key_len)
{
	struct rec *r = find_before(s, type, key, key_len, NULL);

	return r && !rec_compare(r, type, key, key_len) ? r : NULL;
}

struct rec *index_next(struct store *s, uint8_t type, const void *key, size_t key_len)
{
	struct rec *r = find_before(s, type, key ? key : "", key ? key_len : 0, NULL);

	if (key && r && !rec_compare(r, type, key, key_len))
		r = r->next[0];
	return r && r->type == type ? r : NULL;
}

void index_insert(struct store *s, struct rec *r)
{
	struct rec **update[INDEX_LEVELS];

	find_before(s, r->type, rec_data(r), r->key_len, update);
	for (int l = 0; l < r->level; l++) {
		r->next[l] = update[l][l];
		update[l][l] = r;
	}
	s->counts[r->type]++;
}

/* One search, where a remove and an insert take two more: the update of
 * a record is the most common change. */
void index_replace(struct store *s, struct rec *old, struct rec *r)
{
	struct rec **update[INDEX_LEVELS];

	find_before(s, old->type, rec_data(old), old->key_len, update);
	for (int l = 0; l < old->level; l++) {
		r->next[l] = old->next[l];
		update[l][l] = r;
	}
}

void index_remove(struct store *s, struct rec *r)
{
	struct rec **update[INDEX_LEVELS];

	find_before(s, r->type, rec_data(r), r->key_len, update);
	for (int l = 0; l < r->level; l++)
		if (update[l][l] == r)
			update[l][l] = r->next[l];
	s->counts[r->type]--;
}

void index_destroy(struct store *s)
{
	struct rec *r = s->idx.head[0], *next;

	for (; r; r = next) {
		next = r->next[0];
		rec_free(s, r);
	}
	memset(s->idx.head, 0, sizeof(s->idx.head));
}

void rec_to_op(const struct rec *r, struct op *op, bool forwarded)
{
	*op = (struct op){
		.kind = OP_PUT,
		.type = r->type,
		.key_len = r->key_len,
		.flags = r->secret_len ? OP_FLAG_SEALED : 0,
		.value_len = r->value_len,
		.secret_len = r->secret_len,
		.gen = r->gen,
		.has_gen = forwarded,
		.key = rec_data(r),
		.value = rec_data(r) + r->key_len,
		.secret = rec_data(r) + r->key_len + r->value_len,
	};
}

size_t rec_op_size(const struct rec *r, bool forwarded)
{
	struct op op;

	rec_to_op(r, &op, forwarded);
	return op_size(&op);
}
