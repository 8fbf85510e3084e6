/* store batch: several admin commands in one transaction, all or
 * nothing (also across a power cut: one store commit). */
#include <errno.h>

#include "server.h"

static int run_one(struct cmd_ctx *c, struct nlattr *request, int index, struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_A_MAX + 1];
	struct cmd_ctx sub;
	struct cs_err sub_err = { 0 };
	const struct command *cmd = NULL;
	int r = nla_parse_nested(tb, CREDSTORE_A_MAX, request, cs_usersock_policy);

	if (r < 0)
		return cs_err_set(err, EINVAL, "batch operation %d: malformed: %s", index, nl_geterror(r));
	if (tb[CREDSTORE_A_ADMIN_CMD])
		cmd = command_find(nla_get_u8(tb[CREDSTORE_A_ADMIN_CMD]));
	if (!cmd || !cmd->batchable)
		return cs_err_set(err, EINVAL, "batch operation %d: not a command a batch can hold", index);
	/* Each operation answers in a part of its own, in order. */
	sub = *c;
	sub.reply = cs_reply_new(c->req, NLM_F_MULTI);
	if (!sub.reply)
		return cs_err_set(err, ENOMEM, "out of memory");
	r = reply_put(nla_put_u8(sub.reply, CREDSTORE_A_ADMIN_CMD, cmd->cmd), err);
	sub.tb = tb;
	sub.attrs = nla_data(request);
	sub.attrs_len = nla_len(request);
	if (!r && cmd->run(&sub, &sub_err))
		r = cs_err_set(err, sub_err.code, "batch operation %d (%s): %s", index, cmd->name,
			       sub_err.msg);
	if (r) {
		cs_msg_wipe_free(sub.reply);	/* may hold a generated secret */
		return r;
	}
	return reply_add_part(c, sub.reply, err);
}

int admin_batch(struct cmd_ctx *c, struct cs_err *err)
{
	struct nlattr *pos;
	int rem, index = 0, r = 0;

	nla_for_each_attr(pos, genlmsg_attrdata(c->req->genl, 0), genlmsg_attrlen(c->req->genl, 0), rem) {
		if (nla_type(pos) != CREDSTORE_A_ADMIN_REQUEST)
			continue;
		r = run_one(c, pos, ++index, err);
		if (r)
			return r;
	}
	return index ? 0 : cs_err_set(err, EINVAL, "the batch is empty");
}
