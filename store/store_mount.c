/* Format and mount.  Mounting reads the first page of every eraseblock
 * (its segment header), then the commits of the segments from the tail
 * to the head, and nothing older: what the tail has passed is dead. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "counter.h"
#include "seal.h"
#include "store_scan.h"

static const char key_check_name[] = "store key check";

/* One eraseblock's valid segment header, from the first pass. */
struct found {
	uint32_t block;
	struct block_header h;
	uint8_t *first;
};

static struct store *store_alloc(struct flash *f, const struct store_options *opt,
				 uint32_t redundancy, struct cs_err *err)
{
	const struct flash_geometry *g = &f->geo;
	struct store *s = calloc(1, sizeof(*s));
	uint32_t blocks = g->eraseblock_count;
	uint32_t align = g->program_unit > MIN_ALIGN ? g->program_unit : MIN_ALIGN;

	if (!s) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	s->f = f;
	s->geo = *g;
	s->err = err;
	memcpy(s->key, opt->key, sizeof(s->key));
	s->on_event = opt->on_event;
	s->gc_unbounded = opt->gc_unbounded;
	s->event_arg = opt->event_arg;
	s->counter = opt->counter;
	s->redundancy = redundancy;
	s->align = align;
	s->data_start = align_up(BLOCK_HEADER_SIZE, align);
	s->idx.rng = 0x9e3779b97f4a7c15ULL;
	mem_count_store(s);
	s->pb = mem_zalloc(s, blocks * sizeof(*s->pb));
	s->log = mem_zalloc(s, blocks * sizeof(*s->log));
	s->slots = mem_zalloc(s, blocks * sizeof(*s->slots));
	if (!s->pb || !s->log || !s->slots || pack_init(s) || mac_init(s)) {
		cs_err_set(err, ENOMEM, "out of memory");
	} else if (g->eraseblock_size % align || g->eraseblock_size % READ_CHUNK(g) ||
		   g->eraseblock_size < 4 * s->data_start || g->eraseblock_count < 4) {
		cs_err_set(err, EINVAL, "flash too small for a store: %u eraseblocks of %u bytes",
			   g->eraseblock_count, g->eraseblock_size);
	} else {
		return s;
	}
	store_unmount(s);
	return NULL;
}

static void set_redundancy(struct store *s, uint32_t redundancy, uint32_t reserved_blocks)
{
	uint32_t segs = s->geo.eraseblock_count / redundancy;

	s->redundancy = redundancy;
	s->reserved = reserved_blocks ? (reserved_blocks + redundancy - 1) / redundancy
				      : 2 + segs / 50;
}

void store_unmount(struct store *s)
{
	if (!s)
		return;
	parts_drop(s);
	index_destroy(s);
	for (uint32_t i = 0; i < s->nlog; i++)
		seg_free(s, s->log[i]);
	mem_free(s, s->log);
	mem_free(s, s->slots);
	mem_free(s, s->pb);
	pack_free(s);
	mac_free(s);
	OPENSSL_cleanse(s->key, sizeof(s->key));
	free(s);
}

/* What the first pass found besides valid segment headers. */
struct census {
	bool authenticate;		/* a mount's pass (format takes any header) */
	uint32_t forged;		/* headers whose CRC matches but tag does not */
	uint32_t authentic;		/* headers, free blocks' too, whose tag matches */
	uint32_t foreign;		/* blocks holding something else */
	uint32_t unreadable;		/* first pages failing ECC */
	uint32_t other_version;		/* credstore headers of another format version */
	uint8_t version;		/* the last of those */
};

/* Sorts a block's first page: a segment (kept in found), the header of a
 * free block (its erase count), or something else (counted). */
static bool classify(struct store *s, uint32_t b, struct found *fd, struct census *c)
{
	switch (block_header_decode(fd->first, &fd->h)) {
	case BLOCK_SEGMENT:
	case BLOCK_FREE:
		if (c->authenticate && !block_header_authentic(s, b, fd->first, &fd->h)) {
			s->pb[b].forged = true;
			c->forged++;
			return false;
		}
		c->authentic++;
		s->pb[b].erase_count = fd->h.erase_count;
		s->pb[b].ec_known = true;
		fd->block = b;
		return !(fd->h.flags & BLOCK_FLAG_FREE);
	case BLOCK_OTHER_VERSION:
		c->other_version++;
		c->version = fd->h.version;
		return false;
	case BLOCK_FOREIGN:
		c->foreign++;
		return false;
	default:
		return false;
	}
}

