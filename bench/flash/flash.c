/* bench/flash (make bench-flash): the store in steady state, on emulated
 * NAND (128 KiB eraseblocks, 2 KiB pages, 512-byte subpages), under the
 * credential workload at its hardest: a device record is a random 64-byte
 * id (the key) and 72 random bytes of fingerprints and flags (the value),
 * nothing a compressor can shrink; each update rewrites a uniformly random
 * device in a commit of its own.
 *
 * Each N:MiB runs twice, side by side on the same workload: with the
 * store's bounded GC (the default), and with GC unbounded (a commit
 * forwards only what fits in its padding, and when the free segments run
 * out GC drains whole segments at once: the collector of before, whose
 * bytes and erases were at the floor).  Then the same partition filled to
 * 95% of its capacity, the same two ways.  For each:
 *  - N devices created (256 per transaction), then rounds of N updates
 *    until steady state: at least 5 rounds, and until a mount reads less
 *    than 1% more than after the round before (at most 12 rounds);
 *  - over the last max(N, 20000) updates: CPU time per update (p50, p99,
 *    p99.9, max), bytes and pages programmed and erases per update; and
 *    the CPU time again over the updates during which the thread was not
 *    preempted (no involuntary context switch); and the store's own CPU
 *    time per update: the bounded run is made twice, identically (same
 *    seed, same work: the two must program the same bytes), and each
 *    update counts for the lesser of its two times.  On this kind of
 *    machine (a 2-vCPU guest that charges interrupts and the host's
 *    stalls to whichever thread runs) an update of one page sometimes
 *    takes 0.3-1 ms of "CPU" with no page fault and no preemption; such
 *    noise does not fall on the same update twice, the store's own work
 *    does;
 *  - a mount then (of a copy): pages read against the budget of 1.25x the
 *    live data (the store's live bytes: records as on flash) plus one
 *    page per eraseblock, and its time;
 *  - the store's heap (its real allocations) against 1.3x live + 512 KiB;
 *  - and, after the 95% runs, the full partition: devices added one per
 *    commit until refused, whether `free_bytes` said so, then 2,000
 *    overwrites of random devices (all must be taken).
 * With a rollback counter (counter/), each update also advances it: the
 * wall time per update then says what the counter costs.
 *
 * usage: flash [--counter-file PATH | --counter-tpm INDEX [--tpm-tcti CONF]]
 *              [N:MiB ...]   (default 1000:4 10000:16 100000:64) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "counter.h"
#include "flash_emu.h"
#include "store_devices.h"

#define BATCH		256
#define MIN_ROUNDS	5
#define MAX_ROUNDS	12
#define MIN_SAMPLES	20000
#define OVERWRITES	2000
#define FULL_FILL	0.95

/* CPU time per update, seconds. */
struct cpu_tail {
	double p50, p99, p999, max;
};

struct run {
	uint32_t n, blocks;
	bool unbounded;
	/* results */
	uint32_t rounds;
	uint64_t updates;
	double fill;			/* live / capacity */
	uint64_t live, capacity, heap;
	double bytes, pages, erases;	/* per update, over the window */
	struct cpu_tail all, calm;	/* CPU per update; calm: not preempted */
	struct cpu_tail own;		/* of the least of two identical runs */
	double *cpu;			/* CPU per update over the window, in order */
	uint64_t window;
	uint64_t preempted;		/* updates of the window preempted */
	double wall;			/* wall time per update, seconds */
	uint64_t mount_pages, budget;
	double mount_ms;
	/* the full partition (after the 95% runs) */
	bool full;
	uint32_t full_added, full_taken;
	bool full_agrees;
	uint64_t full_free;
	char full_refusal[CREDSTORE_MESSAGE_MAX + 64];
};

