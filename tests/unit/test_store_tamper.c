/* Tampering and rollback: the attacks of tests/attack/ on a store's image,
 * as someone with the raw partition and without the key would make them.
 * Each is detected (counted in store_status.tampered, told to the event
 * hook with the eraseblock), none of the attacker's bytes is ever served,
 * what is authentic is still served, and the store still takes commits.
 * An older image written back whole is detected through the monotonic
 * counter: writes are refused until an administrator accepts it. */
#include <unistd.h>

#include "attack.h"
#include "counter.h"
#include "store_workload.h"
#include "tap.h"

/* 16 KiB eraseblocks: the base image spans several segments. */
static struct flash_geometry small_nand(void)
{
	return (struct flash_geometry){ FLASH_NAND, 16 << 10, 16, 512, 512, true };
}

/* A counter in RAM, for the store's rules; counter/ has its own test. */
struct ram_counter {
	struct counter c;
	uint64_t value;
	bool fail;			/* advance fails (a TPM that went away) */
	bool unreadable;		/* read fails too */
};

static int ram_read(struct counter *c, uint64_t *value, struct cs_err *err)
{
	struct ram_counter *rc = (struct ram_counter *)c;

	if (rc->unreadable)
		return cs_err_set(err, EIO, "the test's counter cannot be read");
	*value = rc->value;
	return 0;
}

static int ram_advance(struct counter *c, uint64_t target, struct cs_err *err)
{
	struct ram_counter *rc = (struct ram_counter *)c;

	if (rc->fail)
		return cs_err_set(err, EIO, "the test's counter fails");
	if (target > rc->value)
		rc->value = target;
	return 0;
}

static void ram_close(struct counter *c)
{
	(void)c;
}

static const struct counter_ops ram_ops = { ram_read, ram_advance, ram_close };

static struct ram_counter counter = { .c = { &ram_ops, "the test's counter" } };
static uint64_t base_counter;	/* where base_image() left it */
static uint64_t base_generation;	/* the generation it reached */

/* The last tampering event the store told. */
static struct {
	int count;
	uint32_t block;
	char reason[256];
} heard;

static void on_event(const struct store_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind != STORE_EVENT_TAMPERED)
		return;
	heard.count++;
	heard.block = ev->eraseblock;
	snprintf(heard.reason, sizeof(heard.reason), "%s", ev->reason);
}

static struct store_options options(bool with_counter)
{
	struct store_options o = test_options(1);

	o.on_event = on_event;
	o.counter = with_counter ? &counter.c : NULL;
	return o;
}

static struct store *mount(struct flash *f, bool with_counter)
{
	struct store_options o = options(with_counter);

	memset(&heard, 0, sizeof(heard));
	return test_mount(f, &o, false);
}

static int del(struct store *s, uint8_t type, const char *key)
{
	struct store_txn *t = store_txn_begin(s);

	if (store_txn_delete(t, type, key, strlen(key), NULL)) {
		store_txn_abort(t);
		return -1;
	}
	return store_txn_commit(t, NULL, NULL);
}

