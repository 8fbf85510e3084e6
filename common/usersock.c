#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <openssl/crypto.h>

#include "cmd_kind.h"
#include "usersock.h"

#define BIN(max)	{ .type = NLA_UNSPEC, .maxlen = (max) }
#define STR(max)	{ .type = NLA_STRING, .maxlen = (max) }

struct nla_policy cs_usersock_policy[CREDSTORE_ADMIN_A_MAX + 1] = {
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
	[CREDSTORE_A_HMAC_MESSAGE] = BIN(CREDSTORE_HMAC_MESSAGE_MAX),
	[CREDSTORE_A_HMAC] = { .type = NLA_UNSPEC, .minlen = CREDSTORE_HMAC_LEN,
			       .maxlen = CREDSTORE_HMAC_LEN },
	[CREDSTORE_A_SIGNERS] = { .type = NLA_U32 },
	[CREDSTORE_A_SIGN_SCHEME] = { .type = NLA_U8 },
	[CREDSTORE_A_SIGN_DIGEST] = STR(32),
	[CREDSTORE_A_SIGN_KEY_ID] = { .type = NLA_UNSPEC, .minlen = CREDSTORE_FINGERPRINT_LEN,
				      .maxlen = CREDSTORE_FINGERPRINT_LEN },
	[CREDSTORE_A_SIGN_SALT_LEN] = { .type = NLA_U32 },
	[CREDSTORE_A_SIGN_DATA] = BIN(CREDSTORE_SIGN_DATA_MAX),
	[CREDSTORE_A_SIGNATURE] = BIN(CREDSTORE_SIGNATURE_MAX),
	[CREDSTORE_A_ADMIN_PREVIOUS_KEY] = BIN(CREDSTORE_KEY_MAX),
};

static const char *const attr_names[CREDSTORE_ADMIN_A_MAX + 1] = {
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
	[CREDSTORE_A_HMAC_MESSAGE] = "HMAC message",
	[CREDSTORE_A_HMAC] = "HMAC",
	[CREDSTORE_A_SIGN_DIGEST] = "digest name",
	[CREDSTORE_A_SIGN_KEY_ID] = "key id",
	[CREDSTORE_A_SIGN_DATA] = "data to sign",
};

const char *cs_usersock_attr_name(int type)
{
	return type >= 0 && type <= CREDSTORE_ADMIN_A_MAX && attr_names[type] ? attr_names[type] : "an attribute";
}

/* Name the attribute that failed the policy: a person reads this. */
static void explain_bad_attr(struct nlmsghdr *nlh, struct cs_err *err)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_attr(pos, genlmsg_attrdata(nlmsg_data(nlh), 0), genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		int type = nla_type(pos);
		const struct nla_policy *p = type <= CREDSTORE_ADMIN_A_MAX ? &cs_usersock_policy[type] : NULL;
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

const char *cs_runtime_dir(const char *dir)
{
	const char *env = getenv(CS_RUNTIME_DIR_ENV);

	if (dir && *dir)
		return dir;
	return env && *env ? env : CS_RUNTIME_DIR_DEFAULT;
}

int cs_socket_addr(const char *dir, const char *name, struct sockaddr_un *sa, struct cs_err *err)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", cs_runtime_dir(dir), name);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		return cs_err_set(err, ENAMETOOLONG, "the runtime directory %s is too long for a socket "
				  "path (%zu characters at most)", cs_runtime_dir(dir),
				  sizeof(sa->sun_path) - strlen(name) - 2);
	return 0;
}

int cs_request_parse(struct cs_request *req, struct cs_err *err)
{
	int r;

	req->nlh = (struct nlmsghdr *)req->buf;
	if (req->len > INT32_MAX || !nlmsg_ok(req->nlh, (int)req->len) ||
	    req->nlh->nlmsg_type != CREDSTORE_USERSOCK_TYPE ||
	    !(req->nlh->nlmsg_flags & NLM_F_REQUEST)) {
		req->nlh = NULL;
		return cs_err_set(err, EINVAL, "not a credstore request"), 0;
	}
	r = genlmsg_parse(req->nlh, 0, req->tb, CREDSTORE_ADMIN_A_MAX, cs_usersock_policy);
	if (r < 0)
		return explain_bad_attr(req->nlh, err), 0;
	req->genl = nlmsg_data(req->nlh);
	return 1;
}

