/* The emulated flash backend: the image is mapped whole, so reads and
 * programs are copies and a power cut is a flag that stops every further
 * operation.  See flash_emu.h for the semantics and the file layout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "flash_emu.h"

#define EMU_MAGIC	"CSFLASH1"
#define EMU_VERSION	1
#define EMU_DATA_OFFSET	4096

struct flash_emu_header {
	char magic[8];
	uint32_t version, type;
	uint32_t eraseblock_size, eraseblock_count, page_size, program_unit;
	uint32_t bad_blocks_allowed;
	uint32_t crc;			/* crc32 of the bytes before it */
	uint8_t zero[24];
};

struct emu {
	struct flash f;
	int fd;				/* -1: anonymous memory */
	uint8_t *map;
	size_t map_len;
	uint8_t *data, *bad, *programmed;
	uint8_t *weak;			/* per block: bit flips or bad pages pending */
	struct flash_faults faults;
	uint64_t ops;
	uint64_t rng;
	bool dead;
};

static struct emu *to_emu(struct flash *f)
{
	return (struct emu *)f;
}

static uint64_t next_random(struct emu *e)
{
	/* xorshift64*: reproducible from the seed, which a failing test prints */
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return e->rng * 0x2545F4914F6CDD1DULL;
}

static bool in_list(const uint32_t *list, uint32_t n, uint32_t block)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == block)
			return true;
	return false;
}

static uint8_t *block_data(struct emu *e, uint32_t block)
{
	return e->data + (size_t)block * e->f.geo.eraseblock_size;
}

static size_t unit_index(const struct emu *e, uint32_t block, uint32_t offset)
{
	return ((size_t)block * e->f.geo.eraseblock_size + offset) / e->f.geo.program_unit;
}

static bool unit_programmed(const struct emu *e, size_t unit)
{
	return e->programmed[unit / 8] & (1u << (unit % 8));
}

static void set_units(struct emu *e, uint32_t block, uint32_t offset, size_t len, bool on)
{
	size_t first = unit_index(e, block, offset);
	size_t n = len / e->f.geo.program_unit;

	for (size_t u = first; u < first + n; u++) {
		if (on)
			e->programmed[u / 8] |= 1u << (u % 8);
		else
			e->programmed[u / 8] &= ~(1u << (u % 8));
	}
}

/* Records why an operation failed in f->err, as the mtd backend does. */
static int fail(struct emu *e, int code, const char *what, uint32_t block)
{
	cs_err_clear(&e->f.err);
	return cs_err_set(&e->f.err, code, "emulated flash: %s (eraseblock %u)", what, block);
}

static int violation(struct emu *e, const char *what, uint32_t block, uint32_t offset,
		     size_t len)
{
	fprintf(stderr, "flash_emu: %s at block %u offset %u length %zu\n",
		what, block, offset, len);
	return fail(e, EINVAL, what, block);
}

/* Counts one program or erase; false once the power is cut. */
static bool power_holds(struct emu *e)
{
	if (e->dead)
		return false;
	if (e->faults.cut_after >= 0 && e->ops >= (uint64_t)e->faults.cut_after) {
		e->dead = true;
		return false;
	}
	e->ops++;
	return true;
}

static bool range_ok(const struct emu *e, uint32_t block, uint32_t offset, size_t len)
{
	return block < e->f.geo.eraseblock_count && offset <= e->f.geo.eraseblock_size &&
	       len <= e->f.geo.eraseblock_size - offset;
}

static int emu_read(struct flash *f, uint32_t block, uint32_t offset, void *buf, size_t len)
{
	struct emu *e = to_emu(f);
	uint32_t page = f->geo.page_size > 1 ? f->geo.page_size : 1;
	int rc = 0;

	if (e->dead)
		return -ESHUTDOWN;
	if (!range_ok(e, block, offset, len))
		return -EINVAL;
	memcpy(buf, block_data(e, block) + offset, len);
	f->stats.reads++;
	f->stats.bytes_read += len;
	if (len)
		f->stats.pages_read += (offset + len - 1) / page - offset / page + 1;
	if (!e->weak[block])
		return 0;
	for (uint32_t i = 0; i < e->faults.n_badpage; i++) {
		const struct flash_emu_page *p = &e->faults.badpage[i];
		uint64_t start = (uint64_t)p->page * page;

		if (p->block == block && start < offset + len && start + page > offset) {
			/* the data of an uncorrectable page is not to be trusted */
			((uint8_t *)buf)[start > offset ? start - offset : 0] ^= 0x5a;
			rc = -EBADMSG;
		}
	}
	if (rc) {
		char what[96];

		f->stats.uncorrectable++;
		snprintf(what, sizeof(what), "uncorrectable ECC error reading %zu bytes at offset %u",
			 len, offset);
		return fail(e, EBADMSG, what, block);
	}
	if (in_list(e->faults.bitflip, e->faults.n_bitflip, block)) {
		f->stats.corrected++;
		return -EUCLEAN;
	}
	return 0;
}

