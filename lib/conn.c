/* The connection: the transport is chosen once, at connect time.  The
 * kernel family is spoken with libnl-genl directly; the daemon through
 * the socket client that credctl uses too, on the query socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "conn.h"
#include "ext_ack.h"
#include "verdict_cache.h"

#define DEFAULT_TIMEOUT_MS 5000

static int connect_kernel(struct credstore *cs)
{
	int one = 1;

	cs->sk = nl_socket_alloc();
	if (!cs->sk)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	if (genl_connect(cs->sk) < 0)
		return cs_err_set(&cs->err, errno ? errno : EIO,
				  "cannot open a generic netlink socket: %s", strerror(errno));
	/* The module explains a refusal in an extended ACK message. */
	setsockopt(nl_socket_get_fd(cs->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	cs->family = genl_ctrl_resolve(cs->sk, CREDSTORE_GENL_NAME);
	if (cs->family < 0)
		return cs_err_set(&cs->err, ENOENT,
				  "the kernel family \"credstore\" is not there (credstore.ko not loaded)");
	cs->transport = CREDSTORE_TRANSPORT_KERNEL;
	return 0;
}

static int open_daemon(struct credstore *cs, struct cs_client *c)
{
	return cs_client_open(c, cs->runtime_dir, CS_QUERY_SOCKET, cs->daemon_uid, cs->timeout_ms,
			      &cs->err);
}

static int connect_daemon(struct credstore *cs)
{
	int ret = open_daemon(cs, &cs->daemon);

	if (ret == 0)
		cs->transport = CREDSTORE_TRANSPORT_DAEMON;
	return ret;
}

int credstore_connect(struct credstore **out, const struct credstore_options *opt,
		      char *why)
{
	static const struct credstore_options defaults;
	struct credstore *cs = calloc(1, sizeof(*cs));
	int ret;

	*out = NULL;
	if (!cs) {
		if (why)
			snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory");
		return -ENOMEM;
	}
	if (!opt)
		opt = &defaults;
	cs->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : DEFAULT_TIMEOUT_MS;
	cs->daemon_uid = opt->daemon_uid;
	cs->daemon.fd = cs->side.fd = -1;
	if (opt->runtime_dir && !(cs->runtime_dir = strdup(opt->runtime_dir))) {
		free(cs);
		if (why)
			snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory");
		return -ENOMEM;
	}
	switch (opt->transport) {
	case CREDSTORE_TRANSPORT_KERNEL:
		ret = connect_kernel(cs);
		break;
	case CREDSTORE_TRANSPORT_DAEMON:
		ret = connect_daemon(cs);
		break;
	case CREDSTORE_TRANSPORT_AUTO:
		ret = connect_kernel(cs);
		if (ret == -ENOENT) {
			nl_socket_free(cs->sk);
			cs->sk = NULL;
			cs_err_clear(&cs->err);
			ret = connect_daemon(cs);
		}
		break;
	default:
		ret = cs_err_set(&cs->err, EINVAL, "unknown transport %d", opt->transport);
	}
	if (!ret && (opt->flags & CREDSTORE_CACHE_VERDICTS)) {
		cs->verdicts = verdict_cache_new(cs);
		if (!cs->verdicts)
			ret = cs->err.code ? -cs->err.code : -ENOMEM;
	}
	if (ret < 0) {
		if (why)
			snprintf(why, CREDSTORE_MESSAGE_MAX, "%s", cs->err.msg);
		credstore_close(cs);
		return ret;
	}
	*out = cs;
	return 0;
}

void credstore_close(struct credstore *cs)
{
	if (!cs)
		return;
	verdict_cache_free(cs->verdicts);
	if (cs->sk)
		nl_socket_free(cs->sk);
	cs_client_close(&cs->daemon);
	cs_client_close(&cs->side);
	free(cs->runtime_dir);
	free(cs);
}

int cs_conn_daemon(struct credstore *cs, struct cs_client **out)
{
	if (cs->transport == CREDSTORE_TRANSPORT_DAEMON) {
		*out = &cs->daemon;
		return 0;
	}
	if (cs->side.fd < 0 && open_daemon(cs, &cs->side))
		return -cs->err.code;
	*out = &cs->side;
	return 0;
}

enum credstore_transport credstore_transport(const struct credstore *cs)
{
	return cs->transport;
}

const char *credstore_last_error(const struct credstore *cs)
{
	return cs->err.code ? cs->err.msg : "no error";
}

/* A refusal comes as the request's answer: the exchange is complete and
 * the next request starts in step.  Any other failure may leave a late
 * answer queued or the socket dead, so only a new connection is safe. */
int credstore_error_keeps_connection(int err)
{
	switch (err) {
	case 0:
	case -ENOENT:
	case -EINVAL:
	case -ENAMETOOLONG:
	case -EPERM:
		return 1;
	default:
		return 0;
	}
}

struct nl_msg *cs_conn_request(struct credstore *cs, uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	if (cs->transport == CREDSTORE_TRANSPORT_DAEMON)
		return cs_client_request(cmd, flags);
	msg = nlmsg_alloc();
	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, cs->family, 0, flags, cmd,
				CREDSTORE_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

struct kernel_reply {
	struct credstore *cs;
	cs_reply_fn fn;
	void *arg;
	int done;
	int error;
};

static int kernel_valid(struct nl_msg *msg, void *arg)
{
	struct kernel_reply *r = arg;
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	int ret;

	if (nlmsg_get_src(msg)->nl_pid != 0)
		return NL_SKIP;		/* only the kernel speaks for the family */
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CREDSTORE_ADMIN_A_MAX, cs_usersock_policy) < 0) {
		r->error = cs_err_set(&r->cs->err, EBADMSG, "malformed reply from credstore.ko");
		return NL_STOP;
	}
	if (r->fn) {
		ret = r->fn(tb, r->arg);
		if (ret < 0) {
			r->error = ret;
			return NL_STOP;
		}
	}
	return NL_OK;
}

