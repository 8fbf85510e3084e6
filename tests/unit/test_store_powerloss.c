/* Power loss: the workload (store_workload.h) runs on a fresh store and
 * the power is cut at one program or erase; after a remount, every
 * acknowledged transaction must be there, the one in flight wholly there
 * or wholly absent, and the store must take new transactions.  Every
 * program and erase of the workload is cut in turn, on NAND and NOR, with
 * and without torn programs, and with redundancy 2; the "big" variants run
 * a shorter workload whose every fifth transaction spans several
 * eraseblocks (wl_txn_big: a transaction written in parts).
 *
 * Rerunning the workload up to each cut would cost O(n^2); instead the
 * workload runs once through a recording flash, and the image at cut k is
 * rebuilt by applying operations 0..k-1 to a copy of the formatted image
 * and then operation k to an emulated flash whose power fails during it
 * (torn or not).  That is the same image a real cut at k leaves, since
 * the store's first k operations do not depend on where the cut falls;
 * CREDSTORE_PL_CUT=n replays one cut point the direct way.
 *
 * Environment: CREDSTORE_PL_VARIANT=name runs one variant,
 * CREDSTORE_PL_CUT=n one cut point, CREDSTORE_PL_STEP=n every n-th cut
 * point (default 1; 5 under the sanitizers, where each run is ~10x
 * slower), CREDSTORE_PL_TXNS the workload's length (default 500; 120 for
 * the big variants). */
#include "store_workload.h"
#include "tap.h"

#define SEED 20261125

struct variant {
	const char *name;
	struct flash_geometry geo;
	bool torn;
	int redundancy;
	bool big;		/* the workload with transactions in parts */
};

typedef void wl_fn(uint64_t seed, uint32_t i, const struct model *m, struct store_txn *t,
		   struct model *next);

static wl_fn *workload(const struct variant *v)
{
	return v->big ? wl_txn_big : wl_txn;
}

enum outcome { RUN_OK, RUN_FINISHED, RUN_FAILED };

static int run_txns(const struct variant *v, struct store *s, int ntxn, struct model *acked,
		    struct model *pending)
{
	int i;

	memset(acked, 0, sizeof(*acked));
	*pending = *acked;
	for (i = 0; i < ntxn; i++) {
		struct store_txn *t = store_txn_begin(s);

		workload(v)(SEED, i, acked, t, pending);
		if (store_txn_commit(t, NULL, NULL))
			break;
		*acked = *pending;
	}
	return i;
}

static bool fail(const struct variant *v, int64_t cut, const char *why, const char *msg)
{
	printf("# %s, cut after %lld operations: %s%s%s\n#   replay: CREDSTORE_PL_VARIANT=%s "
	       "CREDSTORE_PL_CUT=%lld build/tests/test_store_powerloss\n", v->name,
	       (long long)cut, why, msg ? ": " : "", msg ? msg : "", v->name, (long long)cut);
	return false;
}

/* After the cut: the store matches acked or pending, and takes a commit. */
static bool check_recovery(const struct variant *v, struct flash *f, int64_t cut,
			   const struct model *acked, const struct model *pending)
{
	struct store_options o = test_options(v->redundancy);
	struct cs_err err = { 0 };
	struct store *s = store_mount(f, &o, &err);
	const struct model *seen;
	struct store_status st;
	bool good;

	if (!s)
		return fail(v, cut, "mount failed", err.msg);
	store_status(s, &st);
	if (st.tampered) {
		store_unmount(s);
		return fail(v, cut, "an honest power cut reads as tampering", NULL);
	}
	seen = wl_matches(s, acked) ? acked : wl_matches(s, pending) ? pending : NULL;
	if (!seen) {
		store_unmount(s);
		return fail(v, cut, "the records are neither the acknowledged state nor the next",
			    NULL);
	}
	if (test_put(s, STORE_REC_META, "marker", "after the cut", NULL)) {
		store_unmount(s);
		return fail(v, cut, "a commit after the remount failed", NULL);
	}
	store_unmount(s);
	s = store_mount(f, &o, &err);
	if (!s)
		return fail(v, cut, "second mount failed", err.msg);
	good = wl_matches(s, seen) && test_has(s, STORE_REC_META, "marker", "after the cut", NULL);
	store_unmount(s);
	return good ? true : fail(v, cut, "the commit after the remount was lost", NULL);
}

/* One run cut after `cut` operations (-1: never); *ops: how many the
 * whole workload took, when it finished. */