static void tear(struct emu *e, uint32_t block, uint32_t offset, const uint8_t *buf, size_t len)
{
	uint8_t *dst = block_data(e, block) + offset;
	size_t keep = next_random(e) % len;
	size_t unit = e->f.geo.program_unit;
	size_t end = (keep / unit + 1) * unit;

	for (size_t i = 0; i < end && i < len; i++)
		dst[i] &= i < keep ? buf[i] : (uint8_t)next_random(e);
	if (e->f.geo.type == FLASH_NAND)
		set_units(e, block, offset, end < len ? end : len, true);
}

static int emu_program(struct flash *f, uint32_t block, uint32_t offset,
		       const void *buf, size_t len)
{
	struct emu *e = to_emu(f);
	uint8_t *dst;

	if (e->dead)
		return -ESHUTDOWN;
	if (!range_ok(e, block, offset, len) || offset % f->geo.program_unit ||
	    len % f->geo.program_unit || !len)
		return violation(e, "unaligned program", block, offset, len);
	dst = block_data(e, block) + offset;
	for (size_t i = 0; i < len; i++)
		if (f->geo.type == FLASH_NOR && (((const uint8_t *)buf)[i] & ~dst[i]))
			return violation(e, "NOR program sets a 0 bit to 1", block, offset, len);
	if (f->geo.type == FLASH_NAND)
		for (size_t u = 0; u < len / f->geo.program_unit; u++)
			if (unit_programmed(e, unit_index(e, block, offset) + u))
				return violation(e, "NAND unit programmed twice", block, offset, len);
	if (!power_holds(e)) {
		if (e->faults.torn)
			tear(e, block, offset, buf, len);
		return fail(e, ESHUTDOWN, "power cut during a program", block);
	}
	if (in_list(e->faults.program_fail, e->faults.n_program_fail, block)) {
		/* a failing block takes part of the data, like real flash */
		tear(e, block, offset, buf, len);
		return fail(e, EIO, "program failed", block);
	}
	for (size_t i = 0; i < len; i++)
		dst[i] &= ((const uint8_t *)buf)[i];
	if (f->geo.type == FLASH_NAND)
		set_units(e, block, offset, len, true);
	f->stats.programs++;
	f->stats.bytes_programmed += len;
	f->stats.pages_programmed += (offset + len - 1) / f->geo.page_size -
				     offset / f->geo.page_size + 1;
	return 0;
}

static int emu_erase(struct flash *f, uint32_t block)
{
	struct emu *e = to_emu(f);
	uint8_t *dst;

	if (e->dead)
		return -ESHUTDOWN;
	if (block >= f->geo.eraseblock_count)
		return -EINVAL;
	dst = block_data(e, block);
	if (!power_holds(e)) {
		if (e->faults.torn)
			for (uint32_t i = 0; i < f->geo.eraseblock_size; i++)
				dst[i] = (uint8_t)next_random(e);
		return fail(e, ESHUTDOWN, "power cut during an erase", block);
	}
	if (in_list(e->faults.erase_fail, e->faults.n_erase_fail, block))
		return fail(e, EIO, "erase failed", block);
	memset(dst, 0xff, f->geo.eraseblock_size);
	if (f->geo.type == FLASH_NAND)
		set_units(e, block, 0, f->geo.eraseblock_size, false);
	e->weak[block] = 0;
	f->stats.erases++;
	return 0;
}

static int emu_is_bad(struct flash *f, uint32_t block)
{
	struct emu *e = to_emu(f);

	if (e->dead)
		return -ESHUTDOWN;
	if (block >= f->geo.eraseblock_count)
		return -EINVAL;
	return e->bad[block];
}

