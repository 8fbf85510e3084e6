/* bench/admin (make bench-admin): credstored's admin commands and its
 * daemon-mode queries at 1,000, 10,000 and 100,000 devices, side by side.
 *
 * One daemon per size (userspace mode, emulated NAND of 1024 eraseblocks
 * of 128 KiB) is filled with devices by batches, then every round runs
 * each command once on each daemon, over the daemon's own socket, with no
 * process started per command: device add (a new device), reset-fingerprint
 * and promote (of a random device, which keeps it rotating), show (the two
 * requests `credctl device show` makes), remove (the device added), and the
 * queries get device, verify fingerprint with and without the id, and
 * verify secret.  The daemons take turns within a round, so a change in
 * the machine's load falls on every size alike; the ratios are what to
 * read.  Each change includes the rollback counter's advance, durable on
 * this machine's disk (a file beside the daemon's key: one slot rewritten
 * and synced).  Also printed: each daemon's resident memory against the
 * store's live data, after the batches were applied.
 *
 * The bench and the daemons run on one CPU: a request then costs the
 * daemon's work and two context switches.  Across the two vCPUs of this
 * machine's guests, each request also waits for the hypervisor to wake
 * the other vCPU from its halt, which costs 20-80 us at random (queries
 * only, no commits in between: p50 60-88 us, p99 up to 330 us, against
 * 20-30 and 40-70 on one CPU), noise that would hide what the store's
 * size costs.  --spread runs them as the scheduler places them.
 *
 * usage: admin [--spread] CREDSTORED [ROUNDS]   (default 3000 rounds, about
 * 15 s: a p99 of 1000 rests on its 10 largest samples, and one burst of
 * the guest's interrupts or of another process's disk writes lands on
 * several of them) */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_devices.h"
#include "usersock.h"

#define SIZES		3
#define FILL_BATCH	5000
#define SECRET_LEN	32
#define TIMEOUT_MS	600000

static const uint32_t sizes[SIZES] = { 1000, 10000, 100000 };

enum bench_cmd {
	B_ADD, B_RESET_FP, B_PROMOTE, B_SHOW, B_REMOVE,
	B_GET, B_VERIFY_FP_ID, B_VERIFY_FP, B_VERIFY_SECRET, B_COUNT
};

static const char *const cmd_name[B_COUNT] = {
	"device add", "device reset-fingerprint", "device promote", "device show",
	"device remove", "query get device", "query verify fingerprint + id",
	"query verify fingerprint (no id)", "query verify secret",
};

struct daemon_run {
	uint32_t n;			/* devices filled */
	pid_t pid;
	char dir[64];
	char run[72];			/* its runtime directory */
	struct cs_client client;
	uint8_t *version;		/* of each device's master fingerprint */
	double *samples[B_COUNT];	/* seconds, one per round */
	long rss_kb;
	long image_kb;			/* of rss_kb, the mapped flash image */
	uint64_t live_bytes;
};

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench-admin: %s: %s\n", what, msg);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* As incompressible as the SHA-256 digests they stand for, unique per
 * (device, version). */
static void fingerprint(uint32_t device, uint32_t version, uint8_t *fp)
{
	dev_random_bytes((uint64_t)device << 24 | version, fp, CREDSTORE_FINGERPRINT_LEN);
}

/* Printable, as credctl's generated secrets are. */
static void secret(uint32_t device, char *out)
{
	uint8_t raw[SECRET_LEN];

	dev_random_bytes(~(uint64_t)device, raw, sizeof(raw));
	for (int i = 0; i < SECRET_LEN; i++)
		out[i] = "abcdefghijklmnopqrstuvwxyz012345"[raw[i] & 31];
	out[SECRET_LEN] = '\0';
}

static void device_id(uint32_t device, char *out)
{
	snprintf(out, CREDSTORE_DEVICE_ID_MAX, "device-%07u", device);
}

/* ---- the daemons ---- */

/* Each daemon with a runtime directory of its own (its sockets), in its
 * temporary directory; the bench connects to its admin socket once the
 * daemon listens (wait_ready). */
static void start_daemon(struct daemon_run *d, const char *credstored)
{
	char image[96], key[96], log[96], max[16];

	snprintf(d->dir, sizeof(d->dir), "/tmp/bench-admin.XXXXXX");
	if (!mkdtemp(d->dir))
		die("set-up", strerror(errno));
	snprintf(image, sizeof(image), "%s/store.img", d->dir);
	snprintf(key, sizeof(key), "%s/key", d->dir);
	snprintf(log, sizeof(log), "%s/log", d->dir);
	snprintf(d->run, sizeof(d->run), "%s/run", d->dir);
	snprintf(max, sizeof(max), "%u", 2 * d->n);
	d->client.fd = -1;
	d->pid = fork();
	if (d->pid < 0)
		die("fork", strerror(errno));
	if (d->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(credstored, credstored, "--image", image, "--geometry", "nand,blocks=1024",
		      "--key-file", key, "--stderr", "--no-module", "--max-devices", max,
		      "--runtime-dir", d->run, (char *)NULL);
		_exit(127);
	}
}

