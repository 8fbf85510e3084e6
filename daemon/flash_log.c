#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_log.h"
#include "log.h"

enum tap_event { EV_CORRECTED, EV_UNCORRECTABLE, EV_FAILED, EV_MARKED_BAD, EV_COUNT };

#define TAP_BLOCKS 16	/* named per event and report; more are counted */

struct tap_blocks {
	uint32_t block[TAP_BLOCKS];
	uint32_t n, more;
};

struct flash_tap {
	struct flash f;			/* first: what the store holds */
	struct flash *inner;
	struct tap_blocks ev[EV_COUNT];
	char failure[sizeof(((struct cs_err *)0)->msg)];	/* last failed program/erase */
	struct store_status last;
	bool reported;
};

static struct flash_tap *tap_of(struct flash *f)
{
	return (struct flash_tap *)f;
}

static void note(struct flash_tap *t, enum tap_event ev, uint32_t block)
{
	struct tap_blocks *b = &t->ev[ev];

	for (uint32_t i = 0; i < b->n; i++)
		if (b->block[i] == block)
			return;
	if (b->n < TAP_BLOCKS)
		b->block[b->n++] = block;
	else
		b->more++;
}

/* The store reads the backend's stats and the reason of its last failure. */
static int forwarded(struct flash_tap *t, int r)
{
	t->f.stats = t->inner->stats;
	t->f.err = t->inner->err;
	return r;
}

static int tap_read(struct flash *f, uint32_t block, uint32_t offset, void *buf, size_t len)
{
	struct flash_tap *t = tap_of(f);
	int r = t->inner->ops->read(t->inner, block, offset, buf, len);

	if (r == -EUCLEAN)
		note(t, EV_CORRECTED, block);
	else if (r == -EBADMSG)
		note(t, EV_UNCORRECTABLE, block);
	return forwarded(t, r);
}

static void note_failure(struct flash_tap *t, uint32_t block)
{
	note(t, EV_FAILED, block);
	memcpy(t->failure, t->inner->err.msg, sizeof(t->failure));
}

static int tap_program(struct flash *f, uint32_t block, uint32_t offset, const void *buf,
		       size_t len)
{
	struct flash_tap *t = tap_of(f);
	int r = t->inner->ops->program(t->inner, block, offset, buf, len);

	if (r == -EIO)
		note_failure(t, block);
	return forwarded(t, r);
}

static int tap_erase(struct flash *f, uint32_t block)
{
	struct flash_tap *t = tap_of(f);
	int r = t->inner->ops->erase(t->inner, block);

	if (r == -EIO)
		note_failure(t, block);
	return forwarded(t, r);
}

static int tap_is_bad(struct flash *f, uint32_t block)
{
	struct flash_tap *t = tap_of(f);

	return forwarded(t, t->inner->ops->is_bad(t->inner, block));
}

static int tap_mark_bad(struct flash *f, uint32_t block)
{
	struct flash_tap *t = tap_of(f);
	int r = t->inner->ops->mark_bad(t->inner, block);

	if (!r)
		note(t, EV_MARKED_BAD, block);
	return forwarded(t, r);
}

static void tap_close(struct flash *f)
{
	struct flash_tap *t = tap_of(f);

	flash_close(t->inner);
	free(t);
}

static const struct flash_ops tap_ops = {
	.read = tap_read,
	.program = tap_program,
	.erase = tap_erase,
	.is_bad = tap_is_bad,
	.mark_bad = tap_mark_bad,
	.close = tap_close,
};

struct flash *flash_log_wrap(struct flash *inner)
{
	struct flash_tap *t = calloc(1, sizeof(*t));

	if (!t) {
		flash_close(inner);
		return NULL;
	}
	t->inner = inner;
	t->f.ops = &tap_ops;
	t->f.geo = inner->geo;
	forwarded(t, 0);
	return &t->f;
}

/* "eraseblock 3", "eraseblocks 3, 9 and 2 more"; empties the list. */
static const char *blocks_text(struct tap_blocks *b, char *buf, size_t size)
{
	size_t n = 0;

	if (!b->n)
		return "an eraseblock not seen failing";
	n += (size_t)snprintf(buf, size, "eraseblock%s", b->n + b->more > 1 ? "s" : "");
	for (uint32_t i = 0; i < b->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s %u", i ? "," : "", b->block[i]);
	if (b->more && n < size)
		snprintf(buf + n, size - n, " and %u more", b->more);
	b->n = b->more = 0;
	return buf;
}

/* One line per block: each is a part of the flash gone for good. */
static void log_retired(struct flash_tap *t)
{
	struct tap_blocks *b = &t->ev[EV_MARKED_BAD];

	for (uint32_t i = 0; i < b->n; i++)
		log_msg(LOG_WARNING, "flash: eraseblock %u retired (marked bad) after: %s",
			b->block[i], t->failure);
	if (b->more)
		log_msg(LOG_WARNING, "flash: %u more eraseblocks retired", b->more);
	b->n = b->more = 0;
}

void flash_log_report(struct flash *f, struct store *s)
{
	struct flash_tap *t = tap_of(f);
	struct store_status now;
	char names[256];

	if (!t)		/* a daemon run in process (the fuzzers) has no tap */
		return;
	store_status(s, &now);
	if (!t->reported && now.bad_blocks)
		log_msg(LOG_NOTICE, "flash: %u bad eraseblock(s) at mount", now.bad_blocks);
	if (now.lost_commits > t->last.lost_commits)
		log_msg(LOG_ERR, "flash: %llu commit(s) lost to unreadable pages at mount (%s)",
			(unsigned long long)(now.lost_commits - t->last.lost_commits),
			blocks_text(&t->ev[EV_UNCORRECTABLE], names, sizeof(names)));
	log_retired(t);
	if (t->reported && now.relocations > t->last.relocations)
		log_msg(LOG_WARNING, "flash: %llu segment(s) relocated after a failed program or erase on %s",
			(unsigned long long)(now.relocations - t->last.relocations),
			blocks_text(&t->ev[EV_FAILED], names, sizeof(names)));
	if (t->reported && now.scrubs > t->last.scrubs)
		log_msg(LOG_NOTICE, "flash: %llu scrub(s) after corrected bit flips on %s",
			(unsigned long long)(now.scrubs - t->last.scrubs),
			blocks_text(&t->ev[EV_CORRECTED], names, sizeof(names)));
	if (t->ev[EV_UNCORRECTABLE].n)
		log_msg(LOG_ERR, "flash: uncorrectable read(s) on %s: the store rewrites what it "
			"still holds elsewhere",
			blocks_text(&t->ev[EV_UNCORRECTABLE], names, sizeof(names)));
	t->last = now;
	t->reported = true;
}
