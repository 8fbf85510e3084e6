/* The on-flash structures of the store (store/FORMAT.md describes every
 * byte): encoding and decoding, little-endian, CRC-32 (zlib). */
#ifndef CREDSTORE_STORE_LAYOUT_H
#define CREDSTORE_STORE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 3: no MACs; 2: bit 0 meant deflate; 1: no compression, no free headers */
#define LAYOUT_VERSION		4
#define BLOCK_MAGIC		0x42545343u	/* "CSTB" */
#define COMMIT_MAGIC		0x43545343u	/* "CSTC" */
#define BLOCK_HEADER_SIZE	192
#define BLOCK_HEADER_MAC_LEN	172	/* the bytes a header's tag covers */
#define SPLICES_MAX		4	/* in a segment header */
#define COMMIT_HEADER_SIZE	64
#define COMMIT_HEADER_MAC_LEN	44	/* the header bytes a commit's tag covers */
#define MAC_TAG_LEN		16
#define STORE_ID_LEN		16
#define SEG_NONCE_LEN		12	/* random, per segment: its commits' MAC keys */
#define OP_HEADER_SIZE		8
#define OP_GEN_SIZE		8
#define NO_PARTNER		0xffffffffu
#define MIN_ALIGN		16	/* commit alignment on byte-writable NOR */

/* OP_PART: the first op of each commit of a transaction split in parts
 * (store_parts.c); its value is PART_MARKER_LEN bytes. */
enum op_kind { OP_PUT = 1, OP_DELETE = 2, OP_CLEAR = 3, OP_PART = 4 };
#define PART_MARKER_LEN		8
#define OP_KIND_MASK		0x7f
#define OP_HAS_GEN		0x80	/* forwarded: carries its own generation */
#define OP_FLAG_SEALED		0x01

#define BLOCK_FLAG_FREE		0x01	/* no segment: only the erase count counts */
#define COMMIT_FLAG_LZ4		0x01	/* payload is compressed, LZ4 block format */

/* Internal record type: the store key check, sealed at format. */
#define STORE_REC_INTERNAL	0

/* A segment evacuated from the middle of the log, and the commit
 * sequence numbers it takes out of the count: [from, to). */
struct splice {
	uint64_t seq, from, to;
};

struct block_header {
	uint8_t version, redundancy, copy, flags;
	uint64_t seq, tail;
	uint32_t erase_count;
	uint32_t eraseblock_size, eraseblock_count, align;
	uint32_t partner;
	uint8_t store_id[STORE_ID_LEN];
	struct splice splices[SPLICES_MAX];	/* seq 0: none */
	uint8_t nonce[SEG_NONCE_LEN];
	uint8_t tag[MAC_TAG_LEN];
};

struct commit_header {
	uint32_t payload_len;		/* bytes stored after the header */
	uint32_t raw_len;		/* bytes of ops once decompressed */
	uint8_t flags;
	uint64_t generation, tail;
	uint16_t op_count;
	uint16_t tail_unit;		/* tail's live records start at this * align */
	uint64_t cseq;			/* commit sequence number */
	uint8_t tag[MAC_TAG_LEN];
};

struct op {
	uint8_t kind, type, key_len, flags;
	uint16_t value_len, secret_len;
	uint64_t gen;
	bool has_gen;
	const uint8_t *key, *value, *secret;
};

enum block_kind {
	BLOCK_FOREIGN = -1,		/* not a credstore header */
	BLOCK_ERASED,
	BLOCK_SEGMENT,
	BLOCK_FREE,			/* a free block's header: its erase count */
	BLOCK_OTHER_VERSION,		/* a credstore header of another version */
};

/* Every field, h->tag included, and both CRCs. */
void block_header_encode(const struct block_header *h, uint8_t out[BLOCK_HEADER_SIZE]);
/* h->version is set for BLOCK_OTHER_VERSION, every field for the others;
 * the tag is read, not checked (store_mac.c). */
enum block_kind block_header_decode(const uint8_t *in, struct block_header *h);

/* Writes the header (h->tag included) with the CRC of header and payload
 * (which follows it in buf). */
void commit_header_encode(const struct commit_header *h, uint8_t *buf);
/* 1: a header whose magic, flags and lengths agree (payload not yet
 * checked); 0: erased; -1: anything else. */
int commit_header_decode(const uint8_t *in, struct commit_header *h);
bool commit_crc_ok(const uint8_t *buf);

size_t op_size(const struct op *op);
size_t op_encode(const struct op *op, uint8_t *out);
/* Decodes the op at in (at most len bytes): its size, or 0 if malformed
 * or past the format's limits (key, value and secret sizes, type). */
size_t op_decode(const uint8_t *in, size_t len, struct op *op);
/* A part marker's number and, in the final part, the count of parts. */
void part_marker_decode(const struct op *op, uint32_t *index, uint32_t *parts);
/* Whether a commit's raw payload is op_count well-formed ops, a part
 * marker (of a consistent shape) only first: checked whole before any op
 * of it is applied, so that a malformed commit is never applied in part. */
bool payload_ok(const uint8_t *payload, uint32_t len, uint16_t op_count);

bool is_erased(const uint8_t *p, size_t len);

static inline uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

#endif
