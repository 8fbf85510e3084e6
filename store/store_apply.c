/* Applying operations to the index, the same way for a new commit and for
 * a replay at mount.  The newest generation wins: a put replaces an older
 * or equal record, a delete removes an older or equal one, a clear removes
 * every older record of its type.  Deletes and clears are remembered in
 * their segment (tombs) so that GC can carry them forward while older
 * copies of what they removed may still be on flash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static void seg_link(struct store *s, struct segment *seg, struct rec *r)
{
	uint32_t size = rec_op_size(r, true);

	r->slot = seg->slot;
	r->seg_next = NULL;
	r->seg_prev = seg->live_last;
	if (seg->live_last)
		seg->live_last->seg_next = r;
	else
		seg->live = r;
	seg->live_last = r;
	seg->live_count++;
	seg->live_bytes += size;
	s->live_bytes += size;
}

static void seg_unlink(struct store *s, struct rec *r)
{
	struct segment *seg = s->slots[r->slot];
	uint32_t size = rec_op_size(r, true);

	if (r->seg_prev)
		r->seg_prev->seg_next = r->seg_next;
	else
		seg->live = r->seg_next;
	if (r->seg_next)
		r->seg_next->seg_prev = r->seg_prev;
	else
		seg->live_last = r->seg_prev;
	seg->live_count--;
	seg->live_bytes -= size;
	s->live_bytes -= size;
}

void seg_drop_tombs(struct store *s, struct segment *seg)
{
	struct tomb *t, *next;

	for (t = seg->tombs; t; t = next) {
		next = t->next;
		mem_free(s, t);
	}
	seg->tombs = NULL;
}

void seg_free(struct store *s, struct segment *seg)
{
	seg_drop_tombs(s, seg);
	mem_free(s, seg->finals);
	mem_free(s, seg);
}

static int add_tomb(struct store *s, struct segment *seg, const struct op *op, uint64_t gen)
{
	struct tomb *t = mem_alloc(s, sizeof(*t) + op->key_len);

	if (!t)
		return -ENOMEM;
	t->gen = gen;
	t->kind = op->kind;
	t->type = op->type;
	t->key_len = op->key_len;
	memcpy(t->key, op->key, op->key_len);
	t->next = seg->tombs;
	seg->tombs = t;
	return 0;
}

static void drop_rec(struct store *s, struct rec *r)
{
	seg_unlink(s, r);
	index_remove(s, r);
	rec_free(s, r);
}

/* A forwarded copy of a record (same generation) moves the record to its
 * new place; a newer record replaces the old in the index. */
static int apply_put(struct store *s, struct segment *seg, uint32_t offset, const struct op *op,
		     uint64_t gen)
{
	struct rec *old = index_find(s, op->type, op->key, op->key_len), *r;

	if (gen < s->clear_gen[op->type] || (old && old->gen > gen))
		return 0;
	if (old && old->gen == gen) {
		seg_unlink(s, old);
		old->offset = offset;
		seg_link(s, seg, old);
		return 0;
	}
	r = rec_new(s, op, gen, old ? old->level : 0);
	if (!r)
		return -ENOMEM;
	if (old) {
		seg_unlink(s, old);
		index_replace(s, old, r);
		rec_free(s, old);
	} else {
		index_insert(s, r);
	}
	r->offset = offset;
	seg_link(s, seg, r);
	return 0;
}

static int apply_delete(struct store *s, struct segment *seg, const struct op *op, uint64_t gen)
{
	struct rec *old = index_find(s, op->type, op->key, op->key_len);

	if (old && old->gen <= gen)
		drop_rec(s, old);
	return add_tomb(s, seg, op, gen);
}

static int apply_clear(struct store *s, struct segment *seg, const struct op *op, uint64_t gen)
{
	struct rec *r = index_next(s, op->type, NULL, 0), *next;

	if (gen > s->clear_gen[op->type])
		s->clear_gen[op->type] = gen;
	for (; r; r = next) {
		next = r->next[0] && r->next[0]->type == op->type ? r->next[0] : NULL;
		if (r->gen < gen)
			drop_rec(s, r);
	}
	return add_tomb(s, seg, op, gen);
}

int apply_op(struct store *s, struct segment *seg, uint32_t offset, const struct op *op,
	     uint64_t op_gen)
{
	switch (op->kind) {
	case OP_PUT:
		return apply_put(s, seg, offset, op, op_gen);
	case OP_DELETE:
		return apply_delete(s, seg, op, op_gen);
	case OP_CLEAR:
		return apply_clear(s, seg, op, op_gen);
	default:
		return -EBADMSG;	/* a part marker is only ever a commit's first op */
	}
}

uint32_t apply_forwards(struct store *s, struct segment *fwd, uint16_t n, struct segment *seg,
			uint32_t offset)
{
	uint32_t bytes = 0;

	for (uint16_t k = 0; k < n; k++) {
		struct rec *r = fwd->live;

		bytes += rec_op_size(r, true);
		seg_unlink(s, r);
		r->offset = offset;
		seg_link(s, seg, r);
	}
	return bytes;
}

int apply_ops(struct store *s, struct segment *seg, uint32_t offset, const uint8_t *payload,
	      uint32_t len, uint64_t gen)
{
	struct op op;

	for (uint32_t off = 0; off < len;) {
		size_t n = op_decode(payload + off, len - off, &op);
		int rc;

		if (!n)
			return -EBADMSG;
		rc = apply_op(s, seg, offset, &op, op.has_gen ? op.gen : gen);
		if (rc)
			return rc;
		off += n;
	}
	return 0;
}
