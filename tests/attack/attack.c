/* Image edits of an attacker without the key: see attack.h.  Written
 * against the format's description (store/FORMAT.md) with the layout's
 * own encoders, as anyone could; nothing here knows the store key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>

#include "attack.h"
#include "flash_emu.h"

struct copy {
	uint64_t seq;
	uint32_t block, copy;
};

static int by_seq(const void *a, const void *b)
{
	const struct copy *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (int)x->copy - (int)y->copy;
}

static int add_commit(struct attack_log *log, const struct attack_commit *c)
{
	struct attack_commit *more = realloc(log->c, (log->n + 1) * sizeof(*more));

	if (!more)
		return -ENOMEM;
	log->c = more;
	log->c[log->n++] = *c;
	return 0;
}

/* The raw payload of the commit at p (header decoded into h). */
static uint8_t *raw_payload(const uint8_t *p, const struct commit_header *h, uint32_t max)
{
	uint8_t *ops = malloc(h->raw_len ? h->raw_len : 1);

	if (!ops || h->raw_len > max)
		goto bad;
	if (!(h->flags & COMMIT_FLAG_LZ4)) {
		memcpy(ops, p + COMMIT_HEADER_SIZE, h->raw_len);
		return ops;
	}
	if (LZ4_decompress_safe((const char *)p + COMMIT_HEADER_SIZE, (char *)ops,
				(int)h->payload_len, (int)h->raw_len) == (int)h->raw_len)
		return ops;
bad:
	free(ops);
	return NULL;
}

/* The commits of one segment (copy 0), up to the first that does not
 * check. */
static int scan_segment(struct flash *f, struct attack_log *log, struct attack_commit *seg)
{
	const uint32_t size = f->geo.eraseblock_size;
	const uint8_t *data = flash_emu_block(f, seg->block[0]);

	for (uint32_t off = log->data_start; off + COMMIT_HEADER_SIZE <= size;) {
		struct attack_commit c = *seg;

		if (commit_header_decode(data + off, &c.h) <= 0 ||
		    c.h.payload_len > size - off - COMMIT_HEADER_SIZE || !commit_crc_ok(data + off))
			break;
		c.offset = off;
		c.len = align_up(COMMIT_HEADER_SIZE + c.h.payload_len, log->align);
		if (c.len > size - off)
			break;
		if (!(c.ops = raw_payload(data + off, &c.h, size)))
			break;
		if (add_commit(log, &c)) {
			free(c.ops);
			return -ENOMEM;
		}
		off += c.len;
	}
	return 0;
}

int attack_scan(struct flash *f, struct attack_log *log)
{
	const struct flash_geometry *g = &f->geo;
	struct copy *copies = calloc(g->eraseblock_count, sizeof(*copies));
	uint32_t n = 0;
	int rc = 0;

	memset(log, 0, sizeof(*log));
	log->align = g->program_unit > MIN_ALIGN ? g->program_unit : MIN_ALIGN;
	log->data_start = align_up(BLOCK_HEADER_SIZE, log->align);
	if (!copies)
		return -ENOMEM;
	for (uint32_t b = 0; b < g->eraseblock_count; b++) {
		struct block_header h;

		if (block_header_decode(flash_emu_block(f, b), &h) == BLOCK_SEGMENT)
			copies[n++] = (struct copy){ h.seq, b, h.copy };
	}
	qsort(copies, n, sizeof(*copies), by_seq);
	for (uint32_t i = 0; i < n && !rc;) {
		struct attack_commit seg = { .seq = copies[i].seq, .ncopies = 0 };

		for (; i < n && copies[i].seq == seg.seq; i++)
			if (seg.ncopies < 2)
				seg.block[seg.ncopies++] = copies[i].block;
		rc = scan_segment(f, log, &seg);
	}
	free(copies);
	if (rc)
		attack_log_free(log);
	return rc;
}

void attack_log_free(struct attack_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		free(log->c[i].ops);
	free(log->c);
	memset(log, 0, sizeof(*log));
}

