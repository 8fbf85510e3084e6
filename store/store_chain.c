/* The checks a mount makes of each commit before it applies it (FORMAT.md,
 * "Authentication"): its tag (the reader checked it), then its place in
 * the count of commits.
 * The first commit replayed must be the one the tail names; each after it
 * has the next number, but for a retry of the last one at the start of a
 * segment, a gap the store spliced out, and a gap after commits that could
 * not be read.  A commit that fails is tampering: reported, not applied,
 * nor anything after it until a commit has the number expected (what the
 * store wrote after a mount that found it). */
#include <inttypes.h>
#include <stdio.h>

#include "store_int.h"

void chain_init(struct chain *ch, const struct splice *splices, uint32_t nsplices,
		uint64_t tail, uint32_t tail_offset)
{
	*ch = (struct chain){ .splices = splices, .nsplices = nsplices, .tail = tail,
			      .tail_offset = tail_offset };
	/* the tail itself spliced out: the count starts after it */
	for (uint32_t i = 0; i < nsplices; i++) {
		if (splices[i].seq == tail) {
			ch->started = true;
			ch->next = splices[i].to;
			ch->last_seq = tail;
		}
	}
}

bool chain_spliced(const struct chain *ch, uint64_t seq)
{
	for (uint32_t i = 0; i < ch->nsplices; i++)
		if (ch->splices[i].seq == seq)
			return true;
	return false;
}

static void tampered(struct store *s, struct chain *ch, const struct segment *seg,
		     uint32_t offset, const char *what)
{
	char reason[160];

	snprintf(reason, sizeof(reason), "the commit at offset %u of segment %" PRIu64 " %s",
		 offset, seg->seq, what);
	store_report(s, STORE_EVENT_TAMPERED, seg->phys[0], 1, reason);
	ch->broken = true;
}

/* Whether segments spliced out between the last commit taken and seg
 * account for the numbers from ch->next to cseq, exactly. */
static bool spliced_gap(const struct chain *ch, const struct segment *seg, uint64_t cseq)
{
	uint64_t at = ch->next;
	bool more = true;

	while (at != cseq && more) {
		more = false;
		for (uint32_t i = 0; i < ch->nsplices && !more; i++) {
			const struct splice *sp = &ch->splices[i];

			if (sp->from == at && sp->seq > ch->last_seq && sp->seq < seg->seq) {
				at = sp->to;
				more = true;
			}
		}
	}
	return at == cseq;
}

/* Takes the commit into the count: it is applied. */
static bool take(struct chain *ch, struct segment *seg, const struct commit_header *h)
{
	if (!seg->end_cseq)		/* numbers start at 1: its first taken */
		seg->first_cseq = h->cseq;
	seg->end_cseq = h->cseq + 1;
	ch->started = true;
	ch->broken = false;
	ch->loss = false;
	ch->next = h->cseq + 1;
	ch->last_seq = seg->seq;
	return true;
}

bool chain_admit(struct store *s, struct chain *ch, struct segment *seg, uint32_t offset,
		 const struct commit_header *h, bool authentic, bool first_in_segment)
{
	char what[96];

	if (!authentic) {
		tampered(s, ch, seg, offset, "fails its MAC");
		return false;
	}
	if (h->cseq > ch->max_cseq)
		ch->max_cseq = h->cseq;
	if (!ch->started) {
		if ((seg->seq == ch->tail && offset == ch->tail_offset) || ch->loss)
			return take(ch, seg, h);
		if (!ch->broken)
			tampered(s, ch, seg, offset, "is the first found: the one the log's tail "
				 "names is missing");
		return false;
	}
	if (h->cseq == ch->next)
		return take(ch, seg, h);
	if (ch->broken)
		return false;
	/* a program that failed, retried in a new segment: the same commit */
	if (first_in_segment && h->cseq + 1 == ch->next)
		return take(ch, seg, h);
	if (h->cseq > ch->next && (ch->loss || spliced_gap(ch, seg, h->cseq)))
		return take(ch, seg, h);
	snprintf(what, sizeof(what), "has number %" PRIu64 " where %" PRIu64 " was due: "
		 "commits are missing or out of place", h->cseq, ch->next);
	tampered(s, ch, seg, offset, what);
	return false;
}

uint64_t chain_next_cseq(const struct chain *ch)
{
	/* never started (nothing applied): above every number seen, so that
	 * the next commit, which names itself as the tail, starts anew */
	return ch->started ? ch->next : ch->max_cseq + 1;
}
