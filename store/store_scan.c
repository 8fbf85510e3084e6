/* Reading a segment at mount: its commits in order, page by page so that
 * nothing is read twice, from the second copy where the first is
 * unreadable or fails its CRC. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_scan.h"

int reader_init(struct reader *r, struct store *s, uint64_t seq, const uint8_t *nonce,
		const uint32_t phys[2], uint32_t n, uint8_t *const first[2])
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->seq = seq;
	memcpy(r->nonce, nonce, SEG_NONCE_LEN);
	r->chunk = READ_CHUNK(&s->geo);
	r->ncopies = n;
	r->off = s->data_start;
	for (uint32_t c = 0; c < n; c++) {
		r->phys[c] = phys[c];
		r->buf[c] = mem_alloc(s, s->geo.eraseblock_size);
		r->bad[c] = mem_zalloc(s, s->geo.eraseblock_size / r->chunk + 1);
		if (!r->buf[c] || !r->bad[c])
			return -ENOMEM;
		if (first[c]) {
			memcpy(r->buf[c], first[c], r->chunk);
			r->loaded[c] = r->chunk;
		}
	}
	return 0;
}

void reader_seek(struct reader *r, uint32_t offset)
{
	if (offset <= r->off || offset >= r->s->geo.eraseblock_size)
		return;
	r->off = offset;
	for (uint32_t c = 0; c < r->ncopies; c++)
		if (r->loaded[c] < offset / r->chunk * r->chunk)
			r->loaded[c] = offset / r->chunk * r->chunk;
}

void reader_free(struct reader *r)
{
	for (uint32_t c = 0; c < 2 && r->s; c++) {
		mem_free(r->s, r->buf[c]);
		mem_free(r->s, r->bad[c]);
	}
}

/* Reads copy c up to offset end; a failing chunk is remembered as bad. */
static int load(struct reader *r, uint32_t c, uint32_t end)
{
	struct flash *f = r->s->f;

	while (r->loaded[c] < end) {
		uint32_t off = r->loaded[c];
		int rc = f->ops->read(f, r->phys[c], off, r->buf[c] + off, r->chunk);

		if (rc == -EUCLEAN) {
			r->corrected = true;
		} else if (rc == -EBADMSG) {
			r->bad[c][off / r->chunk] = 1;
			r->unreadable = true;
		}
		else if (rc)
			return rc;
		r->loaded[c] += r->chunk;
	}
	return 0;
}

static bool range_bad(const struct reader *r, uint32_t c, uint32_t off, uint32_t len)
{
	for (uint32_t i = off / r->chunk; i <= (off + len - 1) / r->chunk; i++)
		if (r->bad[c][i])
			return true;
	return false;
}

/* The commit at off in copy c: its aligned length, 0 on erased space,
 * -EBADMSG if unreadable or invalid (torn); *authentic: whether its tag is
 * right (else only its CRC is); *len_hint: its length if its header at
 * least was readable. */
static int parse(struct reader *r, uint32_t c, uint32_t off, uint32_t *len_hint,
		 bool *authentic)
{
	struct store *s = r->s;
	uint32_t size = s->geo.eraseblock_size, len;
	struct commit_header h;
	int rc, d;

	if ((rc = load(r, c, off + COMMIT_HEADER_SIZE)))
		return rc;
	if (range_bad(r, c, off, COMMIT_HEADER_SIZE))
		return -EBADMSG;
	d = commit_header_decode(r->buf[c] + off, &h);
	if (d == 0)
		return is_erased(r->buf[c] + off, s->align) ? 0 : -EBADMSG;
	if (d < 0 || h.payload_len > size - off - COMMIT_HEADER_SIZE)
		return -EBADMSG;
	len = align_up(COMMIT_HEADER_SIZE + h.payload_len, s->align);
	if (len > size - off)
		return -EBADMSG;
	if ((rc = load(r, c, off + len)))
		return rc;
	if (range_bad(r, c, off, len)) {
		*len_hint = len;
		return -EBADMSG;
	}
	*authentic = commit_authentic(s, &(struct place){ r->seq, r->nonce, off }, r->buf[c] + off,
				      &h);
	return *authentic || commit_crc_ok(r->buf[c] + off) ? (int)len : -EBADMSG;
}

