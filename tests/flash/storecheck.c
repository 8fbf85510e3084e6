/* storecheck: the store engine on a real MTD device, through libmtd.  It
 * formats the store, runs a deterministic workload of transactions (puts
 * and deletes of devices, identities and anchors, with sealed secrets),
 * remounts from the device, and checks every record against a model of
 * what was acknowledged.  Every block that was bad when it started must
 * never be programmed or erased.  It prints TAP and the store's figures.
 *
 * usage: storecheck [--txns=N] [--bad=N] [--scrub] DEVICE
 *   --txns=N   transactions in the workload (default 300)
 *   --bad=N    the device has N bad blocks, and the store must say so
 *   --scrub    nandsim flips bits (bitflips=): remount until a mount has
 *              read a corrected page, then store_maintain() must scrub */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "store.h"
#include "tap.h"

/* ---- A flash that watches the one under it ------------------------------
 * It forwards every op and counts programs and erases of blocks that were
 * bad when it was opened: the store must skip those. */

static uint64_t bad_touched_total;	/* over every guard closed */

struct guard {
	struct flash flash;
	struct flash *inner;
	bool *bad_at_open;
	uint64_t bad_touched;
};

static struct guard *to_guard(struct flash *f)
{
	return (struct guard *)f;
}

static int forwarded(struct flash *f, int rc)
{
	struct guard *g = to_guard(f);

	g->flash.stats = g->inner->stats;
	return rc;
}

static int guard_read(struct flash *f, uint32_t block, uint32_t offset, void *buf, size_t len)
{
	struct flash *in = to_guard(f)->inner;

	return forwarded(f, in->ops->read(in, block, offset, buf, len));
}

static void watch(struct flash *f, uint32_t block)
{
	struct guard *g = to_guard(f);

	if (block < f->geo.eraseblock_count && g->bad_at_open[block])
		g->bad_touched++;
}

static int guard_program(struct flash *f, uint32_t block, uint32_t offset, const void *buf,
			 size_t len)
{
	struct flash *in = to_guard(f)->inner;

	watch(f, block);
	return forwarded(f, in->ops->program(in, block, offset, buf, len));
}

static int guard_erase(struct flash *f, uint32_t block)
{
	struct flash *in = to_guard(f)->inner;

	watch(f, block);
	return forwarded(f, in->ops->erase(in, block));
}

static int guard_is_bad(struct flash *f, uint32_t block)
{
	struct flash *in = to_guard(f)->inner;

	return forwarded(f, in->ops->is_bad(in, block));
}

static int guard_mark_bad(struct flash *f, uint32_t block)
{
	struct flash *in = to_guard(f)->inner;

	return forwarded(f, in->ops->mark_bad(in, block));
}

static void guard_close(struct flash *f)
{
	struct guard *g = to_guard(f);

	bad_touched_total += g->bad_touched;
	flash_close(g->inner);
	free(g->bad_at_open);
	free(g);
}

static const struct flash_ops guard_ops = {
	.read = guard_read,
	.program = guard_program,
	.erase = guard_erase,
	.is_bad = guard_is_bad,
	.mark_bad = guard_mark_bad,
	.close = guard_close,
};

static struct flash *guard_open(const char *device, struct cs_err *err)
{
	struct flash *in = flash_mtd_open(device, err);
	struct guard *g;

	if (!in)
		return NULL;
	g = calloc(1, sizeof(*g));
	g->bad_at_open = calloc(in->geo.eraseblock_count, sizeof(bool));
	g->flash = (struct flash){ .ops = &guard_ops, .geo = in->geo, .stats = in->stats };
	g->inner = in;
	for (uint32_t b = 0; b < in->geo.eraseblock_count; b++)
		g->bad_at_open[b] = in->ops->is_bad(in, b) == 1;
	return &g->flash;
}

/* ---- The workload and its model ----------------------------------------- */

#define KEYS_PER_TYPE 48

