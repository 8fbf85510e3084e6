/* Test-only: edits an emulated flash image the way someone with the raw
 * partition (a removed chip, a debug port) and without the store key
 * would.  The format is public (store/FORMAT.md) and CRCs are no secret,
 * so every commit this writes or rewrites has a valid CRC; what it cannot
 * make is a MAC.  The store's tests use these to show that each edit is
 * detected; store-attack runs them on an image file.
 *
 * Functions return 0 or -errno: -ENOENT when the image holds nothing to
 * attack (no such record, no delete of it), -ENOSPC when the head has no
 * erased room left. */
#ifndef CREDSTORE_TEST_ATTACK_H
#define CREDSTORE_TEST_ATTACK_H

#include <stddef.h>
#include <stdint.h>

#include "flash.h"
#include "store_layout.h"

/* A commit with a valid CRC, as a mount reading every segment sees it. */
struct attack_commit {
	uint64_t seq;			/* of its segment */
	uint32_t block[2], ncopies;	/* the segment's eraseblocks */
	uint32_t offset, len;		/* in the segment; len aligned */
	struct commit_header h;
	uint8_t *ops;			/* its raw payload (decompressed) */
};

/* Every segment's CRC-valid commits in log order (seq, then offset). */
struct attack_log {
	struct attack_commit *c;
	size_t n;
	uint32_t align, data_start;
};

int attack_scan(struct flash *f, struct attack_log *log);
void attack_log_free(struct attack_log *log);

/* One operation, encoded as the store does (store_layout.h): its size. */
size_t attack_op(uint8_t *out, uint8_t kind, uint8_t type, const void *key, size_t key_len,
		 const void *value, size_t value_len);

/* A commit of ops (raw) after the head's last commit, in every copy, with
 * the generation and tail of that last commit. */
int attack_append(struct flash *f, const uint8_t *ops, uint32_t len, uint16_t op_count);
/* A put of (type, key) -> value, no secret: a forged record. */
int attack_add_record(struct flash *f, uint8_t type, const void *key, size_t key_len,
		      const void *value, size_t value_len);
/* Byte `index` of the newest value of (type, key) xor-ed with mask, in
 * place (its commit rewritten). */
int attack_flip(struct flash *f, uint8_t type, const void *key, size_t key_len, size_t index,
		uint8_t mask);
/* The newest delete of (type, key) made to miss: aimed at another key of
 * the same length, so that its commit keeps its size. */
int attack_drop_delete(struct flash *f, uint8_t type, const void *key, size_t key_len);
/* The oldest commit that puts (type, key) copied, byte for byte, after
 * the head's last commit. */
int attack_replay(struct flash *f, uint8_t type, const void *key, size_t key_len);
/* Two eraseblocks' contents exchanged. */
int attack_swap(struct flash *f, uint32_t a, uint32_t b);

#endif
