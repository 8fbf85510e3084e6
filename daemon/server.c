/* The server of credstored's sockets: a request read from a connection
 * is authorised from the connection's peer credentials against the
 * command's access (struct command), run, and answered on the same
 * connection; a change is committed, published to the module and
 * notified before the caller is told. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"
#include "notify.h"
#include "publisher.h"
#include "remount.h"
#include "server.h"
#include "sign_keys.h"

void server_accepted(struct daemon *d, struct conn *conn)
{
	conn->admin = conn->cred.uid == 0 ||
		      (d->has_admin_group && conn_in_group(conn, d->admin_gid));
}

static int authorise(const struct daemon *d, const struct command *cmd,
		     const struct conn *conn, struct cs_err *err)
{
	if (cmd->access != ACCESS_QUERY && !conn->admin)
		return cs_err_set(err, EPERM, "permission denied: '%s' is for root%s, not uid %u",
				  cmd->name, d->has_admin_group ? " and the admin group" : "",
				  (unsigned int)conn->cred.uid);
	if (cmd->access == ACCESS_ADMIN && conn->socket != CONN_ADMIN)
		return cs_err_set(err, EPERM, "permission denied: '%s' is served on the admin socket only",
				  cmd->name);
	return 0;
}

static bool changed_anything(const struct model_txn *t)
{
	return t->n_changes || t->cleared;
}

/* The store's own words say what happened; say what it means here. */
static void explain_commit(const struct command *cmd, int r, struct cs_err *err)
{
	char store_msg[sizeof(err->msg)];

	if (r != -EFBIG && r != -EINPROGRESS)
		return;
	memcpy(store_msg, err->msg, sizeof(store_msg));
	cs_err_clear(err);
	if (r == -EFBIG)
		cs_err_set(err, EFBIG, "the %s is too large for one store transaction (%s); nothing "
			   "was changed", cmd->name, store_msg);
	else
		cs_err_set(err, EINPROGRESS, "outcome unknown: the %s may or may not be stored (%s); "
			   "run `credctl store status` after the daemon remounts", cmd->name,
			   store_msg);
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

	if (cmd->transaction) {
		c->txn = model_txn_begin(&d->model, err);
		if (!c->txn)
			return -ENOMEM;
	}
	r = cmd->run(c, err);
	*gen = store_generation(d->model.store);
	if (!r && c->txn && changed_anything(c->txn)) {
		r = model_txn_commit(c->txn, gen, err);
		explain_commit(cmd, r, err);
		if (!r)
			sign_keys_forget(d->sign_keys, c->txn);
		if (!r && d->publisher)
			publisher_changes(d->publisher, c->txn, *gen);
		if (!r)
			notify_changes(d->conns, c->txn, *gen);
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
 * already held (a generated secret, a key) is wiped.  A client that went
 * away loses only its acknowledgement: the change stands. */
static void send_answer(struct cmd_ctx *c, bool ok)
{
	for (size_t i = 0; i < c->n_parts; i++)
		if (ok)
			conn_send(c->conn, c->parts[i]);
		else
			cs_msg_wipe_free(c->parts[i]);
	free(c->parts);
	if (!ok) {
		cs_msg_wipe_free(c->reply);
		return;
	}
	if (c->n_parts)
		nlmsg_hdr(c->reply)->nlmsg_flags |= NLM_F_MULTI;
	conn_send(c->conn, c->reply);
	if (c->n_parts)
		conn_send(c->conn, cs_reply_done(c->req));
}

static void answer(struct daemon *d, struct conn *conn, const struct command *cmd,
		   struct cs_request *req, struct cs_err *err)
{
	struct cmd_ctx c = { .d = d, .conn = conn, .req = req, .tb = req->tb,
			     .attrs = genlmsg_attrdata(req->genl, 0),
			     .attrs_len = genlmsg_attrlen(req->genl, 0) };
	uint64_t gen = 0;
	int r;

	if (cmd->dump && (!cmd->run || (req->nlh->nlmsg_flags & NLM_F_DUMP))) {
		r = cmd->dump(&c, err);
		if (!r)
			conn_send(conn, cs_reply_done(req));
	} else {
		c.reply = cs_reply_new(req, 0);
		r = c.reply ? run_command(d, cmd, &c, &gen, err) : cs_err_set(err, ENOMEM, "out of memory");
		if (!r && cmd->transaction)
			r = reply_put(nla_put_u64(c.reply, CREDSTORE_A_GENERATION, gen), err);
		send_answer(&c, r == 0);
	}
	if (r)
		conn_send(conn, cs_reply_error(req, err));
	if (cmd->access == ACCESS_ADMIN && cmd->transaction)
		log_msg(r ? LOG_WARNING : LOG_NOTICE, "uid %u: %s: %s", (unsigned int)req->cred.uid,
			cmd->name, r ? err->msg : "done");
}

void server_request(struct daemon *d, struct conn *conn, unsigned char *buf, size_t len)
{
	static unsigned long denied;
	struct cs_request req = { .cred = conn->cred, .conn = conn->id, .buf = buf, .len = len };
	struct cs_err err = { 0 };
	const struct command *cmd = NULL;

	if (cs_request_parse(&req, &err)) {
		cmd = command_find(req.genl->cmd);
		if (!cmd)
			cs_err_set(&err, EOPNOTSUPP, "unknown command %u", req.genl->cmd);
		else if (authorise(d, cmd, conn, &err) && log_sample(&denied))
			log_msg(LOG_WARNING, "%s (%lu refusals so far)", err.msg, denied);
	}
	if (!err.code)
		answer(d, conn, cmd, &req, &err);
	else if (req.nlh)
		conn_send(conn, cs_reply_error(&req, &err));
	else
		conn_close(conn, NULL);		/* conn_read() lets no such datagram through */
	conn_answer_end(conn);
	cs_request_release(&req);
	/* Answered first: then the store is mounted again if it must be. */
	remount_if_broken(d, err.msg);
}
