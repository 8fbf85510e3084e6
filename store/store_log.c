/* Transactions and commits.  A transaction collects puts, deletes and
 * clears in RAM; commit encodes them as one commit (header, ops, padding
 * to the program unit), programs it, and only then applies it to the
 * index.  The padding is not wasted: it carries forwarded copies of the
 * tail's live records, so that the log's tail moves on at no cost in
 * programmed bytes; compression (store_pack.c) makes room for more of them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "seal.h"
#include "store_int.h"

struct store_txn *store_txn_begin(struct store *s)
{
	struct store_txn *t = calloc(1, sizeof(*t));

	if (t)
		t->s = s;
	return t;
}

void txn_op_free(struct txn_op *op)
{
	free(op->key);
	free(op->value);
	if (op->secret)
		OPENSSL_clear_free(op->secret, op->secret_len);	/* not sealed yet */
	op->key = op->value = op->secret = NULL;
}

void store_txn_abort(struct store_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		txn_op_free(&t->ops[i]);
	free(t->ops);
	free(t);
}

static void txn_to_op(const struct txn_op *t, struct op *op)
{
	*op = (struct op){
		.kind = t->kind,
		.type = t->type,
		.key_len = t->key_len,
		.flags = t->secret ? OP_FLAG_SEALED : 0,
		.value_len = t->value_len,
		.secret_len = t->secret ? t->secret_len + SEAL_OVERHEAD : 0,
		.key = t->key,
		.value = t->value,
	};
}

size_t txn_op_size(const struct txn_op *t)
{
	struct op op;

	txn_to_op(t, &op);
	return op_size(&op);
}

/* Drops the earlier ops that a new one makes moot: only the last op on a
 * key is kept, and a clear supersedes everything before it on its type. */
static void drop_superseded(struct store_txn *t, uint8_t kind, uint8_t type,
			    const void *key, size_t key_len)
{
	size_t w = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct txn_op *op = &t->ops[i];
		bool moot = op->type == type &&
			    (kind == OP_CLEAR || (op->kind != OP_CLEAR && op->key_len == key_len &&
						  !memcmp(op->key, key, key_len)));

		if (moot) {
			t->bytes -= txn_op_size(op);
			txn_op_free(op);
		} else
			t->ops[w++] = *op;
	}
	t->n = w;
}

static void *dup_bytes(const void *p, size_t len)
{
	void *d = malloc(len ? len : 1);

	if (d && len)
		memcpy(d, p, len);
	return d;
}

static int add_op(struct store_txn *t, uint8_t kind, const struct store_record *r,
		  struct cs_err *err)
{
	struct txn_op op = { .kind = kind, .type = r->type, .key_len = r->key_len };

	if (r->type < 1 || r->type > STORE_REC_TYPE_MAX)
		return cs_err_set(err, EINVAL, "record type %u is not one the store knows", r->type);
	if (r->key_len > STORE_RECORD_KEY_MAX || r->value_len > STORE_VALUE_MAX ||
	    r->secret_len > STORE_SECRET_MAX)
		return cs_err_set(err, EINVAL, "record too large: key %zu (max %d), value %zu "
				  "(max %d), secret %zu (max %d) bytes", r->key_len,
				  STORE_RECORD_KEY_MAX, r->value_len, STORE_VALUE_MAX,
				  r->secret_len, STORE_SECRET_MAX);
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct txn_op *ops = realloc(t->ops, cap * sizeof(*ops));

		if (!ops)
			return cs_err_set(err, ENOMEM, "out of memory");
		t->ops = ops;
		t->cap = cap;
	}
	op.key = dup_bytes(r->key, r->key_len);
	op.value = dup_bytes(r->value, r->value_len);
	op.secret = r->secret ? dup_bytes(r->secret, r->secret_len) : NULL;
	op.value_len = r->value_len;
	op.secret_len = r->secret ? r->secret_len : 0;
	if (!op.key || !op.value || (r->secret && !op.secret)) {
		txn_op_free(&op);
		return cs_err_set(err, ENOMEM, "out of memory");
	}
	if (t->bytes + txn_op_size(&op) > STORE_TXN_BYTES_MAX) {
		txn_op_free(&op);
		return cs_err_set(err, EFBIG, "transaction too large: more than %d MiB of "
				  "records in one transaction (the RAM it may hold)",
				  STORE_TXN_BYTES_MAX >> 20);
	}
	drop_superseded(t, kind, r->type, r->key, r->key_len);
	t->ops[t->n++] = op;
	t->bytes += txn_op_size(&op);
	return 0;
}

