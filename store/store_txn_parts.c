/* Transactions larger than a segment.  One is written as several commits,
 * its parts, each starting with a part marker op (OP_PART: the
 * transaction's generation, the part's number and, in the final part, how
 * many there are).  Applying a part (at commit, or replaying at mount)
 * only holds its ops back; the final part applies every held part of its
 * generation where it lies on flash, then its own ops.  A transaction cut
 * short leaves parts that no final part ever applies: nothing of it is
 * seen.  store/FORMAT.md ("Transactions in parts") gives the rules and
 * why GC does not run between the parts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define MARKER_SIZE	(OP_HEADER_SIZE + OP_GEN_SIZE + PART_MARKER_LEN)

struct marker {
	uint64_t gen;
	uint32_t index;		/* of this part, from 0 */
	uint32_t parts;		/* 0: more follow; in the final part, how many */
};

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static size_t marker_encode(const struct marker *m, uint8_t *out)
{
	uint8_t value[PART_MARKER_LEN];
	struct op op = { .kind = OP_PART, .value_len = PART_MARKER_LEN, .gen = m->gen,
			 .has_gen = true, .key = value, .value = value, .secret = value };

	le32_put(value, m->index);
	le32_put(value + 4, m->parts);
	return op_encode(&op, out);
}

/* Whether the payload starts with a part marker; *size: the marker's. */
static bool marker_decode(const uint8_t *payload, uint32_t len, struct marker *m, size_t *size)
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
		free(p);
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
	p = malloc(sizeof(*p) + len);
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

int parts_apply_commit(struct store *s, struct segment *seg, uint32_t offset,
		       const uint8_t *payload, uint32_t len, bool *handled)
{
	struct marker m;
	size_t size;
	int rc;

	*handled = marker_decode(payload, len, &m, &size);
	if (!*handled)
		return 0;
	if (!m.parts)
		return hold(s, seg, offset, m.gen, payload + size, len - size);
	rc = apply_held(s, m.gen);
	parts_drop(s);
	return rc ? rc : apply_ops(s, seg, offset, payload + size, len - size, m.gen);
}

/* The head's next commit offset; the segment's end if it takes no more. */
static uint32_t head_used(const struct store *s)
{
	const struct segment *head = seg_head(s);

	return head && !head->closed ? head->used : s->geo.eraseblock_size;
}

/* How many ops from `from` fit in a part's payload of at most limit
 * bytes, marker included; *len: that payload's size. */
static size_t pack(const struct store_txn *t, size_t from, uint32_t limit, uint32_t *len)
{
	size_t n = 0;

	*len = MARKER_SIZE;
	while (from + n < t->n && n < UINT16_MAX - 1) {
		size_t size = txn_op_size(&t->ops[from + n]);

		if (*len + size > limit)
			break;
		*len += size;
		n++;
	}
	return n;
}

/* The next part, from op `from`, with the head used up to *used: the rest
 * of the head if an op fits there, else a new segment (*opened counts
 * it).  Returns how many ops it takes (0: one does not fit a segment) and
 * moves *used past it. */
static size_t next_part(const struct store *s, const struct store_txn *t, size_t from,
			uint32_t *used, uint32_t *len, uint32_t *opened)
{
	uint32_t size = s->geo.eraseblock_size;
	size_t n = 0;

	if (*used + COMMIT_HEADER_SIZE + MARKER_SIZE < size)
		n = pack(t, from, size - *used - COMMIT_HEADER_SIZE, len);
	if (!n) {
		*used = s->data_start;
		++*opened;
		n = pack(t, from, seg_capacity(s) - COMMIT_HEADER_SIZE, len);
	}
	if (n)
		*used += align_up(COMMIT_HEADER_SIZE + *len, s->align);
	return n;
}

/* How many new segments the parts take from the head as it is now. */
static int plan(struct store_txn *t, uint32_t *segments)
{
	struct store *s = t->s;
	uint32_t used = head_used(s), len;

	*segments = 0;
	for (size_t i = 0, n; i < t->n; i += n)
		if (!(n = next_part(s, t, i, &used, &len, segments)))
			return cs_err_set(s->err, EFBIG, "a record of %zu bytes does not fit in a "
					  "segment (%u bytes)", txn_op_size(&t->ops[i]),
					  seg_capacity(s) - COMMIT_HEADER_SIZE - MARKER_SIZE);
	return 0;
}

/* Every segment the parts need is free before the first is written, so
 * that no GC runs between them; GC moves the head, so plan again. */
static int room_for_parts(struct store_txn *t)
{
	uint32_t need, planned;
	int rc = plan(t, &need);

	do {
		planned = need;
		if (!rc)
			rc = ensure_segments(t->s, planned, t->bytes);
		if (!rc)
			rc = plan(t, &need);
	} while (!rc && need > planned);
	return rc;
}

/* Writes the parts; each op's bytes are freed once its part is held. */
static int write_parts(struct store_txn *t, uint64_t gen)
{
	struct store *s = t->s;
	uint32_t index = 0, opened = 0;

	for (size_t i = 0, n; i < t->n; i += n, index++) {
		uint32_t used = head_used(s), len;
		uint8_t *out = s->buf + COMMIT_HEADER_SIZE;
		struct marker m = { gen, index, 0 };
		int rc;

		if (!(n = next_part(s, t, i, &used, &len, &opened)))
			return cs_err_set(s->err, EFBIG, "a record does not fit in a segment");
		if (i + n == t->n)
			m.parts = index + 1;
		out += marker_encode(&m, out);
		for (size_t k = i; k < i + n; k++) {
			size_t size = txn_op_encode(s, &t->ops[k], gen, out);

			if (!size)
				return -EIO;
			out += size;
		}
		if ((rc = log_commit(s, len, (uint16_t)(n + 1), gen, NULL, 0)))
			return rc;
		for (size_t k = i; k < i + n; k++)
			txn_op_free(&t->ops[k]);
	}
	return 0;
}

bool txn_in_parts(const struct store_txn *t)
{
	return t->bytes + COMMIT_HEADER_SIZE > seg_capacity(t->s) || t->n > UINT16_MAX;
}

int commit_parts(struct store_txn *t, uint64_t *generation)
{
	struct store *s = t->s;
	uint64_t gen = s->gen + 1;
	int rc = room_for_parts(t);

	if (rc)
		return rc;
	/* nothing of a failed one is seen; its generation is spent, so
	 * that no later final part adopts the parts it left on flash */
	s->gen = gen;
	if ((rc = write_parts(t, gen))) {
		parts_drop(s);
		return rc;
	}
	if (generation)
		*generation = gen;
	/* relocation after a failed program: the transaction is durable */
	evacuate_pending(s);
	return 0;
}