/* First pass: bad blocks, segment headers, erase counts. */
static int read_headers(struct store *s, struct found **out, uint32_t *n, struct census *c,
			bool authenticate)
{
	uint32_t chunk = READ_CHUNK(&s->geo);
	struct found *found = mem_zalloc(s, s->geo.eraseblock_count * sizeof(*found));
	struct flash *f = s->f;

	*n = 0;
	memset(c, 0, sizeof(*c));
	c->authenticate = authenticate;
	if (!found)
		return cs_err_set(s->err, ENOMEM, "out of memory");
	*out = found;
	for (uint32_t b = 0; b < s->geo.eraseblock_count; b++) {
		struct found *fd = &found[*n];
		int rc = f->ops->is_bad(f, b);

		s->pb[b].state = PB_FREE;
		if (rc < 0)
			return store_io_error(s, rc, "checking for bad blocks");
		if (rc) {
			s->pb[b].state = PB_BAD;
			continue;
		}
		if (!(fd->first = mem_alloc(s, chunk)))
			return cs_err_set(s->err, ENOMEM, "out of memory");
		rc = f->ops->read(f, b, 0, fd->first, chunk);
		if (rc && rc != -EUCLEAN && rc != -EBADMSG)
			return store_io_error(s, rc, "reading a segment header");
		s->pb[b].weak = rc == -EUCLEAN;	/* its first page needed ECC */
		s->pb[b].unreadable = rc == -EBADMSG;
		c->unreadable += rc == -EBADMSG;
		if (rc != -EBADMSG && classify(s, b, fd, c)) {
			++*n;
			continue;
		}
		mem_free(s, fd->first);
		fd->first = NULL;
	}
	return 0;
}

static void free_found(struct store *s, struct found *found, uint32_t n)
{
	for (uint32_t i = 0; found && i < n; i++)
		mem_free(s, found[i].first);
	mem_free(s, found);
}

static int by_seq(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->h.seq != y->h.seq)
		return x->h.seq < y->h.seq ? -1 : 1;
	return x->h.copy - y->h.copy;
}

static int check_headers(struct store *s, const struct found *found, uint32_t n,
			 const struct census *c)
{
	const struct flash_geometry *g = &s->geo;

	if (!n && c->other_version)
		return cs_err_set(s->err, EMEDIUMTYPE, "a credstore of on-flash format version %u: "
				  "this credstored reads version %u only (export the records "
				  "with the credstored that wrote it, format, then import them)",
				  c->version, LAYOUT_VERSION);
	if (!n && c->forged && !c->authentic)
		return cs_err_set(s->err, EKEYREJECTED, "the store key does not open this store: "
				  "no eraseblock's header authenticates under it (%u are version "
				  "%u headers: another key, or forged)", c->forged, LAYOUT_VERSION);
	if (!n && c->forged)
		return cs_err_set(s->err, EBADMSG, "tampered: the header of every segment (%u) "
				  "fails its MAC, nothing of the log is authentic (format to "
				  "start again)", c->forged);
	if (!n && !c->foreign && !c->unreadable)
		return cs_err_set(s->err, ENODATA, "the flash is blank: no credstore to mount "
				  "(format it first)");
	if (!n)
		return cs_err_set(s->err, EMEDIUMTYPE, "not a credstore: %u of %u eraseblocks "
				  "hold data that is not a credstore segment",
				  c->foreign + c->unreadable, g->eraseblock_count);
	for (uint32_t i = 0; i < n; i++) {
		const struct block_header *h = &found[i].h;

		if (h->eraseblock_size != g->eraseblock_size ||
		    h->eraseblock_count != g->eraseblock_count || h->align != s->align)
			return cs_err_set(s->err, EMEDIUMTYPE, "credstore made for another flash: "
					  "%u eraseblocks of %u bytes, alignment %u (this one: %u "
					  "of %u, %u)", h->eraseblock_count, h->eraseblock_size,
					  h->align, g->eraseblock_count, g->eraseblock_size, s->align);
	}
	return 0;
}