struct model {
	/* version of each (type, key): 0 = absent */
	uint32_t version[STORE_REC_TYPE_MAX + 1][KEYS_PER_TYPE];
	uint64_t rng;
};

static uint32_t next_random(struct model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng >> 32;
}

static size_t key_of(uint8_t type, uint32_t k, char *key)
{
	static const char *const prefix[] = { "", "meta", "identity", "anchor", "device" };

	return sprintf(key, "%s-%03u", prefix[type], k);
}

/* Sizes of a record: devices are small (136 B, the benchmark's), identities
 * carry a chain and a sealed key, anchors a certificate. */
static size_t value_len(uint8_t type, uint32_t k, uint32_t version)
{
	switch (type) {
	case STORE_REC_IDENTITY: return 1024 + (k * 97 + version * 31) % 2048;
	case STORE_REC_ANCHOR: return 400 + (k * 13 + version * 7) % 1200;
	default: return 136;
	}
}

static size_t secret_len(uint8_t type)
{
	return type == STORE_REC_ANCHOR ? 0 : type == STORE_REC_IDENTITY ? 121 : 64;
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = x >> 16;
	}
}

static uint32_t seed_of(uint8_t type, uint32_t k, uint32_t version, int part)
{
	return ((type * KEYS_PER_TYPE + k) * 100003u + version) * 2 + part;
}

/* The record (type, k) at a version, in caller buffers. */
static struct store_record record_of(uint8_t type, uint32_t k, uint32_t version, char *key,
				     uint8_t *value, uint8_t *secret)
{
	struct store_record r = {
		.type = type,
		.key = key,
		.key_len = key_of(type, k, key),
		.value = value,
		.value_len = value_len(type, k, version),
		.secret = secret_len(type) ? secret : NULL,
		.secret_len = secret_len(type),
	};

	fill(value, r.value_len, seed_of(type, k, version, 0));
	fill(secret, r.secret_len, seed_of(type, k, version, 1));
	return r;
}

static uint8_t pick_type(struct model *m)
{
	uint32_t r = next_random(m) % 10;

	return r < 7 ? STORE_REC_DEVICE : r < 9 ? STORE_REC_ANCHOR : STORE_REC_IDENTITY;
}

/* One transaction of 1-4 operations on distinct records; the model moves
 * only when the commit is acknowledged. */
static int one_txn(struct store *s, struct model *m, uint64_t *generation, struct cs_err *err)
{
	uint32_t ops = 1 + next_random(m) % 4, next[STORE_REC_TYPE_MAX + 1][KEYS_PER_TYPE];
	struct store_txn *t = store_txn_begin(s);
	char key[32];
	uint8_t value[STORE_VALUE_MAX > 4096 ? 4096 : STORE_VALUE_MAX], secret[128];
	int rc = 0;

	memcpy(next, m->version, sizeof(next));
	for (uint32_t i = 0; i < ops && rc == 0; i++) {
		uint8_t type = pick_type(m);
		uint32_t k = next_random(m) % KEYS_PER_TYPE;

		if (next[type][k] != m->version[type][k])
			continue;	/* one operation per record and transaction */
		if (m->version[type][k] && next_random(m) % 5 == 0) {
			rc = store_txn_delete(t, type, key, key_of(type, k, key), err);
			next[type][k] = 0;
		} else {
			/* Versions never repeat, so a stale value cannot pass. */
			uint32_t v = m->version[type][k] + 1 + next_random(m) % 1000;
			struct store_record r = record_of(type, k, v, key, value, secret);

			rc = store_txn_put(t, &r, err);
			next[type][k] = v;
		}
	}
	if (rc) {
		store_txn_abort(t);
		return rc;
	}
	rc = store_txn_commit(t, generation, err);
	if (rc == 0)
		memcpy(m->version, next, sizeof(next));
	return rc;
}

/* ---- Checks ------------------------------------------------------------- */

struct order {
	char last[STORE_RECORD_KEY_MAX + 1];
	size_t last_len;
	uint32_t count, misordered;
};

