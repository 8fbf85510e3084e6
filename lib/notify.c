/* Change notifications: the module's "notify" multicast group, or the
 * daemon's usersock group, read without blocking from a socket the
 * caller's event loop watches. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "conn.h"

struct credstore_events {
	struct nl_sock *sk;
	struct nl_cb *cb;
	void (*fn)(const struct credstore_event *event, void *arg);
	void *arg;
	int count;
	uint32_t sender_port;	/* 0: the kernel */
	uid_t daemon_uid;	/* checked when the sender is the daemon */
};

/* Anyone may multicast on a usersock group; only the daemon's port and
 * uid count (the kernel attaches the sender's real credentials). */
static int from_sender(struct nl_msg *msg, void *arg)
{
	struct credstore_events *ev = arg;
	struct ucred *creds = nlmsg_get_creds(msg);

	if (nlmsg_get_src(msg)->nl_pid != ev->sender_port)
		return NL_SKIP;
	if (ev->sender_port && (!creds || creds->uid != ev->daemon_uid))
		return NL_SKIP;
	return NL_OK;
}

static int on_notify(struct nl_msg *msg, void *arg)
{
	struct credstore_events *ev = arg;
	struct nlattr *tb[CREDSTORE_A_MAX + 1];
	struct credstore_event event = { 0 };
	struct nlattr *key;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CREDSTORE_A_MAX, cs_usersock_policy) < 0 ||
	    !tb[CREDSTORE_A_KIND])
		return NL_SKIP;
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
	ev->fn(&event, ev->arg);
	ev->count++;
	return NL_OK;
}

/* Multicasts carry no sequence number of ours. */
static int any_sequence(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Join the module's group "notify". */
static int join_kernel(struct credstore *cs, struct credstore_events *ev)
{
	int group = genl_ctrl_resolve_grp(cs->sk, CREDSTORE_GENL_NAME, CREDSTORE_MCGRP_NOTIFY);

	if (group < 0)
		return cs_err_set(&cs->err, ENOENT, "credstore.ko has no group \"%s\"",
				  CREDSTORE_MCGRP_NOTIFY);
	if (genl_connect(ev->sk) < 0 || nl_socket_add_membership(ev->sk, group) < 0)
		return cs_err_set(&cs->err, EIO, "cannot join the group \"%s\"",
				  CREDSTORE_MCGRP_NOTIFY);
	return 0;
}

/* Join the daemon's usersock group. */
static int join_daemon(struct credstore *cs, struct credstore_events *ev)
{
	ev->sender_port = CREDSTORE_USERSOCK_PORT;
	ev->daemon_uid = cs->daemon.daemon_uid;
	if (nl_connect(ev->sk, NETLINK_USERSOCK) < 0 || nl_socket_set_passcred(ev->sk, 1) < 0)
		return cs_err_set(&cs->err, EIO, "cannot open a NETLINK_USERSOCK socket");
	/* The kernel lets anyone send to a usersock group, but only
	 * CAP_NET_ADMIN join one. */
	if (nl_socket_add_membership(ev->sk, CREDSTORE_USERSOCK_GROUP) < 0)
		return cs_err_set(&cs->err, EPERM, "cannot join credstored's notification group: "
				  "without credstore.ko only CAP_NET_ADMIN may (the module's group is "
				  "open to every user)");
	return 0;
}

int credstore_events_open(struct credstore *cs, struct credstore_events **out)
{
	struct credstore_events *ev = calloc(1, sizeof(*ev));
	int ret;

	*out = NULL;
	cs_err_clear(&cs->err);
	if (!ev || !(ev->sk = nl_socket_alloc()) || !(ev->cb = nl_cb_alloc(NL_CB_DEFAULT))) {
		credstore_events_close(ev);
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	}
	ret = cs->transport == CREDSTORE_TRANSPORT_KERNEL ? join_kernel(cs, ev) : join_daemon(cs, ev);
	if (!ret && nl_socket_set_nonblocking(ev->sk) < 0)
		ret = cs_err_set(&cs->err, EIO, "cannot make the notification socket non-blocking");
	if (ret) {
		credstore_events_close(ev);
		return ret;
	}
	nl_cb_set(ev->cb, NL_CB_MSG_IN, NL_CB_CUSTOM, from_sender, ev);
	nl_cb_set(ev->cb, NL_CB_VALID, NL_CB_CUSTOM, on_notify, ev);
	nl_cb_set(ev->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_sequence, NULL);
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
	free(ev);
}

int credstore_events_fd(const struct credstore_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

int credstore_events_read(struct credstore_events *ev,
			  void (*fn)(const struct credstore_event *event, void *arg), void *arg)
{
	static const struct credstore_event lost = { .kind = CREDSTORE_KIND_SNAPSHOT };
	int ret;

	ev->fn = fn;
	ev->arg = arg;
	ev->count = 0;
	for (;;) {
		ret = nl_recvmsgs_report(ev->sk, ev->cb);
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the socket overran and events are lost;
			 * all the caller can do is reload everything. */
			fn(&lost, arg);
			ev->count++;
			continue;
		}
		if (ret == -NLE_AGAIN || ret == 0)	/* nothing more to read */
			return ev->count;
		if (ret < 0)
			return -EIO;
	}
}