int store_txn_put(struct store_txn *t, const struct store_record *r, struct cs_err *err)
{
	return add_op(t, OP_PUT, r, err);
}

int store_txn_delete(struct store_txn *t, uint8_t type, const void *key, size_t key_len,
		     struct cs_err *err)
{
	struct store_record r = { .type = type, .key = key, .key_len = key_len };

	return add_op(t, OP_DELETE, &r, err);
}

int store_txn_clear(struct store_txn *t, uint8_t type, struct cs_err *err)
{
	struct store_record r = { .type = type, .key = "" };

	return add_op(t, OP_CLEAR, &r, err);
}

/* Payload bytes of the user's ops, and of those that add records. */
static size_t txn_size(const struct store_txn *t, size_t *put_bytes)
{
	size_t n = 0;
	struct op op;

	*put_bytes = 0;
	for (size_t i = 0; i < t->n; i++) {
		txn_to_op(&t->ops[i], &op);
		n += op_size(&op);
		if (op.kind == OP_PUT)
			*put_bytes += op_size(&op) + OP_GEN_SIZE;
	}
	return n;
}

size_t txn_op_encode(struct store *s, const struct txn_op *to, uint64_t gen, uint8_t *out)
{
	uint8_t sealed[STORE_SECRET_MAX + SEAL_OVERHEAD];
	struct seal_binding b = { to->type, to->key, to->key_len, gen, to->value, to->value_len };
	struct op op;

	txn_to_op(to, &op);
	if (to->secret && seal(s->key, &b, to->secret, to->secret_len, sealed)) {
		cs_err_set(s->err, EIO, "sealing a secret failed (OpenSSL)");
		return 0;
	}
	op.secret = sealed;
	return op_encode(&op, out);
}

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

int apply_commit(struct store *s, struct segment *seg, uint32_t offset,
		 const uint8_t *payload, uint32_t len, uint64_t gen)
{
	bool part;
	int rc = parts_apply_commit(s, seg, offset, payload, len, &part);

	return part ? rc : apply_ops(s, seg, offset, payload, len, gen);
}

/* The tail once this commit's forwards from fwd (its oldest nfwd
 * records) have landed: the segment, and where its live records start;
 * never past the first part of a transaction in flight. */
static void tail_after(const struct store *s, const struct segment *fwd, uint16_t nfwd,
		       const struct segment *here, struct commit_header *h)
{
	uint64_t tail = here->seq;
	uint32_t unit = here->used / s->align;

	for (uint32_t i = 0; i < s->nlog; i++) {
		const struct segment *seg = s->log[i];
		const struct rec *r = seg->live;

		for (uint16_t k = 0; seg == fwd && r && k < nfwd; k++)
			r = r->seg_next;
		if (r) {
			tail = seg->seq;
			unit = r->offset / s->align;
			break;
		}
	}
	parts_pin(s, &tail, &unit);
	h->tail = tail;
	h->tail_unit = unit;
}

static int program_commit(struct store *s, struct segment *seg, const struct packing *pk,
			  const struct commit_header *h)
{
	uint32_t payload_end = COMMIT_HEADER_SIZE + pk->stored_len;
	uint32_t len = align_up(payload_end, s->align);

	memset(pk->image + payload_end, 0xff, len - payload_end);
	commit_header_encode(h, pk->image);
	return seg_program(s, seg, pk->image, len);
}

