/* Compressed commits (format version 3, LZ4 blocks): records round-trip
 * through compressed commits; a compressed payload that is corrupt,
 * truncated, or whose raw length is wrong, is refused and counted as lost,
 * never applied; a commit LZ4 cannot shrink is stored raw; compression
 * saves program units; a store of version 1 or 2 (deflate) is refused with
 * a clear error. */
#include <zlib.h>

#include "insider.h"
#include "store_helpers.h"
#include "store_layout.h"
#include "tap.h"

#define DEVICES		200
#define ID_LEN		64
#define VALUE_LEN	72
#define UNIT		512	/* commit alignment of test_nand() */

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Device i at version v as the benchmark has it: a NUL-padded id, two
 * pseudo-random fingerprints, small flags. */
static void device(uint32_t i, uint32_t v, char *id, uint8_t *value)
{
	uint64_t x = ((uint64_t)i << 32 | v) * 0x9e3779b97f4a7c15ULL + 1;

	memset(id, 0, ID_LEN);
	snprintf(id, ID_LEN, "device-%010u", i);
	for (int k = 0; k < 64; k++)
		value[k] = (uint8_t)(next(&x) >> 56);
	memset(value + 64, 0, 8);
	value[64] = (uint8_t)v;
}

static int put_device(struct store *s, uint32_t i, uint32_t v)
{
	char id[ID_LEN];
	uint8_t value[VALUE_LEN];
	struct store_record r = { STORE_REC_DEVICE, id, ID_LEN, value, VALUE_LEN, NULL, 0 };
	struct store_txn *t = store_txn_begin(s);

	device(i, v, id, value);
	if (store_txn_put(t, &r, NULL)) {
		store_txn_abort(t);
		return -1;
	}
	return store_txn_commit(t, NULL, NULL);
}

/* How many devices hold their version in versions[]. */
static uint32_t devices_intact(struct store *s, const uint32_t *versions)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < DEVICES; i++) {
		char id[ID_LEN];
		uint8_t value[VALUE_LEN];
		struct store_record r;

		device(i, versions[i], id, value);
		if (store_get(s, STORE_REC_DEVICE, id, ID_LEN, &r, NULL))
			continue;
		n += r.value_len == VALUE_LEN && !memcmp(r.value, value, VALUE_LEN);
		store_record_free(&r);
	}
	return n;
}

typedef void commit_fn(uint8_t *commit, const struct commit_header *h, void *arg);

/* Calls fn on each commit of a segment's block, in order. */
static void each_commit(struct flash *f, uint8_t *block, commit_fn *fn, void *arg)
{
	struct commit_header h;

	for (uint32_t off = UNIT; off < f->geo.eraseblock_size;
	     off += align_up(COMMIT_HEADER_SIZE + h.payload_len, UNIT)) {
		if (commit_header_decode(block + off, &h) <= 0)
			break;
		fn(block + off, &h, arg);
	}
}

static void count_compressed(uint8_t *commit, const struct commit_header *h, void *arg)
{
	(void)commit;
	*(uint32_t *)arg += !!(h->flags & COMMIT_FLAG_LZ4);
}

/* A compressed commit of an update: the user's op and forwards. */
static void last_compressed_update(uint8_t *commit, const struct commit_header *h, void *arg)
{
	if ((h->flags & COMMIT_FLAG_LZ4) && h->generation > 1 && h->op_count > 1)
		*(uint8_t **)arg = commit;
}

static uint32_t compressed_count(struct flash *f)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b < f->geo.eraseblock_count; b++) {
		uint8_t *data = flash_emu_block(f, b);
		struct block_header bh;

		if (block_header_decode(data, &bh) == BLOCK_SEGMENT)
			each_commit(f, data, count_compressed, &n);
	}
	return n;
}

/* The head segment's last compressed update. */
static uint8_t *find_update(struct flash *f)
{
	uint8_t *head = NULL, *found = NULL;
	uint64_t seq = 0;

	for (uint32_t b = 0; b < f->geo.eraseblock_count; b++) {
		uint8_t *data = flash_emu_block(f, b);
		struct block_header bh;

		if (block_header_decode(data, &bh) == BLOCK_SEGMENT && bh.seq > seq) {
			seq = bh.seq;
			head = data;
		}
	}
	if (head)
		each_commit(f, head, last_compressed_update, &found);
	return found;
}

