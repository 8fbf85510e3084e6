#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/socket.h>
#include <openssl/crypto.h>

#include "usersock.h"

#define BIN(max)	{ .type = NLA_UNSPEC, .maxlen = (max) }
#define STR(max)	{ .type = NLA_STRING, .maxlen = (max) }

struct nla_policy cs_usersock_policy[CREDSTORE_A_MAX + 1] = {
	[CREDSTORE_A_GENERATION] = { .type = NLA_U64 },
	[CREDSTORE_A_KIND] = { .type = NLA_U8 },
	[CREDSTORE_A_NAME] = STR(CREDSTORE_NAME_MAX),
	[CREDSTORE_A_DEVICE_ID] = STR(CREDSTORE_DEVICE_ID_MAX),
	[CREDSTORE_A_FINGERPRINT] = { .type = NLA_UNSPEC, .minlen = CREDSTORE_FINGERPRINT_LEN,
				      .maxlen = CREDSTORE_FINGERPRINT_LEN },
	[CREDSTORE_A_SECRET] = BIN(CREDSTORE_SECRET_MAX),
	[CREDSTORE_A_MATCH] = { .type = NLA_U8 },
	[CREDSTORE_A_CHAIN] = BIN(CREDSTORE_CHAIN_MAX),
	[CREDSTORE_A_KEY] = BIN(CREDSTORE_KEY_MAX),
	[CREDSTORE_A_MASTER_FP] = BIN(CREDSTORE_FINGERPRINT_LEN),
	[CREDSTORE_A_SUB_FP] = BIN(CREDSTORE_FINGERPRINT_LEN),
	[CREDSTORE_A_MASTER_SECRET] = BIN(CREDSTORE_SECRET_MAX),
	[CREDSTORE_A_SUB_SECRET] = BIN(CREDSTORE_SECRET_MAX),
	[CREDSTORE_A_FLAGS] = { .type = NLA_U32 },
	[CREDSTORE_A_RECORDS] = { .type = NLA_NESTED },
	[CREDSTORE_A_RECORD] = { .type = NLA_NESTED },
	[CREDSTORE_A_STATUS_IDENTITIES] = { .type = NLA_U32 },
	[CREDSTORE_A_STATUS_ANCHORS] = { .type = NLA_U32 },
	[CREDSTORE_A_STATUS_DEVICES] = { .type = NLA_U32 },
	[CREDSTORE_A_STATUS_PUBLISHER] = { .type = NLA_U8 },
	[CREDSTORE_A_STATUS_MAX_ENTRIES] = { .type = NLA_U32 },
	[CREDSTORE_A_STATUS_MAX_BYTES] = { .type = NLA_U32 },
	[CREDSTORE_A_STATUS_BYTES] = { .type = NLA_U32 },
	[CREDSTORE_A_MESSAGE] = STR(CREDSTORE_MESSAGE_MAX),
	[CREDSTORE_A_ERRNO] = { .type = NLA_U32 },
	[CREDSTORE_A_ADMIN_KEY_TYPE] = STR(16),
	[CREDSTORE_A_ADMIN_SUBJECT] = STR(512),
	[CREDSTORE_A_ADMIN_CSR] = BIN(16384),
	[CREDSTORE_A_ADMIN_PEM] = BIN(CS_USERSOCK_ATTR_MAX),
	[CREDSTORE_A_ADMIN_PASSWORD] = STR(1024),
	[CREDSTORE_A_ADMIN_ANCHOR] = STR(CREDSTORE_NAME_MAX),
	[CREDSTORE_A_ADMIN_MASTER] = { .type = NLA_FLAG },
	[CREDSTORE_A_ADMIN_GENERATE] = { .type = NLA_FLAG },
	[CREDSTORE_A_ADMIN_BLOB] = BIN(CS_USERSOCK_ATTR_MAX),
	[CREDSTORE_A_ADMIN_STORE] = { .type = NLA_NESTED },
	[CREDSTORE_A_ADMIN_CMD] = { .type = NLA_U8 },
	[CREDSTORE_A_ADMIN_REQUEST] = { .type = NLA_NESTED },
	[CREDSTORE_A_ADMIN_KEY_PEM] = BIN(4 * CREDSTORE_KEY_MAX),
	[CREDSTORE_A_ADMIN_PENDING_KEY] = BIN(CREDSTORE_KEY_MAX),
	[CREDSTORE_A_ADMIN_CLEAR] = { .type = NLA_FLAG },
	[CREDSTORE_A_EVENT] = { .type = NLA_U8 },
	[CREDSTORE_A_NOT_AFTER] = { .type = NLA_U64 },
	[CREDSTORE_A_MASTER_NOT_AFTER] = { .type = NLA_U64 },
	[CREDSTORE_A_SUB_NOT_AFTER] = { .type = NLA_U64 },
	[CREDSTORE_A_ADMIN_SAN] = STR(1024),
	[CREDSTORE_A_ADMIN_PKCS12] = BIN(CS_USERSOCK_ATTR_MAX),
	[CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK] = { .type = NLA_FLAG },
	[CREDSTORE_A_ADMIN_WARNING] = STR(CREDSTORE_MESSAGE_MAX),
	[CREDSTORE_A_CRL_LEN] = { .type = NLA_U32 },
	[CREDSTORE_A_CRL_ENTRIES] = { .type = NLA_U32 },
	[CREDSTORE_A_CRL_THIS_UPDATE] = { .type = NLA_U64 },
	[CREDSTORE_A_CRL_NEXT_UPDATE] = { .type = NLA_U64 },
	[CREDSTORE_A_CRL_PART] = { .type = NLA_U32 },
	[CREDSTORE_A_CRL_PARTS] = { .type = NLA_U32 },
};