static enum outcome run(const struct variant *v, int ntxn, int64_t cut, uint64_t *ops,
			struct flash_stats *stats)
{
	struct store_options o = test_options(v->redundancy);
	struct fixture fx;
	struct flash_faults faults;
	struct model acked, pending;
	enum outcome out = RUN_OK;
	int done;

	fixture_open(&fx, v->geo, &o);
	flash_faults_none(&faults);
	faults.cut_after = cut;
	faults.torn = v->torn;
	faults.seed = (uint64_t)cut;
	flash_emu_set_faults(fx.f, &faults);
	done = run_txns(v, fx.s, ntxn, &acked, &pending);
	if (done == ntxn) {
		*ops = flash_emu_ops(fx.f);
		*stats = fx.f->stats;
		out = wl_matches(fx.s, &acked) ? RUN_FINISHED : RUN_FAILED;
		if (out == RUN_FAILED)
			fail(v, cut, "the uncut workload does not read back", NULL);
	} else {
		store_unmount(fx.s);
		fx.s = NULL;
		flash_emu_power_on(fx.f);
		if (!check_recovery(v, fx.f, cut, &acked, &pending))
			out = RUN_FAILED;
	}
	fixture_close(&fx);
	return out;
}

/* A flash that passes everything to an emulated one and records each
 * program, erase and mark_bad with the transaction in flight. */
struct recorded_op {
	int kind;			/* 0 program, 1 erase, 2 mark_bad */
	uint32_t block, offset, len;
	uint8_t *data;
	int txn;
};

struct recorder {
	struct flash f;
	struct flash *inner;
	struct recorded_op *ops;
	size_t n, cap;
	int txn;
};

static struct recorder *to_rec(struct flash *f)
{
	return (struct recorder *)f;
}

static void record(struct recorder *r, int kind, uint32_t block, uint32_t offset,
		   const void *data, size_t len)
{
	struct recorded_op *op;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->ops = realloc(r->ops, r->cap * sizeof(*r->ops));
	}
	op = &r->ops[r->n++];
	*op = (struct recorded_op){ kind, block, offset, (uint32_t)len, NULL, r->txn };
	if (len) {
		op->data = malloc(len);
		memcpy(op->data, data, len);
	}
}

static int rec_read(struct flash *f, uint32_t b, uint32_t o, void *buf, size_t len)
{
	struct flash *in = to_rec(f)->inner;

	return in->ops->read(in, b, o, buf, len);
}

static int rec_program(struct flash *f, uint32_t b, uint32_t o, const void *buf, size_t len)
{
	struct flash *in = to_rec(f)->inner;
	int rc = in->ops->program(in, b, o, buf, len);

	if (!rc)
		record(to_rec(f), 0, b, o, buf, len);
	return rc;
}

static int rec_erase(struct flash *f, uint32_t b)
{
	struct flash *in = to_rec(f)->inner;
	int rc = in->ops->erase(in, b);

	if (!rc)
		record(to_rec(f), 1, b, 0, NULL, 0);
	return rc;
}

static int rec_is_bad(struct flash *f, uint32_t b)
{
	struct flash *in = to_rec(f)->inner;

	return in->ops->is_bad(in, b);
}

static int rec_mark_bad(struct flash *f, uint32_t b)
{
	struct flash *in = to_rec(f)->inner;
	int rc = in->ops->mark_bad(in, b);

	if (!rc)
		record(to_rec(f), 2, b, 0, NULL, 0);
	return rc;
}

static void rec_close(struct flash *f)
{
	struct recorder *r = to_rec(f);

	for (size_t i = 0; i < r->n; i++)
		free(r->ops[i].data);
	free(r->ops);
	free(r);
}

static const struct flash_ops recorder_ops = {
	rec_read, rec_program, rec_erase, rec_is_bad, rec_mark_bad, rec_close,
};

static int replay_op(struct flash *f, const struct recorded_op *op)
{
	if (op->kind == 0)
		return f->ops->program(f, op->block, op->offset, op->data, op->len);
	if (op->kind == 1)
		return f->ops->erase(f, op->block);
	return f->ops->mark_bad(f, op->block);
}

/* The most programs one transaction of the big workload took. */
static int most_programs(const struct recorder *r)
{
	int most = 0, n = 0;

	for (size_t k = 0; k < r->n; k++) {
		if (k && r->ops[k].txn != r->ops[k - 1].txn)
			n = 0;
		n += r->ops[k].kind == 0 && wl_is_big(r->ops[k].txn);
		most = n > most ? n : most;
	}
	return most;
}

