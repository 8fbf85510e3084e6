/* credstored's event loop: one epoll over the listening sockets, the
 * connections, the publisher's socket and the signals.  Each turn accepts
 * what waits, reads at most one request from each connection that may be
 * read (so that none goes before the others for long), writes what the
 * kernel takes, closes what stalled, and does the store's upkeep when it
 * is due. */
#ifndef CREDSTORE_LOOP_H
#define CREDSTORE_LOOP_H

#include "listen.h"
#include "server.h"

struct loop;

/* The loop of d over the listeners l (kept open by the caller);
 * signal_fd (-1: none) ends loop_run.  Makes d->conns. */
struct loop *loop_new(struct daemon *d, struct listeners *l, const struct conn_limits *limits,
		      int signal_fd, struct cs_err *err);
void loop_free(struct loop *lp);
/* One turn, waiting at most timeout_ms (-1: until something happens, or
 * a connection stalls): 1 when a signal asks to stop. */
int loop_once(struct loop *lp, int timeout_ms);
/* Turns until a signal asks to stop (or the daemon failed: d->failed),
 * with upkeep (the store's) every upkeep_ms. */
void loop_run(struct loop *lp, int upkeep_ms, void (*upkeep)(struct daemon *d));

#endif
