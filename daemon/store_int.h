/* The store's in-memory state, shared by its parts:
 *   store_index.c   ordered index of records (a skip list)
 *   store_apply.c   operations applied to the index and segment accounting
 *   store_segment.c eraseblocks: allocation, erase, headers, programs, bad
 *   store_log.c     transactions and commit writing
 *   store_txn_parts.c transactions larger than a segment, in parts
 *   store_gc.c      garbage collection, scrub and relocation
 *   store_scan.c    reading a segment's commits at mount
 *   store_mount.c   format, mount and replay
 *   store_query.c   lookups, iteration and status
 *
 * The log is a sequence of segments in seq order; a segment is one
 * eraseblock, or two with redundancy 2 (same bytes at the same offsets).
 * Every live record belongs to the segment that holds its newest copy.
 * The tail is the oldest segment with a live record: segments older than
 * the tail that a commit on flash says are dead are free for erasing. */
#ifndef CREDSTORE_STORE_INT_H
#define CREDSTORE_STORE_INT_H

#include "store.h"
#include "store_layout.h"

#define INDEX_LEVELS	24
/* Mount reads a page at a time; byte-writable NOR in 512-byte chunks. */
#define READ_CHUNK(g)	((g)->page_size > 512 ? (g)->page_size : 512)
#define TYPES		256

struct segment;

/* A live record, held whole in RAM: key | value | sealed secret. */
struct rec {
	struct rec *seg_prev, *seg_next;
	struct segment *seg;
	uint64_t gen;
	uint32_t offset;		/* of its commit in seg */
	uint16_t value_len, secret_len;
	uint8_t type, key_len, level;
	uint8_t *data;
	struct rec *next[];
};

/* A delete or clear that may still hide an older copy of a record. */
struct tomb {
	struct tomb *next;
	uint64_t gen;
	uint8_t kind, type, key_len;
	uint8_t key[];
};

struct segment {
	uint64_t seq;
	uint32_t phys[2];
	uint32_t used;			/* offset of the next commit */
	bool closed;			/* never appended to again */
	bool evacuate;			/* scrub or relocation pending */
	uint8_t failed;			/* copies whose program failed: mark bad */
	bool erased;			/* its blocks were erased as it went */
	uint32_t live_count;
	uint64_t live_bytes;		/* on-flash bytes of its live ops */
	struct rec *live, *live_last;	/* in log order, oldest first */
	struct tomb *tombs;
};

enum pblock_state { PB_FREE, PB_USED, PB_BAD };

struct pblock {
	uint32_t erase_count;
	uint8_t state;
	bool clean;			/* erased in this session, untouched since */
	bool ec_known;
};

struct index {
	struct rec *head[INDEX_LEVELS];
	int level;
	uint64_t rng;
};

/* A part of a multi-commit transaction, applied only when its final
 * commit is (store_txn_parts.c): the part's ops, where they are on flash. */
struct part {
	struct part *next;
	struct segment *seg;
	uint32_t offset;		/* of the part's commit in seg */
	uint32_t len;
	uint8_t ops[];			/* payload after the marker */
};

/* The parts of the transaction in flight (generation gen), oldest first:
 * while there is one, the tail stays at or before the first. */
struct parts {
	uint64_t gen;
	struct part *first, *last;
};

struct store {
	struct flash *f;
	struct flash_geometry geo;
	uint8_t key[STORE_KEY_LEN];
	uint32_t redundancy;
	uint32_t align;			/* commit alignment */
	uint32_t data_start;		/* first commit offset in a segment */
	uint32_t reserved;		/* segments kept for GC */
	struct pblock *pb;
	struct segment **log;		/* by seq; log[nlog - 1] is the head */
	uint32_t nlog;
	uint64_t max_seq;		/* highest seq ever seen on flash */
	uint64_t durable_tail;		/* the tail a commit on flash names */
	uint64_t patrol_seq;		/* the segment store_maintain read last */
	uint64_t gen;
	uint64_t clear_gen[TYPES];
	struct index idx;
	uint64_t live_bytes;
	uint64_t index_bytes;
	uint32_t counts[TYPES];
	uint64_t scrubs, relocations, lost_commits, tampered;
	bool broken;			/* an I/O error left RAM ahead of flash */
	struct parts parts;		/* of a transaction in flight */
	uint8_t *buf;			/* one eraseblock: commit being built */
	struct cs_err *err;		/* of the call in progress */
};

