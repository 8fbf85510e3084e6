/* bench/flash: the credential workload of issue 3 on emulated NAND
 * (128 KiB eraseblocks, 2 KiB pages, 512 B subpages).  A device record is
 * 136 bytes: a 64-byte id (the key), two 32-byte fingerprints and 8 bytes
 * of flags (the value).  N devices are created (in transactions of 256),
 * then M = 2000 updates each rewrite one random device in a commit of its
 * own.  Printed per update: bytes and pages programmed, erases, CPU time;
 * then what a mount of the result reads, its time, and the index RAM.
 * With a rollback counter (counter/), each update also advances it: the
 * wall time per update then says what the counter costs.
 *
 * usage: flash [--counter-file PATH | --counter-tpm INDEX [--tpm-tcti CONF]]
 *              [N:MiB ...]   (default 1000:4 10000:16 100000:64) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counter.h"
#include "flash_emu.h"
#include "store.h"

#define ID_LEN		64
#define FINGERPRINT_LEN	32
#define FLAGS_LEN	8
#define VALUE_LEN	(2 * FINGERPRINT_LEN + FLAGS_LEN)
#define UPDATES		2000
#define BATCH		256

static struct counter *counter;		/* NULL: none */

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Version `version` of device i: a fixed-width id, NUL-padded; two
 * fingerprints of pseudo-random bytes, as incompressible as the SHA-256
 * digests they stand for; flags, a little-endian word of a few bits. */
static void device(uint32_t i, uint32_t version, char *id, uint8_t *value)
{
	uint64_t x = ((uint64_t)i << 32 | version) * 0x9e3779b97f4a7c15ULL + 1;

	memset(id, 0, ID_LEN);
	snprintf(id, ID_LEN, "device-%010u", i);
	for (int k = 0; k < 2 * FINGERPRINT_LEN; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		value[k] = (uint8_t)(x >> 56);
	}
	memset(value + 2 * FINGERPRINT_LEN, 0, FLAGS_LEN);
	value[2 * FINGERPRINT_LEN] = (uint8_t)(1 | (version & 1) << 1);
}

static int put_device(struct store_txn *t, uint32_t i, uint32_t version)
{
	char id[ID_LEN];
	uint8_t value[VALUE_LEN];
	struct store_record r = { STORE_REC_DEVICE, id, ID_LEN, value, VALUE_LEN, NULL, 0 };

	device(i, version, id, value);
	return store_txn_put(t, &r, NULL);
}

static int create(struct store *s, uint32_t n, struct cs_err *err)
{
	for (uint32_t i = 0; i < n; i += BATCH) {
		struct store_txn *t = store_txn_begin(s);
		int rc;

		for (uint32_t k = i; k < n && k < i + BATCH; k++)
			put_device(t, k, 0);
		if ((rc = store_txn_commit(t, NULL, err)))
			return rc;
	}
	return 0;
}

static int update(struct store *s, uint32_t n, double *cpu, double *wall, struct cs_err *err)
{
	uint64_t x = 88172645463325252ULL;
	double start = seconds(CLOCK_PROCESS_CPUTIME_ID), wall_start = seconds(CLOCK_MONOTONIC);

	for (uint32_t u = 0; u < UPDATES; u++) {
		struct store_txn *t = store_txn_begin(s);
		int rc;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		put_device(t, (uint32_t)(x % n), u + 1);
		if ((rc = store_txn_commit(t, NULL, err)))
			return rc;
	}
	*cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - start;
	*wall = seconds(CLOCK_MONOTONIC) - wall_start;
	return 0;
}

