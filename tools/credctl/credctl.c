/* credctl's plumbing: usage errors, talking to credstored, the subcommand
 * table, and `store batch` (its file parsed in batch_file.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "batch_file.h"

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	fputs("credctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

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
	case EIO:
		return EXIT_UNREACHABLE;
	case ENOENT:
		return EXIT_NOT_FOUND;
	case EPERM:
		return EXIT_DENIED;
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

const struct subcmd *ctl_find_subcmd(const char *group, const char *name)
{
	const struct subcmd *groups[] = { identity_cmds, anchor_cmds, device_cmds, store_cmds };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct subcmd *sc = groups[g]; sc->name; sc++)
			if (!strcmp(sc->group, group) && name && !strcmp(sc->name, name))
				return sc;
	return NULL;
}

struct batch_print {
	struct ctl *c;
	int n, printed;
};

static const struct subcmd *find_by_cmd(uint8_t cmd)
{
	const struct subcmd *groups[] = { identity_cmds, anchor_cmds, device_cmds, store_cmds };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct subcmd *sc = groups[g]; sc->name; sc++)
			if (sc->build && sc->cmd == cmd)
				return sc;
	return NULL;
}

/* One part per operation (with CREDSTORE_A_ADMIN_CMD), then the reply
 * with the generation. */
static int print_batch(struct nlattr **tb, void *arg)
{
	struct batch_print *b = arg;
	const struct subcmd *sc;
	char what[64];

	if (b->printed++ == 0) {
		out_begin(b->c);
		out_list_begin(b->c, "results");
	}
	if (tb[CREDSTORE_A_ADMIN_CMD]) {
		sc = find_by_cmd(nla_get_u8(tb[CREDSTORE_A_ADMIN_CMD]));
		out_item_begin(b->c);
		snprintf(what, sizeof(what), "%s %s", sc ? sc->group : "?", sc ? sc->name : "?");
		out_str(b->c, "operation", what);
		if (sc && sc->print)
			sc->print(b->c, tb, "");
		out_item_end(b->c);
		return 0;
	}
	out_list_end(b->c);
	out_u64(b->c, "operations", (uint64_t)b->n);
	if (tb[CREDSTORE_A_GENERATION])
		out_u64(b->c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
	out_end(b->c);
	return 0;
}

int ctl_batch(struct ctl *c, const char *path)
{
	struct batch_print p = { .c = c };
	struct batch_file b = { 0 };
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_BATCH, 0);
	FILE *f = fopen(path, "r");
	int rc = f && req ? batch_file_build(c, f, path, req, &b)
			  : ctl_usage(c, "cannot read %s: %s", path, strerror(errno));

	if (f)
		fclose(f);
	p.n = b.n_ops;
	if (rc)
		nlmsg_free(req);
	else
		rc = ctl_transact(c, req, print_batch, &p);
	batch_file_release(&b);
	return rc;
}
