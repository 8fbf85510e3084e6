/* Transactions as they are built in RAM: puts, deletes and clears, each
 * key's last op only, within STORE_TXN_BYTES_MAX; and an op's encoding
 * (its secret sealed) for the commit that writes it (store_commit.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "seal.h"
#include "store_int.h"

struct store_txn *store_txn_begin(struct store *s)
{
	struct store_txn *t = mem_zalloc(s, sizeof(*t));

	if (t)
		t->s = s;
	return t;
}

void txn_op_free(struct store *s, struct txn_op *op)
{
	mem_free(s, op->key);
	mem_free(s, op->value);
	if (op->secret)
		mem_clear_free(s, op->secret, op->secret_len);	/* not sealed yet */
	op->key = op->value = op->secret = NULL;
}

void store_txn_abort(struct store_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		txn_op_free(t->s, &t->ops[i]);
	mem_free(t->s, t->ops);
	mem_free(t->s, t);
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
			txn_op_free(t->s, op);
		} else
			t->ops[w++] = *op;
	}
	t->n = w;
}

static void *dup_bytes(struct store *s, const void *p, size_t len)
{
	void *d = mem_alloc(s, len);

	if (d && len)
		memcpy(d, p, len);
	return d;
}

static int add_op(struct store_txn *t, uint8_t kind, const struct store_record *r,
		  struct cs_err *err)
{
	if (r->type < 1 || r->type > STORE_REC_TYPE_MAX)
		return cs_err_set(err, EINVAL, "record type %u is not one the store knows", r->type);
	return txn_add(t, kind, r, err);
}

int txn_add(struct store_txn *t, uint8_t kind, const struct store_record *r, struct cs_err *err)
{
	struct txn_op op = { .kind = kind, .type = r->type, .key_len = r->key_len };

	if (r->key_len > STORE_RECORD_KEY_MAX || r->value_len > STORE_VALUE_MAX ||
	    r->secret_len > STORE_SECRET_MAX)
		return cs_err_set(err, EINVAL, "record too large: key %zu (max %d), value %zu "
				  "(max %d), secret %zu (max %d) bytes", r->key_len,
				  STORE_RECORD_KEY_MAX, r->value_len, STORE_VALUE_MAX,
				  r->secret_len, STORE_SECRET_MAX);
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct txn_op *ops = mem_realloc(t->s, t->ops, cap * sizeof(*ops));

		if (!ops)
			return cs_err_set(err, ENOMEM, "out of memory");
		t->ops = ops;
		t->cap = cap;
	}
	op.key = dup_bytes(t->s, r->key, r->key_len);
	op.value = dup_bytes(t->s, r->value, r->value_len);
	op.secret = r->secret ? dup_bytes(t->s, r->secret, r->secret_len) : NULL;
	op.value_len = r->value_len;
	op.secret_len = r->secret ? r->secret_len : 0;
	if (!op.key || !op.value || (r->secret && !op.secret)) {
		txn_op_free(t->s, &op);
		return cs_err_set(err, ENOMEM, "out of memory");
	}
	if (t->bytes + txn_op_size(&op) > STORE_TXN_BYTES_MAX) {
		txn_op_free(t->s, &op);
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

/* The live bytes a record of op takes (as rec_op_size() counts them: a
 * record is counted as it will be forwarded, with its generation). */
static int64_t live_size(const struct op *op)
{
	return (int64_t)op_size(op) + OP_GEN_SIZE;
}

size_t store_record_size(const struct store_record *r)
{
	struct op op = { .kind = OP_PUT, .key_len = (uint8_t)r->key_len,
			 .value_len = (uint16_t)r->value_len,
			 .secret_len = (uint16_t)(r->secret ? r->secret_len + SEAL_OVERHEAD : 0) };

	return (size_t)live_size(&op);
}

/* The live bytes of every record of a type. */
static int64_t type_bytes(struct store *s, uint8_t type)
{
	int64_t n = 0;

	for (struct rec *r = index_next(s, type, NULL, 0); r && r->type == type; r = r->next[0])
		n += (int64_t)rec_op_size(r, true);
	return n;
}

size_t txn_size(const struct store_txn *t, int64_t *growth, bool *adds)
{
	uint32_t cleared[TYPES / 32] = { 0 };
	size_t n = 0;
	struct op op;

	*growth = 0;
	*adds = false;
	/* one op per key at most (drop_superseded), a clear before the ops
	 * on its type that follow it */
	for (size_t i = 0; i < t->n; i++) {
		const struct txn_op *to = &t->ops[i];
		bool gone = cleared[to->type / 32] & (1u << (to->type % 32));
		const struct rec *old = gone || to->kind == OP_CLEAR ? NULL :
					index_find(t->s, to->type, to->key, to->key_len);

		txn_to_op(to, &op);
		n += op_size(&op);
		if (old)
			*growth -= (int64_t)rec_op_size(old, true);
		if (to->kind == OP_PUT) {
			*growth += live_size(&op);
			*adds |= !old;
		} else if (to->kind == OP_CLEAR && !gone) {
			*growth -= type_bytes(t->s, to->type);
			cleared[to->type / 32] |= 1u << (to->type % 32);
		}
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
