/* One connection's life: TLS handshake (the admission happens inside it,
 * in libcredstore's verify callback), connect to the backend, then relay
 * both ways until the backend is done.  Everything is non-blocking and
 * driven by level-triggered epoll: on any event, pump() makes all the
 * progress it can, then asks only for the events that can unblock it. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <openssl/err.h>

#include "credstore/credstore.h"
#include "relay.h"

#define BUFFER_SIZE 16384

struct buffer {
	size_t start, end;
	unsigned char data[BUFFER_SIZE];
};

enum conn_state { HANDSHAKE, CONNECTING, RELAYING };

struct conn {
	struct proxy *px;
	struct conn *prev, *next;
	struct watch client_watch, backend_watch;
	int client_fd, backend_fd;
	uint32_t client_events, backend_events;	/* as registered */
	SSL *ssl;
	enum conn_state state;
	uint64_t deadline;			/* ms: relaying by then, or closed */
	int handshake_wants;			/* SSL_ERROR_WANT_READ or _WRITE */
	struct buffer up;			/* device -> backend */
	struct buffer down;			/* backend -> device */
	bool client_eof, backend_eof, up_shut;
	bool closed;
	char peer[64];
	char device[CREDSTORE_DEVICE_ID_MAX];	/* admitted as, after the handshake */
};

static size_t buffered(const struct buffer *b)
{
	return b->end - b->start;
}

static size_t room(const struct buffer *b)
{
	return sizeof(b->data) - b->end;
}

static void consume(struct buffer *b, size_t n)
{
	b->start += n;
	if (b->start == b->end)
		b->start = b->end = 0;
}

static void conn_close(struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->px->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	SSL_free(c->ssl);
	close(c->client_fd);
	if (c->backend_fd >= 0)
		close(c->backend_fd);
	c->closed = true;
	c->px->n_conns--;
	c->next = c->px->closed;
	c->px->closed = c;
}

void relay_reap(struct proxy *px)
{
	while (px->closed) {
		struct conn *c = px->closed;

		px->closed = c->next;
		free(c);
	}
}

static void no_delay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int start_backend(struct conn *c)
{
	struct proxy *px = c->px;

	c->backend_fd = socket(px->backend.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->backend_fd < 0 ||
	    (connect(c->backend_fd, (struct sockaddr *)&px->backend, px->backend_len) < 0 &&
	     errno != EINPROGRESS)) {
		proxy_log("%s: cannot connect to the backend: %s", c->peer, strerror(errno));
		return -1;
	}
	no_delay(c->backend_fd);
	c->backend_events = EPOLLOUT;
	if (proxy_watch(px, EPOLL_CTL_ADD, c->backend_fd, &c->backend_watch, EPOLLOUT) < 0)
		return -1;
	c->state = CONNECTING;
	return 1;
}

/* Why a handshake failed, in words for the log: the admission's verdict,
 * or the first error with its text (credstored's words when it did not
 * sign). */
static const char *refusal_reason(struct conn *c, int ssl_error, struct credstore_admission *adm)
{
	static char text[2 * CREDSTORE_MESSAGE_MAX];
	const char *data = NULL;
	int flags = 0;
	unsigned long err = ERR_peek_error_data(&data, &flags);

	if (credstore_ssl_get_admission(c->ssl, adm) == 0 && !adm->admitted)
		return adm->reason;
	if (ERR_GET_REASON(err) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
		return "the device sent no certificate";
	if (err && data && *data && (flags & ERR_TXT_STRING)) {
		snprintf(text, sizeof(text), "%s: %s", ERR_reason_error_string(err), data);
		return text;
	}
	if (err)
		return ERR_reason_error_string(err);
	if (ssl_error == SSL_ERROR_SYSCALL)
		return "the connection closed during the handshake";
	return "the handshake failed";
}

static int handshake(struct conn *c)
{
	struct credstore_admission adm;
	int ret, error;

	ERR_clear_error();
	ret = SSL_accept(c->ssl);
	if (ret == 1 && c->px->no_client_cert) {
		if (!c->px->quiet)
			proxy_log("accepted %s (no client certificate asked)", c->peer);
		return start_backend(c);
	}
	if (ret == 1) {
		if (credstore_ssl_get_admission(c->ssl, &adm) < 0 || !adm.admitted) {
			proxy_log("refused %s: no admission was made", c->peer);
			return -1;
		}
		snprintf(c->device, sizeof(c->device), "%s", adm.verdict.device_id);
		if (!c->px->quiet)
			proxy_log("admitted device %s (%s) from %s", adm.verdict.device_id,
				  adm.verdict.match == CREDSTORE_MATCH_MASTER ? "master" : "sub",
				  c->peer);
		return start_backend(c);
	}
	error = SSL_get_error(c->ssl, ret);
	if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
		c->handshake_wants = error;
		return 0;
	}
	proxy_log("refused %s: %s", c->peer, refusal_reason(c, error, &adm));
	ERR_clear_error();
	return -1;
}

