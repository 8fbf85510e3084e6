/* Garbage collection, scrubbing and relocation: all three move a
 * segment's live records (and, from the middle of the log, the deletes
 * that may still hide older copies) to the head in forwarding commits,
 * then give its blocks back (or retire the ones that failed). */
#include <errno.h>
#include <stdlib.h>

#include "store_scan.h"

static uint32_t free_segments(const struct store *s)
{
	return free_blocks(s) / s->redundancy;
}

/* What the live records may fill while GC keeps room to work in; the
 * margin covers the space lost at segment ends and to alignment. */
uint64_t store_capacity(const struct store *s)
{
	uint32_t good = 0, segs;

	for (uint32_t b = 0; b < s->geo.eraseblock_count; b++)
		good += s->pb[b].state != PB_BAD;
	segs = good / s->redundancy;
	if (segs <= s->reserved + 1)
		return 0;
	return (uint64_t)(segs - s->reserved - 1) * seg_capacity(s) / 8 * 7;
}

int admit_growth(struct store *s, int64_t growth, bool adds)
{
	uint64_t cap = store_capacity(s), limit = adds ? cap : cap + cap / GROWTH_MARGIN;

	if (growth <= 0 || s->live_bytes + (uint64_t)growth <= limit)
		return 0;
	if (adds)
		return cs_err_set(s->err, ENOSPC, "store full: %llu bytes of records held, %lld more "
				  "asked, room for %llu", (unsigned long long)s->live_bytes,
				  (long long)growth, (unsigned long long)cap);
	return cs_err_set(s->err, ENOSPC, "store full: the records held would grow by %lld bytes "
			  "past the margin they may grow into (%llu bytes held, at most %llu)",
			  (long long)growth, (unsigned long long)s->live_bytes,
			  (unsigned long long)limit);
}

/* GC paced by the commits.  Each commit owes GC a share of its size:
 * enough that the tail segment's live records are forwarded before the
 * space the log may still take (the head's rest and the free segments
 * beyond the reserve) runs out, that is tail / (space - tail) of what the
 * commit writes.  The debt is paid by the forwards the commit carries:
 * those its padding holds (free), and, once the debt exceeds them by
 * GC_STEP, GC_STEP bytes more.  While the log is longer than a mount
 * should read (LOG_LIMIT of the live bytes; the bench's budget is 1.25x),
 * every commit owes GC_STEP.
 *
 * GC_STEP bounds a commit's GC work.  It is paid in whole steps rather
 * than in every commit's extra program unit because a record does not
 * fill a unit exactly: near the capacity every byte a commit wastes is
 * multiplied by the forwards it costs (at 95% on random ids, 13 bytes
 * more waste per update made 28% more bytes programmed).  At the store's
 * capacity (7/8 of the space: at worst 7 bytes moved to free 8) a step of
 * a few records a commit keeps GC ahead of the writes, so that no commit
 * waits for a whole segment to be drained (make_room still drains when
 * nothing else is left: after a burst of large transactions, say). */
#define GC_STEP		1024
#define LOG_LIMIT(live)	((live) + (live) * 22 / 100)

/* Bytes from the tail's first live record to the end of the head. */
static uint64_t log_bytes(const struct store *s)
{
	uint64_t n = 0;
	uint32_t i = 0;

	while (i + 1 < s->nlog && !s->log[i]->live_count)
		i++;
	if (i < s->nlog && s->log[i]->live)
		n -= s->log[i]->live->offset - s->data_start;
	for (; i < s->nlog; i++)
		n += s->log[i]->used - s->data_start;
	return n;
}

/* What the log may still take before GC must have freed a segment. */
static uint64_t space_left(const struct store *s)
{
	const struct segment *head = seg_head(s);
	uint32_t free = free_segments(s);
	uint64_t n = head && !head->closed ? s->geo.eraseblock_size - head->used : 0;

	return n + (uint64_t)(free > s->reserved ? free - s->reserved : 0) * seg_capacity(s);
}

static const struct segment *tail_segment(const struct store *s)
{
	for (uint32_t i = 0; i + 1 < s->nlog; i++)
		if (s->log[i]->live_count)
			return s->log[i];
	return NULL;
}

uint32_t gc_share(struct store *s, uint32_t len, uint32_t used)
{
	const struct segment *head = seg_head(s), *tail = tail_segment(s);
	uint32_t step = align_up(GC_STEP, s->align), room, share;
	uint64_t space, owed;

	if (s->gc_unbounded || !tail)
		return 0;
	space = space_left(s);
	if (space <= tail->live_bytes + step || log_bytes(s) > LOG_LIMIT(s->live_bytes))
		owed = step;
	else
		owed = (uint64_t)len * tail->live_bytes / (space - tail->live_bytes);
	s->gc_debt += owed;
	/* a step once what the padding (len - used) holds leaves that much owed */
	share = s->gc_debt >= (uint64_t)(len - used) + step ? step : 0;
	/* never so much that the commit leaves the head for a new segment */
	if (head && !head->closed && head->used + len <= s->geo.eraseblock_size)
		room = s->geo.eraseblock_size - head->used - len;
	else
		room = seg_capacity(s) - len;
	room = room / s->align * s->align;
	return share < room ? share : room;
}

