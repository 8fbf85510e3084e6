#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "listen.h"
#include "log.h"

static const char *const socket_names[CONN_SOCKETS] = {
	[CONN_ADMIN] = CS_ADMIN_SOCKET,
	[CONN_QUERY] = CS_QUERY_SOCKET,
};
static const mode_t socket_modes[CONN_SOCKETS] = { [CONN_ADMIN] = 0660, [CONN_QUERY] = 0666 };

static int socket_index(const char *name)
{
	for (int k = 0; k < CONN_SOCKETS; k++)
		if (!strcmp(name, socket_names[k]))
			return k;
	return -1;
}

/* The sockets systemd passed, by FileDescriptorName=: 1 when there were
 * some, 0 when not socket-activated. */
static int from_systemd(struct listeners *l, struct cs_err *err)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), r = 0;

	if (n <= 0)
		return n < 0 ? cs_err_set(err, -n, "socket activation: %s", strerror(-n)) : 0;
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i, k = names ? socket_index(names[i]) : -1;
		socklen_t len = sizeof(l->addr[0]);

		if (k < 0 || l->fd[k] >= 0)
			r = r ?: cs_err_set(err, EINVAL, "socket activation: fd %d is named \"%s\", not "
					    "\"admin\" or \"query\" (FileDescriptorName=)", fd,
					    names ? names[i] : "");
		else if (sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, NULL, 0) <= 0)
			r = r ?: cs_err_set(err, EINVAL, "socket activation: the \"%s\" socket is not a "
					    "listening AF_UNIX SOCK_SEQPACKET socket", names[i]);
		else if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
			 getsockname(fd, (struct sockaddr *)&l->addr[k], &len) < 0)
			r = r ?: cs_err_set(err, errno, "socket activation: %s", strerror(errno));
		else
			l->fd[k] = fd;
		if (k < 0 || l->fd[k] != fd)
			close(fd);
	}
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	for (int k = 0; k < CONN_SOCKETS && !r; k++)
		if (l->fd[k] < 0)
			r = cs_err_set(err, EINVAL, "socket activation: no \"%s\" socket was passed",
				       socket_names[k]);
	l->activated = true;
	return r ? r : 1;
}

/* The directory must be ours alone: whoever may write to it may replace
 * the sockets (clients would refuse the impostor, but the daemon would be
 * unreachable). */
static int check_runtime_dir(const char *dir, struct cs_err *err)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0)
		(void)chmod(dir, 0755);		/* whatever the umask: clients traverse it */
	else if (errno != EEXIST)
		return cs_err_set(err, errno, "cannot make the runtime directory %s: %s", dir,
				  strerror(errno));
	if (lstat(dir, &st) < 0)
		return cs_err_set(err, errno, "runtime directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cs_err_set(err, ENOTDIR, "the runtime directory %s is not a directory", dir);
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return cs_err_set(err, EPERM, "the runtime directory %s must belong to uid %u and be "
				  "writable by it alone (it belongs to uid %u, mode %03o)", dir,
				  (unsigned int)geteuid(), (unsigned int)st.st_uid,
				  (unsigned int)(st.st_mode & 07777));
	return 0;
}

/* Does a live daemon listen at addr? */
static bool listening(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool live = fd >= 0 && (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 ||
				errno == EAGAIN);

	if (fd >= 0)
		close(fd);
	return live;
}

static int make_socket(struct listeners *l, int k, struct cs_err *err)
{
	const char *path = l->addr[k].sun_path;
	mode_t umask_was;
	int r;

	if (listening(&l->addr[k]))
		return cs_err_set(err, EADDRINUSE, "another credstored listens on %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return cs_err_set(err, errno, "cannot remove the old %s: %s", path, strerror(errno));
	l->fd[k] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd[k] < 0)
		return cs_err_set(err, errno, "cannot open a socket: %s", strerror(errno));
	umask_was = umask(0177);	/* owner only, until its mode is set */
	r = bind(l->fd[k], (const struct sockaddr *)&l->addr[k], sizeof(l->addr[k]));
	umask(umask_was);
	if (r < 0 || listen(l->fd[k], SOMAXCONN) < 0)
		return cs_err_set(err, errno, "cannot listen on %s: %s", path, strerror(errno));
	return 0;
}

static int set_mode(const struct listeners *l, int k, gid_t gid, struct cs_err *err)
{
	const char *path = l->addr[k].sun_path;

	if (chown(path, (uid_t)-1, gid) < 0 || chmod(path, socket_modes[k]) < 0)
		return cs_err_set(err, errno, "cannot set the mode of %s: %s", path, strerror(errno));
	return 0;
}

int listeners_open(struct listeners *l, const char *dir, gid_t admin_gid, struct cs_err *err)
{
	int r;

	for (int k = 0; k < CONN_SOCKETS; k++) {
		l->watch[k].kind = WATCH_LISTENER;
		l->fd[k] = -1;
	}
	l->activated = false;
	r = from_systemd(l, err);
	if (r < 0)
		return r;
	if (r == 0) {
		dir = cs_runtime_dir(dir);
		r = check_runtime_dir(dir, err);
		for (int k = 0; k < CONN_SOCKETS && !r; k++)
			r = cs_socket_addr(dir, socket_names[k], &l->addr[k], err) ?:
			    make_socket(l, k, err);
	} else {
		r = 0;
	}
	for (int k = 0; k < CONN_SOCKETS && !r; k++)
		r = set_mode(l, k, k == CONN_ADMIN ? admin_gid : getegid(), err);
	if (!r)
		log_msg(LOG_NOTICE, "%s %s and %s", l->activated ? "socket-activated on" : "listening on",
			l->addr[CONN_ADMIN].sun_path, l->addr[CONN_QUERY].sun_path);
	return r;
}

void listeners_close(struct listeners *l)
{
	for (int k = 0; k < CONN_SOCKETS; k++) {
		if (l->fd[k] < 0)
			continue;
		close(l->fd[k]);
		l->fd[k] = -1;
		if (!l->activated)
			unlink(l->addr[k].sun_path);
	}
}
