/* Change notifications: the module's "notify" multicast group, or a
 * subscription on the daemon's query socket, read without blocking from
 * a descriptor the caller's event loop watches.  The daemon's
 * subscription lives on a connection that ends when the daemon restarts:
 * the caller watches an epoll descriptor of ours instead, which holds the
 * subscription of the moment (and, while the daemon is away, a timer to
 * subscribe again), so that the descriptor never changes.  The module's
 * group goes with the module: the socket also hears generic netlink
 * announce the module's unloading and loading, and joins the new group. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <openssl/crypto.h>

#include "conn.h"

/* While the daemon is away: how often to try subscribing again. */
#define RESUBSCRIBE_MS	1000

struct credstore_events {
	struct credstore *cs;
	void (*fn)(const struct credstore_event *event, void *arg);
	void *arg;
	int count;
	/* kernel */
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;		/* the module's family id, whose group sk joined */
	/* daemon */
	int epfd;		/* what the caller watches */
	struct cs_client sub;	/* the subscription; fd -1 while the daemon is away */
	int timer;		/* armed while it is away */
};

static void deliver(struct credstore_events *ev, const struct credstore_event *event)
{
	ev->fn(event, ev->arg);
	ev->count++;
}

static void lost(struct credstore_events *ev)
{
	static const struct credstore_event snapshot = { .kind = CREDSTORE_KIND_SNAPSHOT };

	deliver(ev, &snapshot);
}

/* A notification's attributes, from either transport. */
static void deliver_notify(struct credstore_events *ev, struct nlmsghdr *nlh)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	struct credstore_event event = { 0 };
	struct nlattr *key;

	if (genlmsg_parse(nlh, 0, tb, CREDSTORE_ADMIN_A_MAX, cs_usersock_policy) < 0 ||
	    !tb[CREDSTORE_A_KIND])
		return;
	event.kind = nla_get_u8(tb[CREDSTORE_A_KIND]);
	key = tb[CREDSTORE_A_NAME] ? tb[CREDSTORE_A_NAME] : tb[CREDSTORE_A_DEVICE_ID];
	if (key)
		nla_strlcpy(event.key, key, sizeof(event.key));
	if (tb[CREDSTORE_A_GENERATION])
		event.generation = nla_get_u64(tb[CREDSTORE_A_GENERATION]);
	if (tb[CREDSTORE_A_EVENT])
		event.event = nla_get_u8(tb[CREDSTORE_A_EVENT]);
	if (tb[CREDSTORE_A_FLAGS])
		event.flags = nla_get_u32(tb[CREDSTORE_A_FLAGS]);
	if (tb[CREDSTORE_A_NOT_AFTER])
		event.not_after = nla_get_u64(tb[CREDSTORE_A_NOT_AFTER]);
	deliver(ev, &event);
}

/* ---- the module ---- */

/* Only the kernel speaks for the family. */
static int from_kernel(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nlmsg_get_src(msg)->nl_pid == 0 ? NL_OK : NL_SKIP;
}

/* The id of the group "notify" among a family's CTRL_ATTR_MCAST_GROUPS,
 * or -1. */
static int notify_group(struct nlattr *groups)
{
	struct nlattr *g, *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int rem;

	if (!groups)
		return -1;
	nla_for_each_nested(g, groups, rem) {
		if (nla_parse_nested(tb, CTRL_ATTR_MCAST_GRP_MAX, g, NULL) < 0 ||
		    !tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID] ||
		    nla_len(tb[CTRL_ATTR_MCAST_GRP_ID]) < (int)sizeof(uint32_t))
			continue;
		if (!nla_strcmp(tb[CTRL_ATTR_MCAST_GRP_NAME], CREDSTORE_MCGRP_NOTIFY))
			return (int)nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return -1;
}

/* Unloading credstore.ko takes its group, and our membership, with it;
 * loaded again, it has new ids.  Neither is announced on the group, so
 * sk hears generic netlink's own announcements too: what changed while
 * the module was away is lost, and the new group is joined from the
 * announcement itself (no request on this socket in the middle of a
 * read). */