static int run(uint32_t n, uint32_t mib)
{
	struct flash_geometry g = { FLASH_NAND, 128 << 10, mib * 8, 2048, 512, true };
	struct store_options o = { .redundancy = 1, .counter = counter };
	struct cs_err err = { 0 };
	struct flash *f = flash_emu_open(NULL, &g, NULL, &err);
	struct flash_stats before;
	struct store_status st;
	struct store *s = NULL;
	double cpu, wall, start, mount_ms;
	uint64_t live = (uint64_t)n * (ID_LEN + VALUE_LEN), budget;

	printf("N = %u devices on %u MiB (%u eraseblocks), live data %llu bytes\n", n, mib,
	       g.eraseblock_count, (unsigned long long)live);
	if (!f || store_format(f, &o, &err) || !(s = store_mount(f, &o, &err))) {
		printf("  setup failed: %s\n", err.msg);
		goto out;
	}
	if (create(s, n, &err)) {
		printf("  does not fit: %s\n", err.msg);
		goto out;
	}
	before = f->stats;
	if (update(s, n, &cpu, &wall, &err)) {
		printf("  updates failed: %s\n", err.msg);
		goto out;
	}
	printf("  per update: %.1f bytes programmed, %.3f pages programmed, %.5f erases "
	       "(%.2f per 1000), %.1f us CPU\n",
	       (double)(f->stats.bytes_programmed - before.bytes_programmed) / UPDATES,
	       (double)(f->stats.pages_programmed - before.pages_programmed) / UPDATES,
	       (double)(f->stats.erases - before.erases) / UPDATES,
	       (double)(f->stats.erases - before.erases) * 1000 / UPDATES, cpu * 1e6 / UPDATES);
	if (counter)
		printf("  with the %s: %.1f us wall per update\n", counter->name, wall * 1e6 / UPDATES);
	store_unmount(s);
	before = f->stats;
	start = seconds(CLOCK_MONOTONIC);
	s = store_mount(f, &o, &err);
	mount_ms = (seconds(CLOCK_MONOTONIC) - start) * 1e3;
	if (!s) {
		printf("  remount failed: %s\n", err.msg);
		goto out;
	}
	store_status(s, &st);
	budget = (live * 5 / 4 + g.page_size - 1) / g.page_size + g.eraseblock_count;
	printf("  mount: %llu pages read (%.2fx the target of 1.25x live data + one page per "
	       "eraseblock = %llu pages), %.1f ms\n",
	       (unsigned long long)(f->stats.pages_read - before.pages_read),
	       (double)(f->stats.pages_read - before.pages_read) / budget,
	       (unsigned long long)budget, mount_ms);
	printf("  index RAM: %llu bytes (%.2fx live data); %u devices after remount\n",
	       (unsigned long long)st.index_bytes, (double)st.index_bytes / live,
	       st.records[STORE_REC_DEVICE]);
out:
	store_unmount(s);
	flash_close(f);
	return err.code ? 1 : 0;
}

/* The counter options, if any, first; returns how many arguments they
 * took, or -1. */
static int open_counter(int argc, char **argv)
{
	const char *file = NULL, *tpm = NULL, *tcti = NULL;
	struct cs_err err = { 0 };
	int i = 1;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--counter-file"))
			file = argv[i + 1];
		else if (!strcmp(argv[i], "--counter-tpm"))
			tpm = argv[i + 1];
		else if (!strcmp(argv[i], "--tpm-tcti"))
			tcti = argv[i + 1];
		else
			return -1;
	}
	if (file)
		counter = counter_file_open(file, &err);
	else if (tpm)
		counter = counter_tpm_open((uint32_t)strtoul(tpm, NULL, 0), tcti, &err);
	if (err.code)
		fprintf(stderr, "flash: %s\n", err.msg);
	return err.code ? -1 : i - 1;
}

int main(int argc, char **argv)
{
	static const char *dflt[] = { "1000:4", "10000:16", "100000:64" };
	int skip = open_counter(argc, argv);
	const char **cfg = argc > skip + 1 ? (const char **)argv + skip + 1 : dflt;
	int n = argc > skip + 1 ? argc - skip - 1 : 3, rc = 0;

	if (skip < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n; i++) {
		unsigned devices, mib;

		if (sscanf(cfg[i], "%u:%u", &devices, &mib) != 2 || !devices || !mib) {
			fprintf(stderr, "flash: \"%s\": expected N:MiB\n", cfg[i]);
			return 2;
		}
		rc |= run(devices, mib);
	}
	counter_close(counter);
	return rc;
}