/* Replays a segment's commits, from the reader's position, each checked
 * by the chain first. */
static int replay(struct store *s, struct segment *seg, struct reader *r,
		  struct scan_commit *last, struct chain *ch)
{
	struct scan_commit c;
	uint32_t undecodable = 0, lost = 0;
	int rc;

	while ((rc = reader_next(r, &c)) > 0) {
		struct commit_header h;
		const uint8_t *payload;

		commit_header_decode(c.data, &h);
		*last = c;
		if (r->lost != lost)
			ch->loss = true;
		lost = r->lost;
		if (!chain_admit(s, ch, seg, c.offset, &h, c.authentic, c.offset == s->data_start))
			continue;
		payload = unpack_payload(s, &h, c.data + COMMIT_HEADER_SIZE);
		/* CRC-valid but malformed (written so): lost whole, never in part */
		if (!payload || !payload_ok(payload, h.raw_len, h.op_count) ||
		    apply_commit(s, seg, c.offset, payload, h.raw_len, h.generation))
			undecodable++;
		if (h.generation > s->gen)
			s->gen = h.generation;
	}
	if (r->lost) {
		ch->loss = true;
		store_report(s, STORE_EVENT_LOST, seg->phys[0], r->lost, "unreadable pages");
	}
	if (undecodable)
		store_report(s, STORE_EVENT_LOST, seg->phys[0], undecodable,
			     "commits that do not decode");
	if (r->corrected && !seg->evacuate)
		seg->evacuate = EVAC_CORRECTED;
	seg->used = r->off;
	seg->closed = true;
	return rc;
}

/* The tail that the head's last authentic commit names (0 if none). */
static int head_tail(struct store *s, struct reader *r, uint64_t *tail, uint32_t *offset)
{
	struct scan_commit c;
	struct commit_header h;
	int rc;

	*tail = 0;
	while ((rc = reader_next(r, &c)) > 0) {
		if (!c.authentic)
			continue;
		commit_header_decode(c.data, &h);
		*tail = h.tail;
		*offset = h.tail_unit * s->align;
	}
	r->off = s->data_start;
	r->lost = 0;
	r->dirty_end = false;
	return rc;
}

/* How many entries of found[] (sorted) the segment at i spans. */
static uint32_t span(const struct found *found, uint32_t n, uint32_t i)
{
	uint32_t j = i;

	while (j < n && found[j].h.seq == found[i].h.seq)
		j++;
	return j - i;
}

static int open_reader(struct store *s, struct found *found, uint32_t n, uint32_t i,
		       struct reader *r, uint32_t *ncopies)
{
	uint32_t phys[2] = { NO_PARTNER, NO_PARTNER };
	uint8_t *first[2] = { NULL, NULL };

	*ncopies = span(found, n, i) < 2 ? 1 : 2;
	for (uint32_t c = 0; c < *ncopies; c++) {
		phys[c] = found[i + c].block;
		first[c] = found[i + c].first;
	}
	if (reader_init(r, s, found[i].h.seq, found[i].h.nonce, phys, *ncopies, first)) {
		reader_free(r);
		return cs_err_set(s->err, ENOMEM, "out of memory");
	}
	return 0;
}

static int mount_segment(struct store *s, const struct found *found, uint32_t i,
			 uint32_t ncopies, struct reader *r, bool head, struct chain *ch)
{
	struct scan_commit last = { 0 };
	struct segment *seg = seg_new(s, found[i].h.seq);
	int rc;

	if (!seg)
		return cs_err_set(s->err, ENOMEM, "out of memory");
	memcpy(seg->nonce, found[i].h.nonce, SEG_NONCE_LEN);
	for (uint32_t c = 0; c < ncopies; c++) {
		seg->phys[c] = r->phys[c];
		s->pb[r->phys[c]].state = PB_USED;
		if (s->pb[r->phys[c]].weak)
			seg->evacuate = EVAC_CORRECTED;
	}
	if ((rc = replay(s, seg, r, &last, ch)))
		return store_io_error(s, rc, "reading a segment");
	/* a segment missing a copy, or ending in a torn commit, takes no more */
	if (head && ncopies == s->redundancy)
		seg->closed = !reader_appendable(r, last.data ? &last : NULL);
	return 0;
}

