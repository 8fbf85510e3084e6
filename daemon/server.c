/* The usersock server: a request is received with its sender's
 * credentials, authorised against the command's access (struct command),
 * run, and answered; a change is committed, published to the module and
 * notified before the caller is told. */
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notify.h"
#include "publisher.h"
#include "server.h"

static bool in_admin_group(const struct daemon *d, const struct ucred *cred)
{
	struct passwd *pw;
	gid_t groups[256];
	int n = 256;

	if (!d->has_admin_group)
		return false;
	if (cred->gid == d->admin_gid)
		return true;
	pw = getpwuid(cred->uid);
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == d->admin_gid)
			return true;
	return false;
}

static int authorise(const struct daemon *d, const struct command *cmd,
		     const struct ucred *cred, struct cs_err *err)
{
	if (cmd->access == ACCESS_QUERY || cred->uid == 0 || in_admin_group(d, cred))
		return 0;
	return cs_err_set(err, EPERM, "permission denied: '%s' is for root%s, not uid %u",
			  cmd->name, d->has_admin_group ? " and the admin group" : "",
			  (unsigned int)cred->uid);
}

static bool changed_anything(const struct model_txn *t)
{
	return t->n_changes || t->cleared;
}

/* The store's own words name the limit; say what it means here. */
static void explain_too_big(const struct command *cmd, struct cs_err *err)
{
	char store_msg[sizeof(err->msg)];

	memcpy(store_msg, err->msg, sizeof(store_msg));
	cs_err_clear(err);
	cs_err_set(err, EFBIG, "the %s is too large for one store transaction (%s); nothing "
		   "was changed", cmd->name, store_msg);
}

/* A transaction of this many changes (a batch, an import) staged
 * megabytes; freed, they stay in the heap between the index's entries
 * unless given back. */
#define BIG_TXN_CHANGES	256

/* Run a command and, if it changed the store: commit to flash, publish to
 * the module, notify, and only then is the caller told. */
static int run_command(struct daemon *d, const struct command *cmd, struct cmd_ctx *c,
		       uint64_t *gen, struct cs_err *err)
{
	int r = 0;

	if (cmd->changes) {
		c->txn = model_txn_begin(&d->model, err);
		if (!c->txn)
			return -ENOMEM;
	}
	r = cmd->run(c, err);
	*gen = store_generation(d->model.store);
	if (!r && c->txn && changed_anything(c->txn)) {
		r = model_txn_commit(c->txn, gen, err);
		if (r == -EFBIG)
			explain_too_big(cmd, err);
		if (!r && d->publisher)
			publisher_changes(d->publisher, c->txn, *gen);
		if (!r)
			notify_changes(d->usersock, c->txn, *gen);
	}
	if (c->txn && (c->txn->n_changes >= BIG_TXN_CHANGES || c->txn->cleared)) {
		model_txn_free(c->txn);
		malloc_trim(0);
	} else {
		model_txn_free(c->txn);
	}
	c->txn = NULL;
	return r;
}

/* The reply, after its parts if any.  Parts are sent only on success:
 * a refused command answers with its error alone, and what its reply
 * already held (a generated secret, a key) is wiped. */
static void send_answer(struct daemon *d, struct cmd_ctx *c, bool ok)
{
	int lost = 0;

	for (size_t i = 0; i < c->n_parts; i++)
		if (ok)
			lost = cs_usersock_send(d->usersock, c->parts[i]) ?: lost;
		else
			cs_msg_wipe_free(c->parts[i]);
	free(c->parts);
	if (!ok) {
		cs_msg_wipe_free(c->reply);
		return;
	}
	if (c->n_parts)
		nlmsg_hdr(c->reply)->nlmsg_flags |= NLM_F_MULTI;
	lost = cs_usersock_send(d->usersock, c->reply) ?: lost;
	if (c->n_parts)
		lost = cs_usersock_send_done(d->usersock, c->req) ?: lost;
	/* The change stands; only its acknowledgement went astray. */
	if (lost)
		log_msg(LOG_WARNING, "usersock: the answer to port %u was lost: %s", c->req->port,
			strerror(-lost));
}

static void answer(struct daemon *d, const struct command *cmd, struct cs_request *req,
		   struct cs_err *err)
{
	struct cmd_ctx c = { .d = d, .req = req, .tb = req->tb,
			     .attrs = genlmsg_attrdata(req->genl, 0),
			     .attrs_len = genlmsg_attrlen(req->genl, 0) };
	uint64_t gen = 0;
	int r;

	if (cmd->dump && (!cmd->run || (req->nlh->nlmsg_flags & NLM_F_DUMP))) {
		r = cmd->dump(&c, err);
		if (!r)
			cs_usersock_send_done(d->usersock, req);
	} else {
		c.reply = cs_reply_new(req, 0);
		r = c.reply ? run_command(d, cmd, &c, &gen, err) : cs_err_set(err, ENOMEM, "out of memory");
		if (!r && cmd->changes)
			r = reply_put(nla_put_u64(c.reply, CREDSTORE_A_GENERATION, gen), err);
		send_answer(d, &c, r == 0);
	}
	if (r)
		cs_usersock_send_error(d->usersock, req, err);
	if (cmd->access == ACCESS_ADMIN && cmd->changes)
		log_msg(r ? LOG_WARNING : LOG_NOTICE, "uid %u: %s: %s", (unsigned int)req->cred.uid,
			cmd->name, r ? err->msg : "done");
}

void server_handle(struct daemon *d)
{
	struct cs_request req;
	struct cs_err err = { 0 };
	const struct command *cmd;
	int r = cs_usersock_recv_request(d->usersock, &req, &err);

	if (r < 0) {
		log_msg(LOG_WARNING, "usersock: %s", strerror(-r));
		return;
	}
	if (r == 1) {
		cmd = command_find(req.genl->cmd);
		if (!cmd) {
			cs_err_set(&err, EOPNOTSUPP, "unknown command %u", req.genl->cmd);
		} else if (authorise(d, cmd, &req.cred, &err)) {
			log_msg(LOG_WARNING, "%s", err.msg);
		} else {
			answer(d, cmd, &req, &err);
			cs_request_release(&req);
			return;
		}
	}
	if (req.nlh)
		cs_usersock_send_error(d->usersock, &req, &err);
	cs_request_release(&req);
}
