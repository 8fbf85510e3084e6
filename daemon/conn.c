#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <openssl/crypto.h>

#include "conn.h"
#include "log.h"

/* What a notification may take of a subscriber's socket buffer (its
 * datagram's truesize is well under): room for one more is always kept
 * for the SNAPSHOT that says events were lost. */
#define EVENT_ROOM	4096

struct out_msg {
	struct out_msg *next;
	struct nl_msg *msg;
	bool ends_answer;
};

struct conns {
	int epfd[CONN_SOCKETS];
	struct conn_limits limits;
	struct conn *live;
	struct conn *closed;		/* freed at the next conns_tick */
	uint64_t next_id;
	uid_t self;
	unsigned long refused;		/* connections over a uid's cap */
};

int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct conns *conns_new(const int epfd[CONN_SOCKETS], const struct conn_limits *limits)
{
	struct conns *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	memcpy(set->epfd, epfd, sizeof(set->epfd));
	set->limits = *limits;
	set->next_id = 1;
	set->self = geteuid();
	return set;
}

static void free_queue(struct conn *c)
{
	while (c->head) {
		struct out_msg *m = c->head;

		c->head = m->next;
		cs_msg_wipe_free(m->msg);
		free(m);
	}
	c->last = NULL;
	c->queued = 0;
	c->answers = 0;
}

static void unlink_conn(struct conn *c)
{
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
}

static void push_conn(struct conn **list, struct conn *c)
{
	c->next = *list;
	if (c->next)
		c->next->pprev = &c->next;
	*list = c;
	c->pprev = list;
}

