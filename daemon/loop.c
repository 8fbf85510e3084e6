#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "log.h"
#include "loop.h"
#include "publisher.h"

#define EVENTS_PER_TURN		64
#define ACCEPTS_PER_TURN	64
/* Out of descriptors: stop accepting for this long rather than spin. */
#define ACCEPT_PAUSE_MS		1000

/* Root's and the admin group's work comes first: the admin listener and
 * connections are in an epoll set of their own (admin_epfd, itself
 * watched by epfd), served before each thing that waits on the query
 * side, anyone's. */
struct loop {
	struct daemon *d;
	struct listeners *l;
	int epfd;			/* the query side, the signals, the publisher */
	int admin_epfd;			/* the admin side */
	int signal_fd;
	struct watch signal_watch, publisher_watch, admin_watch;
	int64_t accept_paused_until;	/* 0: accepting */
	unsigned long accept_failures;
};

static int watch_fd(int epfd, int op, int fd, struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return fd < 0 ? 0 : epoll_ctl(epfd, op, fd, &ev);
}

static int watch_listeners(struct loop *lp, int op)
{
	return watch_fd(lp->admin_epfd, op, lp->l->fd[CONN_ADMIN], &lp->l->watch[CONN_ADMIN]) ||
	       watch_fd(lp->epfd, op, lp->l->fd[CONN_QUERY], &lp->l->watch[CONN_QUERY]);
}

struct loop *loop_new(struct daemon *d, struct listeners *l, const struct conn_limits *limits,
		      int signal_fd, struct cs_err *err)
{
	struct loop *lp = calloc(1, sizeof(*lp));

	if (!lp) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	*lp = (struct loop){ .d = d, .l = l, .signal_fd = signal_fd,
			     .signal_watch = { WATCH_SIGNAL }, .publisher_watch = { WATCH_PUBLISHER },
			     .admin_watch = { WATCH_ADMIN } };
	lp->epfd = epoll_create1(EPOLL_CLOEXEC);
	lp->admin_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (lp->epfd < 0 || lp->admin_epfd < 0 ||
	    !(d->conns = conns_new((const int[CONN_SOCKETS]){ [CONN_ADMIN] = lp->admin_epfd,
							       [CONN_QUERY] = lp->epfd },
				   limits)) ||
	    watch_fd(lp->epfd, EPOLL_CTL_ADD, lp->admin_epfd, &lp->admin_watch) < 0 ||
	    watch_listeners(lp, EPOLL_CTL_ADD) < 0 ||
	    watch_fd(lp->epfd, EPOLL_CTL_ADD, signal_fd, &lp->signal_watch) < 0 ||
	    watch_fd(lp->epfd, EPOLL_CTL_ADD, d->publisher ? publisher_fd(d->publisher) : -1,
		     &lp->publisher_watch) < 0) {
		cs_err_set(err, errno ? errno : ENOMEM, "cannot set up the event loop: %s",
			   strerror(errno ? errno : ENOMEM));
		loop_free(lp);
		return NULL;
	}
	return lp;
}

void loop_free(struct loop *lp)
{
	if (!lp)
		return;
	conns_free(lp->d->conns);
	lp->d->conns = NULL;
	if (lp->epfd >= 0)
		close(lp->epfd);
	if (lp->admin_epfd >= 0)
		close(lp->admin_epfd);
	free(lp);
}

static void pause_accepting(struct loop *lp, int code)
{
	if (log_sample(&lp->accept_failures))
		log_msg(LOG_WARNING, "cannot accept connections: %s; pausing for %d ms (%lu so far)",
			strerror(code), ACCEPT_PAUSE_MS, lp->accept_failures);
	watch_listeners(lp, EPOLL_CTL_DEL);
	lp->accept_paused_until = monotonic_ms() + ACCEPT_PAUSE_MS;
}

static void resume_accepting(struct loop *lp)
{
	if (!lp->accept_paused_until || monotonic_ms() < lp->accept_paused_until)
		return;
	lp->accept_paused_until = 0;
	watch_listeners(lp, EPOLL_CTL_ADD);
}

static void accept_waiting(struct loop *lp, const struct watch *w)
{
	enum conn_socket k = w == &lp->l->watch[CONN_ADMIN] ? CONN_ADMIN : CONN_QUERY;
	struct conn *c;
	int r = 1;

	for (int i = 0; i < ACCEPTS_PER_TURN && r > 0; i++) {
		r = conns_accept(lp->d->conns, lp->l->fd[k], k, &c);
		if (c)
			server_accepted(lp->d, c);
	}
	if (r < 0)
		pause_accepting(lp, -r);
}

