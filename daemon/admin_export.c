/* store export: every record (secrets included) in a portable backup
 * sealed under a passphrase (backup_seal.h), streamed to the client as it
 * is made: the header, then one sealed chunk per part, then NLMSG_DONE.
 * Memory stays at one chunk whatever the size of the store; the daemon
 * serves nothing else meanwhile, so the backup is one generation. */
#include <errno.h>
#include <stdlib.h>
#include <openssl/crypto.h>

#include "backup_records.h"
#include "backup_seal.h"
#include "server.h"

struct exporter {
	struct cmd_ctx *c;
	struct backup_key key;
	struct nl_msg *plain;		/* the records of the chunk being filled */
	uint32_t index;
	uint8_t sealed[BACKUP_CHUNK_PLAIN_MAX + BACKUP_CHUNK_OVERHEAD];
	struct cs_err *err;
};

struct piece {
	const uint8_t *data;
	size_t len;
};

static int fill_piece(struct nl_msg *msg, const void *arg)
{
	const struct piece *p = arg;

	return nla_put(msg, CREDSTORE_A_ADMIN_BLOB, (int)p->len, p->data);
}

static int send_piece(struct exporter *e, const uint8_t *data, size_t len)
{
	struct piece p = { data, len };

	return dump_send(e->c, fill_piece, &p, e->err);
}

static void drop_plain(struct exporter *e)
{
	cs_msg_wipe_free(e->plain);
	e->plain = NULL;
}

static int new_plain(struct exporter *e)
{
	e->plain = nlmsg_alloc_size(BACKUP_CHUNK_PLAIN_MAX + NLMSG_HDRLEN);
	if (!e->plain || !nlmsg_put(e->plain, 0, 0, 0, 0, 0))
		return cs_err_set(e->err, ENOMEM, "out of memory");
	return 0;
}

static size_t plain_len(const struct exporter *e)
{
	return (size_t)nlmsg_datalen(nlmsg_hdr(e->plain));
}

static int flush_chunk(struct exporter *e, bool last)
{
	size_t len = plain_len(e);
	int r = backup_seal_chunk(&e->key, e->index++, last, nlmsg_data(nlmsg_hdr(e->plain)), len,
				  e->sealed, e->err);

	if (!r)
		r = send_piece(e, e->sealed, len + BACKUP_CHUNK_OVERHEAD);
	OPENSSL_cleanse(e->sealed, sizeof(e->sealed));
	drop_plain(e);
	return r ? r : last ? 0 : new_plain(e);
}

static int add_record(const struct store_record *r, void *arg)
{
	struct exporter *e = arg;
	size_t need = backup_record_size(r);
	int ret;

	if (need > BACKUP_CHUNK_PLAIN_MAX)
		return cs_err_set(e->err, EFBIG, "a record of %zu bytes does not fit in a backup chunk",
				  need);
	if (plain_len(e) + need > BACKUP_CHUNK_PLAIN_MAX && (ret = flush_chunk(e, false)))
		return ret;
	return backup_put_record(e->plain, r) ? cs_err_set(e->err, EMSGSIZE, "a record does not fit")
					      : 0;
}

int admin_export(struct cmd_ctx *c, struct cs_err *err)
{
	struct exporter *e = calloc(1, sizeof(*e));
	int r = need_attr(c->tb, CREDSTORE_A_ADMIN_PASSWORD, "passphrase", err);

	if (!e)
		return cs_err_set(err, ENOMEM, "out of memory");
	e->c = c;
	e->err = err;
	if (!r)
		r = backup_seal_begin(&e->key, attr_string(c->tb, CREDSTORE_A_ADMIN_PASSWORD), err);
	if (!r)
		r = new_plain(e);
	if (!r)
		r = send_piece(e, e->key.header, BACKUP_HEADER_LEN);
	for (size_t i = 0; i < sizeof(backup_types) && !r; i++)
		r = model_iterate(&c->d->model, backup_types[i], NULL, add_record, e, err);
	if (!r)
		r = flush_chunk(e, true);
	drop_plain(e);
	backup_key_wipe(&e->key);
	free(e);
	return r;
}
