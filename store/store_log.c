/* Writing commits.  A commit is a header, its payload of ops (compressed
 * when that is smaller, store_pack.c) and padding to the program unit; it
 * is programmed at the head of the log (a new segment when the head is
 * full or its program failed), and only then applied to the index.  The
 * padding is not wasted: it carries forwarded copies of the tail's live
 * records, so that the log's tail moves on at no cost in programmed bytes. */
#include <errno.h>
#include <string.h>

#include "store_int.h"


/* The tail once this commit's forwards from fwd (its oldest nfwd
 * records) have landed: the segment, and where its live records start;
 * never past the first part of a transaction in flight. */
static void tail_after(const struct store *s, const struct segment *fwd, uint16_t nfwd,
		       const struct segment *here, struct commit_header *h)
{
	uint64_t tail = here->seq;
	uint32_t unit = here->used / s->align;

	for (uint32_t i = 0; i < s->nlog; i++) {
		const struct segment *seg = s->log[i];
		const struct rec *r = seg->live;

		for (uint16_t k = 0; seg == fwd && r && k < nfwd; k++)
			r = r->seg_next;
		if (r) {
			tail = seg->seq;
			unit = r->offset / s->align;
			break;
		}
	}
	parts_pin(s, &tail, &unit);
	h->tail = tail;
	h->tail_unit = unit;
}

/* Seals the commit for its place (seg, at seg->used) and programs it. */
static int program_commit(struct store *s, struct segment *seg, const struct packing *pk,
			  struct commit_header *h)
{
	uint32_t payload_end = COMMIT_HEADER_SIZE + pk->stored_len;
	uint32_t len = align_up(payload_end, s->align);

	memset(pk->image + payload_end, 0xff, len - payload_end);
	if (commit_seal(s, &(struct place){ seg->seq, seg->nonce, seg->used }, h, pk->image))
		return cs_err_set(s->err, ENOMEM, "computing a commit's MAC failed (OpenSSL)");
	return seg_program(s, seg, pk->image, len);
}

static int log_write(struct store *s, const struct packing *pk, uint16_t op_count,
		     uint64_t gen, const struct segment *fwd, uint16_t nfwd)
{
	uint32_t len = align_up(COMMIT_HEADER_SIZE + pk->stored_len, s->align);
	struct commit_header h = {
		.payload_len = pk->stored_len,
		.raw_len = pk->raw_len,
		.flags = pk->compressed ? COMMIT_FLAG_LZ4 : 0,
		.generation = gen,
		.op_count = op_count,
		/* a retry in a new segment is the same commit: the same number */
		.cseq = s->next_cseq,
	};

	for (int attempt = 0; attempt < 8; attempt++) {
		struct segment *head = seg_head(s);
		int rc;

		if (!head || head->closed || head->used + len > s->geo.eraseblock_size) {
			if ((rc = seg_open(s)))
				return rc;
			head = seg_head(s);
		}
		tail_after(s, fwd, nfwd, head, &h);
		rc = program_commit(s, head, pk, &h);
		/* Cut while it was being programmed: it may have landed whole. */
		if (rc == -ESHUTDOWN)
			return -EINPROGRESS;
		if (!rc)
			head->end_cseq = ++s->next_cseq;
		if (rc != -EIO) {
			if (!rc && h.tail > s->durable_tail)
				s->durable_tail = h.tail;
			return rc;
		}
		/* the block is failing: move everything in it elsewhere */
		head->closed = true;
		head->evacuate = EVAC_FAILED;
	}
	return store_io_error(s, -EIO, "programming a commit kept failing");
}

int log_commit_packed(struct store *s, const struct packing *pk, uint16_t op_count,
		      uint64_t gen, struct segment *fwd, uint16_t nfwd)
{
	uint32_t len = align_up(COMMIT_HEADER_SIZE + pk->stored_len, s->align), offset, moved;
	int rc = log_write(s, pk, op_count, gen, fwd, nfwd);

	if (rc)
		return rc;
	offset = seg_head(s)->used - len;
	moved = apply_forwards(s, fwd, nfwd, seg_head(s), offset);
	rc = apply_commit(s, seg_head(s), offset, s->buf + COMMIT_HEADER_SIZE + moved,
			  pk->raw_len - moved, gen);
	if (rc) {
		s->broken = true;
		return cs_err_set(s->err, -rc, "applying a commit to the index failed");
	}
	release_dead(s);
	return 0;
}

/* Commits s->buf's raw payload and applies it to RAM. */
int log_commit(struct store *s, uint32_t payload_len, uint16_t op_count, uint64_t gen,
	       struct segment *fwd, uint16_t nfwd)
{
	struct packing pk;

	pack_payload(s, payload_len, &pk);
	return log_commit_packed(s, &pk, op_count, gen, fwd, nfwd);
}