static int transact(struct daemon_run *d, struct nl_msg *req, cs_reply_fn fn, void *arg,
		    const char *what)
{
	struct cs_err err = { 0 };
	int r = cs_client_transact(&d->client, req, fn, arg, &err);

	if (r && r != -ECONNREFUSED)
		die(what, err.msg);
	return r;
}

static int status_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *st[CREDSTORE_A_STORE_MAX + 1];
	struct daemon_run *d = arg;

	if (tb[CREDSTORE_A_ADMIN_STORE] &&
	    !nla_parse_nested(st, CREDSTORE_A_STORE_MAX, tb[CREDSTORE_A_ADMIN_STORE], NULL) &&
	    st[CREDSTORE_A_STORE_LIVE_BYTES])
		d->live_bytes = nla_get_u64(st[CREDSTORE_A_STORE_LIVE_BYTES]);
	return 0;
}

static int read_status(struct daemon_run *d)
{
	return transact(d, cs_client_request(CREDSTORE_ADMIN_CMD_STORE_STATUS, 0), status_reply,
			d, "store status");
}

static void wait_ready(struct daemon_run *d)
{
	for (int i = 0; i < 300; i++) {
		struct cs_err err = { 0 };

		if (d->client.fd < 0 &&
		    cs_client_open(&d->client, d->run, CS_ADMIN_SOCKET, 0, TIMEOUT_MS, &err) &&
		    err.code != ECONNREFUSED)
			die("client", err.msg);
		if (d->client.fd >= 0 && !read_status(d))
			return;
		usleep(100000);
	}
	die(d->dir, "credstored did not start (see its log)");
}

/* The daemon's resident memory, less the emulated flash image it maps
 * (on a device the partition is MTD, read through a driver, and none of
 * it is the daemon's memory). */
static void read_memory(struct daemon_run *d)
{
	char path[64], line[256];
	bool in_image = false;
	long kb, image_kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)d->pid);
	f = fopen(path, "r");
	if (!f)
		die(path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') > strchr(line, '-') &&
		    strchr(line, '-') < line + 17)	/* a mapping's first line */
			in_image = strstr(line, "/store.img") != NULL;
		else if (in_image && sscanf(line, "Rss: %ld", &kb) == 1)
			image_kb += kb;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)d->pid);
	f = fopen(path, "r");
	if (!f)
		die(path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld", &d->rss_kb);
	}
	fclose(f);
	d->image_kb = image_kb;
}

static void stop_daemon(struct daemon_run *d)
{
	char cmd[96];

	cs_client_close(&d->client);
	kill(d->pid, SIGTERM);
	waitpid(d->pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd))
		fprintf(stderr, "bench-admin: could not remove %s\n", d->dir);
}

/* ---- requests ---- */

static int put_id(struct nl_msg *m, uint32_t device)
{
	char id[CREDSTORE_DEVICE_ID_MAX];

	device_id(device, id);
	return nla_put_string(m, CREDSTORE_A_DEVICE_ID, id);
}

static int put_add(struct nl_msg *m, uint32_t device)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	char s[SECRET_LEN + 1];

	fingerprint(device, 0, fp);
	secret(device, s);
	return put_id(m, device) || nla_put(m, CREDSTORE_A_FINGERPRINT, sizeof(fp), fp) ||
	       nla_put(m, CREDSTORE_A_SECRET, SECRET_LEN, s);
}

static struct nl_msg *request(uint8_t cmd)
{
	struct nl_msg *m = cs_client_request(cmd, 0);

	if (!m)
		die("request", "out of memory");
	return m;
}

static void fill(struct daemon_run *d)
{
	for (uint32_t i = 0; i < d->n; i += FILL_BATCH) {
		struct nl_msg *m = request(CREDSTORE_ADMIN_CMD_BATCH);

		for (uint32_t k = i; k < d->n && k < i + FILL_BATCH; k++) {
			struct nlattr *op = nla_nest_start(m, CREDSTORE_A_ADMIN_REQUEST);

			if (!op || nla_put_u8(m, CREDSTORE_A_ADMIN_CMD, CREDSTORE_ADMIN_CMD_DEVICE_ADD) ||
			    put_add(m, k))
				die("fill", "the batch does not fit in a request");
			nla_nest_end(m, op);
		}
		transact(d, m, NULL, NULL, "fill");
	}
}

