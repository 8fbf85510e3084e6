/* The store's in-memory state, shared by its parts.  The parts are
 * layered: each calls only the parts listed before it (and store_layout.c
 * and seal.c, the encodings, call none), so that calls run one way;
 * tests/native/63-call-graph.sh fails on any circle.
 *   store_layout.c  the bytes on flash: headers, ops, CRCs (store_layout.h)
 *   seal.c          secrets sealed under the store key (seal.h)
 *   store_mac.c     tags of segment headers and commits (authentication)
 *   store_mem.c     the store's allocations, counted (its real heap)
 *   store_event.c   events told to the store's user, and counted
 *   store_chain.c   a mount's checks of each commit: its tag, its number
 *   store_index.c   ordered index of records (a skip list)
 *   store_apply.c   operations applied to the index and segment accounting
 *   store_parts.c   a commit applied; the parts of a transaction held back
 *   store_segment.c eraseblocks: allocation, erase, headers, programs, bad
 *   store_pack.c    commit payloads compressed (LZ4), and the forward fill
 *   store_log.c     commits written at the head of the log
 *   store_scan.c    reading a segment's commits back (store_scan.h)
 *   store_gc.c      garbage collection, scrub and relocation; store_maintain
 *   store_txn.c     transactions built in RAM
 *   store_rollback.c the generation bound to a monotonic counter
 *   store_commit.c  transactions committed: in one commit, or in parts
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
struct pack;

/* A live record, held whole in RAM: key | value | sealed secret after
 * its index pointers (rec_data).  Every byte here is paid per record:
 * 40 bytes besides the pointers and the data. */
struct rec {
	struct rec *seg_prev, *seg_next;
	uint64_t gen;
	uint32_t offset;		/* of its commit in its segment */
	uint32_t slot;			/* its segment: s->slots[slot] */
	uint16_t value_len, secret_len;
	uint8_t type, key_len, level;
	struct rec *next[];
};

static inline uint8_t *rec_data(const struct rec *r)
{
	return (uint8_t *)&r->next[r->level];
}

/* A delete or clear that may still hide an older copy of a record. */
struct tomb {
	struct tomb *next;
	uint64_t gen;
	uint8_t kind, type, key_len;
	uint8_t key[];
};

struct segment {
	uint64_t seq;
	uint32_t slot;			/* in s->slots, which its records name */
	uint32_t phys[2];
	uint32_t used;			/* offset of the next commit */
	bool closed;			/* never appended to again */
	uint8_t evacuate;		/* enum evacuation: scrub or relocation pending */
	uint8_t failed;			/* copies whose program failed: mark bad */
	uint32_t live_count;
	uint64_t live_bytes;		/* on-flash bytes of its live ops */
	struct rec *live, *live_last;	/* in log order, oldest first */
	struct tomb *tombs;
	uint64_t first_cseq, end_cseq;	/* the commits it holds: [first, end) */
	uint8_t nonce[SEG_NONCE_LEN];	/* its header's: its commits' MAC keys */
	/* generations of transactions in parts whose final part is here and
	 * some other part in an older segment (store_parts.c) */
	uint64_t *finals;
	uint32_t nfinals;
};

/* Why a segment is to be evacuated (0: it is not). */
enum evacuation { EVAC_NONE, EVAC_FAILED, EVAC_CORRECTED, EVAC_UNREADABLE,
		  EVAC_PARTS };	/* drained for a final part that moves (not erased) */

enum pblock_state { PB_FREE, PB_USED, PB_BAD };

struct pblock {
	uint32_t erase_count;
	uint8_t state;
	bool clean;			/* erased in this session, untouched since */
	bool ec_known;
	bool weak;			/* its first page read back corrected at mount */
	bool unreadable;		/* its first page failed ECC at mount */
	bool forged;			/* its header's CRC matched, its tag did not */
};

struct index {
	struct rec *head[INDEX_LEVELS];
	int level;
	uint64_t rng;
};