void gc_paid(struct store *s, uint32_t forwarded)
{
	s->gc_debt = s->gc_debt > forwarded ? s->gc_debt - forwarded : 0;
}

/* A forwarding commit fills what is left of the head, or a new segment. */
static uint32_t forward_limit(const struct store *s, bool whole)
{
	const struct segment *head = seg_head(s);

	if (!whole && head && !head->closed && head->used + COMMIT_HEADER_SIZE < s->geo.eraseblock_size)
		return s->geo.eraseblock_size - head->used - COMMIT_HEADER_SIZE;
	return seg_capacity(s) - COMMIT_HEADER_SIZE;
}

static bool tomb_needed(struct store *s, const struct tomb *t)
{
	const struct rec *r;

	if (t->kind == OP_CLEAR)
		return true;
	r = index_find(s, t->type, t->key, t->key_len);
	return !r || r->gen < t->gen;
}

/* Encodes seg's tombs from the first; *taken: how many were consumed. */
static uint16_t add_tomb_forwards(struct store *s, struct segment *seg, uint32_t *len,
				  uint32_t limit, uint32_t *taken)
{
	uint16_t n = 0;

	*taken = 0;
	for (struct tomb *t = seg->tombs; t && n < UINT16_MAX; t = t->next, ++*taken) {
		struct op op = { .kind = t->kind, .type = t->type, .key_len = t->key_len,
				 .gen = t->gen, .has_gen = true, .key = t->key };

		if (!tomb_needed(s, t))
			continue;
		if (*len + op_size(&op) > limit)
			break;
		*len += op_encode(&op, s->buf + COMMIT_HEADER_SIZE + *len);
		n++;
	}
	return n;
}

/* Forwards seg's live records; seg may be gone when this returns, unless
 * it is being evacuated. */
static int drain_records(struct store *s, struct segment *seg)
{
	uint32_t left = seg->live_count;
	int rc = pack_reserve(s, s->geo.eraseblock_size);

	if (rc)
		return rc;
	while (left) {
		struct packing pk;
		uint16_t n = pack_forwards(s, seg, NULL, 0, forward_limit(s, false), &pk);

		if (!n)
			n = pack_forwards(s, seg, NULL, 0, forward_limit(s, true), &pk);
		if (!n)
			return cs_err_set(s->err, EFBIG, "a record does not fit in a segment");
		left -= n;
		rc = log_commit_packed(s, &pk, n, s->gen, seg, n);
		if (rc)
			return rc;
	}
	return 0;
}

static int drain_tombs(struct store *s, struct segment *seg)
{
	int rc = pack_reserve(s, s->geo.eraseblock_size);

	while (!rc && seg->tombs) {
		uint32_t len = 0, taken;
		uint16_t n = add_tomb_forwards(s, seg, &len, forward_limit(s, false), &taken);

		if (!taken)
			n = add_tomb_forwards(s, seg, &len, forward_limit(s, true), &taken);
		if (n && (rc = log_commit(s, len, n, s->gen, NULL, 0)))
			return rc;
		while (taken--) {
			struct tomb *t = seg->tombs;

			seg->tombs = t->next;
			mem_free(s, t);
		}
	}
	return rc;
}

/* A scrubbed segment is erased at once: its weak bits go with it. */
static int erase_copies(struct store *s, struct segment *seg)
{
	for (uint32_t c = 0; c < s->redundancy; c++) {
		int rc = erase_free(s, seg->phys[c]);

		if (rc == -EIO)
			seg->failed |= 1u << c;
		else if (rc)
			return rc;
	}
	return 0;
}

/* GC step (below): empty the tail, or make a dead tail durable. */
static int collect(struct store *s);

/* Names seg, its forwarding done, in the header of a new segment (with
 * the splices the log still needs), so that a mount accepts the gap its
 * commits leave (FORMAT.md, "Splices").  A header names SPLICES_MAX at
 * most: with that many, GC moves the tail past the oldest first. */
static int splice_out(struct store *s, struct segment *seg)
{
	int rc = 0;

	if (seg->first_cseq == seg->end_cseq)
		return 0;		/* no commit of it counted: no gap */
	for (uint32_t round = 0; !rc && s->nsplices == SPLICES_MAX; round++) {
		rc = round > 2 * s->geo.eraseblock_count ?
		     cs_err_set(s->err, ENOSPC, "GC does not pass the oldest splice") : collect(s);
		splices_prune(s);
	}
	if (rc)
		return rc;
	s->splices[s->nsplices++] = (struct splice){ seg->seq, seg->first_cseq, seg->end_cseq };
	/* if this fails, seg stays in the log: a later header names it */
	return seg_open(s);
}

/* An older segment holding a live record or a delete of generation gen,
 * or NULL. */
static struct segment *older_holding(struct store *s, const struct segment *seg, uint64_t gen)
{
	for (uint32_t i = 0; i < s->nlog && s->log[i] != seg; i++) {
		const struct rec *r = s->log[i]->live;
		const struct tomb *t = s->log[i]->tombs;

		while (r && r->gen != gen)
			r = r->seg_next;
		while (t && t->gen != gen)
			t = t->next;
		if (r || t)
			return s->log[i];
	}
	return NULL;
}

