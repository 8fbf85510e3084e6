/* Committing a transaction: as one commit when it fits in a segment,
 * else as several, its parts (store_parts.c), of which the last makes all
 * of them visible.  Either way the space is made first (GC), so that
 * nothing is written of a transaction the store cannot hold, and no GC
 * runs between the parts. */
#include <errno.h>
#include <stdlib.h>

#include "counter.h"
#include "store_int.h"

static int encode_txn(struct store *s, const struct store_txn *t, uint64_t gen, uint8_t *out)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t n = txn_op_encode(s, &t->ops[i], gen, out);

		if (!n)
			return -EIO;
		out += n;
	}
	return 0;
}

/* The oldest segment with live records, if it is not the head. */
static struct segment *forward_source(struct store *s)
{
	for (uint32_t i = 0; i + 1 < s->nlog; i++)
		if (s->log[i]->live_count)
			return s->log[i];
	return NULL;
}

/* The user's ops, encoded and sealed, in a buffer of their own: GC may
 * use s->buf before the commit is built there. */
static int encode_user(struct store_txn *t, uint64_t gen, size_t len, uint8_t **ops)
{
	int rc;

	*ops = mem_alloc(t->s, len);
	if (!*ops)
		return cs_err_set(t->s->err, ENOMEM, "out of memory");
	if ((rc = encode_txn(t->s, t, gen, *ops))) {
		mem_free(t->s, *ops);
		*ops = NULL;
	}
	return rc;
}

/* Whether t writes records (GC must then keep its reserve). */
static bool txn_puts(const struct store_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].kind == OP_PUT)
			return true;
	return false;
}

static int commit_txn(struct store_txn *t, uint64_t *generation)
{
	struct store *s = t->s;
	uint64_t gen = s->gen + 1;
	int64_t growth;
	bool adds;
	size_t user = txn_size(t, &growth, &adds);
	struct packing pk;
	struct segment *fwd;
	uint8_t *ops;
	uint32_t used, len, room;
	uint16_t nfwd;
	int rc;

	if (user + COMMIT_HEADER_SIZE > seg_capacity(s) || t->n > UINT16_MAX)
		return cs_err_set(s->err, EFBIG, "transaction of %zu bytes does not fit in an "
				  "eraseblock (%u bytes)", user, seg_capacity(s));
	if ((rc = admit_growth(s, growth, adds)) ||
	    (rc = pack_reserve(s, COMMIT_HEADER_SIZE + (uint32_t)user)) ||
	    (rc = encode_user(t, gen, user, &ops)))
		return rc;
	/* compression can only save program units when the ops take more than one */
	used = COMMIT_HEADER_SIZE + (uint32_t)user;
	if (align_up(used, s->align) > s->align)
		used = COMMIT_HEADER_SIZE + packed_size(s, ops, user);
	len = align_up(used, s->align);
	rc = ensure_space(s, len, txn_puts(t));
	if (!rc) {
		/* the padding, and this commit's share of GC, go to forwards */
		room = len - COMMIT_HEADER_SIZE + gc_share(s, len, used);
		rc = pack_reserve(s, COMMIT_HEADER_SIZE + 2 * room);
	}
	if (!rc) {
		fwd = forward_source(s);
		nfwd = pack_forwards(s, fwd, ops, user, room, &pk);
		rc = log_commit_packed(s, &pk, nfwd + t->n, gen, fwd, nfwd);
		gc_paid(s, pk.raw_len - (uint32_t)user);
	}
	mem_free(s, ops);
	if (rc)
		return rc;
	s->gen = gen;
	if (generation)
		*generation = gen;
	/* relocation after a failed program: the commit itself is durable */
	evacuate_pending(s);
	return 0;
}

/* Transactions in parts: planned so that GC makes room for all of them
 * first, then written one by one (store_parts.c holds them back). */

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

	*len = PART_MARKER_SIZE;
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

	if (*used + COMMIT_HEADER_SIZE + PART_MARKER_SIZE < size)
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
					  seg_capacity(s) - COMMIT_HEADER_SIZE - PART_MARKER_SIZE);
	return 0;
}