static void filler(struct store *s, int n)
{
	char value[300];

	memset(value, 'f', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (int i = 0; i < n; i++)
		test_put(s, STORE_REC_META, "filler", value, NULL);
}

/* n devices of random bytes (dev-FIRST...) in one transaction: several
 * segments, and records too large to ride in a commit's padding, so that
 * the tail stays at the first segment and everything after it is
 * replayed. */
static void devices(struct store *s, int first, int n)
{
	struct store_txn *t = store_txn_begin(s);
	uint8_t value[400];
	uint64_t x = 7 + (uint64_t)first;
	char key[16];

	for (int i = first; i < first + n; i++) {
		for (size_t k = 0; k < sizeof(value); k++)
			value[k] = (uint8_t)wl_next(&x);
		snprintf(key, sizeof(key), "dev-%03d", i);
		store_txn_put(t, &(struct store_record){ STORE_REC_DEVICE, key, strlen(key), value,
							 sizeof(value), NULL, 0 }, NULL);
	}
	store_txn_commit(t, NULL, NULL);
}

/* The image the attacks edit (copies of it): carol is put and later
 * deleted (*old: the image before), bob updated, all in the log's live
 * span of several segments. */
static struct flash *base_image(struct flash **old)
{
	struct store_options o = options(true);
	struct fixture fx;
	struct store *s;

	counter = (struct ram_counter){ .c = counter.c };
	s = fixture_open(&fx, small_nand(), &o);
	devices(s, 0, 120);
	test_put(s, STORE_REC_ANCHOR, "root", "root-cert", NULL);
	test_put(s, STORE_REC_DEVICE, "alice", "fp-a", "secret-a");
	test_put(s, STORE_REC_DEVICE, "bob", "fp-b1", NULL);
	test_put(s, STORE_REC_DEVICE, "carol", "fp-c", "secret-c");
	*old = flash_emu_clone(fx.f, NULL);
	del(s, STORE_REC_DEVICE, "carol");
	filler(s, 40);
	test_put(s, STORE_REC_DEVICE, "bob", "fp-b2", NULL);
	test_put(s, STORE_REC_META, "limits", "x", NULL);
	base_generation = store_generation(s);
	store_unmount(s);
	base_counter = counter.value;
	return fx.f;
}

/* Whether every record served is one the store wrote. */
static bool nothing_forged(struct store *s)
{
	struct store_record r;
	bool fine = true;

	if (!store_get(s, STORE_REC_DEVICE, "bob", 3, &r, NULL)) {
		fine &= (r.value_len == 5 && (!memcmp(r.value, "fp-b1", 5) ||
					      !memcmp(r.value, "fp-b2", 5)));
		store_record_free(&r);
	}
	fine &= store_get(s, STORE_REC_DEVICE, "mallory", 7, &r, NULL) == -ENOENT;
	fine &= test_has(s, STORE_REC_DEVICE, "alice", "fp-a", "secret-a") ||
		store_get(s, STORE_REC_DEVICE, "alice", 5, &r, NULL) == -ENOENT;
	return fine;
}

static uint64_t tampered(struct store *s)
{
	struct store_status st;

	store_status(s, &st);
	return st.tampered;
}

/* A copy of the base image, and the counter where base_image() left it. */
static struct flash *attacked(struct flash *base)
{
	counter.value = base_counter;
	return flash_emu_clone(base, NULL);
}

/* Detected, reported with a block, nothing forged served, and the store
 * still takes a commit that a remount reads back (without a counter:
 * tampering is told apart by the MAC alone). */
static void detected(struct flash *f, const char *what)
{
	struct store *s = mount(f, false);
	uint32_t blocks = f->geo.eraseblock_count;

	ok(s && tampered(s) >= 1 && heard.count >= 1 && heard.block < blocks,
	   "%s: detected, eraseblock %u named (%s)", what, heard.block, heard.reason);
	ok(s && nothing_forged(s), "%s: nothing of the attacker's is served", what);
	ok(s && test_put(s, STORE_REC_META, "after", what, NULL) == 0,
	   "%s: the store takes a commit", what);
	store_unmount(s);
	s = mount(f, false);
	ok(s && test_has(s, STORE_REC_META, "after", what, NULL) && nothing_forged(s),
	   "%s: a remount reads it, and still serves nothing forged", what);
	store_unmount(s);
}

static void test_add_device(struct flash *base)
{
	struct flash *f = attacked(base);
	struct store *s;

	ok(attack_add_record(f, STORE_REC_DEVICE, "mallory", 7, "fp-m", 4) == 0,
	   "add: a fingerprint-only device with a valid CRC at the head");
	detected(f, "add");
	s = mount(f, true);
	ok(s && test_has(s, STORE_REC_DEVICE, "bob", "fp-b2", NULL) &&
	   test_has(s, STORE_REC_META, "limits", "x", NULL),
	   "add: everything before the forged commit is served");
	store_unmount(s);
	flash_close(f);
}

static void test_flip(struct flash *base)
{
	struct flash *f = attacked(base);

	ok(attack_flip(f, STORE_REC_DEVICE, "bob", 3, 0, 0x01) == 0,
	   "flip: a byte of bob's newest value flipped, CRC made right");
	detected(f, "flip");
	flash_close(f);
}

/* Where the newest put of device `key` lies: in a commit of a transaction
 * in parts, or as a copy garbage collection forwarded.  False: none. */
static bool newest_put(struct attack_log *log, const char *key, bool *in_part,
		       bool *forwarded)
{
	for (size_t i = log->n; i-- > 0;) {
		const struct attack_commit *c = &log->c[i];
		size_t at = 0, n;
		struct op op;
		bool part = false;

		for (uint16_t k = 0; k < c->h.op_count; k++, at += n) {
			if (!(n = op_decode(c->ops + at, c->h.raw_len - at, &op)))
				break;
			part |= k == 0 && (op.kind & OP_KIND_MASK) == OP_PART;
			if ((op.kind & OP_KIND_MASK) == OP_PUT && op.type == STORE_REC_DEVICE &&
			    op.key_len == strlen(key) && !memcmp(op.key, key, op.key_len)) {
				*in_part = part;
				*forwarded = op.has_gen;
				return true;
			}
		}
	}
	return false;
}

/* A flipped byte in the newest copy of a device whose copy is in a part
 * of a large transaction, or one that garbage collection forwarded: both
 * are commits like any, tagged the same way. */
static void flip_device(struct flash *base, bool want_forwarded, const char *what)
{
	struct attack_log log;
	struct store_record r = { 0 }, before = { 0 };
	struct flash *f = attacked(base);
	struct store *s;
	bool part, forwarded, fine = false;
	char key[16] = "";

	attack_scan(f, &log);
	for (int i = 0; i < 120 && !fine; i++) {
		snprintf(key, sizeof(key), "dev-%03d", i);
		fine = newest_put(&log, key, &part, &forwarded) && forwarded == want_forwarded &&
		       (forwarded || part);
	}
	attack_log_free(&log);
	s = mount(f, false);
	fine = fine && s && !store_get_public(s, STORE_REC_DEVICE, key, 7, &before, NULL);
	store_unmount(s);
	ok(fine && attack_flip(f, STORE_REC_DEVICE, key, 7, 9, 0x20) == 0,
	   "%s: a byte of %s's newest copy flipped, CRC made right", what, key);
	s = mount(f, false);
	ok(s && tampered(s) >= 1 &&
	   (store_get_public(s, STORE_REC_DEVICE, key, 7, &r, NULL) == -ENOENT ||
	    (r.value_len == before.value_len && !memcmp(r.value, before.value, r.value_len))),
	   "%s: detected (eraseblock %u), the flipped value never served", what, heard.block);
	if (s && r.key)
		store_record_free(&r);
	store_record_free(&before);
	store_unmount(s);
	flash_close(f);
}

static void test_drop_delete(struct flash *base)
{
	struct flash *f = attacked(base);
	struct store *s;
	struct store_status st;

	ok(attack_drop_delete(f, STORE_REC_DEVICE, "carol", 5) == 0,
	   "drop: carol's delete taken out of its commit, CRC made right");
	detected(f, "drop");
	flash_close(f);
	f = attacked(base);
	attack_drop_delete(f, STORE_REC_DEVICE, "carol", 5);
	s = mount(f, true);
	store_status(s, &st);
	ok(s && st.rollback == STORE_ROLLBACK_DETECTED &&
	   test_put(s, STORE_REC_META, "x", "y", NULL) == -EROFS,
	   "drop: with a counter, what is left is older than the counter: writes refused (%s)",
	   st.rollback_reason);
	store_unmount(s);
	flash_close(f);
}

static void test_replay(struct flash *base)
{
	struct flash *f = attacked(base);
	struct store_record r;
	struct store *s;

	ok(attack_replay(f, STORE_REC_DEVICE, "carol", 5) == 0,
	   "replay: carol's first commit copied to the head");
	detected(f, "replay");
	s = mount(f, true);
	ok(s && store_get(s, STORE_REC_DEVICE, "carol", 5, &r, NULL) == -ENOENT,
	   "replay: the deleted device stays deleted");
	store_unmount(s);
	flash_close(f);
}

/* The eraseblock of the segment with seq `seq`. */
static uint32_t block_of(const struct attack_log *log, uint64_t seq)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->c[i].seq == seq)
			return log->c[i].block[0];
	return UINT32_MAX;
}

