/* A command's input and output, for the handlers (admin_*.c, query.c,
 * sign.c, the batch in commands.c): the request's attributes, the
 * caller's groups, the reply and its parts, the entries of a dump. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server.h"

const char *attr_string(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_string(tb[attr]) : NULL;
}

int need_attr(struct nlattr **tb, int attr, const char *what, struct cs_err *err)
{
	return tb[attr] ? 0 : cs_err_set(err, EINVAL, "missing %s", what);
}

/* A name or id: present, not empty (the policy bounds its length). */
int need_name(struct nlattr **tb, int attr, const char *what, struct cs_err *err)
{
	int r = need_attr(tb, attr, what, err);

	if (!r && !nla_get_string(tb[attr])[0])
		r = cs_err_set(err, EINVAL, "the %s is empty", what);
	return r;
}

/* Names and ids appear in logs, file names of backups and JSON: a
 * restricted set keeps them printable and free of paths and options. */
int need_new_name(struct nlattr **tb, int attr, const char *what, struct cs_err *err)
{
	int r = need_name(tb, attr, what, err);
	const char *name = r ? NULL : nla_get_string(tb[attr]);

	for (const char *p = name; p && *p && !r; p++)
		if (!isalnum((unsigned char)*p) && (p == name || !strchr("._:@-", *p)))
			r = cs_err_set(err, EINVAL, "the %s must be letters, digits and . _ : @ - "
				       "(a letter or digit first); character %d is not", what,
				       (int)(p - name) + 1);
	return r;
}

int only_one(struct nlattr **tb, int a, int b, const char *what, struct cs_err *err)
{
	return tb[a] && tb[b] ? cs_err_set(err, EINVAL, "%s, not both", what) : 0;
}

void reply_warning(struct cmd_ctx *c, const char *fmt, ...)
{
	char text[CREDSTORE_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_msg(LOG_WARNING, "%s", text);
	(void)nla_put_string(c->reply, CREDSTORE_A_ADMIN_WARNING, text);
}

int reply_put(int ret, struct cs_err *err)
{
	return ret < 0 ? cs_err_set(err, EMSGSIZE, "the answer does not fit in a message") : 0;
}

int reply_add_part(struct cmd_ctx *c, struct nl_msg *scratch, struct cs_err *err)
{
	struct nl_msg *part = cs_reply_copy(c->req, scratch);
	void *p = part ? realloc(c->parts, (c->n_parts + 1) * sizeof(*c->parts)) : NULL;

	cs_msg_wipe_free(scratch);
	if (!p) {
		cs_msg_wipe_free(part);
		return cs_err_set(err, ENOMEM, "out of memory");
	}
	c->parts = p;
	c->parts[c->n_parts++] = part;
	return 0;
}

int dump_send(struct cmd_ctx *c, int (*fill)(struct nl_msg *msg, const void *arg),
	      const void *arg, struct cs_err *err)
{
	struct nl_msg *msg = cs_reply_new(c->req, NLM_F_MULTI);

	if (!msg)
		return cs_err_set(err, ENOMEM, "out of memory");
	if (fill(msg, arg) < 0) {
		cs_msg_wipe_free(msg);
		return cs_err_set(err, EMSGSIZE, "an entry does not fit in a message");
	}
	return conn_send(c->conn, msg) < 0 ? cs_err_set(err, EPIPE, "the client went away") : 0;
}
