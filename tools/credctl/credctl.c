/* credctl's plumbing: request attributes, talking to credstored, a
 * subcommand that is one request and its answer, finding a subcommand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	int rc = exit_code_of(c->err.code);

	fprintf(stderr, "credctl: %s\n", c->err.msg);
	if (c->json)
		printf("{\"error\":\"%s\",\"errno\":%d,\"exit\":%d}\n",
		       strerror(c->err.code), c->err.code, rc);
	return rc;
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

int ctl_transact(struct ctl *c, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	int rc = ctl_connect(c);

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return cs_client_transact(&c->client, req, fn, arg, &c->err) ? ctl_failed(c) : EXIT_OK;
}

int ctl_dump(struct ctl *c, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg)
{
	int rc = ctl_connect(c);

	if (rc)
		return rc;
	return cs_client_dump(&c->client, cmd, cursor_attr, fn, arg, &c->err) ? ctl_failed(c) : EXIT_OK;
}

struct print_arg {
	struct ctl *c;
	const struct subcmd *sc;
	const char *subject;
};

static int print_reply(struct nlattr **tb, void *arg)
{
	struct print_arg *p = arg;

	out_begin(p->c);
	if (p->sc->print)
		p->sc->print(p->c, tb, p->subject);
	else
		out_str(p->c, "result", "done");
	if (tb[CREDSTORE_A_GENERATION] && (!p->c->json || !p->sc->print))
		out_u64(p->c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
	out_end(p->c);
	return 0;
}

int ctl_simple(struct ctl *c, const struct subcmd *sc, int argc, char **argv)
{
	struct nl_msg *req = cs_client_request(sc->cmd, 0);
	struct print_arg p = { .c = c, .sc = sc, .subject = argc > 1 ? argv[argc - 1] : "" };
	int rc = req ? sc->build(c, argc, argv, req) : ctl_usage(c, "out of memory");

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return ctl_transact(c, req, print_reply, &p);
}

const struct subcmd *ctl_find_subcmd(const struct ctl *c, const char *group, const char *name)
{
	for (const struct subcmd *const *g = c->groups; *g; g++)
		for (const struct subcmd *sc = *g; sc->name; sc++)
			if (!strcmp(sc->group, group) && name && !strcmp(sc->name, name))
				return sc;
	return NULL;
}
