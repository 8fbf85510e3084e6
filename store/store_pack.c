/* Packing commits: a payload is stored LZ4-compressed when that makes it
 * smaller, and what compression saves in a program unit is filled with
 * forwarded copies of the tail's live records (store/FORMAT.md, "Commit
 * payloads").
 *
 * The LZ4 block format (liblz4, no frame): the commit header already
 * holds both lengths and a CRC of the stored bytes.  LZ4 rather than
 * deflate because a commit is small and written per update: deflate's
 * per-call cost (~16-20 us for 760 bytes, whatever the level) dominated
 * an update, LZ4 takes under 1 us, and on credential records (random
 * fingerprints, padded ids) both reach the same size. */
#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define RATIO_ONE	1024		/* fixed point of pack.ratio */
#define FILL_ATTEMPTS	3		/* compressions to find the forward count */
/* What the commit buffers hold between commits: a commit of a few
 * records and the forwards GC adds to it (GC_STEP), with room to spare.
 * A larger commit (a big transaction, a GC drain, a mount) grows them to
 * an eraseblock for its duration (pack_reserve, pack_trim). */
#define PACK_DEFAULT	(16 * 1024)

struct pack {
	void *lz4;			/* compression state: 16 KiB, off the stack */
	uint32_t cap;			/* bytes each buffer below holds */
	uint8_t *image[2];		/* commit images compressed into: header, payload */
	uint8_t *raw;			/* forwards and user ops made contiguous for LZ4 */
	uint32_t *off;			/* raw end of each candidate forward */
	uint32_t ratio;			/* stored bytes per RATIO_ONE raw, of late */
};

/* Every buffer at size bytes: 0, or -ENOMEM with p->cap unchanged. */
static int resize(struct store *s, uint32_t size)
{
	struct pack *p = s->pack;
	uint8_t **bufs[] = { &s->buf, &p->image[0], &p->image[1], &p->raw };
	/* a forwarded op takes at least its header and generation */
	size_t offs = (size / (OP_HEADER_SIZE + OP_GEN_SIZE) + 2) * sizeof(*p->off);
	void *q;

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		if (!(q = mem_realloc(s, *bufs[i], size)))
			return -ENOMEM;
		*bufs[i] = q;
	}
	if (!(q = mem_realloc(s, p->off, offs)))
		return -ENOMEM;
	p->off = q;
	p->cap = size;
	return 0;
}

int pack_reserve(struct store *s, uint32_t len)
{
	if (len > s->geo.eraseblock_size)
		len = s->geo.eraseblock_size;
	if (len <= s->pack->cap)
		return 0;
	return resize(s, len) ? cs_err_set(s->err, ENOMEM, "out of memory") : 0;
}

void pack_trim(struct store *s)
{
	if (s->pack->cap > PACK_DEFAULT)
		resize(s, PACK_DEFAULT);
}

int pack_init(struct store *s)
{
	struct pack *p = mem_zalloc(s, sizeof(*p));

	s->pack = p;
	if (!p)
		return -ENOMEM;
	p->ratio = RATIO_ONE;
	p->lz4 = mem_alloc(s, (size_t)LZ4_sizeofState());
	if (!p->lz4 || resize(s, PACK_DEFAULT < s->geo.eraseblock_size ? PACK_DEFAULT
								   : s->geo.eraseblock_size))
		return -ENOMEM;
	return 0;
}

void pack_free(struct store *s)
{
	struct pack *p = s->pack;

	if (!p)
		return;
	mem_free(s, p->lz4);
	mem_free(s, p->image[0]);
	mem_free(s, p->image[1]);
	mem_free(s, p->raw);
	mem_free(s, p->off);
	mem_free(s, s->buf);
	mem_free(s, p);
	s->pack = NULL;
	s->buf = NULL;
}

/* Compresses len bytes at raw into out: the block's length, or 0 if it
 * would not be shorter than len. */
static uint32_t compress(struct pack *p, const uint8_t *raw, uint32_t len, uint8_t *out)
{
	if (len < 2)
		return 0;
	return (uint32_t)LZ4_compress_fast_extState(p->lz4, (const char *)raw, (char *)out,
						    (int)len, (int)len - 1, 1);
}

/* The payload of fwd_len bytes at s->buf + COMMIT_HEADER_SIZE followed by
 * the user bytes at ops: compressed into image slot if that is smaller,
 * else stored as it is (from s->buf, once ops are copied after it).  The
 * two pieces meet in p->raw, since s->buf holds candidates that a later
 * attempt may still take. */
