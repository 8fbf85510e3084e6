/* Hostile local users against credstored, and what root and a front end
 * get meanwhile (tests/native/69-hostile-clients.sh, make bench-hostile).
 *
 *   hostile [OPTIONS] check   the hostile clients run while root runs the
 *                             admin commands and a front end queries;
 *                             exit 1 unless every admin command and every
 *                             query was answered (and right)
 *   hostile [OPTIONS] bench   rounds alternate quiet and hostile phases of
 *                             the admin commands (see bench()); prints
 *                             each phase's latency (median, p99) and its
 *                             ratio to the quiet one
 *
 * The hostile clients: READERS connections to the query socket that ask
 * for a dump of identities again and again and never read (SO_RCVBUF at
 * its minimum), reconnecting when the daemon closes them, split between
 * two uids; one more that sends GARBAGE_MB of random datagrams,
 * reconnecting as the daemon closes it.  Root's admin command is `device
 * reset-secret DEVICE`, on a connection of its own each (as credctl
 * does); the front end (its own uid) verifies DEVICE's fingerprint and
 * reads IDENTITY through libcredstore.
 *
 * OPTIONS: --readers N (50) --garbage-mb N (10) --admin N (100)
 *   --rounds N (5, bench) --device ID --fingerprint HEX --identity NAME
 *   --uids A,B,FRONT (65534,65532,65533).  The daemon's sockets: from
 * $CREDSTORE_RUNTIME_DIR (or /run/credstore). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <openssl/rand.h>
#include <credstore/credstore.h>

#include "fingerprint.h"
#include "usersock.h"

#define MAX_READERS	256
#define WAIT_SECONDS	60

struct options {
	int readers, garbage_mb, admin, rounds;
	const char *device, *identity;
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	uid_t hostile_uid[2], front_uid;
};

/* Shared with the children (MAP_SHARED). */
struct counters {
	atomic_int readers_connected;
	atomic_int readers_stalled;	/* the daemon stopped reading them */
	atomic_long reader_closures;	/* connections the daemon closed */
	atomic_long garbage_bytes;
	atomic_long garbage_connections;
	atomic_int garbage_done;
	atomic_long queries, query_failures;
	atomic_int stop_front;
};

static struct counters *shared;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "hostile: %s\n", what);
	exit(2);
}

static void become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		die("cannot change uid");
}

static int connect_query(struct cs_client *c)
{
	return cs_client_open(c, NULL, CS_QUERY_SOCKET, 0, 5000, NULL);
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Asks, never reads; a new connection when the daemon closes this one.
 * Its sends block once the daemon stops reading it (its answers wait):
 * it waits there, as such a client would, rather than spin and measure
 * the machine's two cores instead of the daemon. */
static void reader(void)
{
	struct nl_msg *req = cs_client_request(CREDSTORE_CMD_GET_IDENTITY, NLM_F_DUMP);
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct cs_client c;
	bool stalled = false;
	int tiny = 1;

	while (connect_query(&c))
		pause_ms(100);
	setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny));
	shared->readers_connected++;
	for (uint32_t seq = 1;; seq++) {
		nlh->nlmsg_seq = seq;
		if (send(c.fd, nlh, nlh->nlmsg_len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			continue;
		if (errno == EAGAIN && !stalled) {
			stalled = true;
			shared->readers_stalled++;
		}
		/* EAGAIN: the connection's send timeout (5 s), not a close. */
		if (send(c.fd, nlh, nlh->nlmsg_len, MSG_NOSIGNAL) >= 0 || errno == EAGAIN)
			continue;
		shared->reader_closures++;
		cs_client_close(&c);
		while (connect_query(&c))
			pause_ms(100);
		setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny));
	}
}

/* Random datagrams until mb MiB are sent (forever with mb 0). */
static void garbage(int mb)
{
	static unsigned char buf[60000];
	struct cs_client c = { .fd = -1 };
	long target = (long)mb << 20;

	RAND_bytes(buf, sizeof(buf));
	while (!mb || shared->garbage_bytes < target) {
		size_t len = 1 + (size_t)rand() % sizeof(buf);
		ssize_t n;

		if (c.fd < 0) {
			if (connect_query(&c)) {
				pause_ms(20);
				continue;
			}
			shared->garbage_connections++;
		}
		n = send(c.fd, buf + rand() % (sizeof(buf) - len + 1), len, MSG_NOSIGNAL);
		if (n > 0)
			shared->garbage_bytes += n;
		else
			cs_client_close(&c);
	}
	shared->garbage_done = 1;
	cs_client_close(&c);
}

