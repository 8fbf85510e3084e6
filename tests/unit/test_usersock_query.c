/* The queries as credstored answers them on its sockets when the module
 * is absent (same semantics as credstore.ko): verification of
 * fingerprints and secrets, privileged reads, and dumps that page; and
 * the sockets' own rules: who may connect and run what, a listener of
 * another user gets nothing, a uid's connection cap, garbage closes the
 * connection, subscriptions (and what a subscriber that does not read
 * is told); a backup whose devices share a fingerprint is not imported.  The daemon's event loop runs in a thread on a store in
 * memory, its sockets in a directory of the test's own. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "flash_emu.h"
#include "loop.h"
#include "store_helpers.h"
#include "tap.h"
#include "twin_backup.h"

#define NOBODY 65534

#define MANY_DEVICES (2 * CS_USERSOCK_DUMP_PAGE + 7)

static struct daemon d;
static struct loop *lp;
static char dir[] = "/tmp/credstore-query-test.XXXXXX";
static atomic_bool stopping;
/* Held while the thread handles a request: a fork() waits for it, or the
 * child would inherit a reply the thread was still sending and freeing
 * (a leak in the child, which has no such thread). */
static pthread_mutex_t handling = PTHREAD_MUTEX_INITIALIZER;

static void *serve(void *arg)
{
	(void)arg;
	while (!stopping) {
		pthread_mutex_lock(&handling);
		loop_once(lp, 20);
		pthread_mutex_unlock(&handling);
	}
	return NULL;
}

static int open_client(struct cs_client *c, const char *name, uid_t daemon_uid, int timeout_ms)
{
	return cs_client_open(c, dir, name, daemon_uid, timeout_ms, NULL);
}

/* Fork, drop to nobody in the child and return its exit status. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid;
	int status = 0;

	pthread_mutex_lock(&handling);
	pid = fork();
	pthread_mutex_unlock(&handling);
	if (pid == 0) {
		if (setresgid(NOBODY, NOBODY, NOBODY) || setgroups(0, NULL) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(100);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static void put_device(struct model_txn *t, const char *id, uint8_t master_tag, uint8_t sub_tag,
		       const char *secret, const char *sub_secret, uint32_t flags)
{
	struct model_device dev = { .flags = flags };

	snprintf(dev.id, sizeof(dev.id), "%s", id);
	dev.has_fp[SLOT_MASTER] = master_tag != 0;
	memset(dev.fp[SLOT_MASTER], master_tag, CREDSTORE_FINGERPRINT_LEN);
	dev.has_fp[SLOT_SUB] = sub_tag != 0;
	memset(dev.fp[SLOT_SUB], sub_tag, CREDSTORE_FINGERPRINT_LEN);
	dev.secret_len[SLOT_MASTER] = strlen(secret);
	memcpy(dev.secret[SLOT_MASTER], secret, strlen(secret));
	dev.secret_len[SLOT_SUB] = sub_secret ? strlen(sub_secret) : 0;
	if (sub_secret)
		memcpy(dev.secret[SLOT_SUB], sub_secret, strlen(sub_secret));
	if (model_put_device(t, &dev, NULL))
		abort();
}

static void populate(void)
{
	struct model_txn *t = model_txn_begin(&d.model, NULL);
	char id[32];

	put_device(t, "cam1", 0x11, 0x12, "master-secret", "sub-secret", 0);
	put_device(t, "cam2", 0x21, 0x22, "two", "two-sub", CREDSTORE_DEVICE_F_SUB_DISABLED);
	for (int i = 0; i < MANY_DEVICES - 2; i++) {
		snprintf(id, sizeof(id), "many-%04d", i);
		put_device(t, id, 0, 0, "x", NULL, 0);
	}
	if (model_txn_commit(t, NULL, NULL))
		abort();
	model_txn_free(t);
}

struct answer {
	int match;
	char id[CREDSTORE_DEVICE_ID_MAX];
	bool has_master_secret;
};

static int take_answer(struct nlattr **tb, void *arg)
{
	struct answer *a = arg;

	a->match = tb[CREDSTORE_A_MATCH] ? nla_get_u8(tb[CREDSTORE_A_MATCH]) : -1;
	if (tb[CREDSTORE_A_DEVICE_ID])
		nla_strlcpy(a->id, tb[CREDSTORE_A_DEVICE_ID], sizeof(a->id));
	a->has_master_secret = tb[CREDSTORE_A_MASTER_SECRET] != NULL;
	return 0;
}

/* One request; the errno the daemon answered (0: none). */
static int ask(struct cs_client *c, uint8_t cmd, const char *id, const void *fp,
	       const char *secret, struct answer *a)
{
	struct nl_msg *req = cs_client_request(cmd, 0);
	struct cs_err err = { 0 };

	memset(a, 0, sizeof(*a));
	a->match = -1;
	if (id)
		nla_put_string(req, CREDSTORE_A_DEVICE_ID, id);
	if (fp)
		nla_put(req, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp);
	if (secret)
		nla_put(req, CREDSTORE_A_SECRET, (int)strlen(secret), secret);
	return -cs_client_transact(c, req, take_answer, a, &err);
}