void cs_request_release(struct cs_request *req)
{
	if (req->buf)
		OPENSSL_clear_free(req->buf, req->len);
	req->buf = NULL;
	req->nlh = NULL;
}

/* libnl zeroes a message's whole buffer: queries (cmd_kind.h), which a
 * TLS front end makes at every handshake, and their answers get a buffer
 * their size (a page; one chain for an identity or anchor: zeroing 45 KiB
 * each way was a fifth of a device query's time); so does SIGN, made at
 * every keyless handshake (a digest one way, a signature or an error the
 * other).  Only the request of a read or a change gets the big one (a
 * batch); their answers hold one attribute of at most
 * CS_USERSOCK_ATTR_MAX.  (Zeroing 4 MiB per part of a batch's answer, one
 * part per operation, was most of the time a 600-operation batch took: in
 * the VM, more than credctl waits.  Zeroing 4 MiB per SIGN request was
 * half a keyless handshake's CPU.) */
static size_t msg_size(uint8_t cmd, bool request)
{
	/* a query's own attributes (names, ids, fingerprints, secrets, an
	 * HMAC, a dump's cursor) and an answer's message take far less */
	const size_t small = 4096;

	if (cmd == CREDSTORE_DAEMON_CMD_SIGN)
		return CREDSTORE_SIGN_DATA_MAX + CREDSTORE_SIGNATURE_MAX + 1024;
	if (!request && (cmd == CREDSTORE_CMD_GET_IDENTITY || cmd == CREDSTORE_CMD_GET_ANCHOR))
		return CREDSTORE_CHAIN_MAX + CREDSTORE_KEY_MAX + small;
	switch (cs_cmd_kind(cmd)) {
	case CS_CMD_QUERY:
	case CS_CMD_UNKNOWN:	/* answered by an error alone */
		return small;
	case CS_CMD_READ:	/* asked by a name, a part's number, a password */
		return request ? small : CS_USERSOCK_ATTR_MAX + 4096;
	default:
		return request ? CS_USERSOCK_REQUEST_MAX : CS_USERSOCK_ATTR_MAX + 4096;
	}
}

struct nl_msg *cs_reply_new(const struct cs_request *req, int flags)
{
	uint8_t cmd = req->genl ? req->genl->cmd : 0;
	struct nl_msg *msg = nlmsg_alloc_size(msg_size(cmd, false));