static void test_swap(struct flash *base)
{
	struct flash *f = attacked(base);
	struct attack_log log;
	uint32_t a, b;

	attack_scan(f, &log);
	a = block_of(&log, 2);
	b = block_of(&log, 3);
	attack_log_free(&log);
	ok(a != b && attack_swap(f, a, b) == 0,
	   "swap: the eraseblocks of segments 2 and 3 (%u and %u) exchanged", a, b);
	detected(f, "swap");
	flash_close(f);
}

/* An older image written back whole: older than the counter. */
static void test_restore(struct flash *base, struct flash *old)
{
	struct flash *f;
	struct store_status st;
	struct cs_err err = { 0 };
	struct store *s;
	uint64_t gen;

	flash_close(attacked(base));	/* the counter where base_image() left it */
	f = flash_emu_clone(old, NULL);
	s = mount(f, true);
	gen = s ? store_generation(s) : 0;
	store_status(s, &st);
	ok(s && st.rollback == STORE_ROLLBACK_DETECTED && strstr(st.rollback_reason, "older"),
	   "restore: an older image is detected (%s)", st.rollback_reason);
	ok(s && test_has(s, STORE_REC_DEVICE, "alice", "fp-a", "secret-a"),
	   "restore: reads are served");
	ok(s && test_put(s, STORE_REC_META, "x", "y", NULL) == -EROFS,
	   "restore: writes are refused");
	ok(s && store_accept_rollback(s, &err) == 0 && test_put(s, STORE_REC_META, "x", "y", NULL) == 0,
	   "restore: accepted by the administrator, writes are taken (%s)", err.msg);
	ok(s && gen < base_generation && store_generation(s) == base_generation + 2,
	   "restore: the generation goes on past the newest the store had reached (%llu before "
	   "the restore, %llu restored, %llu after acceptance and a write)",
	   (unsigned long long)base_generation, (unsigned long long)gen,
	   (unsigned long long)(s ? store_generation(s) : 0));
	store_unmount(s);
	s = mount(f, true);
	store_status(s, &st);
	ok(s && st.rollback == STORE_ROLLBACK_OK && store_generation(s) > gen,
	   "restore: the next mount is bound anew");
	store_unmount(s);
	flash_close(f);
}