size_t attack_op(uint8_t *out, uint8_t kind, uint8_t type, const void *key, size_t key_len,
		 const void *value, size_t value_len)
{
	struct op op = { .kind = kind, .type = type, .key_len = (uint8_t)key_len,
			 .value_len = (uint16_t)value_len, .key = key, .value = value };

	return op_encode(&op, out);
}

/* The same bytes at offset in every copy of c's segment. */
static void write_copies(struct flash *f, const struct attack_commit *c, uint32_t offset,
			 const uint8_t *bytes, uint32_t len)
{
	for (uint32_t k = 0; k < c->ncopies; k++)
		memcpy(flash_emu_block(f, c->block[k]) + offset, bytes, len);
}

/* Where the head's commits end, if the rest of a unit-aligned len bytes
 * there is erased: a place a mount reads as the next commit. */
static int head_end(struct flash *f, const struct attack_log *log, uint32_t len,
		    const struct attack_commit **last)
{
	const struct attack_commit *c;
	uint32_t end;

	if (!log->n)
		return -ENOENT;
	c = &log->c[log->n - 1];
	end = c->offset + c->len;
	*last = c;
	if (end + len > f->geo.eraseblock_size)
		return -ENOSPC;
	for (uint32_t i = 0; i < len; i++)
		if (flash_emu_block(f, c->block[0])[end + i] != 0xff)
			return -ENOSPC;
	return (int)end;
}

int attack_append(struct flash *f, const uint8_t *ops, uint32_t len, uint16_t op_count)
{
	struct attack_log log;
	const struct attack_commit *last;
	struct commit_header h;
	uint32_t total;
	uint8_t *buf;
	int end, rc = attack_scan(f, &log);

	if (rc)
		return rc;
	total = align_up(COMMIT_HEADER_SIZE + len, log.align);
	end = head_end(f, &log, total, &last);
	if (end < 0 || !(buf = malloc(total))) {
		attack_log_free(&log);
		return end < 0 ? end : -ENOMEM;
	}
	h = last->h;
	h.cseq++;		/* the number a mount expects next */
	h.payload_len = h.raw_len = len;
	h.flags = 0;
	h.op_count = op_count;
	memset(buf, 0xff, total);
	memcpy(buf + COMMIT_HEADER_SIZE, ops, len);
	commit_header_encode(&h, buf);
	write_copies(f, last, (uint32_t)end, buf, total);
	free(buf);
	attack_log_free(&log);
	return 0;
}

int attack_add_record(struct flash *f, uint8_t type, const void *key, size_t key_len,
		      const void *value, size_t value_len)
{
	uint8_t *op = malloc(OP_HEADER_SIZE + key_len + value_len);
	int rc;

	if (!op)
		return -ENOMEM;
	rc = attack_append(f, op, (uint32_t)attack_op(op, OP_PUT, type, key, key_len, value,
						       value_len), 1);
	free(op);
	return rc;
}

/* c's payload replaced by ops (raw, or LZ4 if that is what fits in the
 * commit's place). */
static int rewrite(struct flash *f, const struct attack_commit *c, const uint8_t *ops,
		   uint32_t len, uint16_t op_count)
{
	uint8_t *buf = malloc(c->len);
	struct commit_header h = c->h;
	int packed;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0xff, c->len);
	h.raw_len = h.payload_len = len;
	h.op_count = op_count;
	h.flags = 0;
	if (COMMIT_HEADER_SIZE + len > c->len) {
		packed = LZ4_compress_default((const char *)ops, (char *)buf + COMMIT_HEADER_SIZE,
					      (int)len, (int)(c->len - COMMIT_HEADER_SIZE));
		if (packed <= 0) {
			free(buf);
			return -ENOSPC;
		}
		h.payload_len = (uint32_t)packed;
		h.flags = COMMIT_FLAG_LZ4;
	} else {
		memcpy(buf + COMMIT_HEADER_SIZE, ops, len);
	}
	commit_header_encode(&h, buf);
	write_copies(f, c, c->offset, buf, c->len);
	free(buf);
	return 0;
}