static void on_family_change(struct credstore_events *ev, struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	uint8_t cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	int group;

	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 || !tb[CTRL_ATTR_FAMILY_NAME] ||
	    nla_strcmp(tb[CTRL_ATTR_FAMILY_NAME], CREDSTORE_GENL_NAME))
		return;
	if (cmd == CTRL_CMD_NEWFAMILY && tb[CTRL_ATTR_FAMILY_ID] &&
	    nla_len(tb[CTRL_ATTR_FAMILY_ID]) >= (int)sizeof(uint16_t)) {
		group = notify_group(tb[CTRL_ATTR_MCAST_GROUPS]);
		/* Not joined: -1 makes every read fail, for the caller to
		 * subscribe anew. */
		ev->family = group >= 0 && nl_socket_add_membership(ev->sk, group) == 0 ?
			     nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) : -1;
		lost(ev);
	} else if (cmd == CTRL_CMD_DELFAMILY) {
		lost(ev);
	}
}

static int on_notify(struct nl_msg *msg, void *arg)
{
	struct credstore_events *ev = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		on_family_change(ev, nlh);
	else if (nlh->nlmsg_type == ev->family)
		deliver_notify(ev, nlh);
	return NL_OK;
}

/* Multicasts carry no sequence number of ours. */
static int any_sequence(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Join generic netlink's group "notify" (nlctrl's), which announces the
 * module's going and coming, then the module's: a reload after we looked
 * its ids up is announced to us. */
static int join_kernel(struct credstore *cs, struct credstore_events *ev)
{
	int families = genl_ctrl_resolve_grp(cs->sk, "nlctrl", "notify");
	int group;

	if (!(ev->sk = nl_socket_alloc()) || !(ev->cb = nl_cb_alloc(NL_CB_DEFAULT)))
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	if (families < 0 || genl_connect(ev->sk) < 0 || nl_socket_add_membership(ev->sk, families) < 0)
		return cs_err_set(&cs->err, EIO, "cannot join generic netlink's group \"notify\"");
	ev->family = genl_ctrl_resolve(cs->sk, CREDSTORE_GENL_NAME);
	group = genl_ctrl_resolve_grp(cs->sk, CREDSTORE_GENL_NAME, CREDSTORE_MCGRP_NOTIFY);
	if (ev->family < 0 || group < 0)
		return cs_err_set(&cs->err, ENOENT, "credstore.ko has no group \"%s\"",
				  CREDSTORE_MCGRP_NOTIFY);
	if (nl_socket_add_membership(ev->sk, group) < 0)
		return cs_err_set(&cs->err, EIO, "cannot join the group \"%s\"",
				  CREDSTORE_MCGRP_NOTIFY);
	if (nl_socket_set_nonblocking(ev->sk) < 0)
		return cs_err_set(&cs->err, EIO, "cannot make the notification socket non-blocking");
	nl_cb_set(ev->cb, NL_CB_MSG_IN, NL_CB_CUSTOM, from_kernel, ev);
	nl_cb_set(ev->cb, NL_CB_VALID, NL_CB_CUSTOM, on_notify, ev);
	nl_cb_set(ev->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_sequence, NULL);
	return 0;
}

static int read_kernel(struct credstore_events *ev)
{
	for (;;) {
		int ret = nl_recvmsgs_report(ev->sk, ev->cb);

		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the socket overran and events are lost;
			 * all the caller can do is reload everything. */
			lost(ev);
			continue;
		}
		if ((ret == -NLE_AGAIN || ret == 0) && ev->family < 0)
			return cs_err_set(&ev->cs->err, EIO, "cannot join the reloaded credstore.ko's "
					  "group \"%s\"", CREDSTORE_MCGRP_NOTIFY);
		if (ret == -NLE_AGAIN || ret == 0)	/* nothing more to read */
			return ev->count;
		if (ret < 0)
			return -EIO;
	}
}

/* ---- the daemon ---- */