static int check_key(struct store *s)
{
	struct rec *r = index_find(s, STORE_REC_INTERNAL, key_check_name, sizeof(key_check_name));
	struct seal_binding b;
	uint8_t out[STORE_KEY_LEN];

	if (!r)
		return 0;
	b = (struct seal_binding){ r->type, rec_data(r), r->key_len, r->gen,
				   rec_data(r) + r->key_len, r->value_len };
	if (r->secret_len != sizeof(out) + SEAL_OVERHEAD ||
	    unseal(s->key, &b, rec_data(r) + r->key_len + r->value_len, r->secret_len, out,
		   sizeof(out)))
		return cs_err_set(s->err, EKEYREJECTED, "the store key does not open this "
				  "store: it was sealed under another key");
	return 0;
}

/* Tail, redundancy and highest seq from every header. */
static uint64_t headers_tail(struct store *s, const struct found *found, uint32_t n,
			     uint32_t *redundancy)
{
	uint64_t tail = 0;

	*redundancy = 1;
	for (uint32_t i = 0; i < n; i++) {
		if (found[i].h.tail > tail)
			tail = found[i].h.tail;
		if (found[i].h.redundancy > *redundancy)
			*redundancy = found[i].h.redundancy;
		if (found[i].h.seq > s->max_seq)
			s->max_seq = found[i].h.seq;
	}
	return tail;
}

/* found[] sorted, the store is the newest header's (its store id): its
 * headers first, those of another store (an older format's, or put there)
 * after them.  Returns how many are the store's. */
static uint32_t own_headers(struct store *s, struct found *found, uint32_t n)
{
	uint32_t own = 0;

	memcpy(s->store_id, found[n - 1].h.store_id, STORE_ID_LEN);
	for (uint32_t i = 0; i < n; i++) {
		struct found keep = found[i];

		if (memcmp(keep.h.store_id, s->store_id, STORE_ID_LEN))
			continue;
		memmove(&found[own + 1], &found[own], (i - own) * sizeof(*found));
		found[own++] = keep;
	}
	return own;
}

/* The splices the store's headers name that the log from the tail on
 * still needs (FORMAT.md, "Splices"); the newest header names them all. */
static void collect_splices(struct store *s, const struct found *found, uint32_t n,
			    uint64_t tail)
{
	s->nsplices = 0;
	for (uint32_t i = n; i-- > 0;) {
		for (int k = 0; k < SPLICES_MAX; k++) {
			const struct splice *sp = &found[i].h.splices[k];
			bool known = false;

			for (uint32_t j = 0; j < s->nsplices; j++)
				known |= s->splices[j].seq == sp->seq;
			if (sp->seq >= tail && !known && s->nsplices < SPLICES_MAX)
				s->splices[s->nsplices++] = *sp;
		}
	}
}

/* What the mount found wrong with headers: forged ones, and another
 * store's segments inside the log's span. */
static void report_headers(struct store *s, const struct found *others, uint32_t nothers,
			   uint64_t tail)
{
	for (uint32_t b = 0; b < s->geo.eraseblock_count; b++)
		if (s->pb[b].forged)
			store_report(s, STORE_EVENT_TAMPERED, b, 1, "its header fails its MAC");
	for (uint32_t i = 0; i < nothers; i++)
		if (!(others[i].h.flags & BLOCK_FLAG_FREE) && others[i].h.seq >= tail)
			store_report(s, STORE_EVENT_TAMPERED, others[i].block, 1,
				     "a segment of another store (another store id) in the log");
}

