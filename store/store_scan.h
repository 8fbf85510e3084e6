/* Reading a segment's commits at mount (store_scan.c). */
#ifndef CREDSTORE_STORE_SCAN_H
#define CREDSTORE_STORE_SCAN_H

#include "store_int.h"

struct reader {
	struct store *s;
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
};

/* first[c]: the first chunk of copy c if already read, or NULL. */
int reader_init(struct reader *r, struct store *s, const uint32_t phys[2], uint32_t n,
		uint8_t *const first[2]);
void reader_free(struct reader *r);
/* Start at offset (a commit boundary), never reading what is before it. */
void reader_seek(struct reader *r, uint32_t offset);
/* 1 and the next commit; 0 at the end; -errno on an I/O error. */
int reader_next(struct reader *r, struct scan_commit *out);
/* Whether commits may follow the last one read: the space after it is
 * erased in every copy and the last commit is whole in every copy. */
bool reader_appendable(struct reader *r, const struct scan_commit *last);
/* Reads every commit of seg; *why: EVAC_CORRECTED if some page needed
 * ECC, EVAC_UNREADABLE if one failed it, else EVAC_NONE. */
int reader_check(struct store *s, struct segment *seg, enum evacuation *why);

#endif