/* Connect, subscribe, and watch the subscription. */
static int subscribe(struct credstore_events *ev)
{
	struct credstore *cs = ev->cs;
	struct epoll_event watch = { .events = EPOLLIN };
	int ret = cs_client_open(&ev->sub, cs->runtime_dir, CS_QUERY_SOCKET, cs->daemon_uid,
				 cs->timeout_ms, &cs->err);

	if (!ret)
		ret = cs_client_transact(&ev->sub, cs_client_request(CREDSTORE_ADMIN_CMD_SUBSCRIBE, 0),
					 NULL, NULL, &cs->err);
	if (!ret && (fcntl(ev->sub.fd, F_SETFL, O_NONBLOCK) < 0 ||
		     epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ev->sub.fd, &watch) < 0))
		ret = cs_err_set(&cs->err, errno, "cannot watch the subscription: %s", strerror(errno));
	if (ret)
		cs_client_close(&ev->sub);
	return ret;
}

static void arm_timer(struct credstore_events *ev, int ms)
{
	struct itimerspec when = { .it_value = { ms / 1000, (ms % 1000) * 1000000L } };

	timerfd_settime(ev->timer, 0, &when, NULL);
}

/* The daemon closed the subscription (it restarted): subscribe again
 * now, or when the timer fires. */
static void resubscribe(struct credstore_events *ev)
{
	uint64_t expirations;

	if (ev->sub.fd >= 0) {
		epoll_ctl(ev->epfd, EPOLL_CTL_DEL, ev->sub.fd, NULL);
		cs_client_close(&ev->sub);
	}
	(void)read(ev->timer, &expirations, sizeof(expirations));
	if (subscribe(ev))
		arm_timer(ev, RESUBSCRIBE_MS);
}

static int join_daemon(struct credstore *cs, struct credstore_events *ev)
{
	struct epoll_event watch = { .events = EPOLLIN };

	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ev->epfd < 0 || ev->timer < 0 || epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ev->timer, &watch) < 0)
		return cs_err_set(&cs->err, errno, "cannot make the notification descriptor: %s",
				  strerror(errno));
	return subscribe(ev);
}

static int read_daemon(struct credstore_events *ev)
{
	for (;;) {
		unsigned char *buf = NULL;
		ssize_t n = ev->sub.fd < 0 ? -ENOTCONN : cs_recv_datagram(ev->sub.fd, &buf, MSG_DONTWAIT);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (n == -EAGAIN)
			return ev->count;
		if (n <= 0) {
			/* Whatever changed while it was away is not announced. */
			lost(ev);
			resubscribe(ev);
			return ev->count;
		}
		if (nlmsg_ok(nlh, (int)n) && nlh->nlmsg_type == CREDSTORE_USERSOCK_TYPE)
			deliver_notify(ev, nlh);
		OPENSSL_clear_free(buf, (size_t)n);
	}
}

int credstore_events_open(struct credstore *cs, struct credstore_events **out)
{
	struct credstore_events *ev = calloc(1, sizeof(*ev));
	int ret;

	*out = NULL;
	cs_err_clear(&cs->err);
	if (!ev)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	ev->cs = cs;
	ev->epfd = ev->timer = ev->sub.fd = -1;
	ret = cs->transport == CREDSTORE_TRANSPORT_KERNEL ? join_kernel(cs, ev) : join_daemon(cs, ev);
	if (ret) {
		credstore_events_close(ev);
		return ret;
	}
	*out = ev;
	return 0;
}

void credstore_events_close(struct credstore_events *ev)
{
	if (!ev)
		return;
	if (ev->cb)
		nl_cb_put(ev->cb);
	if (ev->sk)
		nl_socket_free(ev->sk);
	cs_client_close(&ev->sub);
	if (ev->timer >= 0)
		close(ev->timer);
	if (ev->epfd >= 0)
		close(ev->epfd);
	free(ev);
}

int credstore_events_fd(const struct credstore_events *ev)
{
	return ev->sk ? nl_socket_get_fd(ev->sk) : ev->epfd;
}

int credstore_events_read(struct credstore_events *ev,
			  void (*fn)(const struct credstore_event *event, void *arg), void *arg)
{
	ev->fn = fn;
	ev->arg = arg;
	ev->count = 0;
	return ev->sk ? read_kernel(ev) : read_daemon(ev);
}