/* What a TLS front end asks at each handshake, until told to stop. */
static void front_end(const struct options *o)
{
	struct credstore_options opt = { .transport = CREDSTORE_TRANSPORT_DAEMON };
	struct credstore *cs;
	char why[CREDSTORE_MESSAGE_MAX];

	if (credstore_connect(&cs, &opt, why) < 0) {
		fprintf(stderr, "hostile: front end: %s\n", why);
		shared->query_failures++;
		return;
	}
	while (!shared->stop_front) {
		struct credstore_verdict v;
		struct credstore_identity *id = NULL;
		int ok = credstore_verify_fingerprint(cs, o->fp, NULL, &v) == 0 &&
			 v.match == CREDSTORE_MATCH_MASTER && !strcmp(v.device_id, o->device) &&
			 credstore_get_identity(cs, o->identity, &id) == 0;

		if (!ok)
			fprintf(stderr, "hostile: front end: %s\n", credstore_last_error(cs));
		credstore_identity_free(id);
		if (ok)
			shared->queries++;
		else
			shared->query_failures++;
	}
	credstore_close(cs);
}

static pid_t spawn(uid_t uid, void (*run)(const struct options *o, int arg),
		   const struct options *o, int arg)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		become(uid);
		run(o, arg);
		_exit(0);
	}
	return pid;
}

static void run_reader(const struct options *o, int arg)
{
	(void)o;
	(void)arg;
	reader();
}

static void run_garbage(const struct options *o, int mb)
{
	(void)o;
	garbage(mb);
}

static void run_front_end(const struct options *o, int arg)
{
	(void)arg;
	front_end(o);
}

struct hostiles {
	pid_t pid[MAX_READERS + 1];
	int n;
};

/* The readers, half under each hostile uid, and the garbage sender
 * (forever with mb 0). */
static void start_hostiles(struct hostiles *h, const struct options *o, int mb)
{
	h->n = 0;
	shared->readers_connected = 0;
	shared->readers_stalled = 0;
	shared->garbage_done = 0;
	shared->garbage_bytes = 0;
	for (int i = 0; i < o->readers; i++)
		h->pid[h->n++] = spawn(o->hostile_uid[i % 2], run_reader, o, 0);
	h->pid[h->n++] = spawn(o->hostile_uid[0], run_garbage, o, mb);
	for (int i = 0; i < WAIT_SECONDS * 10 && shared->readers_connected < o->readers; i++)
		pause_ms(100);
}

static void stop_hostiles(struct hostiles *h)
{
	for (int i = 0; i < h->n; i++)
		kill(h->pid[i], SIGTERM);
	for (int i = 0; i < h->n; i++)
		waitpid(h->pid[i], NULL, 0);
	h->n = 0;
}

/* One admin command, as credctl runs it: its latency in ms, or -1. */
static double admin_command(const struct options *o, int i)
{
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET, 0);
	struct cs_client c;
	struct cs_err err = { 0 };
	char secret[32];
	double start = now_ms();
	int r;

	snprintf(secret, sizeof(secret), "rotated-secret-%d", i);
	if (!req || nla_put_string(req, CREDSTORE_A_DEVICE_ID, o->device) ||
	    nla_put(req, CREDSTORE_A_SECRET, (int)strlen(secret), secret))
		die("out of memory");
	r = cs_client_open(&c, NULL, CS_ADMIN_SOCKET, 0, 30000, &err);
	if (!r) {
		r = cs_client_transact(&c, req, NULL, NULL, &err);
		cs_client_close(&c);
	} else {
		nlmsg_free(req);
	}
	if (r) {
		fprintf(stderr, "hostile: admin command %d: %s\n", i, err.msg);
		return -1;
	}
	return now_ms() - start;
}

/* n admin commands into lat[]; how many were answered. */
static int admin_phase(const struct options *o, double *lat, int n)
{
	int answered = 0;

	for (int i = 0; i < n; i++) {
		lat[i] = admin_command(o, i);
		answered += lat[i] >= 0;
	}
	return answered;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)(p * (n - 1) + 0.5)];
}

static int check(const struct options *o)
{
	double *lat = calloc((size_t)o->admin, sizeof(*lat));
	struct hostiles h;
	pid_t front;
	int answered;

	start_hostiles(&h, o, o->garbage_mb);
	front = spawn(o->front_uid, run_front_end, o, 0);
	answered = admin_phase(o, lat, o->admin);
	/* The whole garbage, and a reader closed for not reading. */
	for (int i = 0; i < WAIT_SECONDS * 10 && (!shared->garbage_done || !shared->reader_closures);
	     i++)
		pause_ms(100);
	shared->stop_front = 1;
	waitpid(front, NULL, 0);
	stop_hostiles(&h);
	printf("admin: %d of %d answered, median %.1f ms, p99 %.1f ms\n", answered, o->admin,
	       percentile(lat, o->admin, 0.5), percentile(lat, o->admin, 0.99));
	printf("front end: %ld queries answered, %ld failed\n", (long)shared->queries,
	       (long)shared->query_failures);
	printf("readers: %d of %d connected, %ld connections closed by the daemon\n",
	       shared->readers_connected, o->readers, (long)shared->reader_closures);
	printf("garbage: %ld bytes sent on %ld connections%s\n", (long)shared->garbage_bytes,
	       (long)shared->garbage_connections, shared->garbage_done ? "" : " (not all)");
	free(lat);
	return answered == o->admin && shared->queries > 0 && !shared->query_failures &&
	       shared->readers_connected == o->readers && shared->garbage_done ? 0 : 1;
}