/* store_index.c */
struct rec *rec_new(struct store *s, const struct op *op, uint64_t gen);
void rec_free(struct store *s, struct rec *r);
struct rec *index_find(struct store *s, uint8_t type, const void *key, size_t key_len);
/* The first record after (type, key), or the first of type if key NULL. */
struct rec *index_next(struct store *s, uint8_t type, const void *key, size_t key_len);
void index_insert(struct store *s, struct rec *r);
void index_remove(struct store *s, struct rec *r);
void index_destroy(struct store *s);
size_t rec_op_size(const struct rec *r, bool forwarded);
void rec_to_op(const struct rec *r, struct op *op, bool forwarded);

/* store_apply.c: op_gen is the op's generation (a forwarded op's own). */
int apply_op(struct store *s, struct segment *seg, uint32_t offset, const struct op *op,
	     uint64_t op_gen);
void seg_drop_tombs(struct segment *seg);

/* store_segment.c */
struct segment *seg_head(const struct store *s);
uint32_t free_blocks(const struct store *s);
uint32_t seg_capacity(const struct store *s);
int seg_open(struct store *s);
/* Program len bytes at the head's next commit offset in every copy;
 * -EIO: a copy failed (recorded in seg->failed). */
int seg_program(struct store *s, struct segment *seg, const uint8_t *buf, uint32_t len);
void seg_remove(struct store *s, struct segment *seg);
void release_dead(struct store *s);
struct segment *seg_new(struct store *s, uint64_t seq);
int store_io_error(struct store *s, int rc, const char *what);

/* store_log.c */
/* Write a commit whose payload is at s->buf + COMMIT_HEADER_SIZE: header,
 * padding, program, and a new segment after a failed program; then apply
 * it to RAM.  gen: the commit's generation; fwd, nfwd: the segment the
 * first nfwd ops forward records from (for the tail it names). */
int log_commit(struct store *s, uint32_t payload_len, uint16_t op_count, uint64_t gen,
	       const struct segment *fwd, uint16_t nfwd);
/* Append forwarded copies of seg's live records to the payload being
 * built (*len bytes so far, limit at most); returns how many. */
uint16_t add_forwards(struct store *s, struct segment *seg, uint32_t *len, uint32_t limit);
/* Applies a commit's payload to RAM (a part is held back, see
 * store_txn_parts.c); apply_ops: the ops alone, no part marker. */
int apply_commit(struct store *s, struct segment *seg, uint32_t offset,
		 const uint8_t *payload, uint32_t len, uint64_t gen);
int apply_ops(struct store *s, struct segment *seg, uint32_t offset,
	      const uint8_t *payload, uint32_t len, uint64_t gen);

/* A transaction's operations, kept in RAM until commit. */
struct txn_op {
	uint8_t kind, type, key_len;
	uint8_t *key, *value, *secret;
	size_t value_len, secret_len;
};

struct store_txn {
	struct store *s;
	struct txn_op *ops;
	size_t n, cap;
	size_t bytes;			/* of its ops' payload, for STORE_TXN_BYTES_MAX */
};

size_t txn_op_size(const struct txn_op *t);
/* Encodes one op (sealing its secret under gen) at out: its size, 0 if
 * sealing failed. */
size_t txn_op_encode(struct store *s, const struct txn_op *t, uint64_t gen, uint8_t *out);
void txn_op_free(struct txn_op *op);

/* store_txn_parts.c */
/* Commits a transaction too large for one commit as several, the last
 * of which makes them all visible. */
int commit_parts(struct store_txn *t, uint64_t gen);
/* Applies a commit that starts with a part marker: holds a part back, or
 * applies the held parts and the final one.  0 if the commit is not a
 * part (*handled false), else as apply_commit. */
int parts_apply_commit(struct store *s, struct segment *seg, uint32_t offset,
		       const uint8_t *payload, uint32_t len, bool *handled);
/* Forgets the held parts (a transaction that never finished). */
void parts_drop(struct store *s);
/* Lowers (*seq, *unit) to the first held part: the tail may not pass it. */
void parts_pin(const struct store *s, uint64_t *seq, uint32_t *unit);

/* store_gc.c */
/* Room for a commit of commit_len bytes that adds put_bytes of records:
 * GC as needed, -ENOSPC (nothing changed by it) when the store is full. */
int ensure_space(struct store *s, uint32_t commit_len, size_t put_bytes);
/* Room for `segments` new segments outside the reserve, and put_bytes
 * more of records: GC as needed, -ENOSPC when the store is full. */
int ensure_segments(struct store *s, uint32_t segments, size_t put_bytes);
int evacuate_pending(struct store *s);

#endif
