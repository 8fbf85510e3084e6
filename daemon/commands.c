/* Every command credstored's sockets answer, with who may run it; and the
 * batch, a command that runs several of them in one transaction, all or
 * nothing (also across a power cut: one store commit).  Which of them
 * change nothing is common/cmd_kind.c's list, not this table's:
 * tests/unit/test_cmd_kind.c checks that the two agree. */
#include <errno.h>
#include <stddef.h>

#include "server.h"

#define QUERY(c, n, run, dump)	{ c, n, ACCESS_QUERY, false, false, run, dump }
#define PRIV(c, n, run)		{ c, n, ACCESS_PRIVILEGED, false, false, run, NULL }
#define CHANGE(c, n, run)	{ c, n, ACCESS_ADMIN, true, true, run, NULL }

static const struct command commands[] = {
	QUERY(CREDSTORE_CMD_GET_STATUS, "status", query_status, NULL),
	QUERY(CREDSTORE_CMD_GET_IDENTITY, "get identity", query_identity, query_identity_dump),
	QUERY(CREDSTORE_CMD_GET_ANCHOR, "get anchor", query_anchor, query_anchor_dump),
	QUERY(CREDSTORE_CMD_GET_DEVICE, "get device", query_device, query_device_dump),
	QUERY(CREDSTORE_CMD_VERIFY_FINGERPRINT, "verify fingerprint", query_verify_fingerprint, NULL),
	QUERY(CREDSTORE_CMD_VERIFY_SECRET, "verify secret", query_verify_secret, NULL),
	QUERY(CREDSTORE_CMD_VERIFY_HMAC, "verify HMAC", query_verify_hmac, NULL),
	/* Open to everyone here: the handler checks the identity's signers. */
	QUERY(CREDSTORE_DAEMON_CMD_SIGN, "sign", query_sign, NULL),
	PRIV(CREDSTORE_CMD_GET_DEVICE_SECRETS, "get device secrets", query_device_secrets),
	QUERY(CREDSTORE_ADMIN_CMD_SUBSCRIBE, "subscribe", query_subscribe, NULL),

	CHANGE(CREDSTORE_ADMIN_CMD_IDENTITY_CSR, "identity csr", admin_identity_csr),
	CHANGE(CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, "identity install", admin_identity_install),
	CHANGE(CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, "identity remove", admin_identity_remove),
	CHANGE(CREDSTORE_ADMIN_CMD_ANCHOR_ADD, "anchor add", admin_anchor_add),
	CHANGE(CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE, "anchor remove", admin_anchor_remove),
	CHANGE(CREDSTORE_ADMIN_CMD_ANCHOR_REPLACE, "anchor replace", admin_anchor_replace),
	/* Its CRL may be MiB: more than a batch's nest (64 KiB) holds. */
	{ CREDSTORE_ADMIN_CMD_ANCHOR_CRL, "anchor crl", ACCESS_ADMIN, true, false,
	  admin_anchor_crl, NULL },
	QUERY(CREDSTORE_ADMIN_CMD_GET_CRL, "get crl", query_crl, NULL),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_ADD, "device add", admin_device_add),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT, "device reset-fingerprint",
	       admin_device_reset_fingerprint),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET, "device reset-secret",
	       admin_device_reset_secret),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE, "device promote", admin_device_promote),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB, "device drop-sub", admin_device_drop_sub),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, "device set-flags", admin_device_set_flags),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, "device remove", admin_device_remove),
	CHANGE(CREDSTORE_ADMIN_CMD_FACTORY_RESET, "factory-reset", admin_factory_reset),
	CHANGE(CREDSTORE_ADMIN_CMD_RESET_DEVICES, "reset-devices", admin_reset_devices),
	{ CREDSTORE_ADMIN_CMD_STORE_STATUS, "store status", ACCESS_ADMIN, false, false,
	  admin_store_status, NULL },
	/* the store writes the binding itself: no transaction of the model */
	{ CREDSTORE_ADMIN_CMD_STORE_ACCEPT_ROLLBACK, "store accept-rollback", ACCESS_ADMIN, false,
	  false, admin_store_accept_rollback, NULL },
	{ CREDSTORE_ADMIN_CMD_EXPORT, "export", ACCESS_ADMIN, false, false, NULL, admin_export },
	{ CREDSTORE_ADMIN_CMD_IMPORT_BEGIN, "import begin", ACCESS_ADMIN, false, false,
	  admin_import_begin, NULL },
	{ CREDSTORE_ADMIN_CMD_IMPORT_CHUNK, "import chunk", ACCESS_ADMIN, false, false,
	  admin_import_chunk, NULL },
	{ CREDSTORE_ADMIN_CMD_IMPORT, "import", ACCESS_ADMIN, true, false, admin_import, NULL },
	{ CREDSTORE_ADMIN_CMD_BATCH, "batch", ACCESS_ADMIN, true, false, admin_batch, NULL },
	{ CREDSTORE_ADMIN_CMD_IDENTITY_EXPORT_KEY, "identity export-key", ACCESS_ADMIN, false, false,
	  admin_identity_export_key, NULL },
};

const struct command *command_find(uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return &commands[i];
	return NULL;
}

static int run_one(struct cmd_ctx *c, struct nlattr *request, int index, struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	struct cmd_ctx sub;
	struct cs_err sub_err = { 0 };
	const struct command *cmd = NULL;
	int r = nla_parse_nested(tb, CREDSTORE_ADMIN_A_MAX, request, cs_usersock_policy);

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