	if (msg && !genlmsg_put(msg, 0, req->nlh ? req->nlh->nlmsg_seq : 0,
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
	(void)req;
	return nlmsg_convert(nlmsg_hdr(msg));
}

struct nl_msg *cs_reply_error(const struct cs_request *req, const struct cs_err *err)
{
	static const struct cs_request none;
	struct nl_msg *msg = cs_reply_new(req ? req : &none, 0);

	if (msg && (nla_put_u32(msg, CREDSTORE_A_ERRNO, err->code ? err->code : EIO) < 0 ||
		    nla_put_string(msg, CREDSTORE_A_MESSAGE, err->msg) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *cs_reply_done(const struct cs_request *req)
{
	struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + NLMSG_ALIGNTO + sizeof(int));
	int zero = 0;

	if (msg && (!nlmsg_put(msg, 0, req->nlh->nlmsg_seq, NLMSG_DONE, 0, NLM_F_MULTI) ||
		    nlmsg_append(msg, &zero, sizeof(zero), NLMSG_ALIGNTO) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

ssize_t cs_recv_datagram(int fd, unsigned char **out, int flags)
{
	ssize_t len, n;

	*out = NULL;
	/* MSG_TRUNC: the length of the whole datagram, whatever the buffer. */
	len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | flags);
	if (len <= 0)
		return len < 0 ? -errno : 0;
	*out = malloc((size_t)len);
	if (!*out)
		return -ENOMEM;
	n = recv(fd, *out, (size_t)len, MSG_DONTWAIT);
	if (n != len) {
		int code = n < 0 ? errno : EPROTO;

		OPENSSL_clear_free(*out, (size_t)len);
		*out = NULL;
		return -code;
	}
	return len;
}

static int set_timeout(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* The kernel caps SO_SNDBUF at net.core.wmem_max (212992 by default): a
 * privileged process (credctl as root) goes past that, so that a request
 * of CS_USERSOCK_REQUEST_MAX fits; others keep the cap (see
 * check_send_size). */
static void force_send_buffer(int fd)
{
	int size = CS_USERSOCK_BUFSIZE;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
}

static int connect_error(const struct sockaddr_un *sa, int code, struct cs_err *err)
{
	switch (code) {
	case ENOENT:
	case ECONNREFUSED:
		return cs_err_set(err, ECONNREFUSED, "cannot reach credstored: nothing listens on %s "
				  "(is it running? is that its --runtime-dir?)", sa->sun_path);
	case EACCES:
	case EPERM:
		return cs_err_set(err, EPERM, "permission denied: %s is for root and credstored's "
				  "admin group", sa->sun_path);
	case EAGAIN:
	case ETIMEDOUT:
		return cs_err_set(err, ETIMEDOUT, "cannot reach credstored: %s does not accept "
				  "connections", sa->sun_path);
	default:
		return cs_err_set(err, code, "cannot connect to %s: %s", sa->sun_path, strerror(code));
	}
}

/* Who listens: a process of another user may have bound the name (in a
 * runtime directory it can write to) and would read every request. */
static int check_listener(int fd, const struct sockaddr_un *sa, uid_t daemon_uid, struct cs_err *err)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0)
		return cs_err_set(err, errno, "cannot tell who listens on %s: %s", sa->sun_path,
				  strerror(errno));
	if (peer.uid == 0 || peer.uid == daemon_uid)
		return 0;
	return cs_err_set(err, ECONNREFUSED, "refusing %s: the process listening there (pid %d) "
			  "runs as uid %u, not as credstored (uid %u); nothing was sent", sa->sun_path,
			  (int)peer.pid, (unsigned int)peer.uid, (unsigned int)daemon_uid);
}

int cs_client_open(struct cs_client *c, const char *dir, const char *name, uid_t daemon_uid,
		   int timeout_ms, struct cs_err *err)
{
	struct sockaddr_un sa;
	int r;

	c->fd = -1;
	c->timeout_ms = timeout_ms;
	c->seq = 0;
	r = cs_socket_addr(dir, name, &sa, err);
	if (r)
		return r;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return cs_err_set(err, errno, "cannot open a socket: %s", strerror(errno));
	/* SO_SNDTIMEO bounds connect() too, when the listener's backlog is
	 * full. */
	if (set_timeout(c->fd, SO_SNDTIMEO, timeout_ms) < 0 ||
	    set_timeout(c->fd, SO_RCVTIMEO, timeout_ms) < 0)
		r = cs_err_set(err, errno, "cannot set the socket's timeouts: %s", strerror(errno));
	else if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = connect_error(&sa, errno, err);
	else
		r = check_listener(c->fd, &sa, daemon_uid, err);
	if (r) {
		cs_client_close(c);
		return r;
	}
	force_send_buffer(c->fd);
	return 0;
}

void cs_client_close(struct cs_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

struct nl_msg *cs_client_request(uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(msg_size(cmd, true));

	if (msg && !genlmsg_put(msg, 0, 0, CREDSTORE_USERSOCK_TYPE, 0, flags | NLM_F_REQUEST, cmd,
				CREDSTORE_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* One reply message: 1 when it ends the answer, 0 to read on, negative
 * on the daemon's error or fn's. */
static int handle_reply(struct nlmsghdr *nlh, cs_reply_fn fn, void *arg, struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	int r;

	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nlh->nlmsg_type != CREDSTORE_USERSOCK_TYPE)
		return 0;
	r = genlmsg_parse(nlh, 0, tb, CREDSTORE_ADMIN_A_MAX, cs_usersock_policy);
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

/* The kernel refuses a datagram larger than the sender's buffer with a
 * bare EMSGSIZE: say which limit it is (asked only then: a getsockopt per
 * request was a tenth of a query's syscalls). */
static int send_size_error(const struct cs_client *c, uint32_t len, struct cs_err *err)
{
	int sndbuf = 0;
	socklen_t optlen = sizeof(sndbuf);

	if (getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &optlen) < 0)
		return cs_err_set(err, EMSGSIZE, "the request is %u bytes, more than this socket "
				  "may send", len);
	return cs_err_set(err, EMSGSIZE, "the request is %u bytes, more than this socket may send "
			  "(%d bytes, from net.core.wmem_max): run as root, raise wmem_max or "
			  "send less at once", len, sndbuf - 32);
}

static int send_request(struct cs_client *c, struct nl_msg *req, struct cs_err *err)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	ssize_t n;

	if (c->fd < 0)
		return cs_err_set(err, ENOTCONN, "not connected to credstored");
	nlh->nlmsg_seq = ++c->seq;
	n = send(c->fd, nlh, nlh->nlmsg_len, MSG_NOSIGNAL);
	if (n == (ssize_t)nlh->nlmsg_len)
		return 0;
	if (n >= 0)
		return cs_err_set(err, EPIPE, "cannot send to credstored: a short send");
	if (errno == EPIPE || errno == ECONNRESET)
		return cs_err_set(err, EPIPE, "credstored closed the connection");
	if (errno == EAGAIN)
		return cs_err_set(err, ETIMEDOUT, "credstored took no request within %d s",
				  (c->timeout_ms + 999) / 1000);
	if (errno == EMSGSIZE)
		return send_size_error(c, nlh->nlmsg_len, err);
	return cs_err_set(err, errno, "cannot send to credstored: %s", strerror(errno));
}

/* One datagram of the answer: 1 when it ends the answer, 0 to read on. */
static int receive_reply(struct cs_client *c, cs_reply_fn fn, void *arg, struct cs_err *err)
{
	unsigned char *buf;
	ssize_t n = cs_recv_datagram(c->fd, &buf, 0);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int len = (int)n, r = 0;

	if (n == 0 || n == -ECONNRESET)
		return cs_err_set(err, ECONNABORTED, "credstored closed the connection before it "
				  "answered: a change asked may or may not be stored");
	if (n == -EAGAIN)
		return cs_err_set(err, ETIME, "no answer from credstored within %d s: a change "
				  "asked may or may not be stored", (c->timeout_ms + 999) / 1000);
	if (n < 0)
		return cs_err_set(err, (int)-n, "cannot receive from credstored: %s", strerror((int)-n));
	for (; nlmsg_ok(nlh, len) && !r; nlh = nlmsg_next(nlh, &len)) {
		/* seq 0: about the connection (the daemon closes it next). */
		if (nlh->nlmsg_seq == c->seq || nlh->nlmsg_seq == 0)
			r = handle_reply(nlh, fn, arg, err);
	}
	OPENSSL_clear_free(buf, (size_t)n);	/* a key or secret */
	return r;
}

int cs_client_transact(struct cs_client *c, struct nl_msg *req, cs_reply_fn fn,
		       void *arg, struct cs_err *err)
{
	int r;

	if (!req)
		return cs_err_set(err, ENOMEM, "out of memory");
	r = send_request(c, req, err);
	cs_msg_wipe_free(req);
	while (!r)
		r = receive_reply(c, fn, arg, err);
	return r < 0 ? r : 0;
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
