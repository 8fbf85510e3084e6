/* flashcheck: the conformance test of a struct flash backend.  It checks
 * what the store relies on: the geometry, erase leaves all bits 1, data
 * programmed in program units reads back, a misaligned or out-of-range
 * request is refused and changes nothing, bad blocks are reported and
 * can be marked, ECC results come back as -EUCLEAN / -EBADMSG, and the
 * statistics count exactly what was done.  It prints TAP.
 *
 * usage: flashcheck [options] DEVICE      (e.g. /dev/mtd0, through libmtd)
 *        flashcheck [options] --emu=GEOMETRY [--faults=FAULTS]
 *                        (the emulated flash, in memory; flash_emu.h
 *                        describes GEOMETRY and FAULTS)
 *   --geometry=nand|nor,EBSIZE,EBCOUNT,PAGE,UNIT   the geometry expected
 *   --bad=B1,B2,...      the blocks expected bad (every other one good)
 *   --mark-bad           mark the last good block bad (destroys it)
 *   --messages           failures must be explained in f->err (which
 *                        eraseblock, what failed)
 *   --flips=B:N          read block B (as it is) up to N times: some reads
 *                        must come back corrected (-EUCLEAN), all the same
 *   --uncorrectable=B:P  page P of block B (as it is) must read back
 *                        uncorrectable (-EBADMSG) within a few reads
 * Destructive: it erases and programs the first and last good blocks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "flash_emu.h"
#include "tap.h"

struct options {
	const char *device;
	const char *emu, *faults;
	const char *geometry;
	const char *bad;
	bool mark_bad;
	bool messages;
	const char *flips;
	const char *uncorrectable;
};

/* The backend under test and what its statistics must say. */
struct bench {
	struct flash *f;
	struct flash_stats expect;
	uint8_t *buf, *want;		/* one eraseblock each */
	bool messages;			/* check the sentences in f->err */
};

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x >> 24;
	}
}

static uint64_t pages_touched(const struct bench *b, uint32_t offset, size_t len)
{
	uint32_t page = b->f->geo.page_size;

	return len ? (offset + len - 1) / page - offset / page + 1 : 0;
}

/* The ops, counting what each one that reaches the flash must add. */
static int t_read(struct bench *b, uint32_t block, uint32_t offset, size_t len)
{
	int rc = b->f->ops->read(b->f, block, offset, b->buf + offset, len);

	if (rc == 0 || rc == -EUCLEAN || rc == -EBADMSG) {
		b->expect.reads++;
		b->expect.bytes_read += len;
		b->expect.pages_read += pages_touched(b, offset, len);
		b->expect.corrected += rc == -EUCLEAN;
		b->expect.uncorrectable += rc == -EBADMSG;
	}
	return rc;
}

/* A read that returned the data: on a chip that flips bits at random
 * (nandsim bitflips=) any read may come back corrected. */
static bool read_good(int rc)
{
	return rc == 0 || rc == -EUCLEAN;
}

static int t_program(struct bench *b, uint32_t block, uint32_t offset, size_t len)
{
	int rc = b->f->ops->program(b->f, block, offset, b->want + offset, len);

	if (rc == 0) {
		b->expect.programs++;
		b->expect.bytes_programmed += len;
		b->expect.pages_programmed += pages_touched(b, offset, len);
	}
	return rc;
}

static int t_erase(struct bench *b, uint32_t block)
{
	int rc = b->f->ops->erase(b->f, block);

	if (rc == 0)
		b->expect.erases++;
	return rc;
}