/* libnl reports its own error codes; the tools speak errno. */
static int nlerr_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_OBJ_NOTFOUND:	return ECONNREFUSED;
	case NLE_AGAIN:		return ETIMEDOUT;
	case NLE_MSGSIZE:	return EMSGSIZE;
	case NLE_NOMEM:		return ENOMEM;
	case NLE_EXIST:		return EADDRINUSE;
	case NLE_PERM:		return EPERM;
	case NLE_INVAL:		return EINVAL;
	case NLE_RANGE:		return ERANGE;
	default:		return EIO;
	}
}

static int set_timeout(struct nl_sock *sk, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* The kernel caps SO_SNDBUF and SO_RCVBUF at net.core.wmem_max and
 * rmem_max (212992 by default): a privileged process (the daemon, credctl
 * as root) goes past that, so that a request of CS_USERSOCK_REQUEST_MAX
 * fits; others keep the cap (see check_send_size). */
static void force_buffers(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), size = CS_USERSOCK_BUFSIZE;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
}

static struct nl_sock *usersock_new(uint32_t port, struct cs_err *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (port)
		nl_socket_set_local_port(sk, port);
	nl_socket_disable_seq_check(sk);
	nl_socket_disable_auto_ack(sk);
	r = nl_connect(sk, NETLINK_USERSOCK);
	if (r < 0) {
		int code = nlerr_to_errno(r);

		if (code == EADDRINUSE)
			cs_err_set(err, code, "NETLINK_USERSOCK port %#x is taken: is another credstored running?",
				   port);
		else
			cs_err_set(err, code, "cannot open a NETLINK_USERSOCK socket: %s", nl_geterror(r));
		nl_socket_free(sk);
		return NULL;
	}
	nl_socket_enable_msg_peek(sk);
	if (nl_socket_set_passcred(sk, 1) < 0 ||
	    nl_socket_set_buffer_size(sk, CS_USERSOCK_BUFSIZE, CS_USERSOCK_BUFSIZE) < 0) {
		cs_err_set(err, EIO, "cannot configure the NETLINK_USERSOCK socket");
		nl_socket_free(sk);
		return NULL;
	}
	force_buffers(sk);
	return sk;
}

struct nl_sock *cs_usersock_listen(struct cs_err *err)
{
	struct nl_sock *sk = usersock_new(CREDSTORE_USERSOCK_PORT, err);

	/* A client that stops reading must not stall the daemon. */
	if (sk && set_timeout(sk, SO_SNDTIMEO, 2000) < 0) {
		nl_socket_free(sk);
		cs_err_set(err, errno, "cannot set the send timeout: %s", strerror(errno));
		return NULL;
	}
	return sk;
}