static int backend_connected(struct conn *c)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->backend_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		proxy_log("%s: cannot connect to the backend: %s", c->peer, strerror(err ? err : errno));
		return -1;
	}
	len = sizeof(peer);
	if (getpeername(c->backend_fd, (struct sockaddr *)&peer, &len) < 0)
		return errno == ENOTCONN ? 0 : -1;
	c->state = RELAYING;
	return 1;
}

/* Device to backend.  1: progress, 0: blocked, -1: the connection is over. */
static int move_up(struct conn *c)
{
	int progress = 0;

	if (!c->client_eof && room(&c->up)) {
		int n;

		ERR_clear_error();	/* SSL_get_error() reads the whole queue */
		n = SSL_read(c->ssl, c->up.data + c->up.end, (int)room(&c->up));

		if (n > 0) {
			c->up.end += n;
			progress = 1;
		} else {
			int error = SSL_get_error(c->ssl, n);

			if (error == SSL_ERROR_ZERO_RETURN) {
				c->client_eof = true;
				progress = 1;
			} else if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
				return -1;
			}
		}
	}
	if (buffered(&c->up)) {
		ssize_t n = send(c->backend_fd, c->up.data + c->up.start, buffered(&c->up),
				 MSG_NOSIGNAL);

		if (n > 0) {
			consume(&c->up, n);
			progress = 1;
		} else if (errno != EAGAIN) {
			return -1;
		}
	}
	if (c->client_eof && !buffered(&c->up) && !c->up_shut) {
		shutdown(c->backend_fd, SHUT_WR);
		c->up_shut = true;
		progress = 1;
	}
	return progress;
}

/* Backend to device; over once the backend is done and all of it sent. */
static int move_down(struct conn *c)
{
	int progress = 0;

	if (!c->backend_eof && room(&c->down)) {
		ssize_t n = recv(c->backend_fd, c->down.data + c->down.end, room(&c->down), 0);

		if (n > 0) {
			c->down.end += n;
			progress = 1;
		} else if (n == 0) {
			c->backend_eof = true;
			progress = 1;
		} else if (errno != EAGAIN) {
			return -1;
		}
	}
	if (buffered(&c->down)) {
		int n;

		ERR_clear_error();
		n = SSL_write(c->ssl, c->down.data + c->down.start, (int)buffered(&c->down));

		if (n > 0) {
			consume(&c->down, n);
			progress = 1;
		} else {
			int error = SSL_get_error(c->ssl, n);

			if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE)
				return -1;
		}
	}
	if (c->backend_eof && !buffered(&c->down)) {
		SSL_shutdown(c->ssl);	/* close_notify, best effort */
		return -1;
	}
	return progress;
}

static int step(struct conn *c)
{
	int up, down;

	switch (c->state) {
	case HANDSHAKE:
		return handshake(c);
	case CONNECTING:
		return backend_connected(c);
	case RELAYING:
		up = move_up(c);
		down = up < 0 ? -1 : move_down(c);
		return up < 0 || down < 0 ? -1 : up | down;
	}
	return -1;
}

