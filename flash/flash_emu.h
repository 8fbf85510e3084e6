/* Emulated flash: an image file (or anonymous memory) with NAND or NOR
 * semantics behind struct flash, and fault injection for the tests.
 *
 * NAND: program in program units (subpages), each at most once between
 * erases; factory bad blocks; no OOB.  NOR: any byte range, bits only go
 * 1 -> 0.  Erase sets a block to 0xff.  A violation (unaligned program,
 * reprogramming a NAND unit, setting a NOR bit) fails with -EINVAL and a
 * line on stderr: it is a bug of the caller.
 *
 * The image file (host byte order, little-endian on every supported host):
 *   0     struct flash_emu_header (64 bytes), then zeros up to 4096
 *   4096  eraseblock_count * eraseblock_size bytes of flash
 *   then  eraseblock_count bytes: 1 = bad block
 *   then  NAND only: one bit per program unit, 1 = programmed since erase
 * It is created with the given geometry when it does not exist and keeps
 * its own geometry when it does (the geometry passed is then ignored). */
#ifndef CREDSTORE_FLASH_EMU_H
#define CREDSTORE_FLASH_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include "flash.h"

#define FLASH_EMU_LIST_MAX 16

struct flash_emu_page {
	uint32_t block, page;
};

/* Faults.  Block lists hold up to FLASH_EMU_LIST_MAX entries. */
struct flash_faults {
	/* Power cut: the first cut_after programs and erases succeed, the
	 * next one and every operation after it fail with -ESHUTDOWN.
	 * -1: never. */
	int64_t cut_after;
	/* The program cut by the power cut lands partly: a random prefix of
	 * it, then random bytes to the end of that program unit.  An erase
	 * cut leaves the block random. */
	bool torn;
	uint64_t seed;			/* random bytes of torn programs */
	uint32_t n_program_fail, program_fail[FLASH_EMU_LIST_MAX];	/* -EIO */
	uint32_t n_erase_fail, erase_fail[FLASH_EMU_LIST_MAX];		/* -EIO */
	/* Reads of these blocks report -EUCLEAN (data right) until erased. */
	uint32_t n_bitflip, bitflip[FLASH_EMU_LIST_MAX];
	/* Reads of these pages report -EBADMSG (data wrong) until erased. */
	uint32_t n_badpage;
	struct flash_emu_page badpage[FLASH_EMU_LIST_MAX];
	/* Factory bad blocks, marked when the image is created. */
	uint32_t n_factory_bad, factory_bad[FLASH_EMU_LIST_MAX];
};

/* The geometry as "nand" or "nor" followed by optional ",key=value":
 * eb= (eraseblock size), page=, subpage= (NAND program unit), blocks=.
 * Sizes take a k or m suffix.  Defaults: nand 128k/2k/512, nor 64k,
 * 32 blocks.  Example: "nand,eb=128k,page=2k,subpage=512,blocks=32". */
int flash_emu_parse_geometry(const char *spec, struct flash_geometry *geo,
			     struct cs_err *err);

/* Faults as comma-separated items: cut=N, torn, seed=N, progfail=B[:B...],
 * erasefail=B[:B...], bitflip=B[:B...], badpage=B.P[:B.P...],
 * bad=B[:B...].  An empty string: no faults. */
int flash_faults_parse(const char *spec, struct flash_faults *faults, struct cs_err *err);
void flash_faults_none(struct flash_faults *faults);

/* Open (creating with geo if missing) an image file; path NULL: an image
 * in anonymous memory that lives until close.  faults may be NULL. */
struct flash *flash_emu_open(const char *path, const struct flash_geometry *geo,
			     const struct flash_faults *faults, struct cs_err *err);

/* Replace the faults and restart the operation count of cut_after. */
void flash_emu_set_faults(struct flash *f, const struct flash_faults *faults);
/* Power back on after a cut (the image keeps what landed). */
void flash_emu_power_on(struct flash *f);
/* A copy in memory of an image (bytes, bad blocks, programmed units),
 * without faults. */
struct flash *flash_emu_clone(struct flash *f, struct cs_err *err);
/* The same into an existing image of the same geometry (-EINVAL if not). */
int flash_emu_copy(struct flash *dst, struct flash *src);
/* Programs plus erases since open or the last set_faults. */
uint64_t flash_emu_ops(const struct flash *f);
/* Direct access to the bytes of a block, for tests that corrupt images. */
uint8_t *flash_emu_block(struct flash *f, uint32_t block);

#endif
