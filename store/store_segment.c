/* Segments and eraseblocks: choosing and erasing free blocks, writing
 * segment headers, programming every copy, retiring blocks that fail. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "store_int.h"

struct segment *seg_head(const struct store *s)
{
	return s->nlog ? s->log[s->nlog - 1] : NULL;
}

#define NO_TAIL UINT64_MAX

/* The seq of the oldest segment with a live record or the first part of
 * a transaction in flight, or NO_TAIL. */
static uint64_t store_tail(const struct store *s)
{
	uint64_t tail = NO_TAIL;
	uint32_t unit = 0;

	for (uint32_t i = 0; i < s->nlog && tail == NO_TAIL; i++)
		if (s->log[i]->live_count)
			tail = s->log[i]->seq;
	parts_pin(s, &tail, &unit);
	return tail;
}

uint32_t free_blocks(const struct store *s)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b < s->geo.eraseblock_count; b++)
		n += s->pb[b].state == PB_FREE;
	return n;
}

uint32_t seg_capacity(const struct store *s)
{
	return s->geo.eraseblock_size - s->data_start;
}

int store_io_error(struct store *s, int rc, const char *what)
{
	s->broken = true;
	if (s->f->err.code == -rc)
		return cs_err_set(s->err, -rc, "%s: %s", what, s->f->err.msg);
	return cs_err_set(s->err, -rc, "%s: %s", what, strerror(-rc));
}

/* A program or erase that failed with -EIO: the block is failing.  The
 * flash's words are kept as the reason of the events that follow (the
 * block retired, its segment relocated). */
static int failing(struct store *s, int rc)
{
	if (rc == -EIO)
		memcpy(s->failure, s->f->err.msg, sizeof(s->failure));
	return rc;
}

void retire_block(struct store *s, uint32_t block)
{
	/* NOR cannot record it: the block stays out of use until remount,
	 * when its erase or program fails again */
	s->f->ops->mark_bad(s->f, block);
	s->pb[block].state = PB_BAD;
	store_report(s, STORE_EVENT_RETIRED, block, 1, s->failure);
}

/* A free block other than `other`, erased: clean ones first, then the
 * least worn. */
static int take_block(struct store *s, uint32_t other, uint32_t *out)
{
	for (;;) {
		uint32_t best = UINT32_MAX;
		int rc;

		for (uint32_t b = 0; b < s->geo.eraseblock_count; b++) {
			const struct pblock *p = &s->pb[b];

			if (p->state != PB_FREE || b == other)
				continue;
			if (best == UINT32_MAX || p->clean > s->pb[best].clean ||
			    (p->clean == s->pb[best].clean && p->erase_count < s->pb[best].erase_count))
				best = b;
		}
		if (best == UINT32_MAX)
			return cs_err_set(s->err, ENOSPC, "no free eraseblock left");
		if (s->pb[best].clean) {
			*out = best;
			return 0;
		}
		rc = failing(s, s->f->ops->erase(s->f, best));
		if (rc == -EIO) {
			retire_block(s, best);
			continue;
		}
		if (rc)
			return store_io_error(s, rc, "erasing an eraseblock");
		s->pb[best].erase_count++;
		s->pb[best].ec_known = true;
		s->pb[best].clean = true;
		s->pb[best].weak = false;
	}
}

struct segment *seg_new(struct store *s, uint64_t seq)
{
	struct segment *seg = mem_zalloc(s, sizeof(*seg));
	uint32_t i;

	if (!seg)
		return NULL;
	for (seg->slot = 0; s->slots[seg->slot]; seg->slot++)
		;	/* a free one: there are as many as eraseblocks */
	s->slots[seg->slot] = seg;
	seg->seq = seq;
	seg->phys[0] = seg->phys[1] = NO_PARTNER;
	for (i = s->nlog; i > 0 && s->log[i - 1]->seq > seq; i--)
		s->log[i] = s->log[i - 1];
	s->log[i] = seg;
	s->nlog++;
	if (seq > s->max_seq)
		s->max_seq = seq;
	return seg;
}

/* A header for block with the store's geometry and the block's erase
 * count; the caller sets what makes it a segment's. */
static struct block_header header_for(const struct store *s, uint32_t block)
{
	return (struct block_header){
		.redundancy = s->redundancy,
		.erase_count = s->pb[block].erase_count,
		.eraseblock_size = s->geo.eraseblock_size,
		.eraseblock_count = s->geo.eraseblock_count,
		.align = s->align,
		.partner = NO_PARTNER,
	};
}

/* Programs h, sealed with the block's tag, into the block's first
 * data_start bytes. */
static int program_header(struct store *s, uint32_t block, struct block_header *h)
{
	uint8_t *hdr = mem_alloc(s, s->data_start);
	int rc = hdr ? 0 : cs_err_set(s->err, ENOMEM, "out of memory");

	if (!rc) {
		memset(hdr, 0xff, s->data_start);
		rc = block_header_seal(s, block, h, hdr);
		rc = rc ? cs_err_set(s->err, ENOMEM, "computing a header's MAC failed (OpenSSL)")
			: failing(s, s->f->ops->program(s->f, block, 0, hdr, s->data_start));
	}
	mem_free(s, hdr);
	s->pb[block].clean = false;
	return rc;
}