static int verify_fp(struct cs_client *c, const char *id, uint8_t tag, struct answer *a)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];

	memset(fp, tag, sizeof(fp));
	return ask(c, CREDSTORE_CMD_VERIFY_FINGERPRINT, id, fp, NULL, a);
}

static void test_verification(struct cs_client *c)
{
	struct answer a;

	ok(verify_fp(c, "cam1", 0x11, &a) == 0 && a.match == CREDSTORE_MATCH_MASTER,
	   "verify-fp by id: the master matches");
	ok(verify_fp(c, "cam1", 0x12, &a) == 0 && a.match == CREDSTORE_MATCH_SUB,
	   "verify-fp by id: the sub matches as the sub");
	ok(verify_fp(c, "cam1", 0x21, &a) == 0 && a.match == CREDSTORE_MATCH_NONE,
	   "verify-fp by id: another device's fingerprint does not");
	ok(verify_fp(c, NULL, 0x21, &a) == 0 && a.match == CREDSTORE_MATCH_MASTER &&
	   !strcmp(a.id, "cam2"), "verify-fp alone finds the device holding it");
	ok(verify_fp(c, NULL, 0x22, &a) == 0 && a.match == CREDSTORE_MATCH_NONE,
	   "verify-fp: a disabled sub never matches");
	ok(verify_fp(c, "ghost", 0x11, &a) == 0 && a.match == CREDSTORE_MATCH_NONE,
	   "verify-fp: an unknown device matches nothing, no error");
	ok(ask(c, CREDSTORE_CMD_VERIFY_SECRET, "cam1", NULL, "master-secret", &a) == 0 &&
	   a.match == CREDSTORE_MATCH_MASTER && !strcmp(a.id, "cam1"), "verify-secret: master");
	ok(ask(c, CREDSTORE_CMD_VERIFY_SECRET, "cam1", NULL, "sub-secret", &a) == 0 &&
	   a.match == CREDSTORE_MATCH_SUB, "verify-secret: sub");
	ok(ask(c, CREDSTORE_CMD_VERIFY_SECRET, "cam1", NULL, "master-secre", &a) == 0 &&
	   a.match == CREDSTORE_MATCH_NONE, "verify-secret: a prefix of the secret does not match");
	ok(ask(c, CREDSTORE_CMD_VERIFY_SECRET, "cam1", NULL, "master-secret!", &a) == 0 &&
	   a.match == CREDSTORE_MATCH_NONE, "verify-secret: a longer secret does not match");
	ok(ask(c, CREDSTORE_CMD_VERIFY_SECRET, "cam2", NULL, "two-sub", &a) == 0 &&
	   a.match == CREDSTORE_MATCH_NONE, "verify-secret: a disabled sub does not match");
	ok(ask(c, CREDSTORE_CMD_GET_DEVICE, "ghost", NULL, NULL, &a) == ENOENT,
	   "get device: unknown device is ENOENT");
	ok(ask(c, CREDSTORE_CMD_GET_DEVICE_SECRETS, "cam1", NULL, NULL, &a) == 0 && a.has_master_secret,
	   "root reads the secrets");
}

static int count_entry(struct nlattr **tb, void *arg)
{
	(*(int *)arg) += tb[CREDSTORE_A_DEVICE_ID] != NULL;
	return 0;
}

