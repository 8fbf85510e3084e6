/* credstored's client connections, on the admin and the query socket.
 * Nothing a client does may hold up the others: sockets are
 * non-blocking; answers the kernel does not take at once wait in a queue
 * of the connection's own, bounded in bytes and in answers (a connection
 * with too many answers waiting is not read until it takes them); a
 * connection whose answers stop moving is closed; one uid holds a bounded
 * number of connections.  Change notifications go to subscribers without
 * any queue: when a subscriber's socket is full they are dropped and one
 * SNAPSHOT notification, kept room for, says so. */
#ifndef CREDSTORE_CONN_H
#define CREDSTORE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "usersock.h"

/* The first member of everything the daemon's epoll watches. */
enum watch_kind { WATCH_LISTENER, WATCH_CONN, WATCH_SIGNAL, WATCH_PUBLISHER, WATCH_ADMIN };

struct watch {
	enum watch_kind kind;
};

enum conn_socket { CONN_ADMIN, CONN_QUERY, CONN_SOCKETS };

struct conn_limits {
	unsigned int per_uid;		/* connections of one uid (root and the daemon's own: any) */
	unsigned int outstanding;	/* answers waiting before the connection is not read */
	size_t queue_max[CONN_SOCKETS];	/* bytes waiting: beyond, the connection is closed */
	int stall_ms;			/* answers waiting that do not move this long: closed */
};

#define CONN_DEFAULT_PER_UID	32
#define CONN_OUTSTANDING	4
#define CONN_QUEUE_MAX_QUERY	(8u << 20)
#define CONN_QUEUE_MAX_ADMIN	(256u << 20)	/* an export is queued whole */
#define CONN_STALL_MS		10000

struct out_msg;

struct conn {
	struct watch watch;		/* WATCH_CONN */
	int fd;
	uint64_t id;			/* never reused while the daemon runs */
	enum conn_socket socket;
	struct ucred cred;		/* SO_PEERCRED, from connect() */
	bool admin;			/* root or the admin group (set by the server) */
	bool subscribed;		/* receives notifications, sends nothing more */
	/* The rest is conn.c's. */
	struct conns *set;
	struct conn *next, **pprev;
	struct out_msg *head, *last;	/* answers the kernel has not taken */
	size_t queued;			/* their bytes */
	unsigned int answers;		/* whole answers among them */
	int64_t moved_ms;		/* when the queue last moved */
	bool events_lost;		/* a SNAPSHOT notification is the last sent */
	bool closing;
	uint32_t epoll_events;
};

struct conns;

/* epfd[k]: the epoll set that watches the connections of socket k. */
struct conns *conns_new(const int epfd[CONN_SOCKETS], const struct conn_limits *limits);
void conns_free(struct conns *set);

/* Accept one connection on listen_fd: 1 when one was taken (*out, or
 * NULL when it was refused: over its uid's cap, told why and closed), 0
 * when none waits, a negative errno when accept() failed (EMFILE). */
int conns_accept(struct conns *set, int listen_fd, enum conn_socket socket, struct conn **out);
struct conn *conns_find(struct conns *set, uint64_t id);
/* Each live connection in turn: for (c = conns_first(set); c; c = c->next). */
struct conn *conns_first(struct conns *set);
/* Close connections whose answers did not move for stall_ms, free the
 * ones closed since the last call; the milliseconds until the next
 * connection may stall (-1: none waits). */
int conns_tick(struct conns *set);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t monotonic_ms(void);

/* Is the connection in the supplementary groups it had at connect()? */
bool conn_in_group(const struct conn *c, gid_t gid);
/* May the next request be read (fewer than limits.outstanding answers
 * waiting)? */
bool conn_may_read(const struct conn *c);
/* The next request (*buf: free with OPENSSL_clear_free): its length, 0
 * when there is none now, negative when the connection is to be closed:
 * -EPIPE the peer closed, -EMSGSIZE a datagram over max bytes, -EPROTO
 * one whose header is not a request's (the rest is never copied). */
ssize_t conn_read(struct conn *c, unsigned char **buf, size_t max);
/* Send msg (wiped and freed) now or queue it; 0, or -EPIPE when the
 * connection is closing (over its bound, or gone). */
int conn_send(struct conn *c, struct nl_msg *msg);
/* The answer to the request just handled is all sent or queued. */
void conn_answer_end(struct conn *c);
/* A notification to a subscriber (see the top of this file); lost is the
 * SNAPSHOT notification sent instead when there is no room. */
void conn_send_event(struct conn *c, const struct nlmsghdr *event, const struct nlmsghdr *lost);
/* The socket takes data again (EPOLLOUT). */
void conn_flush(struct conn *c);
/* Close (logged with why), freed at the next conns_tick. */
void conn_close(struct conn *c, const char *why);

#endif