/* The phases of a round: nothing else; right after the hostile clients
 * connect, while the daemon still answers the readers (their sockets
 * take a few hundred answers before they fill); once every reader is
 * stalled (the daemon reads it no more), the garbage going on. */
enum { QUIET, ARRIVING, STALLED, PHASES };
static const char *const phase_name[PHASES] = { "quiet", "arriving", "stalled" };

static int bench(const struct options *o)
{
	int n = o->admin * o->rounds, failed = 0;
	double *lat[PHASES], p50[PHASES], p99[PHASES];
	struct hostiles h;

	for (int p = 0; p < PHASES; p++)
		lat[p] = calloc((size_t)n, sizeof(double));
	/* Alternate, so that the machine's other load falls on all alike. */
	for (int r = 0; r < o->rounds; r++) {
		failed += o->admin - admin_phase(o, lat[QUIET] + r * o->admin, o->admin);
		start_hostiles(&h, o, 0);
		failed += o->admin - admin_phase(o, lat[ARRIVING] + r * o->admin, o->admin);
		for (int i = 0; i < WAIT_SECONDS * 10 && shared->readers_stalled < o->readers; i++)
			pause_ms(100);
		failed += o->admin - admin_phase(o, lat[STALLED] + r * o->admin, o->admin);
		stop_hostiles(&h);
	}
	printf("bench-hostile: %d admin commands (device reset-secret, a connection each) per phase,"
	       " %d readers that never read + garbage\n", n, o->readers);
	for (int p = 0; p < PHASES; p++) {
		p50[p] = percentile(lat[p], n, 0.5);
		p99[p] = percentile(lat[p], n, 0.99);
		printf("bench-hostile: %-9s median %7.2f ms  p99 %7.2f ms", phase_name[p], p50[p],
		       p99[p]);
		if (p != QUIET)
			printf("   ratio to quiet: median %5.2f  p99 %5.2f", p50[p] / p50[QUIET],
			       p99[p] / p99[QUIET]);
		printf("\n");
		free(lat[p]);
	}
	printf("bench-hostile: target: stalled/quiet <= 1.5\n");
	return failed ? 1 : 0;
}

static void parse_uids(const char *s, struct options *o)
{
	unsigned int a, b, f;

	if (sscanf(s, "%u,%u,%u", &a, &b, &f) != 3)
		die("--uids A,B,FRONT");
	o->hostile_uid[0] = a;
	o->hostile_uid[1] = b;
	o->front_uid = f;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "readers", required_argument, NULL, 'r' },
		{ "garbage-mb", required_argument, NULL, 'g' },
		{ "admin", required_argument, NULL, 'a' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "device", required_argument, NULL, 'd' },
		{ "fingerprint", required_argument, NULL, 'f' },
		{ "identity", required_argument, NULL, 'i' },
		{ "uids", required_argument, NULL, 'u' },
		{ 0 }
	};
	struct options o = { .readers = 50, .garbage_mb = 10, .admin = 100, .rounds = 5,
			     .hostile_uid = { 65534, 65532 }, .front_uid = 65533 };
	bool have_fp = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': o.readers = atoi(optarg); break;
		case 'g': o.garbage_mb = atoi(optarg); break;
		case 'a': o.admin = atoi(optarg); break;
		case 'R': o.rounds = atoi(optarg); break;
		case 'd': o.device = optarg; break;
		case 'f': have_fp = cs_fingerprint_parse(optarg, o.fp) == 0; break;
		case 'i': o.identity = optarg; break;
		case 'u': parse_uids(optarg, &o); break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !o.device || !o.identity || !have_fp || o.readers < 0 ||
	    o.readers > MAX_READERS || o.admin < 1 || o.rounds < 1 || o.garbage_mb < 1)
		die("usage: hostile --device ID --fingerprint HEX --identity NAME [...] check|bench");
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[optind], "check"))
		return check(&o);
	if (!strcmp(argv[optind], "bench"))
		return bench(&o);
	die("check or bench");
}
