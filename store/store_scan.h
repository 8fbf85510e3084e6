/* Reading a segment's commits at mount (store_scan.c). */
#ifndef CREDSTORE_STORE_SCAN_H
#define CREDSTORE_STORE_SCAN_H

#include "store_int.h"

struct reader {
	struct store *s;
	uint64_t seq;			/* of the segment, and its nonce: its */
	uint8_t nonce[SEG_NONCE_LEN];	/* commits' tags cover them */
	uint32_t ncopies, chunk;
	uint32_t phys[2];
	uint8_t *buf[2];		/* the segment's bytes, read so far */
	uint8_t *bad[2];		/* per chunk: read back -EBADMSG */
	uint32_t loaded[2];
	uint32_t off;			/* of the next commit */
	uint32_t lost;			/* commits skipped as unreadable */
	bool corrected;			/* a read needed ECC: scrub */
	bool unreadable;		/* a read failed ECC in some copy */
	bool dirty_end;			/* the commits end in something else */
};

struct scan_commit {
	const uint8_t *data;		/* header, then payload */
	uint32_t offset;
	/* its tag is right; false: its CRC is right but its tag is not, in
	 * every copy (tampered) */
	bool authentic;
};

/* The commits of segment seq (nonce: its header's) in phys[0..n);
 * first[c]: the first chunk of copy c if already read, or NULL. */
int reader_init(struct reader *r, struct store *s, uint64_t seq, const uint8_t *nonce,
		const uint32_t phys[2], uint32_t n, uint8_t *const first[2]);
void reader_free(struct reader *r);
/* Start at offset (a commit boundary), never reading what is before it. */
void reader_seek(struct reader *r, uint32_t offset);
/* 1 and the next commit, an authentic copy of it if there is one; 0 at
 * the end; -errno on an I/O error.  A commit is valid (not torn) when its
 * tag is right, or else its CRC: the tag is checked first, the CRC only
 * when the tag fails, so that an intact commit costs one pass. */
int reader_next(struct reader *r, struct scan_commit *out);
/* Whether commits may follow the last one read: the space after it is
 * erased in every copy and the last commit is whole in every copy. */
bool reader_appendable(struct reader *r, const struct scan_commit *last);
/* Reads every commit of seg; *why: EVAC_CORRECTED if some page needed
 * ECC, EVAC_UNREADABLE if one failed it, else EVAC_NONE. */
int reader_check(struct store *s, struct segment *seg, enum evacuation *why);

#endif
