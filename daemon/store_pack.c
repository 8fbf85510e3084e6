/* Packing commits: a payload is stored deflated when that makes it
 * smaller, and what deflate saves in a program unit is filled with
 * forwarded copies of the tail's live records (daemon/FORMAT.md, "Commit
 * payloads").
 *
 * Raw deflate (zlib, no zlib or gzip framing): the commit header already
 * holds both lengths and a CRC of the stored bytes.  One z_stream each
 * way lives as long as the store; deflateReset() per commit clears the
 * hash table instead of allocating the stream again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "store_int.h"

#define RATIO_ONE	1024		/* fixed point of pack.ratio */
#define FILL_ATTEMPTS	3		/* compressions to find the forward count */

struct pack {
	z_stream def, inf;
	bool def_ready, inf_ready;
	uint8_t *image[2];		/* commit images deflated into: header, payload */
	uint32_t *off;			/* raw end of each candidate forward */
	uint32_t ratio;			/* stored bytes per RATIO_ONE raw, of late */
};

int pack_init(struct store *s)
{
	struct pack *p = calloc(1, sizeof(*p));
	uint32_t eb = s->geo.eraseblock_size;

	s->pack = p;
	if (!p)
		return -ENOMEM;
	p->ratio = RATIO_ONE;
	p->image[0] = malloc(eb);
	p->image[1] = malloc(eb);
	/* a forwarded op takes at least its header and generation */
	p->off = malloc((eb / (OP_HEADER_SIZE + OP_GEN_SIZE) + 2) * sizeof(*p->off));
	p->def_ready = deflateInit2(&p->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
				    Z_DEFAULT_STRATEGY) == Z_OK;
	p->inf_ready = inflateInit2(&p->inf, -MAX_WBITS) == Z_OK;
	if (!p->image[0] || !p->image[1] || !p->off || !p->def_ready || !p->inf_ready)
		return -ENOMEM;
	return 0;
}

void pack_free(struct store *s)
{
	struct pack *p = s->pack;

	if (!p)
		return;
	if (p->def_ready)
		deflateEnd(&p->def);
	if (p->inf_ready)
		inflateEnd(&p->inf);
	free(p->image[0]);
	free(p->image[1]);
	free(p->off);
	free(p);
	s->pack = NULL;
}

/* Deflates a then b into out: the stream's length, or 0 if it takes more
 * than cap bytes. */
static uint32_t deflate_pieces(struct pack *p, const uint8_t *a, uint32_t alen,
			       const uint8_t *b, uint32_t blen, uint8_t *out, uint32_t cap)
{
	z_stream *z = &p->def;

	deflateReset(z);
	z->next_out = out;
	z->avail_out = cap;
	z->next_in = (Bytef *)a;
	z->avail_in = alen;
	if (deflate(z, Z_NO_FLUSH) == Z_STREAM_ERROR || z->avail_in)
		return 0;
	z->next_in = (Bytef *)b;
	z->avail_in = blen;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return 0;
	return z->total_out;
}

/* The payload of fwd_len bytes at s->buf + COMMIT_HEADER_SIZE followed by
 * the user bytes at ops: deflated into image slot if that is smaller,
 * else stored as it is (from s->buf, once ops are copied after it). */
static void pack_slot(struct store *s, uint32_t fwd_len, const uint8_t *ops, uint32_t user,
		      int slot, struct packing *pk)
{
	struct pack *p = s->pack;
	uint32_t raw_len = fwd_len + user;
	uint32_t c = deflate_pieces(p, s->buf + COMMIT_HEADER_SIZE, fwd_len, ops, user,
				    p->image[slot] + COMMIT_HEADER_SIZE, raw_len ? raw_len - 1 : 0);

	pk->raw_len = raw_len;
	pk->deflated = c > 0;
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
	uint32_t c = deflate_pieces(p, NULL, 0, ops, len, p->image[0], len ? len - 1 : 0);

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
	uint32_t raw_max = seg_capacity(s) - COMMIT_HEADER_SIZE, k = 0;
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
	z_stream *z = &p->inf;

	if (!(h->flags & COMMIT_FLAG_DEFLATED))
		return stored;
	if (h->raw_len > seg_capacity(s) - COMMIT_HEADER_SIZE)
		return NULL;
	inflateReset(z);
	z->next_in = (Bytef *)stored;
	z->avail_in = h->payload_len;
	z->next_out = p->image[0];
	z->avail_out = h->raw_len;
	/* exactly raw_len bytes, and the stream ends with the stored bytes */
	if (inflate(z, Z_FINISH) != Z_STREAM_END || z->total_out != h->raw_len || z->avail_in)
		return NULL;
	return p->image[0];
}