static int log_write(struct store *s, const struct packing *pk, uint16_t op_count,
		     uint64_t gen, const struct segment *fwd, uint16_t nfwd)
{
	uint32_t len = align_up(COMMIT_HEADER_SIZE + pk->stored_len, s->align);
	struct commit_header h = {
		.payload_len = pk->stored_len,
		.raw_len = pk->raw_len,
		.flags = pk->compressed ? COMMIT_FLAG_LZ4 : 0,
		.generation = gen,
		.op_count = op_count,
	};

	for (int attempt = 0; attempt < 8; attempt++) {
		struct segment *head = seg_head(s);
		int rc;

		if (!head || head->closed || head->used + len > s->geo.eraseblock_size) {
			if ((rc = seg_open(s)))
				return rc;
			head = seg_head(s);
		}
		tail_after(s, fwd, nfwd, head, &h);
		rc = program_commit(s, head, pk, &h);
		if (rc != -EIO) {
			if (!rc && h.tail > s->durable_tail)
				s->durable_tail = h.tail;
			return rc;
		}
		/* the block is failing: move everything in it elsewhere */
		head->closed = true;
		head->evacuate = true;
	}
	return store_io_error(s, -EIO, "programming a commit kept failing");
}

int log_commit_packed(struct store *s, const struct packing *pk, uint16_t op_count,
		      uint64_t gen, const struct segment *fwd, uint16_t nfwd)
{
	uint32_t len = align_up(COMMIT_HEADER_SIZE + pk->stored_len, s->align);
	int rc = log_write(s, pk, op_count, gen, fwd, nfwd);

	if (rc)
		return rc;
	rc = apply_commit(s, seg_head(s), seg_head(s)->used - len, s->buf + COMMIT_HEADER_SIZE,
			  pk->raw_len, gen);
	if (rc) {
		s->broken = true;
		return cs_err_set(s->err, -rc, "applying a commit to the index failed");
	}
	release_dead(s);
	return 0;
}

/* Commits s->buf's raw payload and applies it to RAM. */
int log_commit(struct store *s, uint32_t payload_len, uint16_t op_count, uint64_t gen,
	       const struct segment *fwd, uint16_t nfwd)
{
	struct packing pk;

	pack_payload(s, payload_len, &pk);
	return log_commit_packed(s, &pk, op_count, gen, fwd, nfwd);
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

	*ops = malloc(len ? len : 1);
	if (!*ops)
		return cs_err_set(t->s->err, ENOMEM, "out of memory");
	if ((rc = encode_txn(t->s, t, gen, *ops))) {
		free(*ops);
		*ops = NULL;
	}
	return rc;
}

static int commit_txn(struct store_txn *t, uint64_t *generation)
{
	struct store *s = t->s;
	uint64_t gen = s->gen + 1;
	size_t put_bytes, user = txn_size(t, &put_bytes);
	struct packing pk;
	struct segment *fwd;
	uint8_t *ops;
	uint32_t len;
	uint16_t nfwd;
	int rc;

	if (user + COMMIT_HEADER_SIZE > seg_capacity(s) || t->n > UINT16_MAX)
		return cs_err_set(s->err, EFBIG, "transaction of %zu bytes does not fit in an "
				  "eraseblock (%u bytes)", user, seg_capacity(s));
	if ((rc = encode_user(t, gen, user, &ops)))
		return rc;
	/* compression can only save program units when the ops take more than one */
	len = align_up(COMMIT_HEADER_SIZE + user, s->align);
	if (len > s->align)
		len = align_up(COMMIT_HEADER_SIZE + packed_size(s, ops, user), s->align);
	rc = ensure_space(s, len, put_bytes);
	if (!rc) {
		fwd = forward_source(s);
		nfwd = pack_forwards(s, fwd, ops, user, len - COMMIT_HEADER_SIZE, &pk);
		rc = log_commit_packed(s, &pk, nfwd + t->n, gen, fwd, nfwd);
	}
	free(ops);
	if (rc)
		return rc;
	s->gen = gen;
	if (generation)
		*generation = gen;
	/* relocation after a failed program: the commit itself is durable */
	evacuate_pending(s);
	return 0;
}

int store_txn_commit(struct store_txn *t, uint64_t *generation, struct cs_err *err)
{
	struct store *s = t->s;
	int rc;

	s->err = err;
	if (s->broken)
		rc = cs_err_set(err, EIO, "the store stopped after an I/O error: mount it again");
	else if (txn_in_parts(t))
		rc = commit_parts(t, generation);
	else
		rc = commit_txn(t, generation);
	store_txn_abort(t);
	s->err = NULL;
	return rc;
}