/* Every segment the parts need is free before the first is written, so
 * that no GC runs between them; GC moves the head, so plan again. */
static int room_for_parts(struct store_txn *t)
{
	uint32_t need, planned;
	int64_t growth;
	bool adds;
	int rc = plan(t, &need);

	txn_size(t, &growth, &adds);
	if (!rc)
		rc = admit_growth(t->s, growth, adds);
	do {
		planned = need;
		if (!rc)
			rc = ensure_segments(t->s, planned);
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
		struct part_marker m = { gen, index, 0 };
		int rc;

		if (!(n = next_part(s, t, i, &used, &len, &opened)))
			return cs_err_set(s->err, EFBIG, "a record does not fit in a segment");
		if (i + n == t->n)
			m.parts = index + 1;
		out += part_marker_encode(&m, out);
		for (size_t k = i; k < i + n; k++) {
			size_t size = txn_op_encode(s, &t->ops[k], gen, out);

			if (!size)
				return -EIO;
			out += size;
		}
		if ((rc = log_commit(s, len, (uint16_t)(n + 1), gen, NULL, 0)))
			return rc;
		for (size_t k = i; k < i + n; k++)
			txn_op_free(s, &t->ops[k]);
	}
	return 0;
}

static bool txn_in_parts(const struct store_txn *t)
{
	return t->bytes + COMMIT_HEADER_SIZE > seg_capacity(t->s) || t->n > UINT16_MAX;
}

static int commit_parts(struct store_txn *t, uint64_t *generation)
{
	struct store *s = t->s;
	uint64_t gen = s->gen + 1;
	int rc = pack_reserve(s, s->geo.eraseblock_size) ?: room_for_parts(t);

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

/* A transaction committed, then the counter advanced to its generation
 * (a failure there leaves the commit: it is durable). */
static int commit(struct store_txn *t, uint64_t *generation)
{
	int rc = txn_in_parts(t) ? commit_parts(t, generation) : commit_txn(t, generation);

	if (!rc)
		rollback_advance(t->s);
	return rc;
}

bool store_broken(const struct store *s)
{
	return s->broken;
}

int store_txn_commit(struct store_txn *t, uint64_t *generation, struct cs_err *err)
{
	struct store *s = t->s;
	int rc;

	s->err = err;
	if (s->broken)
		rc = cs_err_set(err, EIO, "the store stopped after an I/O error: mount it again");
	else if (!(rc = rollback_refuses(s)))
		rc = commit(t, generation);
	store_txn_abort(t);
	pack_trim(s);
	s->err = NULL;
	return rc;
}

int commit_binding(struct store *s, uint64_t c0)
{
	struct store_txn *t = store_txn_begin(s);
	uint8_t value[8];
	struct store_record r = rollback_binding(c0, value);
	uint8_t before = s->rollback;
	int rc = t ? txn_add(t, OP_PUT, &r, s->err) : cs_err_set(s->err, ENOMEM, "out of memory");

	if (!rc) {
		/* the binding is what ends a refusal: it is let through */
		s->rollback = STORE_ROLLBACK_OK;
		rc = commit(t, NULL);
		if (rc)
			s->rollback = before;
	}
	store_txn_abort(t);
	return rc;
}

int store_accept_rollback(struct store *s, struct cs_err *err)
{
	uint64_t now;
	int rc;

	s->err = err;
	if (s->rollback == STORE_ROLLBACK_UNAVAILABLE)
		rc = cs_err_set(err, EINVAL, "%s: nothing to accept until the counter can be "
				"read (then mount again)", s->rollback_reason);
	else if (s->rollback != STORE_ROLLBACK_DETECTED && s->rollback != STORE_ROLLBACK_UNBOUND)
		rc = cs_err_set(err, EINVAL, "no rollback to accept: changes are not refused");
	else if (s->broken)
		rc = cs_err_set(err, EIO, "the store stopped after an I/O error: mount it again");
	else if (!(rc = counter_read(s->counter, &now, err))) {
		rollback_skip_generations(s, now);
		rc = commit_binding(s, now + 1);
	}
	s->err = NULL;
	return rc;
}