/* Replays the segments from the tail to the head. */
static int mount_log(struct store *s, struct found *found, uint32_t n, const struct census *cs)
{
	uint32_t own, head, redundancy, head_copies, ncopies;
	uint64_t tail, commit_tail;
	uint32_t tail_offset = 0;
	struct reader hr, r;
	struct chain ch;
	int rc;

	qsort(found, n, sizeof(*found), by_seq);
	own = own_headers(s, found, n);
	head = own - 1;
	while (head > 0 && found[head - 1].h.seq == found[head].h.seq)
		head--;
	tail = headers_tail(s, found, own, &redundancy);
	set_redundancy(s, redundancy, s->reserved);
	if ((rc = open_reader(s, found, own, head, &hr, &head_copies)))
		return rc;
	if ((rc = head_tail(s, &hr, &commit_tail, &tail_offset))) {
		reader_free(&hr);
		return store_io_error(s, rc, "reading the head segment");
	}
	if (commit_tail >= tail)
		tail = commit_tail;
	else
		tail_offset = 0;
	s->durable_tail = tail;
	report_headers(s, found + own, n - own, tail);
	collect_splices(s, found, own, tail);
	chain_init(&ch, s->splices, s->nsplices, tail,
		   tail_offset > s->data_start ? tail_offset : s->data_start);
	for (uint32_t i = 0; i < head && !rc; i += span(found, own, i)) {
		if (found[i].h.seq < tail || chain_spliced(&ch, found[i].h.seq))
			continue;
		if (!(rc = open_reader(s, found, own, i, &r, &ncopies))) {
			/* the tail's commits before its first live record are dead */
			if (found[i].h.seq == tail)
				reader_seek(&r, tail_offset);
			/* a segment whose header is unreadable may be missing before it */
			ch.loss |= cs->unreadable > 0;
			rc = mount_segment(s, found, i, ncopies, &r, false, &ch);
			reader_free(&r);
		}
	}
	ch.loss |= cs->unreadable > 0;
	if (found[head].h.seq == tail)
		reader_seek(&hr, tail_offset);
	if (!rc)
		rc = mount_segment(s, found, head, head_copies, &hr, true, &ch);
	reader_free(&hr);
	s->next_cseq = chain_next_cseq(&ch);
	if (!rc && !seg_head(s)->end_cseq)	/* nothing of it taken: the writer's */
		seg_head(s)->first_cseq = seg_head(s)->end_cseq = s->next_cseq;
	return rc;
}

/* The counter checked against the store, and a binding written where it
 * needs one; a failure there refuses changes, not the mount. */
static void mount_counter(struct store *s)
{
	struct cs_err err = { 0 }, *outer = s->err;

	if (rollback_judge(s) != ROLLBACK_BIND)
		return;
	s->err = &err;
	if (commit_binding(s, s->counter_value + 1))
		rollback_bind_failed(s, err.msg);
	s->err = outer;
}

struct store *store_mount(struct flash *f, const struct store_options *opt,
			  struct cs_err *err)
{
	struct store *s = store_alloc(f, opt, 1, err);
	struct found *found = NULL;
	struct census c;
	uint32_t n = 0;

	if (!s)
		return NULL;
	s->reserved = opt->reserved_blocks;
	if (pack_reserve(s, s->geo.eraseblock_size) ||
	    read_headers(s, &found, &n, &c, true) || check_headers(s, found, n, &c) ||
	    mount_log(s, found, n, &c) || check_key(s)) {
		free_found(s, found, n);
		store_unmount(s);
		return NULL;
	}
	free_found(s, found, n);
	/* parts no final part applied: a transaction cut short */
	parts_drop(s);
	/* a lost segment header may have hidden commits: one copy cannot tell */
	for (uint32_t b = 0; s->redundancy == 1 && b < s->geo.eraseblock_count; b++)
		if (s->pb[b].unreadable)
			store_report(s, STORE_EVENT_LOST, b, 1, "an unreadable segment header");
	release_dead(s);
	mount_counter(s);
	pack_trim(s);
	s->err = NULL;
	return s;
}

/* The first commit: the key check, and with a counter the binding to its
 * next value (advanced once the commit is on flash). */