struct answer {
	uint8_t match;
	char id[CREDSTORE_DEVICE_ID_MAX];
};

static int answer_reply(struct nlattr **tb, void *arg)
{
	struct answer *a = arg;

	if (tb[CREDSTORE_A_MATCH])
		a->match = nla_get_u8(tb[CREDSTORE_A_MATCH]);
	if (tb[CREDSTORE_A_DEVICE_ID])
		nla_strlcpy(a->id, tb[CREDSTORE_A_DEVICE_ID], sizeof(a->id));
	return 0;
}

/* One timed request; the answer is checked after the clock stops. */
static double timed(struct daemon_run *d, struct nl_msg *m, struct answer *a, const char *what)
{
	double start;

	memset(a, 0, sizeof(*a));
	start = now();
	transact(d, m, answer_reply, a, what);
	return now() - start;
}

static void expect(bool ok, const char *what, uint32_t device)
{
	if (!ok) {
		char id[CREDSTORE_DEVICE_ID_MAX];

		device_id(device, id);
		die(what, id);
	}
}

static uint32_t pick(uint32_t n)
{
	return (uint32_t)(((uint64_t)rand() * RAND_MAX + rand()) % n);
}

/* One round on one daemon: every command once. */
static void round_on(struct daemon_run *d, uint32_t r)
{
	uint32_t added = 2 * sizes[SIZES - 1] + r;	/* beyond every filled id */
	uint32_t rot = pick(d->n), any = pick(d->n);
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	char s[SECRET_LEN + 1];
	struct answer a;
	struct nl_msg *m;

	m = request(CREDSTORE_ADMIN_CMD_DEVICE_ADD);
	put_add(m, added);
	d->samples[B_ADD][r] = timed(d, m, &a, cmd_name[B_ADD]);

	fingerprint(rot, d->version[rot] + 1, fp);
	m = request(CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT);
	put_id(m, rot);
	nla_put(m, CREDSTORE_A_FINGERPRINT, sizeof(fp), fp);
	d->samples[B_RESET_FP][r] = timed(d, m, &a, cmd_name[B_RESET_FP]);

	m = request(CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE);
	put_id(m, rot);
	d->samples[B_PROMOTE][r] = timed(d, m, &a, cmd_name[B_PROMOTE]);
	d->version[rot]++;

	m = request(CREDSTORE_CMD_GET_DEVICE);
	put_id(m, any);
	d->samples[B_SHOW][r] = timed(d, m, &a, cmd_name[B_SHOW]);
	m = request(CREDSTORE_CMD_GET_DEVICE_SECRETS);
	put_id(m, any);
	d->samples[B_SHOW][r] += timed(d, m, &a, cmd_name[B_SHOW]);

	m = request(CREDSTORE_ADMIN_CMD_DEVICE_REMOVE);
	put_id(m, added);
	d->samples[B_REMOVE][r] = timed(d, m, &a, cmd_name[B_REMOVE]);

	any = pick(d->n);
	m = request(CREDSTORE_CMD_GET_DEVICE);
	put_id(m, any);
	d->samples[B_GET][r] = timed(d, m, &a, cmd_name[B_GET]);

	any = pick(d->n);
	fingerprint(any, d->version[any], fp);
	m = request(CREDSTORE_CMD_VERIFY_FINGERPRINT);
	put_id(m, any);
	nla_put(m, CREDSTORE_A_FINGERPRINT, sizeof(fp), fp);
	d->samples[B_VERIFY_FP_ID][r] = timed(d, m, &a, cmd_name[B_VERIFY_FP_ID]);
	expect(a.match == CREDSTORE_MATCH_MASTER, "verify fingerprint + id: no match", any);

	any = pick(d->n);
	fingerprint(any, d->version[any], fp);
	m = request(CREDSTORE_CMD_VERIFY_FINGERPRINT);
	nla_put(m, CREDSTORE_A_FINGERPRINT, sizeof(fp), fp);
	d->samples[B_VERIFY_FP][r] = timed(d, m, &a, cmd_name[B_VERIFY_FP]);
	expect(a.match == CREDSTORE_MATCH_MASTER, "verify fingerprint: no match", any);

	any = pick(d->n);
	secret(any, s);
	m = request(CREDSTORE_CMD_VERIFY_SECRET);
	put_id(m, any);
	nla_put(m, CREDSTORE_A_SECRET, SECRET_LEN, s);
	d->samples[B_VERIFY_SECRET][r] = timed(d, m, &a, cmd_name[B_VERIFY_SECRET]);
	expect(a.match == CREDSTORE_MATCH_MASTER, "verify secret: no match", any);
}

