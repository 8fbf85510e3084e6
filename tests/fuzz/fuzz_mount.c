/* libFuzzer: mounting and replaying a flash image, then reading,
 * committing, upkeep and a second mount on what the first left.
 *
 * The input is the image, block by block: for each eraseblock a
 * little-endian u16 length and that many bytes from its start; the rest of
 * the block, and blocks the input does not reach, stay erased.  This keeps
 * the seeds (real stores) small and lets mutations hit headers and
 * commits.  When the input's last byte is odd, every commit whose header
 * decodes gets its tag and CRC recomputed first (with the key, as a writer
 * with a bug would have them), so that mutated payloads (LZ4 blocks, raw
 * lengths, ops) get past the MAC and the CRC to the decompressor and
 * replay. */
#include <stdio.h>
#include <string.h>

#include "attack.h"
#include "flash_emu.h"
#include "harness.h"
#include "insider.h"
#include "malformed.h"
#include "store_layout.h"

static struct flash *image;
static struct store_options opts;

static void load(const uint8_t *data, size_t size)
{
	const struct flash_geometry *g = &image->geo;

	for (uint32_t b = 0; b < g->eraseblock_count; b++) {
		uint8_t *block = flash_emu_block(image, b);
		size_t len = 0;

		if (size >= 2) {
			len = (size_t)(data[0] | data[1] << 8);
			data += 2;
			size -= 2;
			len = len < size ? len : size;
			len = len < g->eraseblock_size ? len : g->eraseblock_size;
		}
		memcpy(block, data, len);
		memset(block + len, 0xff, g->eraseblock_size - len);
		data += len;
		size -= len;
	}
}

/* reseal: a last byte that is odd (see above). */
static void write_seed_as(const char *name, bool reseal)
{
	const struct flash_geometry *g = &image->geo;
	uint8_t *out = malloc((size_t)g->eraseblock_count * (g->eraseblock_size + 2) + 1);
	size_t n = 0;

	for (uint32_t b = 0; b < g->eraseblock_count; b++) {
		const uint8_t *block = flash_emu_block(image, b);
		size_t len = g->eraseblock_size;

		while (len && block[len - 1] == 0xff)
			len--;
		out[n++] = (uint8_t)len;
		out[n++] = (uint8_t)(len >> 8);
		memcpy(out + n, block, len);
		n += len;
	}
	if (reseal)
		out[n++] = 1;
	fuzz_write_seed(name, out, n);
	free(out);
}

static void write_seed(const char *name)
{
	write_seed_as(name, false);
}

static int put(struct store *s, uint8_t type, const char *key, const char *value,
	       const char *secret)
{
	struct store_txn *t = store_txn_begin(s);
	struct store_record r = { type, key, strlen(key), value, strlen(value),
				  secret, secret ? strlen(secret) : 0 };

	if (!t || store_txn_put(t, &r, NULL)) {
		store_txn_abort(t);
		return -1;
	}
	return store_txn_commit(t, NULL, NULL);
}

static int touch(const struct store_record *r, void *arg)
{
	*(size_t *)arg += r->value_len + r->secret_len;
	return 0;
}

/* Devices as the benchmark has them (NUL-padded ids, random
 * fingerprints), updated one per commit: compressed commits that forward. */
static void put_devices(struct store *s)
{
	struct store_record r = { STORE_REC_DEVICE, NULL, 64, NULL, 72, NULL, 0 };
	char id[64], value[72];
	uint64_t x = 1;

	r.key = id;
	r.value = value;
	for (int u = 0; u < 40; u++) {
		struct store_txn *t = store_txn_begin(s);

		memset(id, 0, sizeof(id));
		snprintf(id, sizeof(id), "device-%010d", u % 12);
		for (size_t k = 0; k < sizeof(value); k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			value[k] = (char)(k < 64 ? x >> 56 : 0);
		}
		if (t && !store_txn_put(t, &r, NULL))
			store_txn_commit(t, NULL, NULL);
		else
			store_txn_abort(t);
	}
}

/* Seeds: an empty store, one with a few records, one where most
 * records were superseded, one of compressed device commits. */