static const char *const attr_names[CREDSTORE_A_MAX + 1] = {
	[CREDSTORE_A_NAME] = "name",
	[CREDSTORE_A_DEVICE_ID] = "device id",
	[CREDSTORE_A_FINGERPRINT] = "fingerprint",
	[CREDSTORE_A_SECRET] = "secret",
	[CREDSTORE_A_CHAIN] = "certificate chain",
	[CREDSTORE_A_ADMIN_PEM] = "certificate input",
	[CREDSTORE_A_ADMIN_KEY_PEM] = "key input",
	[CREDSTORE_A_ADMIN_SUBJECT] = "subject",
	[CREDSTORE_A_ADMIN_PASSWORD] = "password",
	[CREDSTORE_A_ADMIN_ANCHOR] = "anchor name",
	[CREDSTORE_A_ADMIN_KEY_TYPE] = "key type",
	[CREDSTORE_A_ADMIN_SAN] = "subjectAltName list",
	[CREDSTORE_A_ADMIN_PKCS12] = "PKCS#12 input",
	[CREDSTORE_A_ADMIN_BLOB] = "data",
};

const char *cs_usersock_attr_name(int type)
{
	return type >= 0 && type <= CREDSTORE_A_MAX && attr_names[type] ? attr_names[type] : "an attribute";
}

/* Name the attribute that failed the policy: a person reads this. */
static void explain_bad_attr(struct nlmsghdr *nlh, struct cs_err *err)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_attr(pos, genlmsg_attrdata(nlmsg_data(nlh), 0), genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		int type = nla_type(pos);
		const struct nla_policy *p = type <= CREDSTORE_A_MAX ? &cs_usersock_policy[type] : NULL;
		const char *what = cs_usersock_attr_name(type);

		if (p && p->maxlen && nla_len(pos) > p->maxlen) {
			cs_err_set(err, ENAMETOOLONG, "the %s is too long (%d bytes; at most %d%s)", what,
				   nla_len(pos), p->maxlen, p->type == NLA_STRING ? " with its NUL" : "");
			return;
		}
		if (p && nla_len(pos) < p->minlen) {
			cs_err_set(err, EINVAL, "the %s is too short (%d bytes; at least %d)", what,
				   nla_len(pos), p->minlen);
			return;
		}
	}
	cs_err_set(err, EINVAL, "malformed request: an attribute has the wrong type or size");
}

int cs_usersock_recv_request(struct nl_sock *sk, struct cs_request *req, struct cs_err *err)
{
	struct sockaddr_nl peer;
	struct ucred *creds = NULL;
	int n, r;

	memset(req, 0, sizeof(*req));
	n = nl_recv(sk, &peer, &req->buf, &creds);
	if (n <= 0) {
		free(creds);
		return n == 0 ? -EAGAIN : -nlerr_to_errno(n);
	}
	req->port = peer.nl_pid;
	req->len = (size_t)n;
	if (creds)
		req->cred = *creds;
	free(creds);
	req->nlh = (struct nlmsghdr *)req->buf;
	if (!nlmsg_ok(req->nlh, n) || req->nlh->nlmsg_type != CREDSTORE_USERSOCK_TYPE ||
	    !(req->nlh->nlmsg_flags & NLM_F_REQUEST) || !req->port) {
		req->nlh = NULL;
		return cs_err_set(err, EINVAL, "not a credstore request"), 0;
	}
	if (!creds)
		return cs_err_set(err, EPERM, "the request carries no credentials"), 0;
	r = genlmsg_parse(req->nlh, 0, req->tb, CREDSTORE_A_MAX, cs_usersock_policy);
	if (r < 0)
		return explain_bad_attr(req->nlh, err), 0;
	req->genl = nlmsg_data(req->nlh);
	return 1;
}

void cs_request_release(struct cs_request *req)
{
	if (req->buf)
		OPENSSL_cleanse(req->buf, req->len);
	free(req->buf);
	req->buf = NULL;
	req->nlh = NULL;
}

/* libnl zeroes a message's whole buffer: queries, which a TLS front end
 * makes at every handshake, and their answers (one chain or key at most)
 * get a buffer their size.  Only an admin request (a batch) gets the big
 * one; an admin answer holds one attribute of at most
 * CS_USERSOCK_ATTR_MAX.  (Zeroing 4 MiB per part of a batch's answer, one
 * part per operation, was most of the time a 600-operation batch took:
 * in the VM, more than credctl waits.) */
static size_t msg_size(uint8_t cmd, bool request)
{
	if (cmd < CREDSTORE_ADMIN_CMD_IDENTITY_CSR)
		return CREDSTORE_CHAIN_MAX + CREDSTORE_KEY_MAX + 4096;
	return request ? CS_USERSOCK_REQUEST_MAX : CS_USERSOCK_ATTR_MAX + 4096;
}

static void set_dst(struct nl_msg *msg, uint32_t port)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_pid = port };

	nlmsg_set_dst(msg, &dst);
}