/* A part of a multi-commit transaction, applied only when its final
 * commit is (store_parts.c): the part's ops, where they are on flash. */
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
	struct segment **slots;		/* by slot, one per eraseblock at most */
	uint32_t nlog;
	uint64_t max_seq;		/* highest seq ever seen on flash */
	uint64_t durable_tail;		/* the tail a commit on flash names */
	struct parts parts;		/* of a transaction in flight */
	uint64_t patrol_seq;		/* the segment store_maintain read last */
	uint64_t gen;
	uint64_t clear_gen[TYPES];
	struct index idx;
	uint64_t live_bytes;
	uint64_t heap_bytes;		/* what store_mem.c counts */
	uint32_t counts[TYPES];
	uint64_t scrubs, relocations, lost_commits, tampered, unseals;
	bool broken;			/* an I/O error left RAM ahead of flash */
	bool gc_unbounded;		/* store_options.gc_unbounded */
	uint64_t gc_debt;		/* bytes GC owes the log (gc_share) */
	uint8_t *buf;			/* commit being built, raw (pack_reserve) */
	struct pack *pack;		/* compression of payloads, both ways */
	struct cs_err *err;		/* of the call in progress */
	/* why the last program or erase failed (-EIO): the flash's words */
	char failure[CREDSTORE_MESSAGE_MAX];
	void (*on_event)(const struct store_event *ev, void *arg);
	void *event_arg;
	/* authentication (store_mac.c; FORMAT.md, "Authentication") */
	struct evp_mac_ctx_st *mac;	/* HMAC-SHA-256, keyed */
	struct evp_mac_ctx_st *poly;	/* Poly1305, keyed per commit */
	uint8_t store_id[STORE_ID_LEN];
	uint64_t next_cseq;		/* of the next commit written */
	/* segments evacuated from the log's live span: every new segment
	 * header names them (FORMAT.md, "Splices") */
	struct splice splices[SPLICES_MAX];
	uint32_t nsplices;
	/* rollback (store_rollback.c; FORMAT.md, "Rollback") */
	struct counter *counter;
	uint8_t rollback;		/* enum store_rollback */
	uint64_t counter_value, counter_expected;
	char rollback_reason[256];	/* why changes are refused, or the counter lags */
};

/* Whether changes are refused for a rollback (store_rollback.c). */
static inline bool changes_refused(const struct store *s)
{
	return s->rollback == STORE_ROLLBACK_DETECTED || s->rollback == STORE_ROLLBACK_UNBOUND ||
	       s->rollback == STORE_ROLLBACK_UNAVAILABLE;
}

/* store_mac.c: tags of headers and commits.  A header's tag covers its
 * eraseblock; a commit's its place: the store id, its segment's seq and
 * nonce, its offset.  The seal functions set h->tag and encode; -EIO if
 * OpenSSL fails. */
struct place {
	uint64_t seq;
	const uint8_t *nonce;		/* SEG_NONCE_LEN bytes */
	uint32_t offset;
};

int mac_init(struct store *s);
void mac_free(struct store *s);
int block_header_seal(struct store *s, uint32_t block, struct block_header *h,
		      uint8_t out[BLOCK_HEADER_SIZE]);
bool block_header_authentic(struct store *s, uint32_t block, const uint8_t *in,
			    const struct block_header *h);
/* buf: the commit's header room, then its stored payload. */
int commit_seal(struct store *s, const struct place *at, struct commit_header *h, uint8_t *buf);
bool commit_authentic(struct store *s, const struct place *at, const uint8_t *commit,
		      const struct commit_header *h);

/* store_chain.c: a mount's checks of each commit, in log order. */
struct chain {
	const struct splice *splices;	/* of every authentic segment header */
	uint32_t nsplices;
	uint64_t tail;			/* where replay starts: the tail segment... */
	uint32_t tail_offset;		/* ...and the offset of its first commit */
	bool started;			/* a first commit was taken */
	bool broken;			/* tampering found: waiting for next */
	bool loss;			/* unreadable commits since the last taken */
	uint64_t next;			/* the number due */
	uint64_t last_seq;		/* the segment of the last commit taken */
	uint64_t max_cseq;		/* the highest of an authentic commit */
};

void chain_init(struct chain *ch, const struct splice *splices, uint32_t nsplices,
		uint64_t tail, uint32_t tail_offset);
/* Whether a header names segment seq as evacuated: it is not replayed. */
bool chain_spliced(const struct chain *ch, uint64_t seq);
/* Whether the commit (header h; its tag right or not) at offset in seg is
 * to be applied; if not, tampering was reported (or was already). */
bool chain_admit(struct store *s, struct chain *ch, struct segment *seg, uint32_t offset,
		 const struct commit_header *h, bool authentic, bool first_in_segment);
/* The number of the store's next commit after the replay. */
uint64_t chain_next_cseq(const struct chain *ch);

/* store_event.c: counts the event (store_status) and tells it to the
 * user's hook at once, so that the two always agree. */
void store_report(struct store *s, enum store_event_kind kind, uint32_t block, uint32_t count,
		  const char *reason);

/* store_mem.c: allocations counted in s->heap_bytes. */
void *mem_alloc(struct store *s, size_t n);
void *mem_zalloc(struct store *s, size_t n);
void *mem_realloc(struct store *s, void *p, size_t n);
void mem_free(struct store *s, void *p);
/* Wiped first: it held a secret. */
void mem_clear_free(struct store *s, void *p, size_t len);
/* The struct store itself, allocated before there was a store to count in. */
void mem_count_store(struct store *s);