static void test_dump(struct cs_client *c)
{
	struct cs_err err = { 0 };
	int n = 0;
	int r = cs_client_dump(c, CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, count_entry, &n, &err);

	ok(r == 0 && n == MANY_DEVICES, "a dump pages through all %d devices (%d)", MANY_DEVICES, n);
}

/* As nobody: queries yes, privileged reads and admin commands no, the
 * admin socket not at all. */
static int nobody_queries(void)
{
	struct cs_client c, admin;
	struct cs_err err = { 0 };
	struct answer a;
	int rc = 0;

	if (open_client(&c, CS_QUERY_SOCKET, 0, 2000))
		return 10;
	rc |= verify_fp(&c, "cam1", 0x11, &a) != 0 || a.match != CREDSTORE_MATCH_MASTER;
	rc |= (ask(&c, CREDSTORE_CMD_GET_DEVICE_SECRETS, "cam1", NULL, NULL, &a) != EPERM) << 1;
	rc |= (ask(&c, CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, "cam1", NULL, NULL, &a) != EPERM) << 2;
	rc |= (cs_client_open(&admin, dir, CS_ADMIN_SOCKET, 0, 2000, &err) != -EPERM) << 3;
	cs_client_close(&c);
	return rc;
}

static void test_unprivileged(void)
{
	int rc = as_nobody(nobody_queries);

	ok(rc < 16 && !(rc & 1), "nobody may verify (%d)", rc);
	ok(rc < 16 && !(rc & 2), "nobody may not read secrets (EPERM)");
	ok(rc < 16 && !(rc & 4), "nobody may not remove a device, not even on the query socket");
	ok(rc < 16 && !(rc & 8), "nobody may not connect to the admin socket (0660)");
}

static int root_admin(void)
{
	struct cs_client c;
	struct answer a;
	int r;

	if (open_client(&c, CS_ADMIN_SOCKET, 0, 2000))
		return -1;
	r = ask(&c, CREDSTORE_ADMIN_CMD_STORE_STATUS, NULL, NULL, NULL, &a);
	cs_client_close(&c);
	return r;
}

static void test_admin_socket(void)
{
	struct cs_client q;
	struct answer a;

	ok(root_admin() == 0, "root runs admin commands on the admin socket");
	if (open_client(&q, CS_QUERY_SOCKET, 0, 2000))
		abort();
	ok(ask(&q, CREDSTORE_ADMIN_CMD_STORE_STATUS, NULL, NULL, NULL, &a) == EPERM,
	   "admin commands are refused on the query socket, even to root");
	cs_client_close(&q);
}

/* A listener of another user (it could write to the runtime directory)
 * accepts the connection but must get nothing: not even the request. */
static void test_squatter(void)
{
	char squat[sizeof(dir) + 16];
	struct cs_client c;
	struct cs_err err = { 0 };
	struct sockaddr_un sa;
	int ready[2], got = -1, status;
	pid_t pid;

	snprintf(squat, sizeof(squat), "%s/squat", dir);
	if (mkdir(squat, 0755) || chown(squat, 4242, 4242) || pipe(ready) ||
	    cs_socket_addr(squat, CS_QUERY_SOCKET, &sa, NULL))
		abort();
	pthread_mutex_lock(&handling);
	pid = fork();
	pthread_mutex_unlock(&handling);
	if (pid == 0) {
		int fd, conn;
		char buf[65536];
		ssize_t n, total = 0;

		if (setresgid(4242, 4242, 4242) || setresuid(4242, 4242, 4242) ||
		    (fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) < 0 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) ||
		    write(ready[1], "", 1) != 1 || (conn = accept(fd, NULL, NULL)) < 0)
			_exit(255);
		while ((n = recv(conn, buf, sizeof(buf), 0)) > 0)
			total += n;
		_exit(total > 200 ? 200 : (int)total);
	}
	close(ready[1]);
	if (read(ready[0], &got, 1) != 1)
		abort();
	ok(cs_client_open(&c, squat, CS_QUERY_SOCKET, 0, 2000, &err) == -ECONNREFUSED &&
	   strstr(err.msg, "uid 4242"), "a client refuses a listener of uid 4242: %s", err.msg);
	waitpid(pid, &status, 0);
	got = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	ok(got == 0, "the squatter received nothing (%d bytes)", got);
	close(ready[0]);
}