static struct nl_msg *msg_to(uint32_t port, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc_size(msg_size(cmd, false));

	if (msg)
		set_dst(msg, port);
	return msg;
}

struct nl_msg *cs_reply_new(const struct cs_request *req, int flags)
{
	uint8_t cmd = req->genl ? req->genl->cmd : 0;
	struct nl_msg *msg = msg_to(req->port, cmd);

	if (msg && !genlmsg_put(msg, CREDSTORE_USERSOCK_PORT, req->nlh->nlmsg_seq,
				CREDSTORE_USERSOCK_TYPE, 0, flags, cmd, CREDSTORE_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

void cs_msg_wipe_free(struct nl_msg *msg)
{
	if (!msg)
		return;
	OPENSSL_cleanse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
}

struct nl_msg *cs_reply_copy(const struct cs_request *req, struct nl_msg *msg)
{
	struct nl_msg *copy = nlmsg_convert(nlmsg_hdr(msg));

	if (copy)
		set_dst(copy, req->port);
	return copy;
}

int cs_usersock_send(struct nl_sock *sk, struct nl_msg *msg)
{
	int r;

	if (!msg)
		return -ENOMEM;
	r = nl_send(sk, msg);
	cs_msg_wipe_free(msg);
	return r < 0 ? -nlerr_to_errno(r) : 0;
}

int cs_usersock_send_error(struct nl_sock *sk, const struct cs_request *req,
			   const struct cs_err *err)
{
	struct nl_msg *msg = cs_reply_new(req, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CREDSTORE_A_ERRNO, err->code ? err->code : EIO) < 0 ||
	    nla_put_string(msg, CREDSTORE_A_MESSAGE, err->msg) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return cs_usersock_send(sk, msg);
}

int cs_usersock_send_done(struct nl_sock *sk, const struct cs_request *req)
{
	struct nl_msg *msg = msg_to(req->port, 0);
	int zero = 0;

	if (!msg)
		return -ENOMEM;
	if (!nlmsg_put(msg, CREDSTORE_USERSOCK_PORT, req->nlh->nlmsg_seq, NLMSG_DONE, 0, NLM_F_MULTI) ||
	    nlmsg_append(msg, &zero, sizeof(zero), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return cs_usersock_send(sk, msg);
}

int cs_client_open(struct cs_client *c, uid_t daemon_uid, int timeout_ms, struct cs_err *err)
{
	c->daemon_uid = daemon_uid;
	c->timeout_ms = timeout_ms;
	c->sk = usersock_new(0, err);
	if (!c->sk)
		return -err->code;
	nl_socket_set_peer_port(c->sk, CREDSTORE_USERSOCK_PORT);
	if (set_timeout(c->sk, SO_RCVTIMEO, timeout_ms) < 0) {
		cs_client_close(c);
		return cs_err_set(err, errno, "cannot set the receive timeout: %s", strerror(errno));
	}
	return 0;
}

void cs_client_close(struct cs_client *c)
{
	nl_socket_free(c->sk);
	c->sk = NULL;
}

struct nl_msg *cs_client_request(uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(msg_size(cmd, true));

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, CREDSTORE_USERSOCK_TYPE, 0,
				flags, cmd, CREDSTORE_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* One reply message: 1 when it ends the answer, 0 to read on, negative
 * on the daemon's error or fn's. */
static int handle_reply(struct nlmsghdr *nlh, cs_reply_fn fn, void *arg, struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_A_MAX + 1];
	int r;

	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nlh->nlmsg_type != CREDSTORE_USERSOCK_TYPE)
		return 0;
	r = genlmsg_parse(nlh, 0, tb, CREDSTORE_A_MAX, cs_usersock_policy);
	if (r < 0)
		return cs_err_set(err, EPROTO, "malformed reply from credstored: %s", nl_geterror(r));
	if (tb[CREDSTORE_A_ERRNO]) {
		int code = (int)nla_get_u32(tb[CREDSTORE_A_ERRNO]);

		return cs_err_set(err, code ? code : EIO, "%s",
				  tb[CREDSTORE_A_MESSAGE] ? nla_get_string(tb[CREDSTORE_A_MESSAGE])
							  : strerror(code));
	}
	if (fn) {
		r = fn(tb, arg);
		if (r < 0)
			return r;
	}
	return (nlh->nlmsg_flags & NLM_F_MULTI) ? 0 : 1;
}

/* Replies count only from the daemon's port and uid: anyone may bind
 * the port while the daemon is down, nobody can fake SCM_CREDENTIALS. */
static bool from_daemon(const struct cs_client *c, const struct sockaddr_nl *peer,
			const struct ucred *creds)
{
	return peer->nl_pid == CREDSTORE_USERSOCK_PORT && creds && creds->uid == c->daemon_uid;
}

/* The kernel refuses a datagram larger than the sender's buffer with a
 * bare EMSGSIZE: say which limit it is. */
static int check_send_size(const struct cs_client *c, uint32_t len, struct cs_err *err)
{
	int sndbuf = 0;
	socklen_t optlen = sizeof(sndbuf);

	if (getsockopt(nl_socket_get_fd(c->sk), SOL_SOCKET, SO_SNDBUF, &sndbuf, &optlen) < 0 ||
	    (uint64_t)len + 32 <= (uint64_t)sndbuf)
		return 0;
	return cs_err_set(err, EMSGSIZE, "the request is %u bytes, more than this socket may send "
			  "(%d bytes, from net.core.wmem_max): run as root, raise wmem_max or "
			  "send less at once", len, sndbuf - 32);
}

int cs_client_transact(struct cs_client *c, struct nl_msg *req, cs_reply_fn fn,
		       void *arg, struct cs_err *err)
{
	uint32_t seq;
	int r;

	if (!req)
		return cs_err_set(err, ENOMEM, "out of memory");
	if (check_send_size(c, nlmsg_hdr(req)->nlmsg_len, err)) {
		nlmsg_free(req);
		return -err->code;
	}
	errno = 0;
	r = nl_send_auto(c->sk, req);
	seq = nlmsg_hdr(req)->nlmsg_seq;
	cs_msg_wipe_free(req);
	if (r < 0) {
		/* libnl folds ECONNREFUSED into NLE_FAILURE; errno still has it. */
		r = r == -NLE_FAILURE && errno ? errno : nlerr_to_errno(r);
		if (r == ECONNREFUSED)
			return cs_err_set(err, r, "cannot reach credstored: nothing listens on its port (is it running?)");
		return cs_err_set(err, r, "cannot send to credstored: %s", strerror(r));
	}
	for (;;) {
		struct sockaddr_nl peer;
		struct ucred *creds = NULL;
		unsigned char *buf = NULL;
		int n = nl_recv(c->sk, &peer, &buf, &creds), len = n;

		if (n <= 0) {
			free(buf);
			free(creds);
			r = n == 0 ? EIO : nlerr_to_errno(n);
			if (r == ETIMEDOUT)
				return cs_err_set(err, r, "no answer from credstored within %d s",
						  (c->timeout_ms + 999) / 1000);
			return cs_err_set(err, r, "cannot receive from credstored: %s", strerror(r));
		}
		r = 0;
		if (from_daemon(c, &peer, creds)) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

			for (; nlmsg_ok(nlh, n) && !r; nlh = nlmsg_next(nlh, &n))
				if (nlh->nlmsg_seq == seq)
					r = handle_reply(nlh, fn, arg, err);
		}
		OPENSSL_clear_free(buf, (size_t)len);	/* a key or secret, read by root */
		free(creds);
		if (r)
			return r < 0 ? r : 0;
	}
}

struct dump_page {
	cs_reply_fn fn;
	void *arg;
	int cursor_attr;
	char cursor[CREDSTORE_NAME_MAX > CREDSTORE_DEVICE_ID_MAX ? CREDSTORE_NAME_MAX
								  : CREDSTORE_DEVICE_ID_MAX];
	unsigned int count;
};

static int dump_entry(struct nlattr **tb, void *arg)
{
	struct dump_page *p = arg;

	p->count++;
	if (tb[p->cursor_attr])
		nla_strlcpy(p->cursor, tb[p->cursor_attr], sizeof(p->cursor));
	return p->fn(tb, p->arg);
}

int cs_client_dump(struct cs_client *c, uint8_t cmd, int cursor_attr,
		   cs_reply_fn fn, void *arg, struct cs_err *err)
{
	struct dump_page page = { .fn = fn, .arg = arg, .cursor_attr = cursor_attr };
	int r;

	do {
		struct nl_msg *req = cs_client_request(cmd, NLM_F_DUMP);

		if (req && page.count && nla_put_string(req, cursor_attr, page.cursor) < 0) {
			nlmsg_free(req);
			req = NULL;
		}
		page.count = 0;
		r = cs_client_transact(c, req, dump_entry, &page, err);
	} while (!r && page.count == CS_USERSOCK_DUMP_PAGE);
	return r;
}
