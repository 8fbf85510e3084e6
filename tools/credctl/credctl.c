/* credctl's plumbing: request attributes, talking to credstored, a
 * subcommand that is one request and its answer, finding a subcommand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_kind.h"
#include "credctl.h"

int ctl_put(struct ctl *c, int ret)
{
	return ret < 0 ? ctl_usage(c, "the request is larger than the %d MiB one admin message holds",
				   CS_USERSOCK_REQUEST_MAX >> 20) : EXIT_OK;
}

/* Strings are checked against credstored's policy (common/usersock.c) here,
 * so that one too long is a usage error naming it (never its value: it
 * may be a password). */
int ctl_put_string(struct ctl *c, struct nl_msg *msg, int attr, const char *value)
{
	size_t max = cs_usersock_policy[attr].maxlen;

	if (max && strlen(value) >= max)
		return ctl_usage(c, "the %s is longer than %zu characters", cs_usersock_attr_name(attr),
				 max - 1);
	return ctl_put(c, nla_put_string(msg, attr, value));
}

static int exit_code_of(int code)
{
	switch (code) {
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EPIPE:
		return EXIT_UNREACHABLE;	/* EIO is the daemon's: a flash error, refused */
	case ENOENT:
		return EXIT_NOT_FOUND;
	case EPERM:
		return EXIT_DENIED;
	case EROFS:
		return EXIT_READ_ONLY;
	case EINPROGRESS:
	case ECONNABORTED:
	case ETIME:
		return EXIT_UNKNOWN;
	default:
		return EXIT_REFUSED;
	}
}

/* The daemon's message on stderr (and in the JSON answer). */
int ctl_failed(struct ctl *c)
{
	return ctl_error(c, exit_code_of(c->err.code), "%s", c->err.msg);
}

/* The admin socket; a user who may not open it still gets the queries
 * (identity, anchor and device lists) on the query socket, and the
 * daemon's own refusal of anything else. */
int ctl_connect(struct ctl *c)
{
	if (c->connected)
		return EXIT_OK;
	if (cs_client_open(&c->client, c->runtime_dir, CS_ADMIN_SOCKET, c->daemon_uid, c->timeout_ms,
			   &c->err) == -EPERM) {
		cs_err_clear(&c->err);
		cs_client_open(&c->client, c->runtime_dir, CS_QUERY_SOCKET, c->daemon_uid,
			       c->timeout_ms, &c->err);
	}
	if (c->err.code)
		return ctl_failed(c);
	c->connected = true;
	return EXIT_OK;
}

/* A read that got no answer changed nothing: credstored is unreachable,
 * not "outcome unknown" (which is for changes). */
static int read_failed(struct ctl *c)
{
	int code = c->err.code;

	if (code == ETIME || code == ECONNABORTED) {
		cs_err_clear(&c->err);
		cs_err_set(&c->err, ETIMEDOUT, "credstored gave no answer (%s): a query, nothing "
			   "was changed", code == ETIME ? "timed out" : "it closed the connection");
	}
	return ctl_failed(c);
}

int ctl_transact(struct ctl *c, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	bool read = cs_cmd_changes_nothing(genlmsg_hdr(nlmsg_hdr(req))->cmd);
	int rc = ctl_connect(c);

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	if (!cs_client_transact(&c->client, req, fn, arg, &c->err))
		return EXIT_OK;
	return read ? read_failed(c) : ctl_failed(c);
}

int ctl_dump(struct ctl *c, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg)
{
	int rc = ctl_connect(c);

	if (rc)
		return rc;
	return cs_client_dump(&c->client, cmd, cursor_attr, fn, arg, &c->err) ? read_failed(c) : EXIT_OK;
}

struct print_arg {
	struct ctl *c;
	const struct subcmd *sc;
	const char *subject;
};

void ctl_print_change(struct ctl *c, const struct subcmd *sc, struct nlattr **tb)
{
	if (c->json || !sc || !sc->print)
		out_str(c, "result", "done");
	if (sc && sc->print)
		sc->print(c, tb, "");
	if (tb[CREDSTORE_A_ADMIN_WARNING]) {
		fprintf(stderr, "credctl: warning: %s\n", nla_get_string(tb[CREDSTORE_A_ADMIN_WARNING]));
		out_str(c, "warning", nla_get_string(tb[CREDSTORE_A_ADMIN_WARNING]));
	}
	if (tb[CREDSTORE_A_GENERATION])
		out_u64(c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
}

static int print_reply(struct nlattr **tb, void *arg)
{
	struct print_arg *p = arg;

	out_begin(p->c);
	ctl_print_change(p->c, p->sc, tb);
	out_end(p->c);
	return 0;
}

int ctl_list(struct ctl *c, const char *key, uint8_t cmd, int cursor_attr, cs_reply_fn fn)
{
	int rc = ctl_connect(c);

	if (rc)
		return rc;
	out_begin(c);
	out_list_begin(c, key);
	rc = ctl_dump(c, cmd, cursor_attr, fn, c);
	out_list_end(c);
	if (!rc)
		out_end(c);
	return rc;
}

int ctl_send_change(struct ctl *c, struct nl_msg *req, const struct subcmd *sc)
{
	struct print_arg p = { .c = c, .sc = sc, .subject = "" };

	return ctl_transact(c, req, print_reply, &p);
}

int ctl_simple(struct ctl *c, const struct subcmd *sc, int argc, char **argv)
{
	struct nl_msg *req = cs_client_request(sc->cmd, 0);
	int rc = req ? sc->build(c, argc, argv, req) : ctl_usage(c, "out of memory");

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return ctl_send_change(c, req, sc);
}

const struct subcmd *ctl_find_subcmd(const struct ctl *c, const char *group, const char *name)
{
	for (const struct subcmd *const *g = c->groups; *g; g++)
		for (const struct subcmd *sc = *g; sc->name; sc++)
			if (!strcmp(sc->group, group) &&
			    (!sc->name[0] || (name && !strcmp(sc->name, name))))
				return sc;
	return NULL;
}