static bool all_ff(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

static void check_geometry(const struct flash_geometry *g, const char *expected)
{
	char type[8];
	unsigned long ebsize, ebcount, page, unit;

	printf("# geometry: %s, %u eraseblocks of %u bytes, page %u, program unit %u, bad blocks %s\n",
	       g->type == FLASH_NAND ? "NAND" : "NOR", g->eraseblock_count, g->eraseblock_size,
	       g->page_size, g->program_unit, g->bad_blocks_allowed ? "allowed" : "not allowed");
	ok(g->eraseblock_count >= 2 && g->program_unit >= 1 && g->page_size % g->program_unit == 0 &&
	   g->eraseblock_size % g->page_size == 0,
	   "geometry is consistent (units divide pages divide eraseblocks)");
	if (!expected)
		return;
	if (!ok(sscanf(expected, "%7[a-z],%lu,%lu,%lu,%lu", type, &ebsize, &ebcount, &page, &unit) == 5,
		"--geometry=%s parses", expected))
		return;
	ok((g->type == FLASH_NAND) == !strcmp(type, "nand"), "flash type is %s", type);
	ok(g->eraseblock_size == ebsize, "eraseblock size %lu (got %u)", ebsize, g->eraseblock_size);
	ok(g->eraseblock_count == ebcount, "%lu eraseblocks (got %u)", ebcount, g->eraseblock_count);
	ok(g->page_size == page, "page size %lu (got %u)", page, g->page_size);
	ok(g->program_unit == unit, "program unit %lu (got %u)", unit, g->program_unit);
	ok(g->bad_blocks_allowed == !strcmp(type, "nand"), "bad blocks allowed on NAND only");
}

static bool listed(const char *list, uint32_t block)
{
	char *end;

	while (list && *list) {
		if (strtoul(list, &end, 0) == block && end != list)
			return true;
		list = *end == ',' ? end + 1 : NULL;
	}
	return false;
}

/* Every block's bad-block state; returns how many are bad. */
static uint32_t check_bad_blocks(struct bench *b, const char *expected)
{
	uint32_t bad = 0, wrong = 0;

	for (uint32_t i = 0; i < b->f->geo.eraseblock_count; i++) {
		int rc = b->f->ops->is_bad(b->f, i);

		bad += rc == 1;
		if (rc < 0 || (rc == 1) != listed(expected, i)) {
			printf("# block %u: is_bad %d, expected %s\n", i, rc,
			       listed(expected, i) ? "bad" : "good");
			wrong++;
		}
	}
	printf("# bad blocks: %u\n", bad);
	ok(wrong == 0, "is_bad reports exactly the blocks %s", expected ? expected : "(none)");
	return bad;
}

static int32_t good_block(struct bench *b, int32_t from, int step)
{
	for (int32_t i = from; i >= 0 && (uint32_t)i < b->f->geo.eraseblock_count; i += step)
		if (b->f->ops->is_bad(b->f, i) == 0)
			return i;
	return -1;
}

static void check_erase(struct bench *b, uint32_t block)
{
	uint32_t size = b->f->geo.eraseblock_size;

	ok(t_erase(b, block) == 0, "erase block %u", block);
	memset(b->buf, 0, size);
	ok(read_good(t_read(b, block, 0, size)) && all_ff(b->buf, size),
	   "block %u reads back all 0xFF after erase", block);
}

/* Program the first units one by one, then the rest of the block at
 * once, and read it all back, also at odd offsets and lengths. */
static void check_program(struct bench *b, uint32_t block)
{
	const struct flash_geometry *g = &b->f->geo;
	uint32_t unit = g->program_unit, units = 2 * g->page_size / unit;
	uint32_t head, failed = 0;
	size_t odd;

	if (units > 16)
		units = 16;
	head = units * unit;
	fill_pattern(b->want, g->eraseblock_size, block);
	for (uint32_t i = 0; i < units; i++)
		failed += t_program(b, block, i * unit, unit) != 0;
	ok(failed == 0, "block %u: %u programs of one %u-byte unit each", block, units, unit);
	ok(t_program(b, block, head, g->eraseblock_size - head) == 0,
	   "block %u: one program of the remaining %u bytes", block, g->eraseblock_size - head);
	memset(b->buf, 0, g->eraseblock_size);
	ok(read_good(t_read(b, block, 0, g->eraseblock_size)) &&
	   !memcmp(b->buf, b->want, g->eraseblock_size), "block %u reads back as programmed", block);
	odd = g->page_size + 3 < g->eraseblock_size / 2 ? g->page_size + 3 : 5;
	memset(b->buf, 0, g->eraseblock_size);
	ok(read_good(t_read(b, block, 7, odd)) && !memcmp(b->buf + 7, b->want + 7, odd),
	   "block %u: %zu bytes at offset 7 read back", block, odd);
}

/* Misaligned and out-of-range requests fail and change nothing. */
static void check_refusals(struct bench *b, uint32_t block)
{
	const struct flash_geometry *g = &b->f->geo;
	uint32_t unit = g->program_unit, size = g->eraseblock_size;
	int rc;

	ok(t_erase(b, block) == 0, "erase block %u again", block);
	if (unit > 1) {
		rc = t_program(b, block, unit / 2, unit);
		ok(rc == -EINVAL, "program at offset %u (half a unit) is refused: %d", unit / 2, rc);
		rc = t_program(b, block, 0, unit + 1);
		ok(rc == -EINVAL, "program of %u bytes (not whole units) is refused: %d", unit + 1, rc);
	} else {
		ok(1, "misaligned programs # SKIP the program unit is one byte");
	}
	rc = t_program(b, block, size - unit, 2 * unit);
	ok(rc == -EINVAL, "program past the end of the eraseblock is refused: %d", rc);
	rc = t_program(b, g->eraseblock_count, 0, unit);
	ok(rc == -EINVAL, "program of block %u (one past the last) is refused: %d",
	   g->eraseblock_count, rc);
	if (b->messages)
		ok(strstr(b->f->err.msg, "eraseblock") != NULL, "the refusal says why: %s",
		   b->f->err.msg);
	rc = t_erase(b, g->eraseblock_count);
	ok(rc == -EINVAL, "erase of a block past the last is refused: %d", rc);
	rc = b->f->ops->read(b->f, block, size - 1, b->buf, 2);
	ok(rc == -EINVAL, "read past the end of the eraseblock is refused: %d", rc);
	ok(read_good(t_read(b, block, 0, size)) && all_ff(b->buf, size),
	   "block %u is still erased after the refusals", block);
}

static void check_mark_bad(struct bench *b, uint32_t block)
{
	int rc;

	if (!b->f->geo.bad_blocks_allowed) {
		ok(b->f->ops->mark_bad(b->f, block) < 0, "mark_bad fails where bad blocks are not allowed");
		ok(b->f->ops->is_bad(b->f, block) == 0, "block %u still reads as good", block);
		return;
	}
	ok(b->f->ops->mark_bad(b->f, block) == 0, "mark block %u bad", block);
	ok(b->f->ops->is_bad(b->f, block) == 1, "block %u now reads as bad", block);
	/* MTD refuses to erase a bad block; either way it must stay bad. */
	rc = t_erase(b, block);
	printf("# erase of the block marked bad: %d\n", rc);
	ok(b->f->ops->is_bad(b->f, block) == 1, "block %u is still bad after an erase attempt", block);
}

/* Reads of a block left as it is (programmed beforehand: nandsim flips
 * bits of programmed pages only) until some come back corrected.  The
 * data must be the same on every read. */
static void check_flips(struct bench *b, const char *spec)
{
	const struct flash_geometry *g = &b->f->geo;
	uint32_t pages = g->eraseblock_size / g->page_size;
	unsigned long block, reads, corrected = 0, wrong = 0, n;

	if (!ok(sscanf(spec, "%lu:%lu", &block, &reads) == 2 && block < g->eraseblock_count,
		"--flips=%s parses", spec))
		return;
	memset(b->want, 0, g->eraseblock_size);
	if (!ok(t_read(b, block, 0, g->eraseblock_size) >= -EUCLEAN, "read block %lu", block))
		return;
	memcpy(b->want, b->buf, g->eraseblock_size);
	for (n = 0; n < reads && corrected < 3; n++) {
		uint32_t off = (n % pages) * g->page_size;
		int rc = t_read(b, block, off, g->page_size);

		corrected += rc == -EUCLEAN;
		wrong += (rc != 0 && rc != -EUCLEAN) || memcmp(b->buf + off, b->want + off, g->page_size);
	}
	printf("# corrected reads: %lu in %lu page reads\n", corrected, n);
	ok(corrected > 0, "corrected bit flips are reported as -EUCLEAN");
	ok(wrong == 0, "every read returned the same data (%lu did not)", wrong);
}

/* A page (programmed beforehand) that loses its data: within a few reads
 * it must be reported uncorrectable, with a message saying where. */
static void check_uncorrectable(struct bench *b, const char *where)
{
	const struct flash_geometry *g = &b->f->geo;
	unsigned long block, page;
	int rc = 0, n;

	if (!ok(sscanf(where, "%lu:%lu", &block, &page) == 2 && block < g->eraseblock_count &&
		page < g->eraseblock_size / g->page_size, "--uncorrectable=%s parses", where))
		return;
	for (n = 0; n < 10 && rc != -EBADMSG; n++)
		rc = t_read(b, block, page * g->page_size, g->page_size);
	printf("# uncorrectable after %d reads\n", n);
	ok(rc == -EBADMSG, "an uncorrectable page is reported as -EBADMSG");
	if (b->messages)
		ok(strstr(b->f->err.msg, "uncorrectable") != NULL, "and said so: %s", b->f->err.msg);
}

static void check_stats(struct bench *b)
{
	const struct flash_stats *s = &b->f->stats, *e = &b->expect;

	printf("# stats: %llu programs (%llu bytes, %llu pages), %llu erases, %llu reads (%llu bytes, %llu pages), "
	       "%llu corrected, %llu uncorrectable\n",
	       (unsigned long long)s->programs, (unsigned long long)s->bytes_programmed,
	       (unsigned long long)s->pages_programmed, (unsigned long long)s->erases, (unsigned long long)s->reads,
	       (unsigned long long)s->bytes_read, (unsigned long long)s->pages_read,
	       (unsigned long long)s->corrected, (unsigned long long)s->uncorrectable);
	ok(s->programs == e->programs && s->bytes_programmed == e->bytes_programmed &&
	   s->pages_programmed == e->pages_programmed,
	   "stats count the programs done (%llu, %llu bytes, %llu pages)",
	   (unsigned long long)e->programs, (unsigned long long)e->bytes_programmed,
	   (unsigned long long)e->pages_programmed);
	ok(s->erases == e->erases, "stats count the erases done (%llu)", (unsigned long long)e->erases);
	ok(s->reads == e->reads && s->bytes_read == e->bytes_read && s->pages_read == e->pages_read,
	   "stats count the reads done (%llu, %llu bytes, %llu pages)", (unsigned long long)e->reads,
	   (unsigned long long)e->bytes_read, (unsigned long long)e->pages_read);
	ok(s->corrected == e->corrected && s->uncorrectable == e->uncorrectable,
	   "stats count the ECC results (%llu corrected, %llu uncorrectable)",
	   (unsigned long long)e->corrected, (unsigned long long)e->uncorrectable);
}

static void run(struct flash *f, const struct options *o)
{
	struct bench b = {
		.f = f,
		.buf = malloc(f->geo.eraseblock_size),
		.want = malloc(f->geo.eraseblock_size),
		.messages = o->messages,
	};
	int32_t first, last;

	check_geometry(&f->geo, o->geometry);
	check_bad_blocks(&b, o->bad);
	first = good_block(&b, 0, 1);
	last = good_block(&b, f->geo.eraseblock_count - 1, -1);
	/* First, while the blocks they name hold what they held. */
	if (o->flips)
		check_flips(&b, o->flips);
	if (o->uncorrectable)
		check_uncorrectable(&b, o->uncorrectable);
	if (ok(first >= 0 && last > first, "two good blocks to test: %d and %d", first, last)) {
		check_erase(&b, first);
		check_program(&b, first);
		check_erase(&b, first);
		check_refusals(&b, last);
		if (o->mark_bad)
			check_mark_bad(&b, last);
		check_stats(&b);
	}
	free(b.buf);
	free(b.want);
}

static struct flash *open_backend(const struct options *o, struct cs_err *err)
{
	struct flash_geometry geo;
	struct flash_faults faults;

	if (!o->emu)
		return flash_mtd_open(o->device, err);
	if (flash_emu_parse_geometry(o->emu, &geo, err) < 0 ||
	    flash_faults_parse(o->faults ? o->faults : "", &faults, err) < 0)
		return NULL;
	return flash_emu_open(NULL, &geo, &faults, err);
}

static int usage(void)
{
	fprintf(stderr, "usage: flashcheck [--geometry=nand|nor,EBSIZE,EBCOUNT,PAGE,UNIT] [--bad=LIST]\n"
		"                  [--mark-bad] [--messages] [--flips=BLOCK:READS] [--uncorrectable=BLOCK:PAGE]\n"
		"                  DEVICE | --emu=GEOMETRY [--faults=FAULTS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "geometry", required_argument, NULL, 'g' },
		{ "bad", required_argument, NULL, 'b' },
		{ "mark-bad", no_argument, NULL, 'm' },
		{ "messages", no_argument, NULL, 'M' },
		{ "flips", required_argument, NULL, 'f' },
		{ "uncorrectable", required_argument, NULL, 'u' },
		{ "emu", required_argument, NULL, 'e' },
		{ "faults", required_argument, NULL, 'F' },
		{ 0 },
	};
	struct options o = { 0 };
	struct cs_err err = { 0 };
	struct flash *f;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'g': o.geometry = optarg; break;
		case 'b': o.bad = optarg; break;
		case 'm': o.mark_bad = true; break;
		case 'M': o.messages = true; break;
		case 'f': o.flips = optarg; break;
		case 'u': o.uncorrectable = optarg; break;
		case 'e': o.emu = optarg; break;
		case 'F': o.faults = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc - !o.emu)
		return usage();
	o.device = o.emu ? o.emu : argv[optind];
	f = open_backend(&o, &err);
	if (!ok(f != NULL, "open %s: %s", o.device, f ? "ok" : err.msg))
		return tap_done();
	run(f, &o);
	flash_close(f);
	return tap_done();
}