static int count_in_order(const struct store_record *r, void *arg)
{
	struct order *o = arg;
	size_t n = r->key_len < o->last_len ? r->key_len : o->last_len;
	int cmp = memcmp(o->last, r->key, n);

	if (o->count && (cmp > 0 || (cmp == 0 && o->last_len >= r->key_len)))
		o->misordered++;
	memcpy(o->last, r->key, r->key_len);
	o->last_len = r->key_len;
	o->count++;
	return 0;
}

static bool same_record(const struct store_record *got, const struct store_record *want)
{
	return got->value_len == want->value_len &&
	       !memcmp(got->value, want->value, want->value_len) &&
	       got->secret_len == want->secret_len &&
	       (!want->secret_len || !memcmp(got->secret, want->secret, want->secret_len));
}

/* Every record of the model is there with its last acknowledged value,
 * every deleted one is absent, and iteration sees them all in order. */
static void verify(struct store *s, const struct model *m, const char *when)
{
	char key[32];
	uint8_t value[4096], secret[128];
	uint32_t wrong = 0, present = 0;

	for (uint8_t type = STORE_REC_IDENTITY; type <= STORE_REC_TYPE_MAX; type++) {
		struct order o = { .count = 0 };
		uint32_t expected = 0;
		struct cs_err err = { 0 };

		for (uint32_t k = 0; k < KEYS_PER_TYPE; k++) {
			uint32_t v = m->version[type][k];
			struct store_record want = record_of(type, k, v ? v : 1, key, value, secret);
			struct store_record got;
			int rc = store_get(s, type, key, want.key_len, &got, &err);

			if (v ? rc != 0 || !same_record(&got, &want) : rc != -ENOENT) {
				if (wrong++ < 5)
					printf("# %s: %.*s: get %d, expected %s\n", when,
					       (int)want.key_len, key, rc, v ? "its value" : "-ENOENT");
			}
			if (rc == 0)
				store_record_free(&got);
			expected += v != 0;
		}
		present += expected;
		store_iterate(s, type, NULL, 0, count_in_order, &o, &err);
		if (o.count != expected || o.misordered) {
			printf("# %s: type %u: iterate saw %u records (%u out of order), expected %u\n",
			       when, type, o.count, o.misordered, expected);
			wrong++;
		}
	}
	ok(wrong == 0, "%s: all %u live records read back as acknowledged, deleted ones are gone",
	   when, present);
}

static void print_status(struct store *s, struct flash *f)
{
	struct store_status st;

	store_status(s, &st);
	printf("# store: generation %llu, %llu live bytes, %llu free, erases min/avg/max %u/%.2f/%u, "
	       "%u bad blocks, %llu scrubs, %llu relocations\n",
	       (unsigned long long)st.generation, (unsigned long long)st.live_bytes,
	       (unsigned long long)st.free_bytes, st.erase_min, st.erase_avg, st.erase_max,
	       st.bad_blocks, (unsigned long long)st.scrubs, (unsigned long long)st.relocations);
	printf("# flash: %llu programs (%llu bytes), %llu erases, %llu pages read, "
	       "%llu corrected reads, %llu uncorrectable\n",
	       (unsigned long long)f->stats.programs, (unsigned long long)f->stats.bytes_programmed,
	       (unsigned long long)f->stats.erases, (unsigned long long)f->stats.pages_read,
	       (unsigned long long)f->stats.corrected, (unsigned long long)f->stats.uncorrectable);
}

struct options {
	unsigned long txns;
	long bad;			/* -1: not checked */
	bool scrub;
	const char *device;
};

static struct store *mount_device(const char *device, const struct store_options *opt,
				  struct flash **f, const char *when)
{
	struct cs_err err = { 0 };
	struct store *s = NULL;

