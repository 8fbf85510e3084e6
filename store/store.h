/* The flash store: typed records in a power-loss-safe log on a struct
 * flash.  Every change is a transaction of puts and deletes that is on
 * flash, whole, when store_txn_commit() returns 0, and absent otherwise.
 * store/FORMAT.md describes the bytes on flash.
 *
 * A record is (type, key) -> (value, secret).  The value is stored as is
 * (CRC-protected); the secret, if any, is sealed with AES-256-GCM under the
 * store key, and a record whose seal does not verify is never returned.
 * Keys order lexicographically by bytes (shorter first on a tie).
 *
 * A transaction is written as one commit, or, when it does not fit in one
 * eraseblock, as several (parts) of which the last makes all visible at
 * once: its size is limited by the free space (-ENOSPC), and by the RAM it
 * holds, STORE_TXN_BYTES_MAX (-EFBIG).
 *
 * A store is used from one thread at a time; every record is held in RAM,
 * so lookups and iteration never touch the flash. */
#ifndef CREDSTORE_STORE_H
#define CREDSTORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "flash.h"

#define STORE_KEY_LEN		32	/* AES-256 store key */
#define STORE_RECORD_KEY_MAX	255
#define STORE_VALUE_MAX		(48 * 1024)
#define STORE_SECRET_MAX	(16 * 1024)
/* Bytes of operations (as on flash, about key + value + secret + 36 per
 * record) one transaction may hold: a transaction is in RAM until it
 * commits, and at commit its parts are held again while they are written
 * (the transaction's own copy freed as they go), so a commit holds about
 * this much at most besides the index.  16 MiB: a backup of 10000 devices
 * is a few MiB. */
#define STORE_TXN_BYTES_MAX	(16 * 1024 * 1024)

enum store_record_type {
	STORE_REC_META = 1,	/* store-wide settings of the daemon */
	STORE_REC_IDENTITY,	/* key: name */
	STORE_REC_ANCHOR,	/* key: name */
	STORE_REC_DEVICE,	/* key: device id */
	STORE_REC_CRL,		/* key: anchor name "/" part number: a CRL in parts */
	STORE_REC_TYPE_MAX = STORE_REC_CRL,
};

struct store_record {
	uint8_t type;
	const void *key;
	size_t key_len;
	const void *value;
	size_t value_len;
	const void *secret;	/* NULL when the record has none */
	size_t secret_len;
};

/* What the store does about a failing flash, and what it finds wrong
 * with it, told as it happens (store_options.on_event); store_status
 * counts the same events. */
enum store_event_kind {
	STORE_EVENT_RETIRED,	/* an eraseblock marked bad: out of use for good */
	STORE_EVENT_RELOCATED,	/* a segment moved off a block whose program failed */
	STORE_EVENT_SCRUBBED,	/* a segment (or a free block's header) rewritten
				 * after reads that needed ECC, or failed it */
	STORE_EVENT_LOST,	/* commits found unreadable at mount */
	STORE_EVENT_TAMPERED,	/* a header or commit that fails its MAC, or a
				 * commit missing from the log (FORMAT.md,
				 * "Authentication"): not applied, nor what
				 * follows it */
	STORE_EVENT_ROLLBACK,	/* the flash is older than the counter, or not
				 * bound to it: changes refused (reason says why;
				 * no eraseblock) */
};

struct store_event {
	enum store_event_kind kind;
	uint32_t eraseblock;	/* the block retired, failing, scrubbed, read or tampered */
	uint32_t count;		/* commits lost (STORE_EVENT_LOST); else 1 */
	const char *reason;	/* in words: the flash's error, "corrected bit flips" */
};

/* A monotonic counter off the partition (counter/counter.h). */
struct counter;

/* The store and its counter (FORMAT.md, "Rollback"). */
enum store_rollback {
	STORE_ROLLBACK_OFF,		/* no counter */
	STORE_ROLLBACK_OK,		/* the flash is as new as the counter */
	STORE_ROLLBACK_DETECTED,	/* older than the counter: changes refused */
	STORE_ROLLBACK_UNBOUND,		/* never bound to this counter, which is in
					 * use: changes refused */
	STORE_ROLLBACK_UNAVAILABLE,	/* the counter cannot be read: changes refused */
	STORE_ROLLBACK_LAGGING,		/* the counter could not be advanced after a
					 * commit (that commit is durable) */
};

struct store_options {
	uint8_t key[STORE_KEY_LEN];	/* seals secrets */
	/* 1, or 2: each commit in two blocks.  Chosen by store_format();
	 * store_mount() reads it from flash and ignores this field. */
	int redundancy;
	/* Eraseblocks kept for GC and for blocks going bad; 0: the default,
	 * 2 per copy plus 2% of the blocks. */
	uint32_t reserved_blocks;
	/* GC as it was before it was bounded, for comparison (bench/flash):
	 * a commit forwards only what fits in its padding, and when the free
	 * eraseblocks run out a commit waits while whole segments are
	 * drained.  By default each commit carries a bounded share of GC. */
	bool gc_unbounded;
	/* Called with each event, within the store call that causes it
	 * (format, mount, commit, maintain), or NULL.  It must not call the
	 * store; ev is valid during the call only. */
	void (*on_event)(const struct store_event *ev, void *arg);
	void *event_arg;
	/* The monotonic counter the store's generation is bound to (the
	 * caller's, open while the store is), or NULL: no rollback check. */
	struct counter *counter;
};

