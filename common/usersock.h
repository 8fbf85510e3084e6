/* The NETLINK_USERSOCK transport between credstored and its clients
 * (credctl, libcredstore's fallback when the module is absent).  The
 * framing is documented in credstore_admin.h: every
 * message is an nlmsghdr of type CREDSTORE_USERSOCK_TYPE, a genlmsghdr and
 * CREDSTORE_A_* attributes, built and parsed with libnl. */
#ifndef CREDSTORE_USERSOCK_H
#define CREDSTORE_USERSOCK_H

#include <stdint.h>
#include <sys/types.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "error.h"

/* Socket buffers: large enough for a whole backup or a full page of a
 * dump in one datagram. */
#define CS_USERSOCK_BUFSIZE	(4 << 20)
/* The largest request (a batch): the hard limit of one admin message. */
#define CS_USERSOCK_REQUEST_MAX	CS_USERSOCK_BUFSIZE
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

/* ---- daemon side ---- */

/* Bind the daemon's port.  NULL and a clear message when it is taken. */
struct nl_sock *cs_usersock_listen(struct cs_err *err);

struct cs_request {
	struct nlmsghdr *nlh;		/* points into buf */
	struct genlmsghdr *genl;
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	struct ucred cred;		/* from SCM_CREDENTIALS */
	uint32_t port;			/* the sender's port, replies go there */
	unsigned char *buf;
	size_t len;
};

/* Receive one request.  1: *req filled (cs_request_release it); 0: the
 * datagram was not a well-formed request (err says why, and
 * cs_usersock_send_error may still answer it when req->nlh is set);
 * negative: a socket error. */
int cs_usersock_recv_request(struct nl_sock *sk, struct cs_request *req, struct cs_err *err);
/* Wipes (requests carry secrets and passwords) and frees. */
void cs_request_release(struct cs_request *req);

/* A reply message addressed to the requester: flags 0 for a single
 * answer, NLM_F_MULTI for a part of a dump. */
struct nl_msg *cs_reply_new(const struct cs_request *req, int flags);
/* A copy of msg just its size, addressed to the requester: for answers
 * kept until the end of a command (the parts of a batch's answer). */
struct nl_msg *cs_reply_copy(const struct cs_request *req, struct nl_msg *msg);
/* Send, wipe (answers carry keys and secrets) and free msg. */
int cs_usersock_send(struct nl_sock *sk, struct nl_msg *msg);
int cs_usersock_send_error(struct nl_sock *sk, const struct cs_request *req,
			   const struct cs_err *err);
int cs_usersock_send_done(struct nl_sock *sk, const struct cs_request *req);

/* ---- client side ---- */

struct cs_client {
	struct nl_sock *sk;
	uid_t daemon_uid;		/* replies from any other uid are dropped */
	int timeout_ms;			/* of each wait for a reply */
};

/* Open a client socket (SO_PASSCRED on).  timeout_ms bounds each wait. */
int cs_client_open(struct cs_client *c, uid_t daemon_uid, int timeout_ms, struct cs_err *err);
void cs_client_close(struct cs_client *c);

/* A request for cmd; add attributes with nla_put_*(). */
struct nl_msg *cs_client_request(uint8_t cmd, int flags);

/* Called for each reply (or each part of a dump) with its attributes.
 * Return 0 to go on, negative to stop with that error. */
typedef int (*cs_reply_fn)(struct nlattr **tb, void *arg);

/* Send req (freed) and feed the answer(s) to fn.  -ECONNREFUSED /
 * -ETIMEDOUT with a message when the daemon is not there; the daemon's
 * errno and message when it refused. */
int cs_client_transact(struct cs_client *c, struct nl_msg *req, cs_reply_fn fn,
		       void *arg, struct cs_err *err);

/* A whole dump, page by page: each page is a request for cmd with
 * NLM_F_DUMP and, after the first, cursor_attr set to the string key of
 * the last entry received (which fn's tb[cursor_attr] carries). */
int cs_client_dump(struct cs_client *c, uint8_t cmd, int cursor_attr,
		   cs_reply_fn fn, void *arg, struct cs_err *err);

#endif