void splices_prune(struct store *s)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < s->nsplices; i++)
		if (s->splices[i].seq >= s->durable_tail)
			s->splices[w++] = s->splices[i];
	s->nsplices = w;
}

/* Writes the header of copy c of a new segment, with the splices the log
 * still needs; -EIO retires the block. */
static int write_header(struct store *s, struct segment *seg, uint32_t c, uint64_t tail)
{
	struct block_header h = header_for(s, seg->phys[c]);
	int rc;

	h.copy = c;
	h.seq = seg->seq;
	h.tail = tail;
	h.partner = seg->phys[1 - c];
	memcpy(h.splices, s->splices, s->nsplices * sizeof(h.splices[0]));
	memcpy(h.nonce, seg->nonce, SEG_NONCE_LEN);
	rc = program_header(s, seg->phys[c], &h);
	if (rc == -EIO)
		retire_block(s, seg->phys[c]);
	else if (rc)
		store_io_error(s, rc, "writing a segment header");
	return rc;
}

int erase_free(struct store *s, uint32_t block)
{
	struct block_header h;
	int rc = failing(s, s->f->ops->erase(s->f, block));

	if (rc)
		return rc == -EIO ? rc : store_io_error(s, rc, "erasing an eraseblock");
	s->pb[block].erase_count++;
	s->pb[block].ec_known = true;
	s->pb[block].weak = false;
	h = header_for(s, block);
	h.flags = BLOCK_FLAG_FREE;
	rc = program_header(s, block, &h);
	if (rc && rc != -EIO)
		return store_io_error(s, rc, "writing the header of a free eraseblock");
	return rc;
}

/* A free block whose header needed ECC at mount (a free block, or a dead
 * segment) is erased again: its erase count is in that header, and the
 * weak bits would otherwise stay until the block is next taken. */
int refresh_weak_free(struct store *s)
{
	for (uint32_t b = 0; b < s->geo.eraseblock_count; b++) {
		int rc;

		if (!s->pb[b].weak || s->pb[b].state != PB_FREE)
			continue;
		rc = erase_free(s, b);
		if (rc == -EIO)
			retire_block(s, b);
		else if (rc)
			return rc;
		else
			store_report(s, STORE_EVENT_SCRUBBED, b, 1, "corrected bit flips");
	}
	return 0;
}

int seg_open(struct store *s)
{
	struct segment *head = seg_head(s), *seg;
	uint64_t tail = store_tail(s);
	uint32_t phys[2] = { NO_PARTNER, NO_PARTNER };
	int rc;

	for (uint32_t c = 0; c < s->redundancy; c++)
		if ((rc = take_block(s, phys[0], &phys[c])))
			return rc;
	if (head)
		head->closed = true;
	seg = seg_new(s, s->max_seq + 1);
	if (!seg)
		return cs_err_set(s->err, ENOMEM, "out of memory");
	memcpy(seg->phys, phys, sizeof(phys));
	seg->used = s->data_start;
	seg->first_cseq = seg->end_cseq = s->next_cseq;
	if (RAND_bytes(seg->nonce, SEG_NONCE_LEN) != 1) {
		s->broken = true;
		return cs_err_set(s->err, EIO, "no randomness for a segment's nonce");
	}
	if (tail == NO_TAIL)
		tail = seg->seq;
	splices_prune(s);
	for (uint32_t c = 0; c < s->redundancy; c++)
		s->pb[phys[c]].state = PB_USED;
	for (uint32_t c = 0; c < s->redundancy; c++) {
		while ((rc = write_header(s, seg, c, tail)) == -EIO) {
			if ((rc = take_block(s, seg->phys[1 - c], &seg->phys[c])))
				return rc;
			s->pb[seg->phys[c]].state = PB_USED;
		}
		if (rc) {
			s->broken = true;
			return rc;
		}
	}
	if (tail > s->durable_tail)
		s->durable_tail = tail;
	release_dead(s);
	return 0;
}

int seg_program(struct store *s, struct segment *seg, const uint8_t *buf, uint32_t len)
{
	for (uint32_t c = 0; c < s->redundancy; c++) {
		int rc = failing(s, s->f->ops->program(s->f, seg->phys[c], seg->used, buf, len));

		if (rc == -EIO) {
			seg->failed |= 1u << c;
			return rc;
		}
		if (rc)
			return store_io_error(s, rc, "programming a commit");
	}
	seg->used += len;
	return 0;
}

void seg_remove(struct store *s, struct segment *seg)
{
	uint32_t i;

	for (i = 0; i < s->nlog && s->log[i] != seg; i++)
		;
	memmove(&s->log[i], &s->log[i + 1], (s->nlog - i - 1) * sizeof(s->log[0]));
	s->nlog--;
	for (uint32_t c = 0; c < s->redundancy; c++) {
		uint32_t b = seg->phys[c];

		if (b == NO_PARTNER)
			continue;
		if (seg->failed & (1u << c)) {
			retire_block(s, b);
		} else {
			s->pb[b].state = PB_FREE;
		}
	}
	s->slots[seg->slot] = NULL;
	seg_free(s, seg);
}

void release_dead(struct store *s)
{
	/* a segment being evacuated is removed by evacuate() itself */
	while (s->nlog > 1 && s->log[0]->seq < s->durable_tail && !s->log[0]->live_count &&
	       !s->log[0]->evacuate)
		seg_remove(s, s->log[0]);
}