/* The eraseblock of the segment with the highest seq: the head. */
static uint32_t head_block(struct flash *f)
{
	struct block_header h;
	uint64_t best = 0;
	uint32_t head = UINT32_MAX;

	for (uint32_t b = 0; b < f->geo.eraseblock_count; b++)
		if (block_header_decode(flash_emu_block(f, b), &h) == BLOCK_SEGMENT && h.seq > best)
			best = h.seq, head = b;
	return head;
}

/* Whether the base image's records are all there after a mount that found
 * no tampering. */
static bool intact(struct flash *f)
{
	struct store *s = mount(f, false);
	struct store_record r;
	bool fine = s && tampered(s) == 0 &&
		    test_has(s, STORE_REC_DEVICE, "alice", "fp-a", "secret-a") &&
		    test_has(s, STORE_REC_DEVICE, "bob", "fp-b2", NULL) &&
		    test_has(s, STORE_REC_META, "limits", "x", NULL) &&
		    !store_get(s, STORE_REC_DEVICE, "dev-000", 7, &r, NULL);

	if (fine)
		store_record_free(&r);
	else
		printf("# tampered %llu: %s\n", s ? (unsigned long long)tampered(s) : 0ULL,
		       heard.reason);
	store_unmount(s);
	return fine;
}

/* The store's own gaps: a segment from the middle of the log scrubbed
 * (bit flips), or relocated (a program that fails after it holds
 * commits), leaves the log through a splice; a mount reads it as such. */