/* nobody opens one connection more than its cap allows. */
static int nobody_over_cap(void)
{
	struct cs_client c[CONN_DEFAULT_PER_UID + 1];
	struct answer a;
	int rc = 0, r;

	for (int i = 0; i <= CONN_DEFAULT_PER_UID; i++)
		if (open_client(&c[i], CS_QUERY_SOCKET, 0, 2000))
			return 10;
	for (int i = 0; i < CONN_DEFAULT_PER_UID; i++)
		rc |= ask(&c[i], CREDSTORE_CMD_GET_STATUS, NULL, NULL, NULL, &a) != 0;
	r = ask(&c[CONN_DEFAULT_PER_UID], CREDSTORE_CMD_GET_STATUS, NULL, NULL, NULL, &a);
	rc |= (r != EUSERS && r != EPIPE) << 1;
	for (int i = 0; i <= CONN_DEFAULT_PER_UID; i++)
		cs_client_close(&c[i]);
	return rc;
}

static void test_uid_cap(void)
{
	int rc = as_nobody(nobody_over_cap);

	ok(rc < 10 && !(rc & 1), "nobody's first %d connections are served", CONN_DEFAULT_PER_UID);
	ok(rc < 10 && !(rc & 2), "the next one is refused (%d)", rc);
	ok(root_admin() == 0, "root is still served");
}

/* What is not a request closes the connection, unanswered. */
static void test_garbage(void)
{
	struct cs_client c;
	unsigned char *buf;
	struct pollfd p;
	ssize_t r;

	if (open_client(&c, CS_QUERY_SOCKET, 0, 2000))
		abort();
	ok(send(c.fd, "garbage!garbage!garbage!", 24, 0) == 24, "garbage sent");
	p = (struct pollfd){ .fd = c.fd, .events = POLLIN };
	/* Closed with the garbage unread in the daemon's socket: a reset. */
	ok(poll(&p, 1, 5000) == 1 && (r = cs_recv_datagram(c.fd, &buf, 0)) <= 0 &&
	   (r == 0 || r == -ECONNRESET), "the daemon closed the connection without an answer");
	cs_client_close(&c);
}

static int device_add(struct cs_client *admin, const char *id)
{
	struct answer a;

	return ask(admin, CREDSTORE_ADMIN_CMD_DEVICE_ADD, id, NULL, "secret", &a);
}

/* The kind of each notification waiting on fd, until none waits. */
static int read_events(int fd, uint8_t *kinds, int max)
{
	int n = 0;
	unsigned char *buf;
	ssize_t len;

	while (n < max && (len = cs_recv_datagram(fd, &buf, MSG_DONTWAIT)) > 0) {
		struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];

		if (genlmsg_parse((struct nlmsghdr *)buf, 0, tb, CREDSTORE_ADMIN_A_MAX, cs_usersock_policy) == 0 &&
		    tb[CREDSTORE_A_KIND])
			kinds[n++] = nla_get_u8(tb[CREDSTORE_A_KIND]);
		OPENSSL_clear_free(buf, (size_t)len);
	}
	return n;
}

