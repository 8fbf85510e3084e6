/* Transactions larger than a segment are written as several commits, its
 * parts, each starting with a part marker op (OP_PART: the transaction's
 * generation, the part's number and, in the final part, how many there
 * are).  Applying a part (at commit, or replaying at mount) only holds its
 * ops back; the final part applies every held part of its generation
 * where it lies on flash, then its own ops.  A transaction cut short
 * leaves parts that no final part ever applies: nothing of it is seen.
 * store/FORMAT.md ("Transactions in parts") gives the rules and why GC
 * does not run between the parts; store_commit.c writes them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

size_t part_marker_encode(const struct part_marker *m, uint8_t *out)
{
	uint8_t value[PART_MARKER_LEN];
	struct op op = { .kind = OP_PART, .value_len = PART_MARKER_LEN, .gen = m->gen,
			 .has_gen = true, .key = value, .value = value, .secret = value };

	le32_put(value, m->index);
	le32_put(value + 4, m->parts);
	return op_encode(&op, out);
}

/* Whether the payload starts with a part marker; *size: the marker's. */
static bool marker_decode(const uint8_t *payload, uint32_t len, struct part_marker *m,
			  size_t *size)
{
	struct op op;

	*size = op_decode(payload, len, &op);
	if (!*size || op.kind != OP_PART)
		return false;
	m->gen = op.gen;
	part_marker_decode(&op, &m->index, &m->parts);
	return true;
}

void parts_drop(struct store *s)
{
	struct part *p, *next;

	for (p = s->parts.first; p; p = next) {
		next = p->next;
		mem_free(s, p);
	}
	memset(&s->parts, 0, sizeof(s->parts));
}

void parts_pin(const struct store *s, uint64_t *seq, uint32_t *unit)
{
	const struct part *p = s->parts.first;

	if (p && (p->seg->seq < *seq || (p->seg->seq == *seq && p->offset / s->align < *unit))) {
		*seq = p->seg->seq;
		*unit = p->offset / s->align;
	}
}

static int hold(struct store *s, struct segment *seg, uint32_t offset, uint64_t gen,
		const uint8_t *ops, uint32_t len)
{
	struct part *p;

	/* parts of another generation belong to a transaction cut short */
	if (s->parts.first && s->parts.gen != gen)
		parts_drop(s);
	p = mem_alloc(s, sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	*p = (struct part){ .seg = seg, .offset = offset, .len = len };
	memcpy(p->ops, ops, len);
	if (s->parts.last)
		s->parts.last->next = p;
	else
		s->parts.first = p;
	s->parts.last = p;
	s->parts.gen = gen;
	return 0;
}

/* The held parts of generation gen, in log order, each in its segment. */
static int apply_held(struct store *s, uint64_t gen)
{
	int rc = 0;

	if (s->parts.gen != gen)
		return 0;
	for (const struct part *p = s->parts.first; p && !rc; p = p->next)
		rc = apply_ops(s, p->seg, p->offset, p->ops, p->len, gen);
	return rc;
}

/* The final part in seg of a transaction with parts in older segments:
 * seg is what makes them count, so evacuating seg must forward them too
 * (store_gc.c). */
static int note_final(struct store *s, struct segment *seg, const struct parts *held,
		      uint64_t gen)
{
	uint64_t *more;
	bool elsewhere = false;

	for (const struct part *p = held->first; p && held->gen == gen; p = p->next)
		elsewhere |= p->seg != seg;
	if (!elsewhere)
		return 0;
	more = mem_realloc(s, seg->finals, (seg->nfinals + 1) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	more[seg->nfinals++] = gen;
	seg->finals = more;
	return 0;
}

/* Applies a commit that starts with a part marker: holds a part back, or
 * applies the held parts and the final one.  0 if the commit is not a
 * part (*handled false), else as apply_commit. */
static int parts_apply_commit(struct store *s, struct segment *seg, uint32_t offset,
			      const uint8_t *payload, uint32_t len, bool *handled)
{
	struct part_marker m;
	size_t size;
	int rc;

	*handled = marker_decode(payload, len, &m, &size);
	if (!*handled)
		return 0;
	if (!m.parts)
		return hold(s, seg, offset, m.gen, payload + size, len - size);
	rc = note_final(s, seg, &s->parts, m.gen);
	if (!rc)
		rc = apply_held(s, m.gen);
	parts_drop(s);
	return rc ? rc : apply_ops(s, seg, offset, payload + size, len - size, m.gen);
}

int apply_commit(struct store *s, struct segment *seg, uint32_t offset,
		 const uint8_t *payload, uint32_t len, uint64_t gen)
{
	bool part;
	int rc = parts_apply_commit(s, seg, offset, payload, len, &part);

	return part ? rc : apply_ops(s, seg, offset, payload, len, gen);
}