/* One datagram: a request, or the end of the connection.  Whoever sends
 * something else is not a client; what it may repeat at will is logged
 * sparingly. */
static void read_request(struct loop *lp, struct conn *c)
{
	static unsigned long oversized, garbage;
	size_t max = c->subscribed ? 0 : c->socket == CONN_ADMIN ? CS_USERSOCK_REQUEST_MAX
								 : CS_USERSOCK_QUERY_MAX;
	unsigned char *buf;
	ssize_t n = conn_read(c, &buf, max);

	if (n > 0)
		server_request(lp->d, c, buf, (size_t)n);
	else if (n == -EMSGSIZE && !c->subscribed && log_sample(&oversized))
		log_msg(LOG_WARNING, "uid %u (pid %d): a datagram over %zu bytes: connection closed "
			"(%lu so far)", (unsigned int)c->cred.uid, (int)c->cred.pid, max, oversized);
	else if (n == -EPROTO && !c->subscribed && log_sample(&garbage))
		log_msg(LOG_WARNING, "uid %u (pid %d): not a credstore request: connection closed "
			"(%lu so far)", (unsigned int)c->cred.uid, (int)c->cred.pid, garbage);
	if (n < 0)
		conn_close(c, NULL);
}

static void conn_event(struct loop *lp, struct conn *c, uint32_t events)
{
	if (c->closing)
		return;
	if (events & EPOLLOUT)
		conn_flush(c);
	if (!c->closing && (events & EPOLLIN) && conn_may_read(c))
		read_request(lp, c);
	/* Gone with answers still waiting that it will never read. */
	else if (!c->closing && (events & (EPOLLHUP | EPOLLERR)))
		conn_close(c, NULL);
}

/* 1: a signal other than SIGHUP. */
static int read_signal(struct loop *lp)
{
	struct signalfd_siginfo si;

	if (read(lp->signal_fd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo == SIGHUP)
		return 0;
	log_msg(LOG_NOTICE, "signal %u: shutting down", si.ssi_signo);
	return 1;
}

static int wait_ms(struct loop *lp, int timeout_ms)
{
	int stall = conns_tick(lp->d->conns);
	int wait = timeout_ms;

	if (stall >= 0 && (wait < 0 || stall < wait))
		wait = stall;
	if (lp->accept_paused_until) {
		int64_t left = lp->accept_paused_until - monotonic_ms();
		int pause = left > 0 ? (int)left : 0;

		if (wait < 0 || pause < wait)
			wait = pause;
	}
	return wait;
}

static int handle_event(struct loop *lp, struct watch *w, uint32_t events)
{
	switch (w->kind) {
	case WATCH_LISTENER:
		if (!lp->accept_paused_until)
			accept_waiting(lp, w);
		return 0;
	case WATCH_CONN:
		conn_event(lp, (struct conn *)w, events);
		return 0;
	case WATCH_SIGNAL:
		return read_signal(lp);
	case WATCH_PUBLISHER:
		publisher_handle(lp->d->publisher);
		return 0;
	case WATCH_ADMIN:
		return 0;	/* served before everything else: serve_admin() */
	}
	return 0;
}

/* Whatever waits on the admin side, without waiting for more. */
static void serve_admin(struct loop *lp)
{
	struct epoll_event ev[EVENTS_PER_TURN];
	int n = epoll_wait(lp->admin_epfd, ev, EVENTS_PER_TURN, 0);

	for (int i = 0; i < n && !lp->d->failed; i++)
		handle_event(lp, ev[i].data.ptr, ev[i].events);
}

int loop_once(struct loop *lp, int timeout_ms)
{
	struct epoll_event ev[EVENTS_PER_TURN];
	int n, stop = 0;

	n = epoll_wait(lp->epfd, ev, EVENTS_PER_TURN, wait_ms(lp, timeout_ms));
	resume_accepting(lp);
	serve_admin(lp);
	for (int i = 0; i < n && !lp->d->failed; i++) {	/* failed: no store to serve */
		stop |= handle_event(lp, ev[i].data.ptr, ev[i].events);
		serve_admin(lp);
	}
	return stop;
}

void loop_run(struct loop *lp, int upkeep_ms, void (*upkeep)(struct daemon *d))
{
	int64_t due = monotonic_ms() + upkeep_ms;

	for (;;) {
		int64_t now = monotonic_ms();

		if (now >= due) {
			upkeep(lp->d);
			due = now + upkeep_ms;
		}
		if (loop_once(lp, (int)(due - now)) == 1 || lp->d->failed)
			return;
	}
}