/* Whether the commit header at the reader's offset is unreadable with
 * written pages after it in some copy: commits were there, at least one
 * (a program cut by a power loss also reads back unreadable, but nothing
 * is written after it). */
static bool hidden_commits(struct reader *r)
{
	uint32_t size = r->s->geo.eraseblock_size;
	uint32_t after = (r->off + COMMIT_HEADER_SIZE - 1) / r->chunk * r->chunk + r->chunk;

	for (uint32_t c = 0; c < r->ncopies; c++) {
		if (!range_bad(r, c, r->off, COMMIT_HEADER_SIZE) || load(r, c, size))
			continue;
		for (uint32_t off = after; off < size; off += r->chunk)
			if (r->bad[c][off / r->chunk] || !is_erased(r->buf[c] + off, r->chunk))
				return true;
	}
	return false;
}

int reader_next(struct reader *r, struct scan_commit *out)
{
	uint32_t size = r->s->geo.eraseblock_size;

	while (r->off + COMMIT_HEADER_SIZE <= size) {
		uint32_t hint = 0, tampered = 0, copy = 0;
		bool bad = false, authentic = false;

		for (uint32_t c = 0; c < r->ncopies; c++) {
			int rc = parse(r, c, r->off, &hint, &authentic);

			if (rc > 0 && authentic) {
				*out = (struct scan_commit){ r->buf[c] + r->off, r->off, true };
				r->off += rc;
				return 1;
			}
			if (rc > 0 && !tampered) {
				tampered = (uint32_t)rc;	/* another copy may be authentic */
				copy = c;
			} else if (rc == -EBADMSG)
				bad = true;
			else if (rc < 0)
				return rc;
		}
		if (tampered) {
			*out = (struct scan_commit){ r->buf[copy] + r->off, r->off, false };
			r->off += tampered;
			return 1;
		}
		if (!bad)
			return 0;
		if (!hint) {
			/* torn or foreign bytes: the end of what this segment holds */
			r->dirty_end = true;
			if (hidden_commits(r))
				r->lost++;
			return 0;
		}
		/* a readable header over an unreadable page: skip the commit */
		r->lost++;
		r->off += hint;
	}
	return 0;
}

bool reader_appendable(struct reader *r, const struct scan_commit *last)
{
	uint32_t hint = 0;
	bool authentic;

	if (r->dirty_end || r->off + r->s->align > r->s->geo.eraseblock_size)
		return false;
	for (uint32_t c = 0; c < r->ncopies; c++) {
		if (load(r, c, r->off + r->s->align) || range_bad(r, c, r->off, r->s->align) ||
		    !is_erased(r->buf[c] + r->off, r->s->align))
			return false;
		/* the last commit must be in every copy before more follows it */
		if (last && parse(r, c, last->offset, &hint, &authentic) <= 0)
			return false;
	}
	return true;
}

int reader_check(struct store *s, struct segment *seg, enum evacuation *why)
{
	uint8_t *first[2] = { NULL, NULL };
	struct scan_commit c;
	struct reader r;
	int rc;

	if (reader_init(&r, s, seg->seq, seg->nonce, seg->phys, s->redundancy, first)) {
		reader_free(&r);
		return -ENOMEM;
	}
	while ((rc = reader_next(&r, &c)) > 0 && r.off < seg->used)
		;
	*why = r.unreadable || r.lost ? EVAC_UNREADABLE : r.corrected ? EVAC_CORRECTED : EVAC_NONE;
	reader_free(&r);
	return rc < 0 ? rc : 0;
}