static int set_events(struct conn *c, int fd, struct watch *w, uint32_t *current, uint32_t want)
{
	if (fd < 0 || *current == want)
		return 0;
	*current = want;
	return proxy_watch(c->px, EPOLL_CTL_MOD, fd, w, want);
}

/* Ask only for the events that can unblock what pump() could not do. */
static int update_events(struct conn *c)
{
	uint32_t client = 0, backend = 0;

	switch (c->state) {
	case HANDSHAKE:
		client = c->handshake_wants == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN;
		break;
	case CONNECTING:
		backend = EPOLLOUT;
		break;
	case RELAYING:
		if (!c->client_eof && room(&c->up))
			client |= EPOLLIN;
		if (buffered(&c->down))
			client |= EPOLLOUT;
		if (!c->backend_eof && room(&c->down))
			backend |= EPOLLIN;
		if (buffered(&c->up))
			backend |= EPOLLOUT;
		break;
	}
	if (set_events(c, c->client_fd, &c->client_watch, &c->client_events, client) < 0 ||
	    set_events(c, c->backend_fd, &c->backend_watch, &c->backend_events, backend) < 0)
		return -1;
	return 0;
}

static void pump(struct conn *c)
{
	int ret;

	if (c->closed)
		return;
	while ((ret = step(c)) > 0)
		;
	if (ret < 0 || update_events(c) < 0)
		conn_close(c);
}

static void on_client(struct watch *w, uint32_t events)
{
	(void)events;
	pump((struct conn *)((char *)w - offsetof(struct conn, client_watch)));
}

static void on_backend(struct watch *w, uint32_t events)
{
	(void)events;
	pump((struct conn *)((char *)w - offsetof(struct conn, backend_watch)));
}

void relay_start(struct proxy *px, int fd, const char *peer)
{
	struct conn *c = px->ctx ? calloc(1, sizeof(*c)) : NULL;

	if (!px->ctx) {
		/* The identity was removed: nothing to serve it with. */
		proxy_log("refused %s: the identity is no longer in the store", peer);
		close(fd);
		return;
	}
	if (!c) {
		proxy_log("%s: out of memory", peer);
		close(fd);
		return;
	}
	c->px = px;
	px->n_conns++;
	c->deadline = proxy_now_ms() + px->setup_ms;
	c->client_fd = fd;
	c->backend_fd = -1;
	c->client_watch.on_event = on_client;
	c->backend_watch.on_event = on_backend;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	no_delay(fd);
	c->next = px->conns;
	if (c->next)
		c->next->prev = c;
	px->conns = c;
	c->client_events = EPOLLIN;
	c->ssl = SSL_new(px->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd) ||
	    proxy_watch(px, EPOLL_CTL_ADD, fd, &c->client_watch, EPOLLIN) < 0) {
		proxy_log("%s: out of memory", peer);
		conn_close(c);
	}
}

/* A device that connects and then says nothing (or a backend that does
 * not answer) would otherwise hold its connection, and its place under
 * --max-connections, for as long as TCP keeps it. */
int relay_expire(struct proxy *px)
{
	uint64_t now = proxy_now_ms(), next = UINT64_MAX;

	for (struct conn *c = px->conns, *n; c; c = n) {
		n = c->next;
		if (c->state == RELAYING)
			continue;
		if (c->deadline > now) {
			next = c->deadline < next ? c->deadline : next;
			continue;
		}
		proxy_log("refused %s: %s within %u s (--handshake-timeout)", c->peer,
			  c->state == HANDSHAKE ? "no TLS handshake" : "no backend connection",
			  px->setup_ms / 1000);
		conn_close(c);
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

void relay_cut_devices(struct proxy *px, bool (*cut)(void *arg, const char *device), void *arg,
		       const char *why)
{
	for (struct conn *c = px->conns, *n; c; c = n) {
		n = c->next;
		if (c->closed || !c->device[0] || !cut(arg, c->device))
			continue;
		proxy_log("closed %s: device %s %s", c->peer, c->device, why);
		conn_close(c);
	}
}

void relay_close_all(struct proxy *px)
{
	while (px->conns)
		conn_close(px->conns);
	relay_reap(px);
}