static int kernel_done(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct kernel_reply *)arg)->done = 1;
	return NL_STOP;
}

static int kernel_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct kernel_reply *r = arg;
	const char *why = cs_ext_ack_message(e);

	(void)nla;
	r->done = 1;
	r->error = cs_err_set(&r->cs->err, -e->error, "credstore.ko: %s",
			      why ? why : strerror(-e->error));
	return NL_STOP;
}

static int kernel_transact(struct credstore *cs, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	struct kernel_reply r = { .cs = cs, .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		cs_msg_wipe_free(req);
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kernel_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kernel_done, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kernel_done, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, kernel_error, &r);
	ret = nl_send_auto(cs->sk, req);
	cs_msg_wipe_free(req);	/* a secret to verify */
	if (ret < 0)
		r.error = cs_err_set(&cs->err, EIO, "cannot send to credstore.ko: %s",
				     nl_geterror(ret));
	while (!r.error && !r.done) {
		ret = nl_recvmsgs(cs->sk, cb);
		if (ret < 0 && !r.error)
			r.error = cs_err_set(&cs->err, EIO, "cannot receive from credstore.ko: %s",
					     nl_geterror(ret));
	}
	nl_cb_put(cb);
	return r.error;
}

/* A daemon that restarted closed the connection: queries are safe to
 * ask again, once, on a new one (which checks the listener again). */
static int daemon_transact(struct credstore *cs, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	struct nl_msg *again = nlmsg_convert(nlmsg_hdr(req));
	int ret = cs_client_transact(&cs->daemon, req, fn, arg, &cs->err);

	if ((ret == -EPIPE || ret == -ECONNABORTED) && again) {
		cs_client_close(&cs->daemon);
		cs_err_clear(&cs->err);
		ret = open_daemon(cs, &cs->daemon);
		if (!ret) {
			ret = cs_client_transact(&cs->daemon, again, fn, arg, &cs->err);
			again = NULL;
		}
	}
	cs_msg_wipe_free(again);
	return ret;
}

int cs_conn_transact(struct credstore *cs, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	cs_err_clear(&cs->err);
	if (!req)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	if (cs->transport == CREDSTORE_TRANSPORT_DAEMON)
		return daemon_transact(cs, req, fn, arg);
	return kernel_transact(cs, req, fn, arg);
}

int cs_conn_dump(struct credstore *cs, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg)
{
	cs_err_clear(&cs->err);
	if (cs->transport == CREDSTORE_TRANSPORT_DAEMON)
		return cs_client_dump(&cs->daemon, cmd, cursor_attr, fn, arg, &cs->err);
	/* The module pages its dumps itself (netlink dump callbacks). */
	return kernel_transact(cs, cs_conn_request(cs, cmd, NLM_F_DUMP), fn, arg);
}