void conn_close(struct conn *c, const char *why)
{
	if (c->closing)
		return;
	if (why)
		log_msg(LOG_NOTICE, "uid %u (pid %d): connection closed: %s", (unsigned int)c->cred.uid,
			(int)c->cred.pid, why);
	c->closing = true;
	free_queue(c);
	epoll_ctl(c->set->epfd[c->socket], EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	unlink_conn(c);
	push_conn(&c->set->closed, c);
}

static void free_closed(struct conns *set)
{
	while (set->closed) {
		struct conn *c = set->closed;

		set->closed = c->next;
		free(c);
	}
}

void conns_free(struct conns *set)
{
	if (!set)
		return;
	while (set->live)
		conn_close(set->live, NULL);
	free_closed(set);
	free(set);
}

bool conn_may_read(const struct conn *c)
{
	return !c->closing && c->answers < c->set->limits.outstanding;
}

/* Read while fewer answers wait than the cap; write while any wait. */
static void update_epoll(struct conn *c)
{
	uint32_t want = (conn_may_read(c) ? EPOLLIN : 0) | (c->head ? EPOLLOUT : 0);
	struct epoll_event ev = { .events = want, .data.ptr = &c->watch };

	if (c->closing || want == c->epoll_events)
		return;
	if (epoll_ctl(c->set->epfd[c->socket], EPOLL_CTL_MOD, c->fd, &ev) < 0)
		conn_close(c, "cannot watch the connection");
	else
		c->epoll_events = want;
}

static unsigned int uid_connections(const struct conns *set, uid_t uid)
{
	unsigned int n = 0;

	for (const struct conn *c = set->live; c; c = c->next)
		n += c->cred.uid == uid;
	return n;
}

/* Told why before it is closed: an error about the connection (seq 0). */
static void refuse(struct conns *set, int fd, const struct ucred *cred)
{
	struct cs_err err = { 0 };
	struct nl_msg *msg;

	cs_err_set(&err, EUSERS, "too many connections from uid %u (at most %u)",
		   (unsigned int)cred->uid, set->limits.per_uid);
	msg = cs_reply_error(NULL, &err);
	if (msg)
		(void)send(fd, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, MSG_DONTWAIT | MSG_NOSIGNAL);
	nlmsg_free(msg);
	close(fd);
	if (log_sample(&set->refused))
		log_msg(LOG_WARNING, "uid %u (pid %d): %s; %lu refused so far",
			(unsigned int)cred->uid, (int)cred->pid, err.msg, set->refused);
}

int conns_accept(struct conns *set, int listen_fd, enum conn_socket socket, struct conn **out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return errno == EAGAIN ? 0 : errno == ECONNABORTED ? 1 : -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return 1;
	}
	if (cred.uid != 0 && cred.uid != set->self &&
	    uid_connections(set, cred.uid) >= set->limits.per_uid) {
		refuse(set, fd, &cred);
		return 1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	*c = (struct conn){ .watch = { WATCH_CONN }, .fd = fd, .id = set->next_id++,
			    .socket = socket, .cred = cred, .set = set, .epoll_events = EPOLLIN };
	ev.data.ptr = &c->watch;
	if (epoll_ctl(set->epfd[socket], EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		close(fd);
		free(c);
		return r;
	}
	push_conn(&set->live, c);
	*out = c;
	return 1;
}

struct conn *conns_find(struct conns *set, uint64_t id)
{
	for (struct conn *c = set->live; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

struct conn *conns_first(struct conns *set)
{
	return set->live;
}

int conns_tick(struct conns *set)
{
	int64_t now = monotonic_ms();
	int next = -1;

	for (struct conn *c = set->live, *n; c; c = n) {
		int64_t left = c->moved_ms + set->limits.stall_ms - now;

		n = c->next;
		if (!c->head)
			continue;
		if (left <= 0)
			conn_close(c, "it did not read its answers");
		else if (next < 0 || left < next)
			next = (int)left;
	}
	free_closed(set);
	return next;
}

bool conn_in_group(const struct conn *c, gid_t gid)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(small);
	bool found = false;
	int r = getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);

	if (r < 0 && errno == ERANGE && (groups = malloc(len)))
		r = getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);
	for (size_t i = 0; r == 0 && i < len / sizeof(gid_t) && !found; i++)
		found = groups[i] == gid;
	if (groups != small)
		free(groups);
	return found || c->cred.gid == gid;
}

/* A request's first bytes, looked at before the rest is copied: garbage
 * costs the daemon no more than this. */
static bool request_header(const struct nlmsghdr *nlh, size_t len)
{
	return len >= NLMSG_HDRLEN + GENL_HDRLEN && nlh->nlmsg_len == len &&
	       nlh->nlmsg_type == CREDSTORE_USERSOCK_TYPE && (nlh->nlmsg_flags & NLM_F_REQUEST);
}

ssize_t conn_read(struct conn *c, unsigned char **buf, size_t max)
{
	struct nlmsghdr nlh = { 0 };
	ssize_t len, n;

	*buf = NULL;
	/* MSG_TRUNC: the whole datagram's length, whatever was copied. */
	len = recv(c->fd, &nlh, sizeof(nlh), MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (len == 0)
		return -EPIPE;		/* closed (or an empty datagram: not a request either) */
	if ((size_t)len > max)
		return -EMSGSIZE;
	if (!request_header(&nlh, (size_t)len))
		return -EPROTO;
	*buf = malloc((size_t)len);
	if (!*buf)
		return -ENOMEM;
	n = recv(c->fd, *buf, (size_t)len, MSG_DONTWAIT);
	if (n != len) {
		OPENSSL_clear_free(*buf, (size_t)len);
		*buf = NULL;
		return n < 0 ? -errno : -EPROTO;
	}
	return len;
}

/* 1: the kernel took it; 0: no room now; negative: the connection is
 * broken. */
static int send_now(struct conn *c, const struct nlmsghdr *nlh)
{
	if (send(c->fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)nlh->nlmsg_len)
		return 1;
	return errno == EAGAIN ? 0 : -errno;
}

static void broken(struct conn *c, int r)
{
	conn_close(c, r == -EPIPE || r == -ECONNRESET ? NULL : strerror(-r));
}

int conn_send(struct conn *c, struct nl_msg *msg)
{
	struct out_msg *m;
	int r;

	if (c->closing || !msg) {
		cs_msg_wipe_free(msg);
		if (!c->closing)
			conn_close(c, "out of memory for an answer");
		return -EPIPE;
	}
	r = c->head ? 0 : send_now(c, nlmsg_hdr(msg));
	if (r) {
		cs_msg_wipe_free(msg);
		if (r < 0)
			broken(c, r);
		return r < 0 ? -EPIPE : 0;
	}
	m = malloc(sizeof(*m));
	if (!m) {
		cs_msg_wipe_free(msg);
		conn_close(c, "out of memory for an answer");
		return -EPIPE;
	}
	*m = (struct out_msg){ .msg = msg };
	if (c->last)
		c->last->next = m;
	else {
		c->head = m;
		c->moved_ms = monotonic_ms();
	}
	c->last = m;
	c->queued += nlmsg_hdr(msg)->nlmsg_len;
	if (c->queued > c->set->limits.queue_max[c->socket]) {
		conn_close(c, "it does not read its answers (over the queue's bound)");
		return -EPIPE;
	}
	update_epoll(c);
	return 0;
}

void conn_answer_end(struct conn *c)
{
	if (c->closing || !c->last || c->last->ends_answer)
		return;
	c->last->ends_answer = true;
	c->answers++;
	update_epoll(c);
}

void conn_flush(struct conn *c)
{
	int r = 0;

	while (!c->closing && c->head && (r = send_now(c, nlmsg_hdr(c->head->msg))) > 0) {
		struct out_msg *m = c->head;

		c->head = m->next;
		if (!c->head)
			c->last = NULL;
		c->queued -= nlmsg_hdr(m->msg)->nlmsg_len;
		c->answers -= m->ends_answer;
		c->moved_ms = monotonic_ms();
		cs_msg_wipe_free(m->msg);
		free(m);
	}
	if (r < 0)
		broken(c, r);
	else
		update_epoll(c);
}

static bool event_room(struct conn *c)
{
	int sndbuf = 0, outq = 0;
	socklen_t len = sizeof(sndbuf);

	if (c->head || getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) < 0 ||
	    ioctl(c->fd, SIOCOUTQ, &outq) < 0)
		return false;
	return outq + 2 * EVENT_ROOM <= sndbuf;
}

void conn_send_event(struct conn *c, const struct nlmsghdr *event, const struct nlmsghdr *lost)
{
	struct nl_msg *copy;
	int r;

	if (c->closing)
		return;
	if (event_room(c)) {
		r = send_now(c, event);
		if (r > 0) {
			c->events_lost = false;
			return;
		}
		if (r < 0) {
			broken(c, r);
			return;
		}
	}
	if (c->events_lost)
		return;
	/* Everything dropped from here on happened before the subscriber
	 * reads this, its last datagram until there is room again. */
	c->events_lost = true;
	copy = nlmsg_convert((struct nlmsghdr *)lost);
	conn_send(c, copy);
}