static int emu_mark_bad(struct flash *f, uint32_t block)
{
	struct emu *e = to_emu(f);

	if (e->dead)
		return -ESHUTDOWN;
	if (block >= f->geo.eraseblock_count)
		return -EINVAL;
	if (!f->geo.bad_blocks_allowed)
		return -EOPNOTSUPP;
	e->bad[block] = 1;
	return 0;
}

static void emu_close(struct flash *f)
{
	struct emu *e = to_emu(f);

	munmap(e->map, e->map_len);
	if (e->fd >= 0)
		close(e->fd);
	free(e->weak);
	free(e);
}

static const struct flash_ops emu_ops = {
	.read = emu_read,
	.program = emu_program,
	.erase = emu_erase,
	.is_bad = emu_is_bad,
	.mark_bad = emu_mark_bad,
	.close = emu_close,
};

static size_t image_size(const struct flash_geometry *g)
{
	size_t data = (size_t)g->eraseblock_size * g->eraseblock_count;
	size_t bitmap = g->type == FLASH_NAND ? (data / g->program_unit + 7) / 8 : 0;

	return EMU_DATA_OFFSET + data + g->eraseblock_count + bitmap;
}

static uint32_t header_crc(const struct flash_emu_header *h)
{
	return crc32(0, (const Bytef *)h, offsetof(struct flash_emu_header, crc));
}

static int check_geometry(const struct flash_geometry *g, struct cs_err *err)
{
	if (!g->eraseblock_size || !g->eraseblock_count || !g->page_size || !g->program_unit ||
	    g->eraseblock_size % g->page_size || g->page_size % g->program_unit ||
	    (g->type != FLASH_NAND && g->type != FLASH_NOR))
		return cs_err_set(err, EINVAL, "flash geometry: %u blocks of %u bytes, page %u, "
				  "program unit %u is not consistent", g->eraseblock_count,
				  g->eraseblock_size, g->page_size, g->program_unit);
	return 0;
}

/* Reads the geometry of an existing image into e->f.geo. */
static int read_header(struct emu *e, const char *path, struct cs_err *err)
{
	struct flash_emu_header h;

	if (pread(e->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, EMU_MAGIC, 8) || h.version != EMU_VERSION || h.crc != header_crc(&h))
		return cs_err_set(err, EMEDIUMTYPE, "%s is not an emulated flash image", path);
	e->f.geo = (struct flash_geometry){
		.type = h.type == 1 ? FLASH_NOR : FLASH_NAND,
		.eraseblock_size = h.eraseblock_size,
		.eraseblock_count = h.eraseblock_count,
		.page_size = h.page_size,
		.program_unit = h.program_unit,
		.bad_blocks_allowed = h.bad_blocks_allowed,
	};
	return check_geometry(&e->f.geo, err);
}

static void write_header(struct emu *e)
{
	const struct flash_geometry *g = &e->f.geo;
	struct flash_emu_header h = {
		.version = EMU_VERSION,
		.type = g->type == FLASH_NOR,
		.eraseblock_size = g->eraseblock_size,
		.eraseblock_count = g->eraseblock_count,
		.page_size = g->page_size,
		.program_unit = g->program_unit,
		.bad_blocks_allowed = g->bad_blocks_allowed,
	};

	memcpy(h.magic, EMU_MAGIC, 8);
	h.crc = header_crc(&h);
	memcpy(e->map, &h, sizeof(h));
}

static int map_image(struct emu *e, const char *path, const struct flash_geometry *geo,
		     struct cs_err *err)
{
	bool create = true;
	struct stat st;
	int rc;