/* Devices created, then updated one per commit: the updates forward. */
static struct flash *build(uint32_t *versions)
{
	struct fixture fx;
	uint64_t x = 7;
	bool fine = true;

	fixture_open(&fx, test_nand(16), NULL);
	for (uint32_t i = 0; i < DEVICES; i++)
		fine &= put_device(fx.s, i, versions[i] = 1) == 0;
	for (uint32_t u = 0; u < 3 * DEVICES; u++) {
		uint32_t i = next(&x) % DEVICES;

		fine &= put_device(fx.s, i, ++versions[i]) == 0;
	}
	ok(fine, "%u devices and %u updates commit", DEVICES, 3 * DEVICES);
	store_unmount(fx.s);
	return fx.f;
}

static void test_round_trip(struct flash *f, const uint32_t *versions)
{
	struct store_options o = test_options(1);
	struct store *s;
	struct store_status st;

	ok(compressed_count(f) > DEVICES, "most commits are compressed (%u)", compressed_count(f));
	s = test_mount(f, &o, false);
	store_status(s, &st);
	ok(s && devices_intact(s, versions) == DEVICES && st.lost_commits == 0,
	   "after a remount every device reads back at its last version");
	store_unmount(s);
}

/* Rewrites a commit's header (CRC included) after a change to it; the
 * caller gives every commit its tag again (insider_reseal). */
static void reseal(uint8_t *commit, const struct commit_header *h)
{
	commit_header_encode(h, commit);
}

/* Mounts a copy of base changed by damage() (tag and CRC right: written
 * so with the key): the mount must succeed, count the damaged commit as
 * lost, and take a new commit. */
static void refused(struct flash *base, const char *what,
		    void (*damage)(uint8_t *commit, struct commit_header *h))
{
	struct store_options o = test_options(1);
	struct flash *f = flash_emu_clone(base, NULL);
	uint8_t *commit = find_update(f);
	struct commit_header h;
	struct store_status st;
	struct store *s;

	commit_header_decode(commit, &h);
	damage(commit, &h);
	insider_reseal(f, o.key);
	s = test_mount(f, &o, false);
	if (s)
		store_status(s, &st);
	ok(s && st.lost_commits == 1 && put_device(s, 0, 99) == 0,
	   "%s: the commit is refused as lost, the store mounts and takes commits", what);
	store_unmount(s);
	flash_close(f);
}

/* The first half of the stream one literal length (0xff bytes) longer than
 * the stream: no decoder takes it, whatever the commit holds (a run of
 * sealed secrets, flipped, would decode as other literals). */
static void corrupt_stream(uint8_t *commit, struct commit_header *h)
{
	memset(commit + COMMIT_HEADER_SIZE, 0xff, h->payload_len / 2);
	reseal(commit, h);
}

static void truncate_stream(uint8_t *commit, struct commit_header *h)
{
	h->payload_len--;
	reseal(commit, h);
}

static void raw_len_longer(uint8_t *commit, struct commit_header *h)
{
	h->raw_len++;
	reseal(commit, h);
}

static void raw_len_shorter(uint8_t *commit, struct commit_header *h)
{
	h->raw_len--;
	reseal(commit, h);
}

static void raw_len_huge(uint8_t *commit, struct commit_header *h)
{
	h->raw_len = 0xfffffff0u;
	reseal(commit, h);
}

/* A record of random bytes: LZ4 cannot shrink its commit. */
static void test_incompressible(void)
{
	struct fixture fx;
	char value[1201];
	uint64_t x = 99;
	uint8_t *hit = NULL, *data;
	struct commit_header h = { 0 };

	fixture_open(&fx, test_nand(8), NULL);
	for (size_t i = 0; i < sizeof(value) - 1; i++)
		value[i] = (char)(1 + next(&x) % 255);
	value[sizeof(value) - 1] = 0;
	ok(test_put(fx.s, STORE_REC_IDENTITY, "random", value, NULL) == 0, "a random value commits");
	store_unmount(fx.s);
	for (uint32_t b = 0; b < fx.g.eraseblock_count && !hit; b++) {
		data = flash_emu_block(fx.f, b);
		hit = memmem(data, fx.g.eraseblock_size, value, 64);
	}
	if (hit) {
		size_t off = (size_t)(hit - data) / UNIT * UNIT;

		while (commit_header_decode(data + off, &h) <= 0 && off >= UNIT)
			off -= UNIT;
	}
	ok(hit && !(h.flags & COMMIT_FLAG_LZ4) && h.raw_len == h.payload_len,
	   "its commit is stored raw (%u bytes)", h.payload_len);
	fx.s = test_mount(fx.f, &fx.o, false);
	ok(fx.s && test_has(fx.s, STORE_REC_IDENTITY, "random", value, NULL), "and reads back");
	fixture_close(&fx);
}

