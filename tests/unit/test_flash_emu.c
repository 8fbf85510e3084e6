/* The emulated flash: NAND and NOR program rules, erase, persistence of an
 * image file, each kind of fault, and the text forms of geometry and
 * faults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash_emu.h"
#include "store_helpers.h"
#include "tap.h"

static int program(struct flash *f, uint32_t b, uint32_t off, uint8_t byte, size_t len)
{
	uint8_t buf[4096];

	memset(buf, byte, len);
	return f->ops->program(f, b, off, buf, len);
}

static bool reads(struct flash *f, uint32_t b, uint32_t off, uint8_t byte, size_t len, int want)
{
	uint8_t buf[4096];

	if (f->ops->read(f, b, off, buf, len) != want)
		return false;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != byte)
			return false;
	return true;
}

static void test_nand_rules(void)
{
	struct flash_geometry g = test_nand(4);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);

	ok(reads(f, 1, 0, 0xff, 2048, 0), "NAND: a new chip reads erased");
	ok(program(f, 1, 512, 0x5a, 512) == 0 && reads(f, 1, 512, 0x5a, 512, 0),
	   "NAND: a subpage programs and reads back");
	ok(program(f, 1, 512, 0x00, 512) == -EINVAL, "NAND: a subpage programmed twice is refused");
	ok(program(f, 1, 100, 0x00, 512) == -EINVAL && program(f, 1, 1024, 0, 100) == -EINVAL,
	   "NAND: unaligned programs are refused");
	ok(program(f, 1, 1024, 0xff, 512) == 0 && program(f, 1, 1024, 0x00, 512) == -EINVAL,
	   "NAND: a subpage programmed with 0xff counts as programmed");
	ok(f->ops->erase(f, 1) == 0 && reads(f, 1, 512, 0xff, 512, 0) &&
	   program(f, 1, 512, 0x11, 512) == 0, "NAND: erase makes a block programmable again");
	ok(f->stats.programs == 3 && f->stats.erases == 1 && f->stats.pages_programmed == 3,
	   "NAND: statistics count programs, pages and erases");
	ok(f->ops->mark_bad(f, 2) == 0 && f->ops->is_bad(f, 2) == 1 && f->ops->is_bad(f, 3) == 0,
	   "NAND: mark_bad and is_bad");
	flash_close(f);
}

static void test_nor_rules(void)
{
	struct flash_geometry g = test_nor(4);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);

	ok(program(f, 0, 3, 0xf0, 5) == 0 && program(f, 0, 3, 0x30, 5) == 0 &&
	   reads(f, 0, 3, 0x30, 5, 0), "NOR: bytes program anywhere, 1 bits may be cleared again");
	ok(program(f, 0, 3, 0x31, 1) == -EINVAL, "NOR: setting a 0 bit to 1 is refused");
	ok(f->ops->mark_bad(f, 1) == -EOPNOTSUPP, "NOR: no bad block marking");
	flash_close(f);
}

static void test_persistence(void)
{
	char path[] = "/tmp/credstore-emu-XXXXXX";
	int fd = mkstemp(path);
	struct flash_geometry g = test_nand(4), other = test_nor(9);
	struct flash_faults faults;
	struct flash *f;
	struct cs_err err = { 0 };

	close(fd);
	flash_faults_none(&faults);
	faults.factory_bad[faults.n_factory_bad++] = 3;
	f = flash_emu_open(path, &g, &faults, &err);
	ok(f && f->ops->is_bad(f, 3) == 1, "an image is created with its factory bad blocks");
	program(f, 2, 2048, 0x42, 512);
	flash_close(f);
	f = flash_emu_open(path, &other, NULL, &err);
	ok(f && f->geo.type == FLASH_NAND && f->geo.eraseblock_count == 4 &&
	   reads(f, 2, 2048, 0x42, 512, 0) && f->ops->is_bad(f, 3) == 1,
	   "a reopened image keeps its geometry, data and bad blocks");
	ok(program(f, 2, 2048, 0, 512) == -EINVAL, "and which units were programmed");
	flash_close(f);
	truncate(path, 100);
	cs_err_clear(&err);
	ok(!flash_emu_open(path, &g, NULL, &err) && err.code == EMEDIUMTYPE,
	   "a file that is no image is refused (%s)", err.msg);
	unlink(path);
}

static void test_faults(void)
{
	struct flash_geometry g = test_nand(4);
	struct flash *f = flash_emu_open(NULL, &g, NULL, NULL);
	struct flash_faults faults;
	uint8_t buf[512];
	int prefix;

	flash_faults_parse("cut=2", &faults, NULL);
	flash_emu_set_faults(f, &faults);
	ok(program(f, 0, 0, 1, 512) == 0 && f->ops->erase(f, 1) == 0 &&
	   program(f, 0, 512, 2, 512) == -ESHUTDOWN, "the power fails at the third operation");
	ok(f->ops->read(f, 0, 0, buf, 512) == -ESHUTDOWN && f->ops->erase(f, 2) == -ESHUTDOWN,
	   "and everything after fails too");
	flash_emu_power_on(f);
	ok(reads(f, 0, 0, 1, 512, 0) && reads(f, 0, 512, 0xff, 512, 0),
	   "after power-on what landed is there and the cut program is not");

	flash_faults_parse("cut=0,torn,seed=9", &faults, NULL);
	flash_emu_set_faults(f, &faults);
	memset(buf, 0, sizeof(buf));
	program(f, 0, 1024, 0, 512);
	flash_emu_power_on(f);
	f->ops->read(f, 0, 1024, buf, 512);
	for (prefix = 0; prefix < 512 && !buf[prefix]; prefix++)
		;
	ok(prefix < 512, "a torn program lands a prefix (%d bytes) and random bytes", prefix);

	flash_faults_parse("progfail=1,erasefail=2,bitflip=3,badpage=0.1", &faults, NULL);
	flash_emu_set_faults(f, &faults);
	ok(program(f, 1, 0, 0, 512) == -EIO && f->ops->erase(f, 2) == -EIO &&
	   f->ops->erase(f, 1) == 0, "program and erase failures hit their blocks only");
	program(f, 3, 0, 0x77, 512);
	ok(reads(f, 3, 0, 0x77, 512, -EUCLEAN) && f->stats.corrected == 1,
	   "bit flips read back right with -EUCLEAN");
	ok(f->ops->read(f, 0, 2048, buf, 512) == -EBADMSG && f->stats.uncorrectable == 1 &&
	   f->ops->read(f, 0, 0, buf, 512) == 0, "an uncorrectable page reads -EBADMSG, others not");
	cs_err_clear(&f->err);
	ok(f->ops->read(f, 0, 2048, buf, 512) == -EBADMSG && f->err.code == EBADMSG &&
	   strstr(f->err.msg, "uncorrectable") && strstr(f->err.msg, "eraseblock 0") &&
	   strstr(f->err.msg, "offset 2048"), "and says why in flash.err (%s)", f->err.msg);
	ok(f->ops->erase(f, 3) == 0 && reads(f, 3, 0, 0xff, 512, 0),
	   "erasing a weak block ends its bit flips");
	flash_close(f);
}

static void test_parse(void)
{
	struct flash_geometry g;
	struct flash_faults faults;
	struct cs_err err = { 0 };

	ok(flash_emu_parse_geometry("nand,blocks=64", &g, NULL) == 0 && g.type == FLASH_NAND &&
	   g.eraseblock_size == 128 << 10 && g.page_size == 2048 && g.program_unit == 512 &&
	   g.eraseblock_count == 64, "geometry: nand defaults");
	ok(flash_emu_parse_geometry("nand,eb=16k,page=512,subpage=256,blocks=8", &g, NULL) == 0 &&
	   g.eraseblock_size == 16384 && g.page_size == 512 && g.program_unit == 256,
	   "geometry: sizes with suffixes");
	ok(flash_emu_parse_geometry("nor", &g, NULL) == 0 && g.type == FLASH_NOR &&
	   g.eraseblock_size == 65536 && g.program_unit == 1, "geometry: nor defaults");
	ok(flash_emu_parse_geometry("nand,eb=100,page=2k", &g, &err) == -EINVAL,
	   "geometry: inconsistent sizes refused (%s)", err.msg);
	cs_err_clear(&err);
	ok(flash_emu_parse_geometry("nor,subpage=4", &g, &err) == -EINVAL &&
	   flash_emu_parse_geometry("nandx", &g, NULL) == -EINVAL,
	   "geometry: unknown items refused (%s)", err.msg);
	ok(flash_faults_parse("cut=12,torn,seed=3,progfail=1:2,erasefail=4,bitflip=5,"
			      "badpage=6.7:8.9,bad=10", &faults, NULL) == 0 &&
	   faults.cut_after == 12 && faults.torn && faults.seed == 3 &&
	   faults.n_program_fail == 2 && faults.program_fail[1] == 2 &&
	   faults.erase_fail[0] == 4 && faults.bitflip[0] == 5 && faults.n_badpage == 2 &&
	   faults.badpage[1].block == 8 && faults.badpage[1].page == 9 &&
	   faults.factory_bad[0] == 10, "faults: every item");
	cs_err_clear(&err);
	ok(flash_faults_parse("cut=x", &faults, &err) == -EINVAL &&
	   flash_faults_parse("badpage=3", &faults, NULL) == -EINVAL &&
	   flash_faults_parse("frobnicate", &faults, NULL) == -EINVAL,
	   "faults: malformed items refused (%s)", err.msg);
	ok(flash_faults_parse("", &faults, NULL) == 0 && faults.cut_after == -1,
	   "faults: an empty string is no faults");
}

int main(void)
{
	test_nand_rules();
	test_nor_rules();
	test_persistence();
	test_faults();
	test_parse();
	return tap_done();
}
