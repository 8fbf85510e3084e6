/* The queries as credstored answers them over NETLINK_USERSOCK when the
 * module is absent (same semantics as credstore.ko): verification of
 * fingerprints and secrets, privileged reads, and dumps that page.  The
 * daemon's request handling runs in a thread on a store in memory, in a
 * network namespace of the test's own (the port is fixed). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flash_emu.h"
#include "server.h"
#include "store_helpers.h"
#include "tap.h"

#define MANY_DEVICES (2 * CS_USERSOCK_DUMP_PAGE + 7)

static struct daemon d;
static atomic_bool stopping;
/* Held while the thread handles a request: a fork() waits for it, or the
 * child would inherit a reply the thread was still sending and freeing
 * (a leak in the child, which has no such thread). */
static pthread_mutex_t handling = PTHREAD_MUTEX_INITIALIZER;

static void *serve(void *arg)
{
	struct pollfd p = { .fd = nl_socket_get_fd(d.usersock), .events = POLLIN };

	(void)arg;
	while (!stopping)
		if (poll(&p, 1, 50) > 0) {
			pthread_mutex_lock(&handling);
			server_handle(&d);
			pthread_mutex_unlock(&handling);
		}
	return NULL;
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

/* In a child that drops to nobody: queries yes, privileged reads no. */
static void test_unprivileged(void)
{
	pid_t pid;
	int status = 0;

	pthread_mutex_lock(&handling);
	pid = fork();
	pthread_mutex_unlock(&handling);

	if (pid == 0) {
		struct cs_client c;
		struct answer a;
		int rc = 0;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534) ||
		    cs_client_open(&c, 0, 2000, NULL))
			_exit(10);
		rc |= verify_fp(&c, "cam1", 0x11, &a) != 0 || a.match != CREDSTORE_MATCH_MASTER;
		rc |= (ask(&c, CREDSTORE_CMD_GET_DEVICE_SECRETS, "cam1", NULL, NULL, &a) != EPERM) << 1;
		rc |= (ask(&c, CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, "cam1", NULL, NULL, &a) != EPERM) << 2;
		cs_client_close(&c);
		_exit(rc);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 1), "nobody may verify");
	ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 2), "nobody may not read secrets (EPERM)");
	ok(WIFEXITED(status) && !(WEXITSTATUS(status) & 4), "nobody may not remove a device (EPERM)");
}

static void test_foreign_uid(void)
{
	struct cs_client c;
	struct cs_err err = { 0 };
	struct answer a;

	/* A client that expects the daemon under another uid drops its
	 * answers and hears nothing. */
	if (cs_client_open(&c, 4242, 300, &err))
		abort();
	ok(verify_fp(&c, "cam1", 0x11, &a) == ETIMEDOUT, "answers from another uid are ignored");
	cs_client_close(&c);
}

int main(void)
{
	struct fixture fx;
	struct cs_client c;
	pthread_t thread;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("1..0 # SKIP needs root for a network namespace of its own\n");
		return 0;
	}
	if (model_open(&d.model, fixture_open(&fx, test_nand(16), NULL), NULL))
		abort();
	d.model.limits = (struct model_limits){ 4, 4, 1024 };
	d.usersock = cs_usersock_listen(NULL);
	if (!d.usersock)
		abort();
	populate();
	pthread_create(&thread, NULL, serve, NULL);
	if (cs_client_open(&c, 0, 5000, NULL))
		abort();
	test_verification(&c);
	test_dump(&c);
	cs_client_close(&c);
	test_unprivileged();
	test_foreign_uid();
	stopping = true;
	pthread_join(thread, NULL);
	nl_socket_free(d.usersock);
	model_close(&d.model);
	fixture_close(&fx);
	return tap_done();
}