static void write_seeds(void)
{
	struct cs_err err = { 0 };
	struct store *s;
	char key[32];

	store_format(image, &opts, &err);
	write_seed("empty");
	s = store_mount(image, &opts, &err);
	put(s, STORE_REC_IDENTITY, "web", "chain", "key");
	put(s, STORE_REC_ANCHOR, "root", "cert", NULL);
	put(s, STORE_REC_DEVICE, "dev-1", "fp", "secret");
	put(s, STORE_REC_META, "limits", "x", NULL);
	store_unmount(s);
	write_seed("records");
	s = store_mount(image, &opts, &err);
	for (int i = 0; i < 60; i++) {
		snprintf(key, sizeof(key), "dev-%d", i % 7);
		put(s, STORE_REC_DEVICE, key, "a value that takes some room in a block", "s");
	}
	store_unmount(s);
	write_seed("superseded");
	store_format(image, &opts, &err);
	s = store_mount(image, &opts, &err);
	put_devices(s);
	store_unmount(s);
	write_seed("devices");
}

/* n devices in one transaction: more than an eraseblock of the fuzz
 * flash, so written in parts. */
static void put_many(struct store *s, int n)
{
	struct store_txn *t = store_txn_begin(s);
	char key[32], value[200];

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (int i = 0; t && i < n; i++) {
		struct store_record r = { STORE_REC_DEVICE, key, 0, value, strlen(value),
					  "secret", 6 };

		r.key_len = (size_t)snprintf(key, sizeof(key), "dev-%d", i);
		store_txn_put(t, &r, NULL);
	}
	if (t)
		store_txn_commit(t, NULL, NULL);
}

/* A seed over the last one: a transaction in parts (larger than an
 * eraseblock), then one cut short after its first part. */
static void write_parts_seed(void)
{
	struct store *s = store_mount(image, &opts, NULL);
	struct flash_faults cut;

	put_many(s, 120);
	flash_faults_none(&cut);
	cut.cut_after = 3;		/* in the second part */
	flash_emu_set_faults(image, &cut);
	put_many(s, 120);
	store_unmount(s);
	flash_emu_power_on(image);
	flash_faults_none(&cut);
	flash_emu_set_faults(image, &cut);
	write_seed("parts");
}

/* Seeds of a commit past the format's limits (malformed.h) after a
 * record, its CRC right; they ask for resealing, so that mutations of them
 * keep reaching the decoder. */
static void write_bound_seeds(void)
{
	const uint32_t room = image->geo.eraseblock_size / 2;
	uint8_t *payload = malloc(room);

	for (size_t i = 0; payload && i < malformed_count; i++) {
		const struct malformed *m = &malformed_payloads[i];
		struct store *s;
		uint16_t ops;
		uint32_t len;

		store_format(image, &opts, NULL);
		s = store_mount(image, &opts, NULL);
		put(s, STORE_REC_DEVICE, "dev-1", "fp", "secret");
		store_unmount(s);
		len = m->craft(payload, room, &ops);
		if (attack_append(image, payload, len, ops))
			abort();
		write_seed_as(m->name, true);
	}
	free(payload);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	image = fuzz_flash();
	opts = fuzz_store_options();
	if (fuzz_seed_dir()) {
		write_seeds();
		write_parts_seed();
		write_bound_seeds();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_record r;
	struct store_status st;
	struct store *s;
	size_t bytes = 0;

	load(data, size);
	if (size && data[size - 1] & 1)
		insider_reseal(image, opts.key);
	s = store_mount(image, &opts, NULL);
	if (!s)
		return 0;
	for (uint8_t t = 1; t <= STORE_REC_TYPE_MAX; t++)
		store_iterate(s, t, NULL, 0, touch, &bytes, NULL);
	if (!store_get(s, STORE_REC_DEVICE, "dev-1", 5, &r, NULL))
		store_record_free(&r);
	store_status(s, &st);
	put(s, STORE_REC_DEVICE, "dev-1", "after the fuzz", "secret");
	store_maintain(s, NULL);
	store_unmount(s);
	s = store_mount(image, &opts, NULL);
	if (s)
		store_unmount(s);
	return 0;
}
