/* libcredstore's connection: one request at a time to the kernel family
 * or, where the module is absent, to credstored's query socket
 * (common/usersock.h). */
#ifndef CREDSTORE_CONN_H
#define CREDSTORE_CONN_H

#include <stdbool.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "credstore/credstore.h"
#include "error.h"
#include "usersock.h"

struct verdict_cache;

struct credstore {
	enum credstore_transport transport;	/* KERNEL or DAEMON, never AUTO */
	struct nl_sock *sk;			/* kernel: the genl socket */
	int family;				/* kernel: the family id */
	struct cs_client daemon;		/* daemon: the query socket */
	/* kernel: a client of the daemon too, opened for what only the
	 * daemon serves (CRLs); fd -1 until then */
	struct cs_client side;
	char *runtime_dir;			/* the daemon's (NULL: default) */
	uid_t daemon_uid;			/* who the daemon runs as */
	int timeout_ms;
	struct verdict_cache *verdicts;		/* with CREDSTORE_CACHE_VERDICTS */
	struct cs_err err;			/* the last failure */
};

/* A request for cmd on the connection's transport; add attributes with
 * nla_put_*().  NULL when out of memory. */
struct nl_msg *cs_conn_request(struct credstore *cs, uint8_t cmd, int flags);

/* Send req (freed) and feed each reply's attributes to fn (NULL: no
 * reply expected but the acknowledgement).  Errors land in cs->err. */
int cs_conn_transact(struct credstore *cs, struct nl_msg *req, cs_reply_fn fn, void *arg);

/* A client of credstored, whatever the transport (for its own queries). */
int cs_conn_daemon(struct credstore *cs, struct cs_client **out);

/* A whole dump of cmd, whichever way the transport pages it. */
int cs_conn_dump(struct credstore *cs, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg);

#endif
