/* The flash interface under the store: raw eraseblocks, programmed in
 * program units and erased whole.  Two backends: libmtd on /dev/mtdN
 * (flash_mtd.c) and an emulated image file with fault injection
 * (flash_emu.c).  Offsets are within an eraseblock. */
#ifndef CREDSTORE_FLASH_H
#define CREDSTORE_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum flash_type { FLASH_NAND, FLASH_NOR };

struct flash_geometry {
	enum flash_type type;
	uint32_t eraseblock_size;
	uint32_t eraseblock_count;
	uint32_t page_size;		/* min I/O unit (1 on byte-writable NOR) */
	uint32_t program_unit;		/* smallest aligned write: subpage on NAND */
	bool bad_blocks_allowed;	/* NAND: is_bad / mark_bad are meaningful */
};

/* What the backend did, for status and benchmarks. */
struct flash_stats {
	uint64_t programs, bytes_programmed, pages_programmed;
	uint64_t erases;
	uint64_t reads, bytes_read, pages_read;
	uint64_t corrected, uncorrectable;	/* -EUCLEAN, -EBADMSG results */
};

struct flash;

struct flash_ops {
	/* 0; -EUCLEAN: the data is right but bits were corrected (scrub);
	 * -EBADMSG: uncorrectable, the data is not to be trusted; -EIO. */
	int (*read)(struct flash *f, uint32_t block, uint32_t offset, void *buf, size_t len);
	/* offset and len multiples of program_unit; each unit programmed
	 * at most once between erases.  -EIO: the block is failing. */
	int (*program)(struct flash *f, uint32_t block, uint32_t offset,
		       const void *buf, size_t len);
	int (*erase)(struct flash *f, uint32_t block);
	int (*is_bad)(struct flash *f, uint32_t block);	/* 1, 0 or -errno */
	int (*mark_bad)(struct flash *f, uint32_t block);
	void (*close)(struct flash *f);
};

struct flash {
	const struct flash_ops *ops;
	struct flash_geometry geo;
	struct flash_stats stats;
	struct cs_err err;	/* why the last failing op failed: device, block, what */
};

/* libmtd on a character device such as /dev/mtd0. */
struct flash *flash_mtd_open(const char *device, struct cs_err *err);

static inline void flash_close(struct flash *f)
{
	if (f)
		f->ops->close(f);
}

#endif
