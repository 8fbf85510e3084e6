/* Resealing commits with the store key: see insider.h.  It uses the
 * store's own MAC (store_mac.c) on a store that is never mounted. */
#include <errno.h>
#include <string.h>

#include "flash_emu.h"
#include "insider.h"
#include "store_int.h"

/* The store id of the segment header with the highest seq. */
static bool newest_store_id(struct flash *f, uint8_t id[STORE_ID_LEN])
{
	struct block_header h;
	uint64_t best = 0;
	bool found = false;

	for (uint32_t b = 0; b < f->geo.eraseblock_count; b++) {
		if (block_header_decode(flash_emu_block(f, b), &h) == BLOCK_SEGMENT &&
		    (!found || h.seq > best)) {
			best = h.seq;
			memcpy(id, h.store_id, STORE_ID_LEN);
			found = true;
		}
	}
	return found;
}

static void reseal_block(struct store *s, uint8_t *block, const struct block_header *hdr)
{
	const struct flash_geometry *g = &s->geo;
	uint32_t off = s->data_start;
	struct commit_header h;

	while (off + COMMIT_HEADER_SIZE <= g->eraseblock_size &&
	       commit_header_decode(block + off, &h) > 0 &&
	       h.payload_len <= g->eraseblock_size - off - COMMIT_HEADER_SIZE) {
		commit_seal(s, &(struct place){ hdr->seq, hdr->nonce, off }, &h, block + off);
		off += align_up(COMMIT_HEADER_SIZE + h.payload_len, s->align);
	}
}

int insider_reseal(struct flash *f, const uint8_t key[STORE_KEY_LEN])
{
	struct store s = { .geo = f->geo };
	struct block_header h;

	memcpy(s.key, key, STORE_KEY_LEN);
	s.align = f->geo.program_unit > MIN_ALIGN ? f->geo.program_unit : MIN_ALIGN;
	s.data_start = align_up(BLOCK_HEADER_SIZE, s.align);
	if (!newest_store_id(f, s.store_id))
		return -ENOENT;
	if (mac_init(&s))
		return -EIO;
	for (uint32_t b = 0; b < f->geo.eraseblock_count; b++) {
		uint8_t *block = flash_emu_block(f, b);

		if (block_header_decode(block, &h) == BLOCK_SEGMENT &&
		    !memcmp(h.store_id, s.store_id, STORE_ID_LEN))
			reseal_block(&s, block, &h);
	}
	mac_free(&s);
	return 0;
}