/* Runs the workload once, recording; then checks every step-th cut. */
static void cut_everywhere(const struct variant *v, int ntxn, long step)
{
	struct store_options o = test_options(v->redundancy);
	struct fixture base;
	struct flash *cut = flash_emu_open(NULL, &v->geo, NULL, NULL);
	struct recorder *r = calloc(1, sizeof(*r));
	struct model *models = calloc(ntxn + 1, sizeof(*models));
	struct store *s;
	struct flash_faults faults;
	int failures = 0, points = 0, in_parts = 0, done;

	fixture_open(&base, v->geo, &o);
	store_unmount(base.s);
	base.s = NULL;
	r->f = (struct flash){ .ops = &recorder_ops, .geo = base.g };
	r->inner = flash_emu_clone(base.f, NULL);
	s = test_mount(&r->f, &o, false);
	for (done = 0; done < ntxn; done++) {
		struct store_txn *t = store_txn_begin(s);

		r->txn = done;
		workload(v)(SEED, done, &models[done], t, &models[done + 1]);
		if (store_txn_commit(t, NULL, NULL))
			break;
	}
	ok(done == ntxn && wl_matches(s, &models[ntxn]), "%s: the workload of %d transactions "
	   "runs uncut", v->name, ntxn);
	ok(r->inner->stats.erases > 2ull * v->geo.eraseblock_count, "%s: it forces GC: %llu "
	   "erases of %u eraseblocks", v->name, (unsigned long long)r->inner->stats.erases,
	   v->geo.eraseblock_count);
	if (v->big)
		ok(most_programs(r) >= 3, "%s: its big transactions take up to %d programs",
		   v->name, most_programs(r));
	store_unmount(s);
	flash_close(r->inner);
	for (size_t k = 0; k < r->n && failures <= 5; k++) {
		const struct recorded_op *op = &r->ops[k];

		if (op->kind != 2 && k % step == 0) {
			flash_emu_copy(cut, base.f);
			flash_faults_none(&faults);
			faults.cut_after = 0;
			faults.torn = v->torn;
			faults.seed = k;
			flash_emu_set_faults(cut, &faults);
			replay_op(cut, op);
			flash_emu_power_on(cut);
			points++;
			in_parts += v->big && wl_is_big(op->txn);
			failures += !check_recovery(v, cut, (int64_t)k, &models[op->txn],
						    &models[op->txn + 1]);
		}
		replay_op(base.f, op);
	}
	ok(!failures, "%s: %d of %d cut points recover (every %ld of %zu programs and erases; %d "
	   "in big transactions)", v->name, points - failures, points, step, r->n, in_parts);
	rec_close(&r->f);
	flash_close(cut);
	fixture_close(&base);
	free(models);
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : dflt;
}

static void run_variant(const struct variant *v, int ntxn, long step, long only_cut)
{
	struct flash_stats stats;
	uint64_t total = 0;

	if (only_cut < 0) {
		cut_everywhere(v, ntxn, step);
		return;
	}
	ok(run(v, ntxn, only_cut, &total, &stats) != RUN_FAILED, "%s: cut after %ld operations",
	   v->name, only_cut);
}

int main(void)
{
	const struct variant variants[] = {
		{ "nand", test_nand(8), false, 1, false },
		{ "nand-torn", test_nand(8), true, 1, false },
		{ "nor", test_nor(16), false, 1, false },
		{ "nor-torn", test_nor(16), true, 1, false },
		{ "nand-redundant-torn", test_nand(16), true, 2, false },
		{ "nand-big", test_nand(8), false, 1, true },
		{ "nand-big-torn", test_nand(8), true, 1, true },
		{ "nor-big", test_nor(16), false, 1, true },
		{ "nor-big-torn", test_nor(16), true, 1, true },
		{ "nand-big-redundant", test_nand(16), false, 2, true },
		{ "nand-big-redundant-torn", test_nand(16), true, 2, true },
	};
#if defined(__SANITIZE_ADDRESS__)
	long step = env_long("CREDSTORE_PL_STEP", 5);
#else
	long step = env_long("CREDSTORE_PL_STEP", 1);
#endif
	const char *only = getenv("CREDSTORE_PL_VARIANT");
	long cut = env_long("CREDSTORE_PL_CUT", -1);
	long ntxn = env_long("CREDSTORE_PL_TXNS", 0);

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!only || !strcmp(only, variants[i].name))
			run_variant(&variants[i], ntxn ? (int)ntxn : variants[i].big ? 120 : 500,
				    step > 0 ? step : 1, cut);
	return tap_done();
}
