/* Encoding of block headers, commit headers and operations.  Fields are
 * copied byte by byte in little-endian order so that an image moves
 * between hosts; CRC-32 is zlib's. */
#include <string.h>
#include <zlib.h>

#include "seal.h"
#include "store.h"
#include "store_layout.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t crc(const uint8_t *p, size_t len)
{
	return crc32(0, p, len);
}

bool is_erased(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

void block_header_encode(const struct block_header *h, uint8_t out[BLOCK_HEADER_SIZE])
{
	put32(out, BLOCK_MAGIC);
	out[4] = LAYOUT_VERSION;
	out[5] = h->redundancy;
	out[6] = h->copy;
	out[7] = h->flags;
	put64(out + 8, h->seq);
	put64(out + 16, h->tail);
	put32(out + 24, h->erase_count);
	put32(out + 28, h->eraseblock_size);
	put32(out + 32, h->eraseblock_count);
	put32(out + 36, h->align);
	put32(out + 40, h->partner);
	/* magic and this CRC are where every version has them */
	put32(out + 44, crc(out, 44));
	memcpy(out + 48, h->store_id, STORE_ID_LEN);
	for (int i = 0; i < SPLICES_MAX; i++) {
		put64(out + 64 + 24 * i, h->splices[i].seq);
		put64(out + 72 + 24 * i, h->splices[i].from);
		put64(out + 80 + 24 * i, h->splices[i].to);
	}
	memcpy(out + 160, h->nonce, SEG_NONCE_LEN);
	memcpy(out + BLOCK_HEADER_MAC_LEN, h->tag, MAC_TAG_LEN);
	put32(out + 188, crc(out, 188));
}

static bool splices_ok(const struct block_header *h)
{
	for (int i = 0; i < SPLICES_MAX; i++) {
		const struct splice *sp = &h->splices[i];

		if (sp->seq ? sp->seq >= h->seq || sp->from >= sp->to : sp->from || sp->to)
			return false;
	}
	return true;
}

enum block_kind block_header_decode(const uint8_t *in, struct block_header *h)
{
	if (is_erased(in, BLOCK_HEADER_SIZE))
		return BLOCK_ERASED;
	/* magic and CRC are where they were in version 1 */
	if (get32(in) != BLOCK_MAGIC || get32(in + 44) != crc(in, 44))
		return BLOCK_FOREIGN;
	h->version = in[4];
	if (h->version != LAYOUT_VERSION)
		return BLOCK_OTHER_VERSION;
	/* a header torn after its first 48 bytes */
	if (get32(in + 188) != crc(in, 188))
		return BLOCK_FOREIGN;
	h->redundancy = in[5];
	h->copy = in[6];
	h->flags = in[7];
	h->seq = get64(in + 8);
	h->tail = get64(in + 16);
	h->erase_count = get32(in + 24);
	h->eraseblock_size = get32(in + 28);
	h->eraseblock_count = get32(in + 32);
	h->align = get32(in + 36);
	h->partner = get32(in + 40);
	memcpy(h->store_id, in + 48, STORE_ID_LEN);
	for (int i = 0; i < SPLICES_MAX; i++) {
		h->splices[i].seq = get64(in + 64 + 24 * i);
		h->splices[i].from = get64(in + 72 + 24 * i);
		h->splices[i].to = get64(in + 80 + 24 * i);
	}
	memcpy(h->nonce, in + 160, SEG_NONCE_LEN);
	memcpy(h->tag, in + BLOCK_HEADER_MAC_LEN, MAC_TAG_LEN);
	if ((h->redundancy != 1 && h->redundancy != 2) || h->copy >= h->redundancy ||
	    h->tail > h->seq || (h->flags & ~BLOCK_FLAG_FREE) || !splices_ok(h))
		return BLOCK_FOREIGN;
	return h->flags & BLOCK_FLAG_FREE ? BLOCK_FREE : BLOCK_SEGMENT;
}

void commit_header_encode(const struct commit_header *h, uint8_t *buf)
{
	uint32_t c;

	put32(buf, COMMIT_MAGIC);
	put32(buf + 4, h->payload_len);
	put32(buf + 8, h->raw_len);
	buf[12] = h->flags;
	buf[13] = 0;
	put16(buf + 14, h->op_count);
	put64(buf + 16, h->generation);
	put64(buf + 24, h->tail);
	put16(buf + 32, h->tail_unit);
	put16(buf + 34, 0);
	put64(buf + 36, h->cseq);
	memcpy(buf + COMMIT_HEADER_MAC_LEN, h->tag, MAC_TAG_LEN);
	c = crc(buf, 60);
	put32(buf + 60, crc32(c, buf + COMMIT_HEADER_SIZE, h->payload_len));
}

int commit_header_decode(const uint8_t *in, struct commit_header *h)
{
	if (is_erased(in, COMMIT_HEADER_SIZE))
		return 0;
	if (get32(in) != COMMIT_MAGIC)
		return -1;
	h->payload_len = get32(in + 4);
	h->raw_len = get32(in + 8);
	h->flags = in[12];
	h->op_count = get16(in + 14);
	h->generation = get64(in + 16);
	h->tail = get64(in + 24);
	h->tail_unit = get16(in + 32);
	h->cseq = get64(in + 36);
	memcpy(h->tag, in + COMMIT_HEADER_MAC_LEN, MAC_TAG_LEN);
	if ((h->flags & ~COMMIT_FLAG_LZ4) || in[13] || get16(in + 34) ||
	    (!(h->flags & COMMIT_FLAG_LZ4) && h->raw_len != h->payload_len))
		return -1;
	return 1;
}

bool commit_crc_ok(const uint8_t *buf)
{
	uint32_t c = crc(buf, 60);

	return crc32(c, buf + COMMIT_HEADER_SIZE, get32(buf + 4)) == get32(buf + 60);
}

size_t op_size(const struct op *op)
{
	return OP_HEADER_SIZE + (op->has_gen ? OP_GEN_SIZE : 0) + op->key_len +
	       op->value_len + op->secret_len;
}

size_t op_encode(const struct op *op, uint8_t *out)
{
	uint8_t *p = out + OP_HEADER_SIZE;

	out[0] = op->kind | (op->has_gen ? OP_HAS_GEN : 0);
	out[1] = op->type;
	out[2] = op->key_len;
	out[3] = op->flags;
	put16(out + 4, op->value_len);
	put16(out + 6, op->secret_len);
	if (op->has_gen) {
		put64(p, op->gen);
		p += OP_GEN_SIZE;
	}
	/* a piece of length 0 may have no pointer */
	if (op->key_len)
		memcpy(p, op->key, op->key_len);
	p += op->key_len;
	if (op->value_len)
		memcpy(p, op->value, op->value_len);
	p += op->value_len;
	if (op->secret_len)
		memcpy(p, op->secret, op->secret_len);
	return p + op->secret_len - out;
}

/* What each kind carries: a put everything, a delete a key, a clear
 * nothing, a part marker its generation and PART_MARKER_LEN bytes. */
static bool op_shape_ok(const struct op *op)
{
	if (op->kind == OP_PART)
		return op->has_gen && !op->type && !op->key_len && !op->flags &&
		       op->value_len == PART_MARKER_LEN && !op->secret_len;
	return (op->kind == OP_PUT || (!op->value_len && !op->secret_len)) &&
	       (op->kind != OP_CLEAR || !op->key_len) &&
	       !!(op->flags & OP_FLAG_SEALED) == !!op->secret_len;
}

/* The format's limits (store.h): a length read from flash is never used
 * before it is checked against them, whatever its CRC says. */
static bool op_limits_ok(const struct op *op)
{
	return op->type <= STORE_REC_TYPE_MAX && op->value_len <= STORE_VALUE_MAX &&
	       !(op->flags & ~OP_FLAG_SEALED) &&
	       (!op->secret_len || (op->secret_len >= SEAL_OVERHEAD &&
				    op->secret_len <= STORE_SECRET_MAX + SEAL_OVERHEAD));
}

size_t op_decode(const uint8_t *in, size_t len, struct op *op)
{
	const uint8_t *p = in + OP_HEADER_SIZE;
	size_t size;
	uint8_t kind;

	if (len < OP_HEADER_SIZE)
		return 0;
	kind = in[0] & OP_KIND_MASK;
	op->kind = kind;
	op->has_gen = in[0] & OP_HAS_GEN;
	op->type = in[1];
	op->key_len = in[2];
	op->flags = in[3];
	op->value_len = get16(in + 4);
	op->secret_len = get16(in + 6);
	size = op_size(op);
	if (size > len || kind < OP_PUT || kind > OP_PART || !op_shape_ok(op) ||
	    !op_limits_ok(op))
		return 0;
	if (op->has_gen) {
		op->gen = get64(p);
		p += OP_GEN_SIZE;
	}
	op->key = p;
	op->value = p + op->key_len;
	op->secret = op->value + op->value_len;
	return size;
}

void part_marker_decode(const struct op *op, uint32_t *index, uint32_t *parts)
{
	*index = get32(op->value);
	*parts = get32(op->value + 4);
}

bool payload_ok(const uint8_t *payload, uint32_t len, uint16_t op_count)
{
	uint32_t n = 0, index, parts;
	struct op op;

	for (uint32_t off = 0; off < len; n++) {
		size_t size = op_decode(payload + off, len - off, &op);

		if (!size || (op.kind == OP_PART && n))
			return false;
		if (op.kind == OP_PART) {
			part_marker_decode(&op, &index, &parts);
			if (parts && parts != index + 1)
				return false;
		}
		off += size;
	}
	return n == op_count;
}