/* store_index.c */
/* level 0: a random one; a replacement takes the level of what it
 * replaces (index_replace). */
struct rec *rec_new(struct store *s, const struct op *op, uint64_t gen, int level);
void rec_free(struct store *s, struct rec *r);
struct rec *index_find(struct store *s, uint8_t type, const void *key, size_t key_len);
/* The first record after (type, key), or the first of type if key NULL. */
struct rec *index_next(struct store *s, uint8_t type, const void *key, size_t key_len);
void index_insert(struct store *s, struct rec *r);
void index_remove(struct store *s, struct rec *r);
/* r, of old's level, takes old's place (old leaves the index). */
void index_replace(struct store *s, struct rec *old, struct rec *r);
void index_destroy(struct store *s);
size_t rec_op_size(const struct rec *r, bool forwarded);
void rec_to_op(const struct rec *r, struct op *op, bool forwarded);

/* store_apply.c: op_gen is the op's generation (a forwarded op's own). */
int apply_op(struct store *s, struct segment *seg, uint32_t offset, const struct op *op,
	     uint64_t op_gen);
void seg_drop_tombs(struct store *s, struct segment *seg);
/* Frees a segment, its tombs and its list of final parts. */
void seg_free(struct store *s, struct segment *seg);
/* A commit of ours that forwards fwd's n oldest live records into seg, at
 * offset, moves them there without looking them up (replay at mount
 * applies the same ops through apply_op); returns their payload bytes. */
uint32_t apply_forwards(struct store *s, struct segment *fwd, uint16_t n, struct segment *seg,
			uint32_t offset);
/* A payload's ops, none a part marker (apply_commit: a part is held back,
 * see store_parts.c). */
int apply_ops(struct store *s, struct segment *seg, uint32_t offset, const uint8_t *payload,
	      uint32_t len, uint64_t gen);

/* store_parts.c: a part's marker op (store/FORMAT.md, "Transactions in
 * parts"). */
#define PART_MARKER_SIZE	(OP_HEADER_SIZE + OP_GEN_SIZE + PART_MARKER_LEN)

struct part_marker {
	uint64_t gen;
	uint32_t index;		/* of this part, from 0 */
	uint32_t parts;		/* 0: more follow; in the final part, how many */
};

size_t part_marker_encode(const struct part_marker *m, uint8_t *out);
/* Applies a commit's raw payload to RAM: a part is held back until its
 * final part applies them all. */
int apply_commit(struct store *s, struct segment *seg, uint32_t offset,
		 const uint8_t *payload, uint32_t len, uint64_t gen);
/* Forgets the held parts (a transaction that never finished). */
void parts_drop(struct store *s);
/* Lowers (*seq, *unit) to the first held part: the tail may not pass it. */
void parts_pin(const struct store *s, uint64_t *seq, uint32_t *unit);

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
/* Erases a block that stays free and gives it a free block's header,
 * which keeps its erase count across a mount.  -EIO: the block is failing
 * (the caller retires it). */
int erase_free(struct store *s, uint32_t block);
/* Forgets the splices of segments older than the durable tail. */
void splices_prune(struct store *s);
/* Marks a failing block bad, for good (NOR: until remount). */
void retire_block(struct store *s, uint32_t block);
/* Erases again the free blocks whose header needed ECC at mount. */
int refresh_weak_free(struct store *s);

/* store_pack.c: a commit ready to program: header room then the stored
 * payload. */
struct packing {
	uint8_t *image;			/* s->buf (stored raw) or a compressed image */
	uint32_t stored_len, raw_len;
	bool compressed;
};

int pack_init(struct store *s);
void pack_free(struct store *s);
/* s->buf and the packing buffers hold a commit of len bytes (header
 * included; at most an eraseblock): 0 or -ENOMEM.  pack_trim() gives back
 * what a large commit took. */
int pack_reserve(struct store *s, uint32_t len);
void pack_trim(struct store *s);
/* The raw payload at s->buf + COMMIT_HEADER_SIZE, compressed if smaller. */
void pack_payload(struct store *s, uint32_t raw_len, struct packing *pk);
/* The bytes len raw bytes at ops take on flash: compressed if smaller. */
uint32_t packed_size(struct store *s, const uint8_t *ops, uint32_t len);
/* Builds at s->buf + COMMIT_HEADER_SIZE forwarded copies of fwd's oldest
 * live records followed by the user bytes at ops (ops outside s->buf), as
 * many forwards as keep the packed payload within room bytes (with at
 * most three compressions), and packs it.  Returns the forwards' count;
 * with no user bytes, 0 means nothing fits and *pk is not to be used. */
uint16_t pack_forwards(struct store *s, const struct segment *fwd, const uint8_t *ops,
		       uint32_t user, uint32_t room, struct packing *pk);
