/* The libmtd backend of struct flash: a raw MTD character device such as
 * /dev/mtd0, NAND or NOR.  libmtd gives the geometry, erases, programs and
 * handles bad blocks.  Reads do not go through libmtd's mtd_read(): it is
 * a plain read(), which returns success for corrected and uncorrectable
 * ECC errors alike.  The MEMREAD ioctl (Linux 6.1+) reports them, as
 * -EUCLEAN and -EBADMSG; where it is missing (older kernels: ENOTTY;
 * devices without an OOB interface such as mtdram: EOPNOTSUPP) the
 * backend falls back to mtd_read(), which is all such a device offers. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>	/* before libmtd.h, which uses it */
#include <libmtd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/major.h>
#include <mtd/mtd-abi.h>

#include "flash.h"

struct flash_mtd {
	struct flash flash;		/* first: the ops get a struct flash * */
	libmtd_t lib;
	struct mtd_dev_info info;
	int fd;
	bool memread;			/* cleared once the kernel refuses it */
	char device[64];
};

static struct flash_mtd *to_mtd(struct flash *f)
{
	return (struct flash_mtd *)f;
}

/* Record why an op failed (the latest failure replaces the one before)
 * and return -code. */
__attribute__((format(printf, 3, 4)))
static int fail(struct flash_mtd *m, int code, const char *fmt, ...)
{
	char what[CREDSTORE_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cs_err_clear(&m->flash.err);
	return cs_err_set(&m->flash.err, code, "%s: %s", m->device, what);
}

/* Pages a request of len bytes at offset touches. */
static uint64_t pages_spanned(const struct flash *f, uint32_t offset, size_t len)
{
	uint32_t page = f->geo.page_size;

	return len ? (offset + len - 1) / page - offset / page + 1 : 0;
}

static int check_block(struct flash_mtd *m, uint32_t block, const char *op)
{
	if (block >= m->flash.geo.eraseblock_count)
		return fail(m, EINVAL, "%s: eraseblock %u is beyond the last one (%u)",
			    op, block, m->flash.geo.eraseblock_count - 1);
	return 0;
}

static int check_range(struct flash_mtd *m, uint32_t block, uint32_t offset,
		       size_t len, const char *op)
{
	int rc = check_block(m, block, op);

	if (rc)
		return rc;
	if (offset > m->flash.geo.eraseblock_size ||
	    len > m->flash.geo.eraseblock_size - offset)
		return fail(m, EINVAL, "%s: %zu bytes at offset %u run past eraseblock %u (%u bytes)",
			    op, len, offset, block, m->flash.geo.eraseblock_size);
	return 0;
}

/* 0, or -1 with errno set: ENOTTY / EOPNOTSUPP when there is no MEMREAD,
 * EUCLEAN / EBADMSG with the data read, other errors without. */
static int read_memread(struct flash_mtd *m, uint32_t block, uint32_t offset,
			void *buf, size_t len, struct mtd_read_req_ecc_stats *ecc)
{
	struct mtd_read_req req = {
		.start = (uint64_t)block * m->info.eb_size + offset,
		.len = len,
		.usr_data = (uintptr_t)buf,
		.mode = MTD_OPS_PLACE_OOB,
	};
	int rc = ioctl(m->fd, MEMREAD, &req);

	*ecc = req.ecc_stats;
	return rc;
}

/* 0 or -errno; the data is in buf for 0, -EUCLEAN and -EBADMSG. */
static int read_device(struct flash_mtd *m, uint32_t block, uint32_t offset,
		       void *buf, size_t len, struct mtd_read_req_ecc_stats *ecc)
{
	if (m->memread) {
		if (read_memread(m, block, offset, buf, len, ecc) == 0)
			return 0;
		/* The range is checked, so EINVAL too means no MEMREAD here. */
		if (errno != ENOTTY && errno != EOPNOTSUPP && errno != EINVAL)
			return -errno;
		m->memread = false;
	}
	return mtd_read(&m->info, m->fd, block, offset, buf, len) < 0 ? -errno : 0;
}

static int read_ecc(struct flash *f, uint32_t block, uint32_t offset, void *buf, size_t len)
{
	struct flash_mtd *m = to_mtd(f);
	struct mtd_read_req_ecc_stats ecc = { 0 };
	int rc = check_range(m, block, offset, len, "read");

	if (rc)
		return rc;
	rc = read_device(m, block, offset, buf, len, &ecc);
	f->stats.reads++;
	f->stats.bytes_read += len;
	f->stats.pages_read += pages_spanned(f, offset, len);
	switch (rc) {
	case 0:
		return 0;
	case -EUCLEAN:
		f->stats.corrected++;
		return -EUCLEAN;
	case -EBADMSG:
		f->stats.uncorrectable++;
		return fail(m, EBADMSG, "eraseblock %u: uncorrectable ECC error reading %zu bytes at offset %u (%u ECC steps failed)",
			    block, len, offset, ecc.uncorrectable_errors);
	default:
		fail(m, -rc, "eraseblock %u: reading %zu bytes at offset %u failed: %s",
		     block, len, offset, strerror(-rc));
		return -EIO;
	}
}

static int program(struct flash *f, uint32_t block, uint32_t offset, const void *buf, size_t len)
{
	struct flash_mtd *m = to_mtd(f);
	uint32_t unit = f->geo.program_unit;
	int rc = check_range(m, block, offset, len, "program");

	if (rc)
		return rc;
	if (offset % unit || len % unit)
		return fail(m, EINVAL, "program: %zu bytes at offset %u of eraseblock %u are not aligned to the %u-byte program unit",
			    len, offset, block, unit);
	/* libmtd takes a non-const buffer for MEMWRITE's sake; it only reads it. */
	if (mtd_write(m->lib, &m->info, m->fd, block, offset, (void *)buf, len,
		      NULL, 0, MTD_OPS_PLACE_OOB) < 0) {
		fail(m, EIO, "eraseblock %u: programming %zu bytes at offset %u failed: %s",
		     block, len, offset, strerror(errno));
		return -EIO;
	}
	f->stats.programs++;
	f->stats.bytes_programmed += len;
	f->stats.pages_programmed += pages_spanned(f, offset, len);
	return 0;
}

static int erase(struct flash *f, uint32_t block)
{
	struct flash_mtd *m = to_mtd(f);
	int rc = check_block(m, block, "erase");

	if (rc)
		return rc;
	if (mtd_erase(m->lib, &m->info, m->fd, block) < 0) {
		fail(m, EIO, "eraseblock %u: erase failed: %s", block, strerror(errno));
		return -EIO;
	}
	f->stats.erases++;
	return 0;
}

static int is_bad(struct flash *f, uint32_t block)
{
	struct flash_mtd *m = to_mtd(f);
	int rc = check_block(m, block, "is_bad");

	if (rc)
		return rc;
	if (!f->geo.bad_blocks_allowed)
		return 0;
	rc = mtd_is_bad(&m->info, m->fd, block);
	if (rc < 0)
		return fail(m, errno, "eraseblock %u: cannot tell whether it is bad: %s",
			    block, strerror(errno));
	return rc;
}

static int mark_bad(struct flash *f, uint32_t block)
{
	struct flash_mtd *m = to_mtd(f);
	int rc = check_block(m, block, "mark_bad");

	if (rc)
		return rc;
	if (!f->geo.bad_blocks_allowed)
		return fail(m, EOPNOTSUPP, "eraseblock %u: this %s device has no bad blocks to mark",
			    block, m->info.type_str);
	if (mtd_mark_bad(&m->info, m->fd, block) < 0)
		return fail(m, errno, "eraseblock %u: marking it bad failed: %s",
			    block, strerror(errno));
	return 0;
}

static void mtd_close(struct flash *f)
{
	struct flash_mtd *m = to_mtd(f);

	close(m->fd);
	libmtd_close(m->lib);
	free(m);
}

static const struct flash_ops mtd_ops = {
	.read = read_ecc,
	.program = program,
	.erase = erase,
	.is_bad = is_bad,
	.mark_bad = mark_bad,
	.close = mtd_close,
};

static bool is_nand(int type)
{
	return type == MTD_NANDFLASH || type == MTD_MLCNANDFLASH;
}

/* The geometry, or an error when the device cannot hold a store. */
static int geometry(const struct mtd_dev_info *info, const char *device,
		    struct flash_geometry *geo, struct cs_err *err)
{
	if (!info->writable)
		return cs_err_set(err, EROFS, "%s: the MTD device is read-only", device);
	if (info->region_cnt > 0)
		return cs_err_set(err, EOPNOTSUPP,
				  "%s: eraseblocks of several sizes (%d erase regions) are not supported",
				  device, info->region_cnt);
	if (info->eb_cnt < 1 || info->eb_size < 1 || info->min_io_size < 1 ||
	    info->subpage_size < 1 || info->eb_size % info->min_io_size)
		return cs_err_set(err, EINVAL,
				  "%s: implausible geometry: %d eraseblocks of %d bytes, min I/O %d, subpage %d",
				  device, info->eb_cnt, info->eb_size, info->min_io_size,
				  info->subpage_size);
	*geo = (struct flash_geometry){
		.type = is_nand(info->type) ? FLASH_NAND : FLASH_NOR,
		.eraseblock_size = info->eb_size,
		.eraseblock_count = info->eb_cnt,
		.page_size = info->min_io_size,
		/* NAND programs a subpage at once; NOR (and mtdram) its min I/O unit. */
		.program_unit = is_nand(info->type) ? info->subpage_size : info->min_io_size,
		.bad_blocks_allowed = info->bb_allowed,
	};
	return 0;
}

/* MTD character devices come in pairs: /dev/mtdN (even minor) and the
 * read-only /dev/mtdNro (odd minor), which libmtd does not take. */
static void not_mtd(const char *device, int code, struct cs_err *err)
{
	struct stat st;

	if (stat(device, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == MTD_CHAR_MAJOR &&
	    minor(st.st_rdev) % 2)
		cs_err_set(err, EROFS, "%s: the read-only node of mtd%u; the store needs /dev/mtd%u",
			   device, minor(st.st_rdev) / 2, minor(st.st_rdev) / 2);
	else
		cs_err_set(err, code, "%s: not an MTD character device: %s", device, strerror(code));
}

struct flash *flash_mtd_open(const char *device, struct cs_err *err)
{
	struct flash_mtd *m = calloc(1, sizeof(*m));

	if (!m) {
		cs_err_set(err, ENOMEM, "%s: out of memory", device);
		return NULL;
	}
	snprintf(m->device, sizeof(m->device), "%s", device);
	m->fd = -1;
	m->memread = true;
	errno = 0;
	m->lib = libmtd_open();
	if (!m->lib) {
		if (errno)
			cs_err_set(err, errno, "%s: cannot open libmtd: %s", device, strerror(errno));
		else
			cs_err_set(err, ENODEV, "%s: this system has no MTD support", device);
		goto fail;
	}
	if (mtd_get_dev_info(m->lib, device, &m->info) < 0) {
		not_mtd(device, errno, err);
		goto fail;
	}
	if (geometry(&m->info, device, &m->flash.geo, err) < 0)
		goto fail;
	m->fd = open(device, O_RDWR | O_CLOEXEC);
	if (m->fd < 0) {
		cs_err_set(err, errno, "%s: cannot open for reading and writing: %s",
			   device, strerror(errno));
		goto fail;
	}
	m->flash.ops = &mtd_ops;
	return &m->flash;
fail:
	if (m->lib)
		libmtd_close(m->lib);
	free(m);
	return NULL;
}
