/* A command's input and output, for the handlers (admin_*.c, query.c,
 * sign.c, the batch in commands.c): the request's attributes, the
 * caller's groups, the reply and its parts, the entries of a dump. */
#include <errno.h>
#include <stdlib.h>

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