struct store_status {
	struct flash_geometry geo;
	uint64_t generation;
	/* Records take live_bytes (as they are on flash, each with its
	 * generation); new records may take free_bytes more, up to
	 * capacity_bytes, which leaves GC room to work in.  Records already
	 * held may grow past it by 1/32 of it (a full store takes changes to
	 * what it holds). */
	uint64_t live_bytes, free_bytes, capacity_bytes;
	uint32_t records[STORE_REC_TYPE_MAX + 1];
	uint32_t erase_min, erase_max;
	double erase_avg;
	uint32_t bad_blocks;
	uint32_t redundancy;
	uint64_t scrubs, relocations;
	uint64_t lost_commits;		/* unreadable at mount (no second copy) */
	/* sealed records refused since mount, and headers and commits found
	 * tampered at mount (STORE_EVENT_TAMPERED) */
	uint64_t tampered;
	uint64_t unseals;		/* secrets opened for reads since mount */
	uint64_t heap_bytes;		/* the store's heap: every allocation it holds */
	enum store_rollback rollback;
	/* the counter's value, and the one the store's generation goes with */
	uint64_t counter_value, counter_expected;
	/* why changes are refused, or why the counter lags; "" when OK */
	char rollback_reason[256];
};

struct store;
struct store_txn;

/* Write an empty store over the whole flash (erasing it). */
int store_format(struct flash *f, const struct store_options *opt, struct cs_err *err);

/* Mount: scan, replay, build the index.  Errors, each with a message:
 * -ENODATA: the flash is blank (format it); -EMEDIUMTYPE: it holds
 * something that is not a credstore, or another format version or
 * geometry; -EKEYREJECTED: the store was sealed under another key (no
 * header authenticates); -EBADMSG: every segment header is tampered.
 * Tampering found in the log is no error: reported (STORE_EVENT_TAMPERED),
 * and what is authentic is served.  With opt->counter, a rollback is no
 * error either: the store serves reads and refuses changes (-EROFS). */
struct store *store_mount(struct flash *f, const struct store_options *opt,
			  struct cs_err *err);
void store_unmount(struct store *s);

/* Lookups return copies the caller frees with store_record_free().
 * -ENOENT: no such record; -EBADMSG: its sealed secret fails to
 * authenticate (tampered): it is not returned. */
int store_get(struct store *s, uint8_t type, const void *key, size_t key_len,
	      struct store_record *out, struct cs_err *err);
void store_record_free(struct store_record *r);
/* The same without its secret: nothing is unsealed, r->secret is NULL
 * (reads that return no secret need not pay for one, nor let a caller
 * make the store decrypt). */
int store_get_public(struct store *s, uint8_t type, const void *key, size_t key_len,
		     struct store_record *out, struct cs_err *err);

/* Call fn for each record of a type in key order, starting after
 * `after` (NULL: from the first).  fn returns 0 to go on, non-zero to stop
 * (returned as is).  The record passed is valid during the call only.
 * Tampered records are skipped and counted in store_status.tampered.
 * fn must not change the store (collect keys, then change them). */
int store_iterate(struct store *s, uint8_t type, const void *after, size_t after_len,
		  int (*fn)(const struct store_record *r, void *arg), void *arg,
		  struct cs_err *err);
/* The same without their secrets (none is unsealed: r->secret is NULL). */
int store_iterate_public(struct store *s, uint8_t type, const void *after, size_t after_len,
			 int (*fn)(const struct store_record *r, void *arg), void *arg,
			 struct cs_err *err);

uint64_t store_generation(const struct store *s);
/* The bytes record r takes of the store's capacity (store_status's
 * live_bytes and free_bytes count in these). */
size_t store_record_size(const struct store_record *r);
void store_status(struct store *s, struct store_status *st);

/* Transactions: nothing reaches the index or flash until commit. */
struct store_txn *store_txn_begin(struct store *s);
int store_txn_put(struct store_txn *t, const struct store_record *r, struct cs_err *err);
int store_txn_delete(struct store_txn *t, uint8_t type, const void *key, size_t key_len,
		     struct cs_err *err);
/* Delete every record of a type (factory reset, reset-devices). */
int store_txn_clear(struct store_txn *t, uint8_t type, struct cs_err *err);
/* 0 and *generation set (generation may be NULL): durable.  -ENOSPC: the
 * store is full and unchanged (a transaction that does not fit in the
 * space outside the reserve is refused before anything is written);
 * -EFBIG: one record does not fit in an eraseblock.  -EINPROGRESS: the
 * power was cut (-ESHUTDOWN from the flash) while a commit was being
 * programmed: it may have landed whole, so the transaction may be seen
 * after a remount, or not.  After that or another I/O error the store
 * refuses further changes (-EIO, store_broken()) until it is mounted
 * again.  -EROFS: changes are refused for a rollback
 * (store_status.refusal says why).  The transaction is freed, and nothing
 * of a transaction that failed otherwise is seen, now or after a
 * remount.  The put, delete and clear calls fail with -EFBIG beyond
 * STORE_TXN_BYTES_MAX.  With a counter, a durable commit advances it
 * before this returns (store_status.rollback LAGGING if it could not). */
int store_txn_commit(struct store_txn *t, uint64_t *generation, struct cs_err *err);
/* Has an I/O error stopped the store (until it is mounted again)? */
bool store_broken(const struct store *s);
void store_txn_abort(struct store_txn *t);

/* The administrator's override after STORE_ROLLBACK_DETECTED or
 * _UNBOUND (a deliberate restore of an older image): binds the store as it
 * is to the counter's current value, in a commit, and takes changes
 * again.  -EINVAL when changes are not refused for a rollback. */
int store_accept_rollback(struct store *s, struct cs_err *err);

/* Background upkeep the daemon calls when idle: read one more segment
 * back (a patrol that finds pages going bad while the records are still
 * in RAM), scrub segments that read back with corrected or uncorrectable
 * pages, and collect garbage ahead of need.  Nothing while changes are
 * refused for a rollback. */
int store_maintain(struct store *s, struct cs_err *err);

#endif
