/* store export | import: every record (secrets included) in a portable
 * backup sealed under a passphrase (backup_seal.c).  Import replaces the
 * whole store in one transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "backup_seal.h"
#include "server.h"

/* Inside the sealed payload: one nested BACKUP_A_RECORD per record. */
enum backup_attr {
	BACKUP_A_UNSPEC,
	BACKUP_A_RECORD,
	BACKUP_A_TYPE,
	BACKUP_A_KEY,
	BACKUP_A_VALUE,
	BACKUP_A_SECRET,
	__BACKUP_A_MAX,
};
#define BACKUP_A_MAX (__BACKUP_A_MAX - 1)

static struct nla_policy backup_policy[BACKUP_A_MAX + 1] = {
	[BACKUP_A_TYPE] = { .type = NLA_U8 },
	[BACKUP_A_KEY] = { .type = NLA_UNSPEC, .minlen = 1, .maxlen = STORE_RECORD_KEY_MAX },
	[BACKUP_A_VALUE] = { .type = NLA_UNSPEC },
	[BACKUP_A_SECRET] = { .type = NLA_UNSPEC },
};

static int put_record(const struct store_record *r, void *arg)
{
	struct nl_msg *msg = arg;
	struct nlattr *nest = nla_nest_start(msg, BACKUP_A_RECORD);

	if (!nest || nla_put_u8(msg, BACKUP_A_TYPE, r->type) ||
	    nla_put(msg, BACKUP_A_KEY, (int)r->key_len, r->key) ||
	    nla_put(msg, BACKUP_A_VALUE, (int)r->value_len, r->value) ||
	    (r->secret && nla_put(msg, BACKUP_A_SECRET, (int)r->secret_len, r->secret)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static const uint8_t backup_types[] = { STORE_REC_IDENTITY, STORE_REC_ANCHOR, STORE_REC_DEVICE };

static int reply_blob(struct cmd_ctx *c, const uint8_t *blob, size_t len, struct cs_err *err)
{
	int r = 0;

	for (size_t off = 0; off < len && !r; off += CS_USERSOCK_ATTR_MAX) {
		size_t n = len - off < CS_USERSOCK_ATTR_MAX ? len - off : CS_USERSOCK_ATTR_MAX;
		struct nl_msg *part = reply_part(c, err);

		r = part ? reply_put(nla_put(part, CREDSTORE_A_ADMIN_BLOB, (int)n, blob + off), err)
			 : -ENOMEM;
	}
	return r;
}

int admin_export(struct cmd_ctx *c, struct cs_err *err)
{
	struct nl_msg *plain = nlmsg_alloc_size(CS_USERSOCK_BUFSIZE);
	uint8_t *sealed = NULL;
	size_t sealed_len = 0;
	struct nlmsghdr *nlh;
	int r = need_attr(c->tb, CREDSTORE_A_ADMIN_PASSWORD, "passphrase", err);

	if (!plain || !nlmsg_put(plain, 0, 0, 0, 0, 0))
		r = cs_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(backup_types) && !r; i++) {
		r = model_iterate(&c->d->model, backup_types[i], NULL, put_record, plain, err);
		if (r == -EMSGSIZE)
			r = cs_err_set(err, EMSGSIZE, "the store is too large for one backup");
	}
	if (!r) {
		nlh = nlmsg_hdr(plain);
		r = backup_seal(nlmsg_data(nlh), (size_t)nlmsg_datalen(nlh),
				attr_string(c->tb, CREDSTORE_A_ADMIN_PASSWORD), &sealed, &sealed_len, err);
	}
	if (!r)
		r = reply_blob(c, sealed, sealed_len, err);
	cs_msg_wipe_free(plain);
	free(sealed);
	return r;
}

/* The backup travels as several CREDSTORE_A_ADMIN_BLOB attributes. */
static int gather_blob(struct cmd_ctx *c, uint8_t **blob, size_t *len, struct cs_err *err)
{
	struct nlattr *pos;
	int rem;

	*len = 0;
	*blob = malloc(CS_USERSOCK_BUFSIZE);
	if (!*blob)
		return cs_err_set(err, ENOMEM, "out of memory");
	nla_for_each_attr(pos, genlmsg_attrdata(c->req->genl, 0), genlmsg_attrlen(c->req->genl, 0), rem) {
		if (nla_type(pos) != CREDSTORE_A_ADMIN_BLOB)
			continue;
		memcpy(*blob + *len, nla_data(pos), (size_t)nla_len(pos));
		*len += (size_t)nla_len(pos);
	}
	return *len ? 0 : cs_err_set(err, EINVAL, "missing backup data");
}

static int import_record(struct model_txn *t, struct nlattr *nest, struct cs_err *err)
{
	struct nlattr *tb[BACKUP_A_MAX + 1];
	struct store_record r = { 0 };
	int ret = nla_parse_nested(tb, BACKUP_A_MAX, nest, backup_policy);

	if (ret < 0 || !tb[BACKUP_A_TYPE] || !tb[BACKUP_A_KEY] || !tb[BACKUP_A_VALUE])
		return cs_err_set(err, EBADMSG, "the backup holds a malformed record");
	r.type = nla_get_u8(tb[BACKUP_A_TYPE]);
	r.key = nla_data(tb[BACKUP_A_KEY]);
	r.key_len = (size_t)nla_len(tb[BACKUP_A_KEY]);
	r.value = nla_data(tb[BACKUP_A_VALUE]);
	r.value_len = (size_t)nla_len(tb[BACKUP_A_VALUE]);
	if (tb[BACKUP_A_SECRET]) {
		r.secret = nla_data(tb[BACKUP_A_SECRET]);
		r.secret_len = (size_t)nla_len(tb[BACKUP_A_SECRET]);
	}
	ret = model_record_check(&r, err);
	return ret ? ret : model_put_record(t, &r, err);
}

static int import_records(struct model_txn *t, uint8_t *plain, size_t len, struct cs_err *err)
{
	struct nlattr *pos;
	int rem, r = 0;

	for (size_t i = 0; i < sizeof(backup_types) && !r; i++)
		r = model_clear(t, backup_types[i], err);
	nla_for_each_attr(pos, (struct nlattr *)plain, (int)len, rem) {
		if (r)
			break;
		r = nla_type(pos) == BACKUP_A_RECORD ? import_record(t, pos, err)
			: cs_err_set(err, EBADMSG, "the backup holds an unknown entry");
	}
	return r;
}

int admin_import(struct cmd_ctx *c, struct cs_err *err)
{
	uint8_t *blob = NULL, *plain = NULL;
	size_t len = 0, plain_len = 0;
	int r = need_attr(c->tb, CREDSTORE_A_ADMIN_PASSWORD, "passphrase", err);

	if (!r)
		r = gather_blob(c, &blob, &len, err);
	if (!r)
		r = backup_unseal(blob, len, attr_string(c->tb, CREDSTORE_A_ADMIN_PASSWORD),
				  &plain, &plain_len, err);
	if (!r)
		r = import_records(c->txn, plain, plain_len, err);
	free(blob);
	if (plain)
		OPENSSL_clear_free(plain, plain_len);
	return r;
}