/* The offset in c's payload of its op of `kind` on (type, key), or -1. */
static long find_op(const struct attack_commit *c, uint8_t kind, uint8_t type, const void *key,
		    size_t key_len, struct op *op)
{
	for (uint32_t off = 0; off < c->h.raw_len;) {
		size_t n = op_decode(c->ops + off, c->h.raw_len - off, op);

		if (!n)
			return -1;
		if (op->kind == kind && op->type == type && op->key_len == key_len &&
		    !memcmp(op->key, key, key_len))
			return off;
		off += n;
	}
	return -1;
}

/* The newest (or oldest) commit with an op of kind on (type, key). */
static struct attack_commit *find_commit(struct attack_log *log, bool newest, uint8_t kind,
					 uint8_t type, const void *key, size_t key_len,
					 long *at, struct op *op)
{
	for (size_t i = 0; i < log->n; i++) {
		struct attack_commit *c = &log->c[newest ? log->n - 1 - i : i];

		if ((*at = find_op(c, kind, type, key, key_len, op)) >= 0)
			return c;
	}
	return NULL;
}

/* Byte `index` of the newest op of `kind` on (type, key), counted in its
 * value (or its key), xor mask: the commit rewritten in place. */
static int flip_newest(struct flash *f, uint8_t kind, uint8_t type, const void *key,
		       size_t key_len, bool in_value, size_t index, uint8_t mask)
{
	struct attack_log log;
	struct attack_commit *c;
	struct op op;
	long at;
	int rc = attack_scan(f, &log);

	if (rc)
		return rc;
	c = find_commit(&log, true, kind, type, key, key_len, &at, &op);
	if (!c || index >= (in_value ? op.value_len : op.key_len)) {
		rc = -ENOENT;
	} else {
		c->ops[(in_value ? op.value : op.key) - c->ops + index] ^= mask;
		rc = rewrite(f, c, c->ops, c->h.raw_len, c->h.op_count);
	}
	attack_log_free(&log);
	return rc;
}

int attack_flip(struct flash *f, uint8_t type, const void *key, size_t key_len, size_t index,
		uint8_t mask)
{
	return flip_newest(f, OP_PUT, type, key, key_len, true, index, mask);
}

int attack_drop_delete(struct flash *f, uint8_t type, const void *key, size_t key_len)
{
	/* aimed at another key of the same length: the commit keeps its size,
	 * and every commit after it its place */
	return flip_newest(f, OP_DELETE, type, key, key_len, false, 0, 0x01);
}

int attack_replay(struct flash *f, uint8_t type, const void *key, size_t key_len)
{
	struct attack_log log;
	const struct attack_commit *c, *last;
	struct op op;
	long at;
	int end, rc = attack_scan(f, &log);

	if (rc)
		return rc;
	c = find_commit(&log, false, OP_PUT, type, key, key_len, &at, &op);
	end = c ? head_end(f, &log, c->len, &last) : -ENOENT;
	if (end >= 0)
		write_copies(f, last, (uint32_t)end, flash_emu_block(f, c->block[0]) + c->offset,
			     c->len);
	attack_log_free(&log);
	return end < 0 ? end : 0;
}

int attack_swap(struct flash *f, uint32_t a, uint32_t b)
{
	uint32_t size = f->geo.eraseblock_size;
	uint8_t *tmp;

	if (a >= f->geo.eraseblock_count || b >= f->geo.eraseblock_count || a == b)
		return -EINVAL;
	if (!(tmp = malloc(size)))
		return -ENOMEM;
	memcpy(tmp, flash_emu_block(f, a), size);
	memcpy(flash_emu_block(f, a), flash_emu_block(f, b), size);
	memcpy(flash_emu_block(f, b), tmp, size);
	free(tmp);
	return 0;
}