static void test_splices(struct flash *base)
{
	struct flash *f = attacked(base);
	struct flash_faults faults;
	struct attack_log log;
	struct store_status st;
	struct store *s;
	uint32_t middle, head;

	attack_scan(f, &log);
	middle = block_of(&log, 3);
	attack_log_free(&log);
	flash_faults_none(&faults);
	faults.bitflip[faults.n_bitflip++] = middle;
	flash_emu_set_faults(f, &faults);
	s = mount(f, false);
	ok(s && store_maintain(s, NULL) == 0, "scrub: segment 3 (eraseblock %u) reads with "
	   "corrected bit flips; upkeep scrubs it", middle);
	store_status(s, &st);
	store_unmount(s);
	flash_faults_none(&faults);
	flash_emu_set_faults(f, &faults);
	ok(st.scrubs >= 1 && intact(f), "scrub: the next mount reads the gap as the store's "
	   "own (%llu scrubs), everything is there", (unsigned long long)st.scrubs);
	head = head_block(f);
	s = mount(f, false);
	faults.program_fail[faults.n_program_fail++] = head;
	flash_emu_set_faults(f, &faults);
	ok(s && test_put(s, STORE_REC_META, "limits", "x", NULL) == 0,
	   "relocation: a commit whose program fails in the head (eraseblock %u) lands "
	   "elsewhere", head);
	store_status(s, &st);
	store_unmount(s);
	flash_faults_none(&faults);
	flash_emu_set_faults(f, &faults);
	ok(st.relocations >= 1 && intact(f), "relocation: the next mount reads the gap as the "
	   "store's own (%llu relocations), everything is there",
	   (unsigned long long)st.relocations);
	flash_close(f);
}

