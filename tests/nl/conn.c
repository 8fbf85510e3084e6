/* csnl: the netlink socket, requests, replies and extended ACKs. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <linux/credstore.h>
#include "csnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int csnl_open(struct csnl *c)
{
	int one = 1;

	c->sk = nl_socket_alloc();
	if (!c->sk || genl_connect(c->sk)) {
		fprintf(stderr, "csnl: cannot open a generic netlink socket\n");
		return -1;
	}
	/* libnl has no call for it: ask for error messages from the kernel. */
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	nl_socket_set_buffer_size(c->sk, 1 << 20, 1 << 20);
	/* A dump message can be larger than libnl's default buffer (an
	 * identity of CREDSTORE_CHAIN_MAX bytes): size each read first. */
	nl_socket_enable_msg_peek(c->sk);
	nl_socket_disable_seq_check(c->sk);
	c->family = genl_ctrl_resolve(c->sk, CREDSTORE_GENL_NAME);
	if (c->family < 0) {
		fprintf(stderr, "csnl: family %s: %s\n", CREDSTORE_GENL_NAME,
			nl_geterror(c->family));
		return -1;
	}
	return 0;
}

void csnl_close(struct csnl *c)
{
	nl_socket_free(c->sk);
}

struct nl_msg *csnl_request(struct csnl *c, int family, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(1 << 20);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				family ? family : c->family, 0, flags, cmd,
				CREDSTORE_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

struct reply {
	struct csnl *c;
	const char *what;
	int err;
	bool done;
	bool interrupted;	/* this dump said NLM_F_DUMP_INTR */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	r->c->replies++;
	if (!r->c->quiet)
		csnl_print_attrs(genlmsg_attrdata(nlmsg_data(nlh), 0),
				 genlmsg_attrlen(nlmsg_data(nlh), 0));
	return NL_OK;
}

/* The extended ACK's TLVs follow the error and, unless capped, the
 * request that caused it. */
static void print_ext_ack(const struct nlmsghdr *nlh, const struct nlmsgerr *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		fprintf(stderr, ": %s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		fprintf(stderr, " [missing attribute %u]",
			nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	if (tb[NLMSGERR_ATTR_OFFS])
		fprintf(stderr, " [bad attribute at offset %u]",
			nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
}

/* With CSNL_SHOW_ECHO set: the request the error echoes, in hex (what the
 * kernel left of it: credstore.ko wipes the secrets it was sent). */
static void print_echo(const struct nlmsghdr *nlh, const struct nlmsgerr *e)
{
	const unsigned char *p = (const unsigned char *)(e + 1);
	size_t len = e->msg.nlmsg_len - sizeof(e->msg);

	if (!getenv("CSNL_SHOW_ECHO") || (nlh->nlmsg_flags & NLM_F_CAPPED))
		return;
	fprintf(stderr, " [echo ");
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x", p[i]);
	fprintf(stderr, "]");
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)e - 1;

	(void)who;
	r->done = true;
	r->err = e->error;
	if (!e->error)
		return NL_STOP;
	fprintf(stderr, "csnl: %s: %s", r->what, strerror(-e->error));
	print_ext_ack(nlh, e);
	print_echo(nlh, e);
	fprintf(stderr, "\n");
	return NL_STOP;
}

/* Said once per dump, on stdout among its entries: "dump-intr". */
static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	(void)msg;
	if (!r->interrupted && !r->c->quiet)
		printf("dump-intr\n");
	r->interrupted = true;
	return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* Notifications carry sequence 0, and rate() resends one message. */
static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static struct nl_cb *reply_callbacks(struct reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	return cb;
}

static int receive_reply(struct csnl *c, struct nl_cb *cb, struct reply *r)
{
	int err;

	r->done = false;
	r->interrupted = false;
	r->err = 0;
	while (!r->done) {
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && !r->done) {
			fprintf(stderr, "csnl: %s: %s\n", r->what, nl_geterror(err));
			return -1;
		}
	}
	return r->err ? -1 : 0;
}

/* Send @msg (freed) and read its replies up to the ACK or the dump's end. */
int csnl_transact(struct csnl *c, struct nl_msg *msg, const char *what)
{
	struct reply r = { .c = c, .what = what };
	struct nl_cb *cb = reply_callbacks(&r);
	int err;

	err = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		fprintf(stderr, "csnl: %s: send: %s\n", what, nl_geterror(err));
		nl_cb_put(cb);
		return -1;
	}
	err = receive_reply(c, cb, &r);
	nl_cb_put(cb);
	return err;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Round trips of @msg (freed) for @seconds: print the rate. */
int csnl_rate(struct csnl *c, struct nl_msg *msg, double seconds)
{
	struct reply r = { .c = c, .what = "rate" };
	struct nl_cb *cb = reply_callbacks(&r);
	unsigned long n = 0;
	double start = now(), end = start + seconds, t;
	int err = 0;

	c->quiet = true;
	do {
		for (int i = 0; i < 256 && !err; i++, n++) {
			err = nl_send_auto(c->sk, msg) < 0 ? -1 :
			      receive_reply(c, cb, &r);
		}
		t = now();
	} while (!err && t < end);
	nlmsg_free(msg);
	nl_cb_put(cb);
	c->quiet = false;
	if (err)
		return -1;
	printf("rate=%.0f requests=%lu seconds=%.3f\n", n / (t - start), n,
	       t - start);
	return 0;
}

/* Print @count notifications of the group "notify", or fail after
 * @timeout_s seconds without one.  @ready_file appears once subscribed. */
int csnl_listen(struct csnl *c, unsigned long count, int timeout_s,
		const char *ready_file)
{
	struct reply r = { .c = c, .what = "listen" };
	struct nl_cb *cb = reply_callbacks(&r);
	struct pollfd pfd = { .fd = nl_socket_get_fd(c->sk), .events = POLLIN };
	int grp, err = 0;
	FILE *f;

	grp = genl_ctrl_resolve_grp(c->sk, CREDSTORE_GENL_NAME,
				    CREDSTORE_MCGRP_NOTIFY);
	if (grp < 0 || nl_socket_add_membership(c->sk, grp)) {
		fprintf(stderr, "csnl: cannot join the group notify\n");
		return -1;
	}
	if (ready_file && (f = fopen(ready_file, "w")))
		fclose(f);
	c->replies = 0;
	while (c->replies < count && !err) {
		if (poll(&pfd, 1, timeout_s * 1000) != 1) {
			fprintf(stderr, "csnl: listen: no notification in %ds\n",
				timeout_s);
			err = -1;
		} else if ((err = nl_recvmsgs(c->sk, cb)) < 0) {
			fprintf(stderr, "csnl: listen: %s\n", nl_geterror(err));
		} else {
			err = 0;
		}
		fflush(stdout);
	}
	nl_cb_put(cb);
	return err;
}