static struct counter *counter;		/* NULL: none */

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int create(struct store *s, uint32_t from, uint32_t to, struct cs_err *err)
{
	for (uint32_t i = from; i < to; i += BATCH) {
		struct store_txn *t = store_txn_begin(s);
		int rc;

		for (uint32_t k = i; k < to && k < i + BATCH; k++)
			dev_put(t, k, 0, DEV_VALUE_LEN);
		if ((rc = store_txn_commit(t, NULL, err)))
			return rc;
	}
	return 0;
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t random_below(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static long preemptions(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nivcsw;
}

/* One update of a random device; its CPU time in *cpu, and whether the
 * thread was preempted meanwhile. */
static int update(struct store *s, uint32_t n, uint32_t version, double *cpu, bool *preempted,
		  struct cs_err *err)
{
	long switches = preemptions();
	double start = now(CLOCK_THREAD_CPUTIME_ID);
	struct store_txn *t = store_txn_begin(s);
	int rc;

	dev_put(t, random_below(n), version, DEV_VALUE_LEN);
	rc = store_txn_commit(t, NULL, err);
	*cpu = now(CLOCK_THREAD_CPUTIME_ID) - start;
	*preempted = preemptions() != switches;
	return rc;
}

static struct store_options options(bool unbounded)
{
	struct store_options o = { .redundancy = 1, .counter = counter };

	o.gc_unbounded = unbounded;
	return o;
}

/* Mounts a copy of f: pages read and milliseconds. */
static int mount_copy(struct flash *f, const struct store_options *o, uint64_t *pages,
		      double *ms, struct cs_err *err)
{
	struct flash *copy = flash_emu_clone(f, err);
	/* without the counter: a copy's mount must not advance it */
	struct store_options plain = *o;
	struct store *s;
	double start;

	if (!copy)
		return -ENOMEM;
	start = now(CLOCK_MONOTONIC);
	plain.counter = NULL;
	s = store_mount(copy, &plain, err);
	*ms = (now(CLOCK_MONOTONIC) - start) * 1e3;
	*pages = copy->stats.pages_read;
	store_unmount(s);
	flash_close(copy);
	return s ? 0 : -EIO;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double at(const double *sorted, uint64_t n, double p)
{
	return sorted[(uint64_t)(p * (double)(n - 1) + 0.5)];
}

/* Sorts v. */
static struct cpu_tail tail_of(double *v, uint64_t n)
{
	if (!n)
		return (struct cpu_tail){ 0 };
	qsort(v, n, sizeof(*v), cmp_double);
	return (struct cpu_tail){ at(v, n, 0.5), at(v, n, 0.99), at(v, n, 0.999), v[n - 1] };
}

static struct flash_geometry geometry(uint32_t blocks)
{
	return (struct flash_geometry){ FLASH_NAND, 128 << 10, blocks, 2048, 512, true };
}

/* Rounds of n updates until steady state; the last window measured. */
static int steady_state(struct run *r, struct flash *f, struct store *s,
			const struct store_options *o, struct cs_err *err)
{
	uint64_t window = r->n > MIN_SAMPLES ? r->n : MIN_SAMPLES, last_pages = 0;
	double *cpu = malloc(window * sizeof(*cpu)), *calm = malloc(window * sizeof(*calm));
	double *sorted = malloc(window * sizeof(*sorted));
	bool *preempted = malloc(window * sizeof(*preempted));
	uint64_t ncalm = 0;
	struct flash_stats before = { 0 };
	double wall_start = 0;
	uint32_t version = 1;
	int rc = 0;

	if (!cpu || !calm || !sorted || !preempted)
		rc = -ENOMEM;
	for (r->rounds = 1; r->rounds <= MAX_ROUNDS && !rc; r->rounds++) {
		uint64_t count = r->rounds < MIN_ROUNDS ? r->n : window;

		if (r->rounds >= MIN_ROUNDS) {
			before = f->stats;
			wall_start = now(CLOCK_MONOTONIC);
		}
		for (uint64_t u = 0; u < count && !rc; u++)
			rc = update(s, r->n, version++, &cpu[u % window], &preempted[u % window],
				    err);
		r->wall = (now(CLOCK_MONOTONIC) - wall_start) / (double)window;
		r->updates += count;
		if (rc || r->rounds < MIN_ROUNDS)
			continue;
		rc = mount_copy(f, o, &r->mount_pages, &r->mount_ms, err);
		if (rc || (last_pages && r->mount_pages < last_pages + last_pages / 100))
			break;
		last_pages = r->mount_pages;
	}
	if (!rc) {
		r->bytes = (double)(f->stats.bytes_programmed - before.bytes_programmed) / window;
		r->pages = (double)(f->stats.pages_programmed - before.pages_programmed) / window;
		r->erases = (double)(f->stats.erases - before.erases) / window;
		for (uint64_t u = 0; u < window; u++)
			if (!preempted[u])
				calm[ncalm++] = cpu[u];
		r->preempted = window - ncalm;
		memcpy(sorted, cpu, window * sizeof(*cpu));
		r->all = tail_of(sorted, window);
		r->calm = tail_of(calm, ncalm);
		r->cpu = cpu;
		r->window = window;
	} else {
		free(cpu);
	}
	free(sorted);
	free(calm);
	free(preempted);
	return rc;
}

static void take_status(struct run *r, struct store *s)
{
	struct store_status st;

	store_status(s, &st);
	r->live = st.live_bytes;
	r->capacity = st.capacity_bytes;
	r->heap = st.heap_bytes;
	r->fill = (double)st.live_bytes / (double)st.capacity_bytes;
	r->budget = (r->live * 5 / 4 + 2047) / 2048 + r->blocks;
}

/* The full partition, from where r left s: adds until refused, then
 * overwrites. */
static void full_partition(struct run *r, struct store *s, struct cs_err *err)
{
	struct store_status st;
	int rc = 0;

	r->full_agrees = true;
	while (rc == 0) {
		struct store_txn *t = store_txn_begin(s);

		store_status(s, &st);
		dev_put(t, r->n + r->full_added, 0, DEV_VALUE_LEN);
		rc = store_txn_commit(t, NULL, err);
		r->full_agrees &= (st.free_bytes >= dev_size(DEV_VALUE_LEN)) == (rc == 0);
		r->full_added += rc == 0;
	}
	snprintf(r->full_refusal, sizeof(r->full_refusal), "%s", err->msg);
	store_status(s, &st);
	r->full_free = st.free_bytes;
	for (uint32_t k = 0; k < OVERWRITES; k++) {
		struct store_txn *t = store_txn_begin(s);

		dev_put(t, random_below(r->n + r->full_added), 1u << 30 | k, DEV_VALUE_LEN);
		r->full_taken += store_txn_commit(t, NULL, err) == 0;
	}
}

static int run(struct run *r)
{
	struct flash_geometry g = geometry(r->blocks);
	struct store_options o = options(r->unbounded);
	struct cs_err err = { 0 };
	struct flash *f = flash_emu_open(NULL, &g, NULL, &err);
	struct store *s = NULL;
	int rc = !f || store_format(f, &o, &err) || !(s = store_mount(f, &o, &err));

	if (!rc)
		rc = create(s, 0, r->n, &err);
	if (!rc)
		rc = steady_state(r, f, s, &o, &err);
	if (!rc)
		take_status(r, s);
	if (rc)
		printf("bench-flash: N = %u on %u eraseblocks: failed: %s\n", r->n, r->blocks,
		       err.msg);
	else if (r->full)
		full_partition(r, s, &err);
	store_unmount(s);
	flash_close(f);
	return rc ? -1 : 0;
}

/* The devices that fill `fill` of the capacity of a partition. */
static uint32_t devices_for(uint32_t blocks, double fill)
{
	struct flash_geometry g = geometry(blocks);
	struct store_options o = options(false);
	struct cs_err err = { 0 };
	struct flash *f = flash_emu_open(NULL, &g, NULL, &err);
	struct store *s = NULL;
	struct store_status st = { 0 };

	if (f && !store_format(f, &o, &err) && (s = store_mount(f, &o, &err)))
		store_status(s, &st);
	store_unmount(s);
	flash_close(f);
	return (uint32_t)(fill * (double)st.capacity_bytes / (double)dev_size(DEV_VALUE_LEN));
}

static bool any_over;		/* a figure marked OVER TARGET: said at the end */

static const char *mark(bool ok)
{
	any_over |= !ok;
	return ok ? "" : "  OVER TARGET";
}

/* As measured, noise included: the targets apply to the store's own time. */
static void print_tail(const char *what, const struct cpu_tail *b, const struct cpu_tail *u)
{
	printf("bench-flash:   %s bounded | unbounded: p50 %.1f | %.1f us, p99 %.1f | %.1f us, "
	       "p99.9 %.1f | %.1f us, max %.1f | %.1f us\n", what, b->p50 * 1e6, u->p50 * 1e6,
	       b->p99 * 1e6, u->p99 * 1e6, b->p999 * 1e6, u->p999 * 1e6, b->max * 1e6,
	       u->max * 1e6);
}

/* Each update's lesser time over two identical runs of the same work, or
 * false if the runs did not do the same work. */
static bool own_cpu(struct run *b, const struct run *again)
{
	double *least;

	if (b->window != again->window || b->bytes != again->bytes ||
	    b->erases != again->erases || !(least = malloc(b->window * sizeof(*least))))
		return false;
	for (uint64_t u = 0; u < b->window; u++)
		least[u] = b->cpu[u] < again->cpu[u] ? b->cpu[u] : again->cpu[u];
	b->own = tail_of(least, b->window);
	free(least);
	return true;
}

/* b: bounded, u: unbounded; targets apply to b (at 95%: bytes, erases, CPU). */
static void report(const struct run *b, const struct run *u, bool at_95)
{
	double heap_target = 1.3 * (double)b->live + 512 * 1024;

	printf("bench-flash: N = %u on %u MiB (%u eraseblocks): %.1f%% of the capacity "
	       "(%.2f MB live of %.2f MB), steady after %llu updates (%u rounds)\n",
	       b->n, b->blocks / 8, b->blocks, 100 * b->fill, b->live / 1e6, b->capacity / 1e6,
	       (unsigned long long)b->updates, b->rounds - 1);
	printf("bench-flash:   per update, bounded | unbounded GC: %.1f | %.1f bytes (%.2fx), "
	       "%.3f | %.3f pages, %.2f | %.2f erases per 1000 (%.2fx)%s\n",
	       b->bytes, u->bytes, b->bytes / u->bytes, b->pages, u->pages, b->erases * 1000,
	       u->erases * 1000, b->erases / u->erases,
	       at_95 ? mark(b->bytes <= 1.05 * u->bytes && b->erases <= 1.05 * u->erases) : "");
	print_tail("CPU per update,", &b->all, &u->all);
	printf("bench-flash:   of which preempted, bounded | unbounded: %llu | %llu updates\n",
	       (unsigned long long)b->preempted, (unsigned long long)u->preempted);
	print_tail("CPU per update not preempted,", &b->calm, &u->calm);
	if (b->own.max > 0)
		printf("bench-flash:   CPU per update, bounded, the lesser of two identical runs: "
		       "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%s\n", b->own.p50 * 1e6,
		       b->own.p99 * 1e6, b->own.p999 * 1e6, b->own.max * 1e6,
		       at_95 ? mark(b->own.p999 <= 100e-6 && b->own.max <= 250e-6) : "");
	else
		printf("bench-flash:   the two identical bounded runs did not do the same work%s\n",
		       mark(false));
	printf("bench-flash:   mount, bounded | unbounded: %llu | %llu pages read (%.2f | %.2f of "
	       "the budget of 1.25x live + a page per eraseblock, %llu pages), %.1f | %.1f ms%s\n",
	       (unsigned long long)b->mount_pages, (unsigned long long)u->mount_pages,
	       (double)b->mount_pages / b->budget, (double)u->mount_pages / u->budget,
	       (unsigned long long)b->budget, b->mount_ms, u->mount_ms,
	       mark(b->mount_pages <= b->budget));
	if (counter)
		printf("bench-flash:   with the %s, bounded | unbounded: %.1f | %.1f us wall per "
		       "update\n", counter->name, b->wall * 1e6, u->wall * 1e6);
	printf("bench-flash:   heap: %.2f MB (%.2f of the target 1.3x live + 512 KiB)%s\n",
	       b->heap / 1e6, b->heap / heap_target, mark(b->heap <= heap_target));
	if (!b->full)
		return;
	printf("bench-flash:   full partition: %u more devices added one per commit, then refused "
	       "(\"%s\"); free space %s what an add can use (%llu bytes free, a device takes "
	       "%zu)%s\n", b->full_added, b->full_refusal,
	       b->full_agrees ? "said before every add" : "did NOT say before every add",
	       (unsigned long long)b->full_free, dev_size(DEV_VALUE_LEN), mark(b->full_agrees));
	printf("bench-flash:   full partition: %u of %u overwrites taken%s\n", b->full_taken,
	       OVERWRITES, mark(b->full_taken == OVERWRITES));
}

/* The unbounded run, then the bounded one twice (the second without the
 * full-partition phase, which comes after the window). */
static int pair(uint32_t n, uint32_t blocks, bool at_95)
{
	struct run b = { .n = n, .blocks = blocks }, u = b, again = b;
	int rc = -1;

	u.unbounded = true;
	b.full = at_95;
	rng = 88172645463325252ULL;
	if (run(&u))
		goto out;
	rng = 88172645463325252ULL;
	if (run(&b))
		goto out;
	rng = 88172645463325252ULL;
	if (run(&again))
		goto out;
	if (!own_cpu(&b, &again))
		b.own = (struct cpu_tail){ 0 };
	report(&b, &u, at_95);
	rc = 0;
out:
	free(u.cpu);
	free(b.cpu);
	free(again.cpu);
	return rc;
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
	printf("bench-flash: device records of %zu bytes as stored (a random 64-byte id, 72 random "
	       "bytes), one update per commit\n", dev_size(DEV_VALUE_LEN));
	for (int i = 0; i < n; i++) {
		unsigned devices, mib;

		if (sscanf(cfg[i], "%u:%u", &devices, &mib) != 2 || !devices || !mib) {
			fprintf(stderr, "flash: \"%s\": expected N:MiB\n", cfg[i]);
			return 2;
		}
		rc |= pair(devices, mib * 8, false);
		rc |= pair(devices_for(mib * 8, FULL_FILL), mib * 8, true);
	}
	printf("bench-flash: %s\n", any_over ? "some figures OVER TARGET" :
	       "every figure within its target");
	counter_close(counter);
	return rc ? 1 : 0;
}