static int write_first_commit(struct store *s)
{
	uint8_t secret[STORE_KEY_LEN] = { 0 }, sealed[sizeof(secret) + SEAL_OVERHEAD];
	struct seal_binding b = { STORE_REC_INTERNAL, key_check_name, sizeof(key_check_name),
				  1, "", 0 };
	struct op op = {
		.kind = OP_PUT, .type = STORE_REC_INTERNAL, .key_len = sizeof(key_check_name),
		.flags = OP_FLAG_SEALED, .secret_len = sizeof(sealed),
		.key = (const uint8_t *)key_check_name, .value = sealed, .secret = sealed,
	};
	uint8_t *out = s->buf + COMMIT_HEADER_SIZE, value[8];
	uint64_t now;
	uint32_t len;
	int rc;

	if (seal(s->key, &b, secret, sizeof(secret), sealed))
		return cs_err_set(s->err, EIO, "sealing the key check failed (OpenSSL)");
	len = op_encode(&op, out);
	if (s->counter) {
		struct store_record r;

		if ((rc = counter_read(s->counter, &now, s->err)))
			return rc;
		r = rollback_binding(now + 1, value);
		op = (struct op){ .kind = OP_PUT, .type = r.type, .key_len = r.key_len,
				  .value_len = r.value_len, .key = r.key, .value = r.value,
				  .secret = r.value };
		len += op_encode(&op, out + len);
	}
	s->gen = 1;
	s->next_cseq = 1;
	if (RAND_bytes(s->store_id, STORE_ID_LEN) != 1)
		return cs_err_set(s->err, EIO, "no randomness for the store id");
	rc = log_commit(s, len, s->counter ? 2 : 1, 1, NULL, 0);
	if (!rc && s->counter) {
		s->rollback = STORE_ROLLBACK_OK;
		rc = rollback_advance(s);
		if (rc)
			rc = cs_err_set(s->err, -rc, "%s", s->rollback_reason);
	}
	return rc;
}

/* Keeps the old store's live segments (seq at or after its tail) out of
 * the way while the new store's first segment is written. */
static void hold_old_live(struct store *s, const struct found *found, uint32_t n,
			  enum pblock_state state)
{
	const struct segment *head = seg_head(s);
	uint64_t tail = 0;

	for (uint32_t i = 0; i < n; i++)
		if (found[i].h.tail > tail)
			tail = found[i].h.tail;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = found[i].block;

		if (found[i].h.seq >= tail && s->pb[b].state != PB_BAD &&
		    !(head && (head->phys[0] == b || head->phys[1] == b)))
			s->pb[b].state = state;
	}
}

/* Format: a new segment whose header says that everything before it is
 * dead comes first, written into a block the old store does not need, so
 * that a format cut short leaves either the old store or the new one; then
 * every other block is erased. */
int store_format(struct flash *f, const struct store_options *opt, struct cs_err *err)
{
	uint32_t redundancy = opt->redundancy ? (uint32_t)opt->redundancy : 1;
	struct store *s;
	struct found *found = NULL;
	struct census c;
	uint32_t n = 0;
	int rc;

	if (redundancy > 2)
		return cs_err_set(err, EINVAL, "redundancy %u: 1 or 2", redundancy);
	if (!(s = store_alloc(f, opt, redundancy, err)))
		return err && err->code ? -err->code : -ENOMEM;
	set_redundancy(s, redundancy, opt->reserved_blocks);
	/* any store's headers, under any key: hold_old_live keeps them */
	rc = read_headers(s, &found, &n, &c, false);
	for (uint32_t i = 0; !rc && i < n; i++)
		if (found[i].h.seq > s->max_seq)
			s->max_seq = found[i].h.seq;
	if (!rc) {
		hold_old_live(s, found, n, PB_USED);
		if (free_blocks(s) < redundancy)	/* no room beside it: it goes */
			hold_old_live(s, found, n, PB_FREE);
		rc = write_first_commit(s);
		hold_old_live(s, found, n, PB_FREE);
	}
	free_found(s, found, n);
	for (uint32_t b = 0; !rc && b < s->geo.eraseblock_count; b++) {
		if (s->pb[b].state != PB_FREE)
			continue;
		rc = erase_free(s, b);
		if (rc == -EIO) {
			retire_block(s, b);
			rc = 0;
		}
	}
	store_unmount(s);
	return rc;
}