static void test_subscribe(void)
{
	struct cs_client sub, admin;
	struct cs_err err = { 0 };
	uint8_t kinds[4096];
	int small = 4096, n, events;
	char id[32];

	if (open_client(&sub, CS_QUERY_SOCKET, 0, 2000) || open_client(&admin, CS_ADMIN_SOCKET, 0, 5000))
		abort();
	ok(cs_client_transact(&sub, cs_client_request(CREDSTORE_ADMIN_CMD_SUBSCRIBE, 0), NULL, NULL,
			      &err) == 0, "subscribed");
	ok(device_add(&admin, "sub-1") == 0, "a device added");
	n = read_events(sub.fd, kinds, 4);
	ok(n == 1 && kinds[0] == CREDSTORE_KIND_DEVICE,
	   "its notification was waiting when the change was acknowledged");

	/* Stop reading: the socket fills, the rest is one SNAPSHOT. */
	setsockopt(sub.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	for (events = 0; events < 3000; events++) {
		snprintf(id, sizeof(id), "flood-%d", events % 2);
		if (device_add(&admin, id) != 0 && ask(&admin, CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, id,
							NULL, NULL, &(struct answer){ 0 }) != 0)
			break;
	}
	n = read_events(sub.fd, kinds, 4096);
	ok(events == 3000 && n > 0 && n < 3000 && kinds[n - 1] == CREDSTORE_KIND_SNAPSHOT,
	   "3000 changes to a subscriber that does not read: %d events, the last a SNAPSHOT", n);
	ok(device_add(&admin, "sub-2") == 0 && read_events(sub.fd, kinds, 4) == 1 &&
	   kinds[0] == CREDSTORE_KIND_DEVICE, "once read, events flow again");
	ok(send(sub.fd, "x", 1, 0) == 1 && poll(&(struct pollfd){ .fd = sub.fd, .events = POLLIN }, 1, 5000) == 1 &&
	   read_events(sub.fd, kinds, 4) == 0, "a subscriber that sends anything is closed");
	cs_client_close(&sub);
	cs_client_close(&admin);
}

static int admin_blob(struct cs_client *c, uint8_t cmd, const char *password, const void *blob,
		      size_t len)
{
	struct nl_msg *req = cs_client_request(cmd, 0);
	struct cs_err err = { 0 };

	if ((password && nla_put_string(req, CREDSTORE_A_ADMIN_PASSWORD, password)) ||
	    (blob && nla_put(req, CREDSTORE_A_ADMIN_BLOB, (int)len, blob)))
		abort();
	return -cs_client_transact(c, req, NULL, NULL, &err);
}

/* credstore.ko would refuse two devices with one fingerprint (and so
 * does device add): so does an import. */
static void test_import_shared_fingerprint(void)
{
	static const char pass[] = "shared-fp-pass";
	struct twin_backup b;
	struct cs_client c;
	struct answer a;

	if (twin_backup_seal(&b, pass) || open_client(&c, CS_ADMIN_SOCKET, 0, 5000))
		abort();
	ok(admin_blob(&c, CREDSTORE_ADMIN_CMD_IMPORT_BEGIN, pass, b.header, sizeof(b.header)) == 0 &&
	   admin_blob(&c, CREDSTORE_ADMIN_CMD_IMPORT_CHUNK, NULL, b.chunk, b.chunk_len) == 0,
	   "a backup of two devices with one fingerprint opens");
	ok(admin_blob(&c, CREDSTORE_ADMIN_CMD_IMPORT, NULL, NULL, 0) == EEXIST,
	   "its import is refused (EEXIST)");
	ok(verify_fp(&c, "cam1", 0x11, &a) == 0 && a.match == CREDSTORE_MATCH_MASTER,
	   "and changed nothing: cam1 is still there");
	cs_client_close(&c);
}

int main(void)
{
	struct conn_limits limits = { CONN_DEFAULT_PER_UID, CONN_OUTSTANDING,
				      { CONN_QUEUE_MAX_ADMIN, CONN_QUEUE_MAX_QUERY }, CONN_STALL_MS };
	struct listeners l;
	struct fixture fx;
	struct cs_client c;
	pthread_t thread;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to act as nobody and as another user\n");
		return 0;
	}
	if (!mkdtemp(dir) || chmod(dir, 0755) || listeners_open(&l, dir, 0, NULL))
		abort();
	if (model_open(&d.model, fixture_open(&fx, test_nand(16), NULL), NULL))
		abort();
	d.model.limits = (struct model_limits){ 4, 4, 1024 };
	lp = loop_new(&d, &l, &limits, -1, NULL);
	if (!lp)
		abort();
	populate();
	pthread_create(&thread, NULL, serve, NULL);
	if (open_client(&c, CS_QUERY_SOCKET, 0, 5000))
		abort();
	test_verification(&c);
	test_dump(&c);
	cs_client_close(&c);
	test_unprivileged();
	test_admin_socket();
	test_squatter();
	test_uid_cap();
	test_garbage();
	test_subscribe();
	test_import_shared_fingerprint();
	stopping = true;
	pthread_join(thread, NULL);
	loop_free(lp);
	listeners_close(&l);
	model_close(&d.model);
	fixture_close(&fx);
	rmdir(dir);
	return tap_done();
}