	*f = guard_open(device, &err);
	if (*f)
		s = store_mount(*f, opt, &err);
	ok(s != NULL, "%s: mount %s%s%s", when, device, s ? "" : ": ", s ? "" : err.msg);
	if (!s) {
		flash_close(*f);
		*f = NULL;
	}
	return s;
}

static void unmount_device(struct store *s, struct flash *f)
{
	store_unmount(s);
	flash_close(f);
}

/* Remount until a mount has read a corrected page, then upkeep scrubs. */
static void check_scrub(const char *device, const struct store_options *opt,
			const struct model *m)
{
	struct store_status st;
	struct cs_err err = { 0 };
	struct store *s = NULL;
	struct flash *f = NULL;
	int mounts;

	for (mounts = 1; mounts <= 60; mounts++) {
		s = mount_device(device, opt, &f, "scrub");
		if (!s)
			return;
		if (f->stats.corrected)
			break;
		unmount_device(s, f);
		s = NULL;
	}
	if (!ok(s != NULL, "a mount read a corrected page (after %d mounts)", mounts))
		return;
	ok(store_maintain(s, &err) == 0, "store_maintain: %s", err.code ? err.msg : "ok");
	store_status(s, &st);
	ok(st.scrubs > 0, "the block read with a corrected flip was scrubbed (%llu scrubs)",
	   (unsigned long long)st.scrubs);
	verify(s, m, "after the scrub");
	print_status(s, f);
	unmount_device(s, f);
}

static void run(const struct options *o)
{
	struct store_options opt = { .redundancy = 1 };
	struct model m = { .rng = 0x2545f4914f6cdd1dull };
	struct cs_err err = { 0 };
	struct store_status st;
	uint64_t generation = 0;
	unsigned long done = 0;
	struct store *s;
	struct flash *f;
	int rc = 0;

	memset(opt.key, 0x5a, sizeof(opt.key));
	f = guard_open(o->device, &err);
	if (!ok(f != NULL, "open %s%s%s", o->device, f ? "" : ": ", f ? "" : err.msg))
		return;
	ok(store_format(f, &opt, &err) == 0, "format: %s", err.code ? err.msg : "ok");
	flash_close(f);

	s = mount_device(o->device, &opt, &f, "after format");
	if (!s)
		return;
	while (done < o->txns && (rc = one_txn(s, &m, &generation, &err)) == 0)
		done++;
	ok(done == o->txns, "%lu transactions committed%s%s", done, rc ? ": " : "", rc ? err.msg : "");
	verify(s, &m, "before remount");
	print_status(s, f);
	unmount_device(s, f);

	s = mount_device(o->device, &opt, &f, "remount");
	if (!s)
		return;
	verify(s, &m, "after remount");
	store_status(s, &st);
	ok(st.generation == generation, "generation %llu survives the remount (%llu)",
	   (unsigned long long)generation, (unsigned long long)st.generation);
	if (o->bad >= 0)
		ok(st.bad_blocks == (uint32_t)o->bad, "the store counts %ld bad blocks (%u)",
		   o->bad, st.bad_blocks);
	print_status(s, f);
	unmount_device(s, f);
	if (o->scrub)
		check_scrub(o->device, &opt, &m);
	ok(bad_touched_total == 0, "no block bad at the start was ever programmed or erased (%llu were)",
	   (unsigned long long)bad_touched_total);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "txns", required_argument, NULL, 't' },
		{ "bad", required_argument, NULL, 'b' },
		{ "scrub", no_argument, NULL, 's' },
		{ 0 },
	};
	struct options o = { .txns = 300, .bad = -1 };
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o.txns = strtoul(optarg, NULL, 0); break;
		case 'b': o.bad = strtol(optarg, NULL, 0); break;
		case 's': o.scrub = true; break;
		default:
			fprintf(stderr, "usage: storecheck [--txns=N] [--bad=N] [--scrub] DEVICE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: storecheck [--txns=N] [--bad=N] [--scrub] DEVICE\n");
		return 2;
	}
	o.device = argv[optind];
	run(&o);
	return tap_done();
}