static void hex(const uint8_t *p, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void le_put(uint8_t *out, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		out[i] = (uint8_t)(v >> 8 * i);
}

/* The first line that cmd prints, lower-case and without colons. */
static void run(const char *cmd, char *out, size_t size)
{
	char line[600];
	FILE *p;

	snprintf(line, sizeof(line), "%s | tr -d ':' | tr A-F a-f", cmd);
	p = popen(line, "r");
	if (!p || !fgets(out, (int)size, p))
		out[0] = '\0';
	if (p)
		pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

/* A file holding the pieces, one after the other. */
static void write_pieces(const char *path, const void *const *data, const size_t *len, int n)
{
	FILE *f = fopen(path, "w");

	for (int i = 0; f && i < n; i++)
		fwrite(data[i], 1, len[i], f);
	if (f)
		fclose(f);
}

/* A commit's tag is what FORMAT.md says, computed by the openssl command
 * line from the document alone: the MAC key is HKDF-SHA-256(store key,
 * "credstore", "credstore v4 log mac"); the commit's one-time key the
 * HMAC-SHA-256 under it of "credstore commit key" and its NUL, the store
 * id, the seq, the segment's nonce and the offset; the tag Poly1305 under
 * that of the header's first 44 bytes and the stored payload. */
static void test_tag_as_documented(struct flash *base)
{
	struct store_options o = test_options(1);
	char key[2 * STORE_KEY_LEN + 1], mac_key[80], one_time[80], cmd[600];
	char tag[2 * MAC_TAG_LEN + 1], out[80];
	char path[] = "/tmp/test_store_tamper.XXXXXX";
	const struct attack_commit *c;
	struct attack_log log;
	struct block_header h;
	uint8_t where[12];
	const uint8_t *commit;
	int fd = mkstemp(path);

	close(fd);
	attack_scan(base, &log);
	c = &log.c[log.n - 1];
	commit = flash_emu_block(base, c->block[0]) + c->offset;
	block_header_decode(flash_emu_block(base, c->block[0]), &h);
	hex(o.key, STORE_KEY_LEN, key);
	snprintf(cmd, sizeof(cmd), "openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:%s "
		 "-kdfopt salt:credstore -kdfopt 'info:credstore v4 log mac' HKDF", key);
	run(cmd, mac_key, sizeof(mac_key));
	le_put(where, c->seq, 8);
	le_put(where + 8, c->offset, 4);
	write_pieces(path, (const void *[]){ "credstore commit key", h.store_id, where, h.nonce,
					     where + 8 },
		     (const size_t[]){ sizeof("credstore commit key"), STORE_ID_LEN, 8,
				       SEG_NONCE_LEN, 4 }, 5);
	snprintf(cmd, sizeof(cmd), "openssl mac -digest SHA256 -macopt hexkey:%s -in %s HMAC",
		 mac_key, path);
	run(cmd, one_time, sizeof(one_time));
	write_pieces(path, (const void *[]){ commit, commit + COMMIT_HEADER_SIZE },
		     (const size_t[]){ COMMIT_HEADER_MAC_LEN, c->h.payload_len }, 2);
	snprintf(cmd, sizeof(cmd), "openssl mac -macopt hexkey:%s -in %s POLY1305", one_time, path);
	run(cmd, out, sizeof(out));
	unlink(path);
	hex(c->h.tag, MAC_TAG_LEN, tag);
	ok(strlen(mac_key) == 64 && strlen(one_time) == 64 && !strcmp(out, tag),
	   "a commit's tag is the one FORMAT.md describes (openssl kdf and mac: %s)", out);
	attack_log_free(&log);
}

static int count(const struct store_record *r, void *arg)
{
	(void)r;
	++*(int *)arg;
	return 0;
}

/* Segments scrubbed from the live span one after the other, five: more
 * splices than a header names, so GC first moves the tail past the oldest
 * spliced segment; some hold the final part of a transaction whose other
 * parts are in older segments, which must move with it.  After each, a
 * mount reads the store whole. */
static void test_many_splices(void)
{
	struct flash_geometry g = small_nand();
	struct store_options o = options(false);
	struct flash_faults faults;
	struct fixture fx;
	struct flash *f;
	struct store *s;
	int fine = 0;

	g.eraseblock_count = 40;
	s = fixture_open(&fx, g, &o);
	f = fx.f;
	devices(s, 0, 120);
	devices(s, 120, 120);
	store_unmount(s);
	for (uint64_t seq = 2; seq <= 6; seq++) {
		struct attack_log log;
		uint32_t block;
		int n = 0;

		attack_scan(f, &log);
		block = block_of(&log, seq);
		attack_log_free(&log);
		flash_faults_none(&faults);
		faults.bitflip[faults.n_bitflip++] = block;
		flash_emu_set_faults(f, &faults);
		s = mount(f, false);
		store_maintain(s, NULL);
		store_unmount(s);
		flash_faults_none(&faults);
		flash_emu_set_faults(f, &faults);
		s = mount(f, false);
		store_iterate_public(s, STORE_REC_DEVICE, NULL, 0, count, &n, NULL);
		fine += block != UINT32_MAX && s && n == 240 && !tampered(s);
		store_unmount(s);
	}
	ok(fine == 5, "five segments scrubbed from the live span one by one: %d of 5 mounts "
	   "read the store whole, none reads tampering", fine);
	flash_close(f);
}

static enum store_rollback state(struct store *s)
{
	struct store_status st;

	store_status(s, &st);
	return st.rollback;
}

/* The counter's rules besides a rollback: first use binds, a cut between
 * a commit and its advance is caught up, an advance that fails leaves the
 * commit and says so, an unbound store under a counter in use and a
 * counter that reads 0 under a bound store are refused until accepted,
 * and a counter that cannot be read refuses changes. */
static void test_counter_rules(void)
{
	struct store_options plain = options(false);
	struct cs_err err = { 0 };
	struct fixture fx;
	struct flash *f;
	struct store *s;

	counter = (struct ram_counter){ .c = counter.c };
	store_unmount(fixture_open(&fx, small_nand(), &plain));
	f = fx.f;
	s = mount(f, true);
	ok(s && state(s) == STORE_ROLLBACK_OK && counter.value == 1 &&
	   test_put(s, STORE_REC_META, "a", "1", NULL) == 0 && counter.value == 2,
	   "a store never bound, under a counter never used: bound at mount, advanced per commit");
	counter.fail = true;
	ok(s && test_put(s, STORE_REC_META, "a", "2", NULL) == 0 &&
	   state(s) == STORE_ROLLBACK_LAGGING && counter.value == 2,
	   "an advance that fails: the commit stands, the store says the counter lags");
	store_unmount(s);
	counter.fail = false;
	s = mount(f, true);
	ok(s && state(s) == STORE_ROLLBACK_OK && counter.value == 3 &&
	   test_has(s, STORE_REC_META, "a", "2", NULL),
	   "the next mount catches the counter up (a cut between commit and advance)");
	store_unmount(s);
	counter.value = 0;
	s = mount(f, true);
	ok(s && state(s) == STORE_ROLLBACK_DETECTED &&
	   test_put(s, STORE_REC_META, "a", "3", NULL) == -EROFS,
	   "a bound store under a counter that reads 0: changes refused");
	store_unmount(s);
	counter.unreadable = true;
	s = mount(f, true);
	ok(s && state(s) == STORE_ROLLBACK_UNAVAILABLE &&
	   test_put(s, STORE_REC_META, "a", "3", NULL) == -EROFS &&
	   store_accept_rollback(s, &err) == -EINVAL,
	   "a counter that cannot be read: changes refused, nothing to accept (%s)", err.msg);
	store_unmount(s);
	counter.unreadable = false;
	store_unmount(test_mount(f, &plain, true));
	counter.value = 9;
	s = mount(f, true);
	ok(s && state(s) == STORE_ROLLBACK_UNBOUND &&
	   test_put(s, STORE_REC_META, "a", "3", NULL) == -EROFS,
	   "a store never bound, under a counter in use: changes refused");
	cs_err_clear(&err);
	ok(s && store_accept_rollback(s, &err) == 0 && state(s) == STORE_ROLLBACK_OK &&
	   counter.value == 10 && test_put(s, STORE_REC_META, "a", "3", NULL) == 0 &&
	   counter.value == 11, "accepted: bound at the counter's next value (%s)", err.msg);
	store_unmount(s);
	flash_close(f);
}

int main(void)
{
	struct flash *old, *base;

	setvbuf(stdout, NULL, _IOLBF, 0);
	base = base_image(&old);
	test_tag_as_documented(base);
	test_add_device(base);
	test_flip(base);
	flip_device(base, false, "flip in a part");
	flip_device(base, true, "flip in a forwarded copy");
	test_drop_delete(base);
	test_replay(base);
	test_swap(base);
	test_splices(base);
	test_many_splices();
	test_restore(base, old);
	test_counter_rules();
	flash_close(old);
	flash_close(base);
	return tap_done();
}
