/* A proxied connection: the TLS handshake with the device, then the
 * plaintext both ways between it and the backend, without blocking. */
#ifndef TLSPROXY_RELAY_H
#define TLSPROXY_RELAY_H

#include <stdbool.h>

#include "proxy.h"

/* Take over an accepted, non-blocking socket.  peer names it in logs. */
void relay_start(struct proxy *px, int fd, const char *peer);

/* Free the connections closed while handling a batch of events (a later
 * event of the batch may still name one). */
void relay_reap(struct proxy *px);

/* Close the connections whose handshake and backend connection took
 * longer than px->setup_ms.  The milliseconds until the next such
 * deadline, for epoll_wait; -1 when there is none. */
int relay_expire(struct proxy *px);

/* Close the connections of the devices cut() says (a revoked device's
 * open sessions end with it); why ends the log line. */
void relay_cut_devices(struct proxy *px, bool (*cut)(void *arg, const char *device), void *arg,
		       const char *why);

/* Close every connection (at exit). */
void relay_close_all(struct proxy *px);

#endif
