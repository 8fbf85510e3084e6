#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flash_emu.h"
#include "harness.h"
#include "log.h"

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz harness: %s: %s\n", what, msg);
	abort();
}

const char *fuzz_seed_dir(void)
{
	return getenv("CREDSTORE_FUZZ_SEEDS");
}

void fuzz_write_seed(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_seed_dir(), name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die(path, strerror(errno));
}

/* A store small enough to copy before every input. */
struct flash *fuzz_flash(void)
{
	struct flash_geometry geo = { FLASH_NAND, 16 << 10, 8, 512, 512, true };
	struct cs_err err = { 0 };
	struct flash *f = flash_emu_open(NULL, &geo, NULL, &err);

	if (!f)
		die("flash", err.msg);
	return f;
}

struct store_options fuzz_store_options(void)
{
	struct store_options o = { .redundancy = 1 };

	memset(o.key, 0x5a, sizeof(o.key));
	return o;
}

static void remount(struct fuzz_daemon *fd)
{
	struct store_options o = fuzz_store_options();
	struct cs_err err = { 0 };

	struct store *s;

	if (fd->d.model.store) {
		store_unmount(fd->d.model.store);
		model_close(&fd->d.model);
	}
	if (flash_emu_copy(fd->flash, fd->base))
		die("flash", "copy");
	s = store_mount(fd->flash, &o, &err);
	if (!s || model_open(&fd->d.model, s, &err))
		die("mount", err.msg);
}

static struct fuzz_daemon *running;

static void remove_sockets(void)
{
	listeners_close(&running->listeners);
	rmdir(running->dir);
}

static void daemon_init(struct fuzz_daemon *fd)
{
	struct store_options o = fuzz_store_options();
	struct conn_limits limits = { CONN_DEFAULT_PER_UID, CONN_OUTSTANDING,
				      { CONN_QUEUE_MAX_ADMIN, CONN_QUEUE_MAX_QUERY }, CONN_STALL_MS };
	struct cs_err err = { 0 };

	memset(fd, 0, sizeof(*fd));
	log_open(getenv("CREDSTORE_FUZZ_LOG") != NULL);
	fd->flash = fuzz_flash();
	if (store_format(fd->flash, &o, &err))
		die("format", err.msg);
	fd->base = flash_emu_clone(fd->flash, &err);
	if (!fd->base)
		die("clone", err.msg);
	fd->d.model.limits = (struct model_limits){ 4, 4, 16 };
	fd->d.policy = (struct daemon_policy)POLICY_DEFAULT;
	snprintf(fd->dir, sizeof(fd->dir), "/tmp/credstore-fuzz.XXXXXX");
	if (!mkdtemp(fd->dir) || listeners_open(&fd->listeners, fd->dir, getegid(), &err) ||
	    !(fd->loop = loop_new(&fd->d, &fd->listeners, &limits, -1, &err)))
		die("sockets", err.msg);
	running = fd;
	atexit(remove_sockets);
	fd->client = -1;
	remount(fd);
}

static void snapshot(struct fuzz_daemon *fd)
{
	if (flash_emu_copy(fd->base, fd->flash))
		die("flash", "copy");
}

void fuzz_daemon_start(struct fuzz_daemon *fd, void (*setup)(struct fuzz_daemon *fd),
		       void (*write_seeds)(void))
{
	daemon_init(fd);
	setup(fd);
	snapshot(fd);
	if (fuzz_seed_dir())
		write_seeds();
}

static void connect_client(struct fuzz_daemon *fd)
{
	struct cs_client c;
	struct cs_err err = { 0 };

	if (cs_client_open(&c, fd->dir, CS_ADMIN_SOCKET, 0, 1000, &err))
		die("client", err.msg);
	fd->client = c.fd;
}

/* Turn the daemon's loop until it answered (or closed the connection). */
static void serve(struct fuzz_daemon *fd)
{
	struct pollfd p = { .fd = fd->client, .events = POLLIN };

	for (int turn = 0; turn < 100 && poll(&p, 1, 0) == 0; turn++)
		loop_once(fd->loop, 10);
	if (!p.revents)
		die("request", "no answer");
}

/* Replies may be many (dumps, batches): read until none is left; a
 * connection the daemon closed is made again for the next input. */
static void drain(struct fuzz_daemon *fd)
{
	static char buf[CS_USERSOCK_BUFSIZE];
	ssize_t n;

	while ((n = recv(fd->client, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	if (n == 0 || (n < 0 && errno != EAGAIN)) {	/* closed, or reset with a request unread */
		close(fd->client);
		fd->client = -1;
	}
}

void fuzz_daemon_request(struct fuzz_daemon *fd, uint8_t cmd, uint16_t flags,
			 const void *attrs, size_t len)
{
	struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + len + 64);
	void *payload;

	if (!msg)
		die("request", "out of memory");
	payload = genlmsg_put(msg, 0, 1, CREDSTORE_USERSOCK_TYPE, 0, NLM_F_REQUEST | flags, cmd, 1);
	if (!payload || (len && nlmsg_append(msg, (void *)attrs, len, 0) < 0))
		die("request", "does not fit");
	if (fd->client < 0)
		connect_client(fd);
	if (send(fd->client, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, MSG_NOSIGNAL) < 0)
		die("request: cannot send", strerror(errno));
	nlmsg_free(msg);
	serve(fd);
	drain(fd);
}

struct nl_msg *fuzz_attrs_new(void)
{
	struct nl_msg *m = nlmsg_alloc_size(CS_USERSOCK_BUFSIZE / 8);

	if (!m || !nlmsg_put(m, 0, 0, 0, 0, 0))
		die("attrs", "out of memory");
	return m;
}

struct nl_msg *fuzz_named(int attr, const char *value)
{
	struct nl_msg *m = fuzz_attrs_new();

	nla_put_string(m, attr, value);
	return m;
}

void fuzz_daemon_setup(struct fuzz_daemon *fd, uint8_t cmd, struct nl_msg *attrs)
{
	struct nlmsghdr *nlh = nlmsg_hdr(attrs);

	fuzz_daemon_request(fd, cmd, 0, nlmsg_data(nlh), (size_t)nlmsg_datalen(nlh));
	nlmsg_free(attrs);
}

void fuzz_attrs_seed(const char *name, uint8_t index, uint16_t flags, struct nl_msg *attrs)
{
	struct nlmsghdr *nlh = nlmsg_hdr(attrs);
	size_t len = (size_t)nlmsg_datalen(nlh);
	uint8_t *buf = malloc(len + 2);

	if (!buf)
		die("seed", "out of memory");
	buf[0] = index;
	buf[1] = (uint8_t)flags;
	memcpy(buf + 2, nlmsg_data(nlh), len);
	fuzz_write_seed(name, buf, len + 2);
	free(buf);
	nlmsg_free(attrs);
}

void fuzz_daemon_input(struct fuzz_daemon *fd, uint8_t first_cmd, uint8_t n_cmds,
		       const uint8_t *data, size_t size)
{
	struct flash_stats before = fd->flash->stats;

	if (size < 2)
		return;
	fuzz_daemon_request(fd, (uint8_t)(first_cmd + data[0] % n_cmds),
			    data[1] & 1 ? NLM_F_DUMP : 0, data + 2, size - 2);
	/* The store changes only through its flash (a refused transaction
	 * leaves it as it was): most inputs need no remount. */
	if (fd->flash->stats.programs != before.programs || fd->flash->stats.erases != before.erases)
		remount(fd);
}