static void pack_slot(struct store *s, uint32_t fwd_len, const uint8_t *ops, uint32_t user,
		      int slot, struct packing *pk)
{
	struct pack *p = s->pack;
	uint32_t raw_len = fwd_len + user, c;
	const uint8_t *raw = s->buf + COMMIT_HEADER_SIZE;

	if (user) {
		memcpy(p->raw, raw, fwd_len);
		memcpy(p->raw + fwd_len, ops, user);
		raw = p->raw;
	}
	c = compress(p, raw, raw_len, p->image[slot] + COMMIT_HEADER_SIZE);
	pk->raw_len = raw_len;
	pk->compressed = c > 0;
	pk->stored_len = c ? c : raw_len;
	pk->image = c ? p->image[slot] : s->buf;
	if (c)
		p->ratio = (3 * p->ratio + (uint32_t)((uint64_t)c * RATIO_ONE / raw_len)) / 4;
}

void pack_payload(struct store *s, uint32_t raw_len, struct packing *pk)
{
	pack_slot(s, raw_len, NULL, 0, 0, pk);
}

uint32_t packed_size(struct store *s, const uint8_t *ops, uint32_t len)
{
	struct pack *p = s->pack;
	uint32_t c = compress(p, ops, len, p->image[0]);

	return c ? c : len;
}

static uint32_t estimate(const struct pack *p, uint32_t raw)
{
	return (uint32_t)((uint64_t)raw * p->ratio / RATIO_ONE);
}

/* Encodes fwd's live records, oldest first, at s->buf + header as
 * candidates: up to twice what is estimated to fit in room, and never
 * more raw bytes (with the user's) than a segment holds.  p->off[k]: the
 * raw length of the first k; returns how many were encoded. */
static uint32_t candidates(struct store *s, const struct segment *fwd, uint32_t user,
			   uint32_t room)
{
	struct pack *p = s->pack;
	uint32_t raw_max = (p->cap < seg_capacity(s) ? p->cap : seg_capacity(s)) - COMMIT_HEADER_SIZE;
	uint32_t k = 0;
	struct op op;

	p->off[0] = 0;
	for (const struct rec *r = fwd ? fwd->live : NULL; r && k < UINT16_MAX; r = r->seg_next) {
		uint32_t end;

		rec_to_op(r, &op, true);
		end = p->off[k] + op_size(&op);
		if (end + user > raw_max || estimate(p, end + user) > 2 * room)
			break;
		op_encode(&op, s->buf + COMMIT_HEADER_SIZE + p->off[k]);
		p->off[++k] = end;
	}
	return k;
}

/* The most candidates (at most kmax) whose packed size, judged from a
 * packing of k of them that took stored bytes, fits in room. */
static uint32_t rescale(const struct pack *p, uint32_t k, uint32_t stored, uint32_t user,
			uint32_t kmax, uint32_t room)
{
	uint32_t raw = p->off[k] + user, n = kmax;

	while (n > 0) {
		uint32_t guess = (uint32_t)((uint64_t)stored * (p->off[n] + user) / (raw ? raw : 1));

		if (guess <= room)
			break;
		n--;
	}
	return n;
}

uint16_t pack_forwards(struct store *s, const struct segment *fwd, const uint8_t *ops,
		       uint32_t user, uint32_t room, struct packing *pk)
{
	struct pack *p = s->pack;
	uint32_t kmax = candidates(s, fwd, user, room), k = kmax, best = 0;
	struct packing trial, found = { 0 };
	bool have = false;

	while (k > 0 && estimate(p, p->off[k] + user) > room)
		k--;
	/* each attempt packs into the image slot the best one so far is not in */
	for (int attempt = 0; attempt < FILL_ATTEMPTS && k > 0; attempt++) {
		pack_slot(s, p->off[k], ops, user, attempt & 1, &trial);
		if (trial.stored_len <= room) {
			found = trial;
			best = k;
			have = true;
		} else if (have) {
			break;
		}
		k = rescale(p, k, trial.stored_len, user, kmax, room);
		if (have && k <= best)
			break;
	}
	if (!have && user)
		pack_slot(s, 0, ops, user, 0, &found);
	/* the raw payload, which the index applies: forwards, then the user's ops */
	if (user)
		memcpy(s->buf + COMMIT_HEADER_SIZE + p->off[best], ops, user);
	*pk = found;
	return (uint16_t)best;
}

const uint8_t *unpack_payload(struct store *s, const struct commit_header *h,
			      const uint8_t *stored)
{
	struct pack *p = s->pack;

	if (!(h->flags & COMMIT_FLAG_LZ4))
		return stored;
	if (h->raw_len > seg_capacity(s) - COMMIT_HEADER_SIZE)
		return NULL;
	/* an LZ4 block ends with its last literals exactly at the end of its
	 * input, so this is exactly raw_len bytes from exactly payload_len */
	if (LZ4_decompress_safe((const char *)stored, (char *)p->image[0], (int)h->payload_len,
				(int)h->raw_len) != (int)h->raw_len)
		return NULL;
	return p->image[0];
}
