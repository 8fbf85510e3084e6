/* The messages on credstored's user sockets: the admin socket and the
 * query socket, AF_UNIX SOCK_SEQPACKET in the runtime directory
 * (/run/credstore by default), one message per datagram.  A message is an
 * nlmsghdr of type CREDSTORE_USERSOCK_TYPE, a genlmsghdr and CREDSTORE_A_*
 * attributes (the framing is documented in credstore_admin.h), built and
 * parsed with libnl.  The client half connects, checks
 * who listens (SO_PEERCRED) before it sends anything, and waits for the
 * answer; the daemon half parses requests and builds answers, which the
 * daemon's connections (daemon/conn.h) send. */
#ifndef CREDSTORE_USERSOCK_H
#define CREDSTORE_USERSOCK_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "error.h"

/* Where the sockets are: DIR/admin and DIR/query.  A client takes the
 * directory it is given, else $CREDSTORE_RUNTIME_DIR, else the default. */
#define CS_RUNTIME_DIR_DEFAULT	"/run/credstore"
#define CS_RUNTIME_DIR_ENV	"CREDSTORE_RUNTIME_DIR"
#define CS_ADMIN_SOCKET		"admin"
#define CS_QUERY_SOCKET		"query"

/* The largest datagram a privileged sender forces its socket buffer to:
 * a whole batch, the hard limit of one admin request. */
#define CS_USERSOCK_BUFSIZE	(4 << 20)
#define CS_USERSOCK_REQUEST_MAX	CS_USERSOCK_BUFSIZE
/* The largest request the query socket reads: a query is a name, a
 * fingerprint or a secret. */
#define CS_USERSOCK_QUERY_MAX	(64 << 10)
/* The largest attribute (nla_len is 16 bits): longer data, such as a
 * backup, travels as several attributes of the same type, in order. */
#define CS_USERSOCK_ATTR_MAX	65000
/* Entries per dump page; the client asks again after the last key. */
#define CS_USERSOCK_DUMP_PAGE	CREDSTORE_USERSOCK_DUMP_PAGE

/* The attribute policy of every CREDSTORE_A_* attribute, for parsing. */
extern struct nla_policy cs_usersock_policy[CREDSTORE_ADMIN_A_MAX + 1];
/* Free a message that may hold a secret, key or passphrase: wiped first. */
void cs_msg_wipe_free(struct nl_msg *msg);
/* What a person calls an attribute ("device id"), for messages. */
const char *cs_usersock_attr_name(int type);

/* The runtime directory: dir when set, else $CREDSTORE_RUNTIME_DIR, else
 * CS_RUNTIME_DIR_DEFAULT. */
const char *cs_runtime_dir(const char *dir);
/* The address of socket name (CS_ADMIN_SOCKET, CS_QUERY_SOCKET) in the
 * runtime directory dir (as cs_runtime_dir); -ENAMETOOLONG with err set
 * when the path does not fit in sun_path. */
int cs_socket_addr(const char *dir, const char *name, struct sockaddr_un *sa, struct cs_err *err);

/* ---- daemon side ---- */

struct cs_request {
	struct nlmsghdr *nlh;		/* points into buf */
	struct genlmsghdr *genl;
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	struct ucred cred;		/* the connection's SO_PEERCRED */
	uint64_t conn;			/* the daemon's id of the connection */
	unsigned char *buf;		/* the datagram, owned */
	size_t len;
};

/* Parse the datagram req->buf (req->len bytes) as a request.  1: req
 * filled; 0: it is not a well-formed request (err says why;
 * cs_reply_error may still answer it when req->nlh is set). */
int cs_request_parse(struct cs_request *req, struct cs_err *err);
/* Wipes (requests carry secrets and passwords) and frees the datagram. */
void cs_request_release(struct cs_request *req);

/* A reply to req: flags 0 for a single answer, NLM_F_MULTI for a part of
 * a dump.  NULL when out of memory. */
struct nl_msg *cs_reply_new(const struct cs_request *req, int flags);
/* A copy of msg just its size: for answers kept until the end of a
 * command (the parts of a batch's answer). */
struct nl_msg *cs_reply_copy(const struct cs_request *req, struct nl_msg *msg);
/* The error answer to req (req NULL: about the connection, seq 0), and
 * the NLMSG_DONE that ends an answer in parts. */
struct nl_msg *cs_reply_error(const struct cs_request *req, const struct cs_err *err);
struct nl_msg *cs_reply_done(const struct cs_request *req);

/* ---- client side ---- */

struct cs_client {
	int fd;				/* connected to the daemon, -1: not */
	int timeout_ms;			/* of each wait for a reply */
	uint32_t seq;			/* of the last request */
};

/* Connect to socket name (CS_ADMIN_SOCKET or CS_QUERY_SOCKET) in the
 * runtime directory dir (see cs_runtime_dir), and check who listens
 * before anything is sent: root or daemon_uid, else -ECONNREFUSED and
 * nothing is sent.  timeout_ms bounds the connect and each wait. */
int cs_client_open(struct cs_client *c, const char *dir, const char *name, uid_t daemon_uid,
		   int timeout_ms, struct cs_err *err);
void cs_client_close(struct cs_client *c);

/* A request for cmd; add attributes with nla_put_*(). */
struct nl_msg *cs_client_request(uint8_t cmd, int flags);

/* Called for each reply (or each part of a dump) with its attributes.
 * Return 0 to go on, negative to stop with that error. */
typedef int (*cs_reply_fn)(struct nlattr **tb, void *arg);

/* Send req (freed) and feed the answer(s) to fn.  With a message:
 * -ECONNREFUSED / -ETIMEDOUT / -EPIPE when the request could not be sent
 * (the daemon is not there, or went away); -ECONNABORTED / -ETIME when it
 * was sent and no answer came (the daemon closed the connection, or took
 * longer than the timeout): what it asked may or may not have been done;
 * the daemon's errno and message when it refused (-EINPROGRESS: a change
 * whose outcome is unknown). */
int cs_client_transact(struct cs_client *c, struct nl_msg *req, cs_reply_fn fn,
		       void *arg, struct cs_err *err);

/* A whole dump, page by page: each page is a request for cmd with
 * NLM_F_DUMP and, after the first, cursor_attr set to the string key of
 * the last entry received (which fn's tb[cursor_attr] carries). */
int cs_client_dump(struct cs_client *c, uint8_t cmd, int cursor_attr,
		   cs_reply_fn fn, void *arg, struct cs_err *err);

/* Receive one datagram on fd into a buffer of its size (*out; free it
 * with OPENSSL_clear_free: it may hold a key): its length, 0 when the
 * peer closed, or a negative errno.  flags: 0 or MSG_DONTWAIT. */
ssize_t cs_recv_datagram(int fd, unsigned char **out, int flags);

#endif