	if (path) {
		e->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (e->fd < 0 || fstat(e->fd, &st))
			return cs_err_set(err, errno, "%s: %s", path, strerror(errno));
		create = st.st_size == 0;
	}
	if (create) {
		if (!geo)
			return cs_err_set(err, EINVAL, "no geometry to create an image with");
		e->f.geo = *geo;
	} else if ((rc = read_header(e, path, err))) {
		return rc;
	}
	if ((rc = check_geometry(&e->f.geo, err)))
		return rc;
	e->map_len = image_size(&e->f.geo);
	if (path && create && ftruncate(e->fd, e->map_len))
		return cs_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (path && !create && (size_t)st.st_size != e->map_len)
		return cs_err_set(err, EMEDIUMTYPE, "%s: image size does not match its geometry", path);
	e->map = mmap(NULL, e->map_len, PROT_READ | PROT_WRITE,
		      path ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS, e->fd, 0);
	if (e->map == MAP_FAILED) {
		e->map = NULL;
		return cs_err_set(err, errno, "mapping the flash image: %s", strerror(errno));
	}
	e->data = e->map + EMU_DATA_OFFSET;
	e->bad = e->data + (size_t)e->f.geo.eraseblock_size * e->f.geo.eraseblock_count;
	e->programmed = e->bad + e->f.geo.eraseblock_count;
	if (create) {
		/* a new chip comes erased, with its factory bad blocks */
		write_header(e);
		memset(e->data, 0xff, (size_t)e->f.geo.eraseblock_size * e->f.geo.eraseblock_count);
	}
	return create;
}

static void apply_factory_bad(struct emu *e)
{
	for (uint32_t i = 0; i < e->faults.n_factory_bad; i++)
		if (e->faults.factory_bad[i] < e->f.geo.eraseblock_count)
			e->bad[e->faults.factory_bad[i]] = 1;
}

struct flash *flash_emu_open(const char *path, const struct flash_geometry *geo,
			     const struct flash_faults *faults, struct cs_err *err)
{
	struct emu *e = calloc(1, sizeof(*e));
	int created;

	if (!e) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	e->fd = -1;
	e->f.ops = &emu_ops;
	created = map_image(e, path, geo, err);
	if (created >= 0) {
		e->weak = calloc(e->f.geo.eraseblock_count, 1);
		if (!e->weak)
			created = cs_err_set(err, ENOMEM, "out of memory");
	}
	if (created < 0) {
		if (e->map)
			munmap(e->map, e->map_len);
		if (e->fd >= 0)
			close(e->fd);
		free(e);
		return NULL;
	}
	flash_emu_set_faults(&e->f, faults);
	if (created)
		apply_factory_bad(e);
	return &e->f;
}

void flash_emu_set_faults(struct flash *f, const struct flash_faults *faults)
{
	struct emu *e = to_emu(f);

	if (faults)
		e->faults = *faults;
	else
		flash_faults_none(&e->faults);
	e->ops = 0;
	e->rng = e->faults.seed * 2654435761u + 88172645463325252ULL;
	memset(e->weak, 0, f->geo.eraseblock_count);
	for (uint32_t i = 0; i < e->faults.n_bitflip; i++)
		if (e->faults.bitflip[i] < f->geo.eraseblock_count)
			e->weak[e->faults.bitflip[i]] = 1;
	for (uint32_t i = 0; i < e->faults.n_badpage; i++)
		if (e->faults.badpage[i].block < f->geo.eraseblock_count)
			e->weak[e->faults.badpage[i].block] = 1;
}

void flash_emu_power_on(struct flash *f)
{
	struct emu *e = to_emu(f);

	e->dead = false;
	e->faults.cut_after = -1;
}

/* Field by field: memcmp would compare the struct's padding too. */
static bool same_geometry(const struct flash_geometry *a, const struct flash_geometry *b)
{
	return a->type == b->type && a->eraseblock_size == b->eraseblock_size &&
	       a->eraseblock_count == b->eraseblock_count && a->page_size == b->page_size &&
	       a->program_unit == b->program_unit && a->bad_blocks_allowed == b->bad_blocks_allowed;
}

int flash_emu_copy(struct flash *dst, struct flash *src)
{
	struct emu *d = to_emu(dst);

	if (!same_geometry(&dst->geo, &src->geo))
		return -EINVAL;
	memcpy(d->map, to_emu(src)->map, d->map_len);
	memset(&dst->stats, 0, sizeof(dst->stats));
	flash_emu_set_faults(dst, NULL);
	d->dead = false;
	return 0;
}

struct flash *flash_emu_clone(struct flash *f, struct cs_err *err)
{
	struct flash *c = flash_emu_open(NULL, &f->geo, NULL, err);

	if (c)
		flash_emu_copy(c, f);
	return c;
}

uint64_t flash_emu_ops(const struct flash *f)
{
	return ((const struct emu *)f)->ops;
}

uint8_t *flash_emu_block(struct flash *f, uint32_t block)
{
	return block_data(to_emu(f), block);
}