/* Anchor i: a certificate's name and validity, text that compresses. */
static struct store_record anchor(int i, char key[32], char value[200])
{
	snprintf(key, 32, "anchor-%d", i);
	snprintf(value, 200, "CN=Example Root CA %d, O=Example Corporation, C=US; valid "
		 "2026-01-01 to 2036-01-01; policy 1.3.6.1.4.1.99999.%d", i, i);
	return (struct store_record){ STORE_REC_ANCHOR, key, strlen(key), value, strlen(value),
				      NULL, 0 };
}

/* One transaction of text records spanning several units raw. */
static void test_saves_units(void)
{
	struct fixture fx;
	struct store_txn *t;
	uint64_t before;
	char key[32], value[200];
	bool all = true;

	fixture_open(&fx, test_nand(8), NULL);
	t = store_txn_begin(fx.s);
	before = fx.f->stats.bytes_programmed;
	for (int i = 0; i < 12; i++) {
		struct store_record r = anchor(i, key, value);

		store_txn_put(t, &r, NULL);
	}
	ok(store_txn_commit(t, NULL, NULL) == 0, "a transaction of 12 certificates' names "
	   "(about 1.5 KiB raw) commits");
	ok(fx.f->stats.bytes_programmed - before <= 2 * UNIT, "compressed, it programs %llu bytes",
	   (unsigned long long)(fx.f->stats.bytes_programmed - before));
	fixture_remount(&fx);
	for (int i = 0; i < 12; i++) {
		anchor(i, key, value);
		all &= test_has(fx.s, STORE_REC_ANCHOR, key, value, NULL);
	}
	ok(all, "every record reads back after a remount");
	fixture_close(&fx);
}

/* A store whose segment headers say an older version: 1 (uncompressed),
 * 2 (bit 0 of a commit's flags meant deflate) or 3 (no MACs). */
static void test_old_version(uint8_t version)
{
	struct fixture fx;
	struct cs_err err = { 0 };
	char name[16];

	fixture_open(&fx, test_nand(8), NULL);
	store_unmount(fx.s);
	for (uint32_t b = 0; b < fx.g.eraseblock_count; b++) {
		uint8_t *data = flash_emu_block(fx.f, b);
		uint32_t crc;

		if (is_erased(data, BLOCK_HEADER_SIZE))
			continue;
		data[4] = version;
		crc = crc32(0, data, 44);
		for (int i = 0; i < 4; i++)
			data[44 + i] = (uint8_t)(crc >> 8 * i);
	}
	fx.s = store_mount(fx.f, &fx.o, &err);
	snprintf(name, sizeof(name), "version %u", version);
	ok(!fx.s && err.code == EMEDIUMTYPE && strstr(err.msg, name),
	   "a %s store is refused (%s)", name, err.msg);
	store_unmount(fx.s);
	ok(store_format(fx.f, &fx.o, &err) == 0 && (fx.s = store_mount(fx.f, &fx.o, &err)) != NULL,
	   "and can be formatted anew");
	fixture_close(&fx);
}

int main(void)
{
	static uint32_t versions[DEVICES];
	struct flash *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	f = build(versions);
	test_round_trip(f, versions);
	refused(f, "a corrupt LZ4 block", corrupt_stream);
	refused(f, "a truncated LZ4 block", truncate_stream);
	refused(f, "a raw length one more than the stream gives", raw_len_longer);
	refused(f, "a raw length one less than the stream gives", raw_len_shorter);
	refused(f, "a raw length past the limit", raw_len_huge);
	flash_close(f);
	test_incompressible();
	test_saves_units();
	test_old_version(1);
	test_old_version(2);
	test_old_version(3);
	return tap_done();
}