/* The other parts of each transaction whose final part is in seg count at
 * a mount only through seg: before seg goes, their segments' records and
 * deletes are forwarded to the head (with their own generations). */
static int drain_parts(struct store *s, struct segment *seg)
{
	for (uint32_t k = 0; k < seg->nfinals; k++) {
		struct segment *other;

		while ((other = older_holding(s, seg, seg->finals[k]))) {
			uint8_t was = other->evacuate;
			/* its deletes hide nothing older if it is the oldest */
			bool oldest = s->log[0] == other;
			int rc;

			other->evacuate = EVAC_PARTS;	/* kept in the log meanwhile */
			rc = oldest ? 0 : drain_tombs(s, other);
			if (!rc)
				rc = drain_records(s, other);
			other->evacuate = was;
			if (oldest)	/* nothing older for its deletes to hide */
				seg_drop_tombs(s, other);
			if (rc)
				return rc;
		}
	}
	release_dead(s);
	return 0;
}

static int evacuate(struct store *s, struct segment *seg)
{
	bool oldest = s->log[0] == seg;
	bool failed = seg->failed;
	/* the failing copy's block, else the first */
	uint32_t block = seg->phys[seg->failed == 2u];
	bool unreadable = seg->evacuate == EVAC_UNREADABLE;
	int rc;

	seg->closed = true;
	rc = drain_parts(s, seg);
	if (!rc)
		rc = drain_records(s, seg);
	if (!rc && !oldest)
		rc = drain_tombs(s, seg);
	if (!rc)
		rc = splice_out(s, seg);
	if (!rc && !failed)
		rc = erase_copies(s, seg);
	if (rc)
		return rc;
	seg_remove(s, seg);
	if (failed)
		store_report(s, STORE_EVENT_RELOCATED, block, 1, s->failure);
	else
		store_report(s, STORE_EVENT_SCRUBBED, block, 1,
			     unreadable ? "uncorrectable reads" : "corrected bit flips");
	return 0;
}

int evacuate_pending(struct store *s)
{
	for (uint32_t i = 0; i < s->nlog; i++) {
		if (s->log[i]->evacuate) {
			int rc = evacuate(s, s->log[i]);

			if (rc)
				return rc;
			i = (uint32_t)-1;	/* the log changed: look again */
		}
	}
	return 0;
}

static int collect(struct store *s)
{
	for (uint32_t i = 0; i + 1 < s->nlog; i++)
		if (s->log[i]->live_count)
			return drain_records(s, s->log[i]);
	if (s->nlog > 1)
		return log_commit(s, 0, 0, s->gen, NULL, 0);
	return cs_err_set(s->err, ENOSPC, "store full: nothing left to collect");
}

/* GC until `need` segments are free. */
static int make_room(struct store *s, uint32_t need)
{
	for (uint32_t round = 0; free_segments(s) < need; round++) {
		int rc;

		if (round > 2 * s->geo.eraseblock_count)
			return cs_err_set(s->err, ENOSPC, "store full: GC frees no eraseblock");
		if ((rc = collect(s)))
			return rc;
	}
	return 0;
}

int ensure_space(struct store *s, uint32_t commit_len, bool puts)
{
	const struct segment *head = seg_head(s);

	if (head && !head->closed && head->used + commit_len <= s->geo.eraseblock_size)
		return 0;
	return make_room(s, puts ? s->reserved + 1 : 1);
}

int ensure_segments(struct store *s, uint32_t segments)
{
	return make_room(s, segments + s->reserved);
}

/* Reads the next segment of the log, so that pages going bad are found
 * (and their segment scrubbed from the records in RAM) before they are
 * needed at the next mount. */
static int patrol(struct store *s)
{
	struct segment *seg = NULL;
	enum evacuation why;
	int rc;

	for (uint32_t i = 0; i < s->nlog && !seg; i++)
		if (s->log[i]->seq > s->patrol_seq)
			seg = s->log[i];
	if (!seg) {
		s->patrol_seq = 0;
		return 0;
	}
	s->patrol_seq = seg->seq;
	if ((rc = reader_check(s, seg, &why)))
		return store_io_error(s, rc, "reading a segment back");
	if (!seg->evacuate)
		seg->evacuate = why;
	return 0;
}

int store_maintain(struct store *s, struct cs_err *err)
{
	int rc;

	s->err = err;
	if (s->broken)
		rc = cs_err_set(err, EIO, "the store stopped after an I/O error: mount it again");
	else if (changes_refused(s))
		rc = 0;		/* it writes too: nothing until the rollback is accepted */
	else if (!(rc = evacuate_pending(s)) && !(rc = refresh_weak_free(s)) &&
		 !(rc = patrol(s)) && !(rc = evacuate_pending(s)) &&
		 free_segments(s) <= s->reserved + 1 && s->nlog > 1)
		rc = collect(s);
	pack_trim(s);
	s->err = NULL;
	return rc;
}
