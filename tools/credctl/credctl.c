/* credctl's plumbing: usage errors, talking to credstored, the subcommand
 * table, and `store batch` (its file parsed in batch_file.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_file.h"

/* The message on stderr (and as JSON with -j), and where to read more. */
static int report(struct ctl *c, int rc, const char *fmt, va_list ap)
{
	char msg[CREDSTORE_MESSAGE_MAX + 128], title[64];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "credctl: %s\n", msg);
	if (rc == EXIT_USAGE && !c->in_batch && c->sc) {
		ctl_subcmd_title(c->sc, title, sizeof(title));
		fprintf(stderr, "Try 'credctl %s --help'.\n", title);
	} else if (rc == EXIT_USAGE && !c->in_batch) {
		fprintf(stderr, "Try 'credctl --help'.\n");
	}
	out_error(c, msg, rc);
	return rc;
}

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = report(c, EXIT_USAGE, fmt, ap);
	va_end(ap);
	return rc;
}

int ctl_error(struct ctl *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = report(c, rc, fmt, ap);
	va_end(ap);
	return rc;
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
	return ctl_error(c, exit_code_of(c->err.code), "%s", c->err.msg);
}

int ctl_connect(struct ctl *c)
{
	if (c->connected)
		return EXIT_OK;
	if (cs_client_open(&c->client, c->daemon_uid, c->timeout_ms, &c->err))
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

/* What every change answers: result, the command's own keys, a warning
 * if the daemon gave one, and the generation. */
static void print_change(struct ctl *c, const struct subcmd *sc, struct nlattr **tb,
			 const char *subject)
{
	if (c->json || !sc || !sc->print)
		out_str(c, "result", "done");
	if (sc && sc->print)
		sc->print(c, tb, subject);
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
	print_change(p->c, p->sc, tb, p->subject);
	out_end(p->c);
	return 0;
}

int ctl_list(struct ctl *c, int argc, char **argv, const char *key, uint8_t cmd, int cursor_attr,
	     cs_reply_fn fn)
{
	int rc = no_more_args(c, argc, argv);

	if (!rc)
		rc = ctl_connect(c);
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

const struct subcmd *const ctl_groups[] = {
	identity_cmds, anchor_cmds, device_cmds, store_cmds, expiring_cmds, NULL
};

const struct subcmd *ctl_find_subcmd(const char *group, const char *name)
{
	for (size_t g = 0; ctl_groups[g]; g++)
		for (const struct subcmd *sc = ctl_groups[g]; sc->name; sc++)
			if (!strcmp(sc->group, group) &&
			    (!sc->name[0] || (name && !strcmp(sc->name, name))))
				return sc;
	return NULL;
}

void ctl_subcmd_title(const struct subcmd *sc, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", sc->group, sc->name[0] ? " " : "", sc->name);
}

struct batch_print {
	struct ctl *c;
	int n, printed;
};

static const struct subcmd *find_by_cmd(uint8_t cmd)
{
	for (size_t g = 0; ctl_groups[g]; g++)
		for (const struct subcmd *sc = ctl_groups[g]; sc->name; sc++)
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
		if (tb[CREDSTORE_A_ADMIN_WARNING])
			out_str(b->c, "warning", nla_get_string(tb[CREDSTORE_A_ADMIN_WARNING]));
		out_item_end(b->c);
		return 0;
	}
	out_list_end(b->c);
	out_u64(b->c, "operations", (uint64_t)b->n);
	print_change(b->c, NULL, tb, "");
	out_end(b->c);
	return 0;
}

/* Files a batch names are found next to it, wherever credctl runs. */
static int batch_dir(struct ctl *c, const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');

	*dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!*dir)
		return ctl_usage(c, "out of memory");
	c->base_dir = *dir;
	return EXIT_OK;
}

int ctl_batch(struct ctl *c, const char *path)
{
	struct batch_print p = { .c = c };
	struct batch_file b = { 0 };
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_BATCH, 0);
	FILE *f = fopen(path, "r");
	char *dir = NULL;
	int rc = f && req ? batch_dir(c, path, &dir)
			  : ctl_usage(c, "cannot read %s: %s", path, strerror(errno));

	if (!rc)
		rc = batch_file_build(c, f, path, req, &b);
	c->base_dir = NULL;
	free(dir);
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