/* A stored payload's raw ops: stored itself, or decompressed into a
 * buffer of the store valid until the next pack or unpack; NULL if the
 * block is corrupt or does not decompress to exactly h->raw_len bytes. */
const uint8_t *unpack_payload(struct store *s, const struct commit_header *h,
			      const uint8_t *stored);

/* store_log.c */
/* Write a commit whose raw payload is at s->buf + COMMIT_HEADER_SIZE:
 * pack, header, padding, program, and a new segment after a failed
 * program; then apply it to RAM.  gen: the commit's generation; fwd, nfwd:
 * the segment the first nfwd ops forward records from (for the tail it
 * names). */
int log_commit(struct store *s, uint32_t payload_len, uint16_t op_count, uint64_t gen,
	       struct segment *fwd, uint16_t nfwd);
/* The same for a payload pack_forwards() has packed. */
int log_commit_packed(struct store *s, const struct packing *pk, uint16_t op_count,
		      uint64_t gen, struct segment *fwd, uint16_t nfwd);

/* store_gc.c */
/* The live bytes the store admits new records up to (its capacity): what
 * GC can always make room for, with the slack it needs to work in. */
uint64_t store_capacity(const struct store *s);
/* Whether a commit that adds growth live bytes (and creates records, or
 * not) may be written: 0, or -ENOSPC with a message.  New records may
 * fill the capacity; records already there may grow past it into a
 * margin of 1/GROWTH_MARGIN of it, so that a full store still takes
 * changes to what it holds; what does not grow the store is always taken. */
#define GROWTH_MARGIN	32
int admit_growth(struct store *s, int64_t growth, bool adds);
/* The bytes of the tail's records that a commit of len bytes (used of
 * them by its own header and ops) carries beyond its padding (store_gc.c
 * says when, and why it is bounded); gc_paid() with the bytes it
 * forwarded. */
uint32_t gc_share(struct store *s, uint32_t len, uint32_t used);
void gc_paid(struct store *s, uint32_t forwarded);
/* Room for a commit of commit_len bytes (a new segment, if the head has
 * not that room, outside the reserve unless the commit writes no record):
 * GC as needed, -ENOSPC (nothing changed by it) when GC frees nothing. */
int ensure_space(struct store *s, uint32_t commit_len, bool puts);
/* Room for `segments` new segments outside the reserve: GC as needed. */
int ensure_segments(struct store *s, uint32_t segments);
int evacuate_pending(struct store *s);

/* store_txn.c: a transaction's operations, kept in RAM until commit. */
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

/* An op of any type, internal ones (STORE_REC_INTERNAL) included. */
int txn_add(struct store_txn *t, uint8_t kind, const struct store_record *r, struct cs_err *err);
size_t txn_op_size(const struct txn_op *t);
/* Encodes one op (sealing its secret under gen) at out: its size, 0 if
 * sealing failed. */
size_t txn_op_encode(struct store *s, const struct txn_op *t, uint64_t gen, uint8_t *out);
void txn_op_free(struct store *s, struct txn_op *op);
/* Payload bytes of the transaction's ops; *growth: what it adds to the
 * live bytes (negative when it frees more than it adds: an overwrite
 * counts only its growth); *adds: whether it creates a record. */
size_t txn_size(const struct store_txn *t, int64_t *growth, bool *adds);

/* store_rollback.c: the binding of the generation to the counter. */
enum rollback_action { ROLLBACK_NOTHING, ROLLBACK_BIND };

/* The binding record's key (with its NUL) and value. */
struct store_record rollback_binding(uint64_t c0, uint8_t value[8]);
/* At mount: reads the counter and judges the store against it (state,
 * refusal, STORE_EVENT_ROLLBACK); ROLLBACK_BIND: bind it to the counter's
 * value + 1 (a store never bound, or a counter too far behind). */
enum rollback_action rollback_judge(struct store *s);
/* A binding the mount needed could not be written: changes refused. */
void rollback_bind_failed(struct store *s, const char *why);
/* Before accepting a store older than the counter (value c): its
 * generation moved past the newest it had reached, which the counter
 * tells, so that whoever saw that one (credstore.ko refuses an update
 * older than what it serves, a front end compares generations) takes
 * what is served now as newer. */
void rollback_skip_generations(struct store *s, uint64_t c);
/* Whether changes are refused (-EROFS, with the refusal in s->err). */
int rollback_refuses(struct store *s);
/* After a durable transaction: the counter advanced to its generation's
 * value (LAGGING if that fails; -ERANGE returned when it is too far). */
int rollback_advance(struct store *s);

/* store_commit.c: the binding record in a transaction of its own (let
 * through while changes are refused), the counter advanced to c0. */
int commit_binding(struct store *s, uint64_t c0);

#endif