/* ---- figures ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(double *v, uint32_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(uint32_t)(p * (n - 1) + 0.5)];
}

static double load_average(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f && fscanf(f, "%lf", &l) != 1)
		l = -1;
	if (f)
		fclose(f);
	return l;
}

static void report(struct daemon_run *ds, uint32_t rounds)
{
	bool all_ok = true;

	/* p99 at 1k beside p99 at 100k: a tail that is the machine's (its load)
	 * shows at every size alike */
	printf("bench-admin: %-33s %9s %9s %9s %9s %9s %14s %15s\n", "(microseconds)", "p50 1k",
	       "p50 10k", "p50 100k", "p99 1k", "p99 100k", "p50 100k/1k", "p99/p50 100k");
	for (int c = 0; c < B_COUNT; c++) {
		double p50[SIZES], p99_1k = percentile(ds[0].samples[c], rounds, 0.99), p99 = 0;
		double scale, tail;
		bool ok;

		for (int i = 0; i < SIZES; i++)
			p50[i] = percentile(ds[i].samples[c], rounds, 0.50);
		p99 = percentile(ds[SIZES - 1].samples[c], rounds, 0.99);
		scale = p50[SIZES - 1] / p50[0];
		tail = p99 / p50[SIZES - 1];
		ok = scale <= 1.5 && tail <= 3;
		all_ok &= ok;
		printf("bench-admin: %-33s %9.1f %9.1f %9.1f %9.1f %9.1f %8.2f <=1.5 %9.2f <=3 %s\n",
		       cmd_name[c], p50[0] * 1e6, p50[1] * 1e6, p50[2] * 1e6, p99_1k * 1e6, p99 * 1e6,
		       scale, tail, ok ? "" : " OVER");
	}
	for (int i = 0; i < SIZES; i++) {
		double target = 2.0 * ds[i].live_bytes / 1024 + 16 * 1024;
		long rss = ds[i].rss_kb - ds[i].image_kb;
		bool ok = rss <= target;

		all_ok &= ok;
		printf("bench-admin: %6u devices: RSS %6.1f MiB for %5.1f MiB live: %.2f of the "
		       "target 2x live + 16 MiB%s (VmRSS %.1f MiB less %.1f MiB of the mapped "
		       "flash image)\n", ds[i].n, rss / 1024.0, ds[i].live_bytes / 1048576.0,
		       rss / target, ok ? "" : " OVER", ds[i].rss_kb / 1024.0, ds[i].image_kb / 1024.0);
	}
	printf("bench-admin: %s\n", all_ok ? "every figure within its target" : "some figures OVER their target");
}

/* This process and the daemons it starts on the CPU it runs on. */
static int one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -1 : cpu;
}

int main(int argc, char **argv)
{
	struct daemon_run ds[SIZES];
	bool spread = argc > 1 && !strcmp(argv[1], "--spread");
	uint32_t rounds;
	double load = load_average(), start;
	int cpu = -1;

	argc -= spread;
	argv += spread;
	rounds = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 3000;
	if (argc < 2 || rounds < 10) {
		fprintf(stderr, "usage: admin [--spread] CREDSTORED [ROUNDS >= 10]\n");
		return 2;
	}
	if (!spread && (cpu = one_cpu()) < 0)
		die("sched_setaffinity", strerror(errno));
	srand(1);
	memset(ds, 0, sizeof(ds));
	for (int i = 0; i < SIZES; i++) {
		ds[i].n = sizes[i];
		ds[i].version = calloc(ds[i].n, 1);
		for (int c = 0; c < B_COUNT; c++)
			ds[i].samples[c] = calloc(rounds, sizeof(double));
		start_daemon(&ds[i], argv[1]);
	}
	for (int i = 0; i < SIZES; i++) {
		wait_ready(&ds[i]);
		start = now();
		fill(&ds[i]);
		read_status(&ds[i]);
		read_memory(&ds[i]);
		printf("bench-admin: %6u devices added in batches of %u: %.1f s\n", ds[i].n,
		       FILL_BATCH, now() - start);
		fflush(stdout);
	}
	for (uint32_t r = 0; r < rounds; r++)
		for (int i = 0; i < SIZES; i++)
			round_on(&ds[(i + r) % SIZES], r);
	printf("bench-admin: %u rounds; load average %.2f before, %.2f after (2 cores); ", rounds,
	       load, load_average());
	if (spread)
		printf("each process where the scheduler puts it\n");
	else
		printf("all on CPU %d\n", cpu);
	report(ds, rounds);
	for (int i = 0; i < SIZES; i++)
		stop_daemon(&ds[i]);
	return 0;
}
