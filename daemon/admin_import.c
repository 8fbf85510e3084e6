/* store import, in three commands: IMPORT_BEGIN (the backup's header and
 * the passphrase), IMPORT_CHUNK (each sealed chunk, in order: opened and
 * checked at once, its records kept in the daemon's memory), IMPORT (the
 * commit: the staged records replace the whole store in one transaction,
 * all or nothing also across a power cut).  One import at a time, owned
 * by the connection that began it; a client that goes away leaves its
 * staged records behind only until the next import, or the next idle
 * tick, finds it gone (import_reap). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "backup_records.h"
#include "backup_seal.h"
#include "log.h"
#include "server.h"

/* The most a backup may stage: far above the records of the device
 * limit, well below what the daemon's host would miss. */
#define IMPORT_STAGE_MAX	(256u << 20)

struct import_stage {
	uint64_t conn;			/* the connection that owns it */
	uid_t uid;
	struct backup_key key;
	uint32_t next;			/* index of the next chunk */
	bool complete;			/* the last chunk is in */
	uint8_t *plain;			/* BACKUP_A_RECORD nests, checked */
	size_t len, cap;
};

void import_drop(struct daemon *d)
{
	struct import_stage *s = d->import;

	if (!s)
		return;
	if (s->plain)
		OPENSSL_clear_free(s->plain, s->cap);
	backup_key_wipe(&s->key);
	free(s);
	d->import = NULL;
}

void import_reap(struct daemon *d)
{
	if (d->import && !conns_find(d->conns, d->import->conn)) {
		log_msg(LOG_WARNING, "import by uid %u: the client went away; its staged records are dropped",
			(unsigned int)d->import->uid);
		import_drop(d);
	}
}

static int owned_stage(struct cmd_ctx *c, struct cs_err *err)
{
	if (!c->d->import)
		return cs_err_set(err, EINVAL, "no import in progress: begin one first");
	if (c->d->import->conn != c->req->conn)
		return cs_err_set(err, EBUSY, "another import is in progress (begun by uid %u)",
				  (unsigned int)c->d->import->uid);
	return 0;
}

int admin_import_begin(struct cmd_ctx *c, struct cs_err *err)
{
	struct nlattr *header = c->tb[CREDSTORE_A_ADMIN_BLOB];
	int r = need_attr(c->tb, CREDSTORE_A_ADMIN_PASSWORD, "passphrase", err);

	import_reap(c->d);
	if (!r && c->d->import)
		r = cs_err_set(err, EBUSY, "another import is in progress (begun by uid %u): "
			       "one import at a time", (unsigned int)c->d->import->uid);
	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_ADMIN_BLOB, "backup header", err);
	if (r)
		return r;
	c->d->import = calloc(1, sizeof(*c->d->import));
	if (!c->d->import)
		return cs_err_set(err, ENOMEM, "out of memory");
	c->d->import->conn = c->req->conn;
	c->d->import->uid = c->req->cred.uid;
	r = backup_open_begin(&c->d->import->key, nla_data(header), (size_t)nla_len(header),
			      attr_string(c->tb, CREDSTORE_A_ADMIN_PASSWORD), err);
	if (r)
		import_drop(c->d);
	else
		log_msg(LOG_NOTICE, "uid %u: import begun", (unsigned int)c->req->cred.uid);
	return r;
}

/* Check every record of an opened chunk. */
static int check_records(uint8_t *plain, size_t len, struct cs_err *err)
{
	struct nlattr *pos;
	int rem, r = 0;

	nla_for_each_attr(pos, (struct nlattr *)plain, (int)len, rem) {
		struct store_record rec;

		r = backup_get_record(pos, &rec, err);
		if (!r)
			r = model_record_check(&rec, err);
		if (r)
			return r;
	}
	return rem ? cs_err_set(err, EBADMSG, "the backup holds a malformed record") : 0;
}

static int stage_room(struct import_stage *s, size_t more, struct cs_err *err)
{
	size_t cap = s->cap ? s->cap : 1 << 16;
	uint8_t *p;

	if (s->len + more > IMPORT_STAGE_MAX)
		return cs_err_set(err, EFBIG, "the backup is larger than the %u MiB an import may stage",
				  IMPORT_STAGE_MAX >> 20);
	while (cap < s->len + more)
		cap *= 2;
	if (cap == s->cap)
		return 0;
	p = malloc(cap);
	if (!p)
		return cs_err_set(err, ENOMEM, "out of memory");
	if (s->plain) {
		memcpy(p, s->plain, s->len);
		OPENSSL_clear_free(s->plain, s->cap);
	}
	s->plain = p;
	s->cap = cap;
	return 0;
}

static int stage_chunk(struct import_stage *s, struct nlattr *chunk, struct cs_err *err)
{
	size_t len = (size_t)nla_len(chunk);
	int r;

	if (s->complete)
		return cs_err_set(err, EINVAL, "the backup goes on after its last chunk");
	r = stage_room(s, len, err);
	if (!r)
		r = backup_open_chunk(&s->key, s->next, nla_data(chunk), len, s->plain + s->len,
				      &s->complete, err);
	if (!r)
		r = check_records(s->plain + s->len, len - BACKUP_CHUNK_OVERHEAD, err);
	if (r)
		return r;
	s->len += len - BACKUP_CHUNK_OVERHEAD;
	s->next++;
	return 0;
}

/* A refused chunk ends the import: the client starts again. */
int admin_import_chunk(struct cmd_ctx *c, struct cs_err *err)
{
	int r = owned_stage(c, err);

	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_ADMIN_BLOB, "backup chunk", err);
	if (r)
		return r;
	r = stage_chunk(c->d->import, c->tb[CREDSTORE_A_ADMIN_BLOB], err);
	if (r)
		import_drop(c->d);
	return r;
}

/* A fingerprint belongs to one device: a backup in which two share one
 * would be refused by credstore.ko (and by `device add`). */
static int check_fingerprints(struct model_txn *t, const struct store_record *r, struct cs_err *err)
{
	char owner[CREDSTORE_DEVICE_ID_MAX];
	struct model_device d;
	int ret;

	if (r->type != STORE_REC_DEVICE)
		return 0;
	ret = model_device_decode(r, &d, err);
	for (int s = 0; s < SLOT_COUNT && !ret; s++) {
		ret = d.has_fp[s] ? model_fingerprint_owner(t, d.fp[s], d.id, owner) : 0;
		if (ret > 0)
			ret = cs_err_set(err, EEXIST, "the backup's devices '%s' and '%s' share a "
					 "fingerprint; nothing was imported", owner, d.id);
		else if (ret < 0)
			ret = cs_err_set(err, ENOMEM, "out of memory");
	}
	model_device_wipe(&d);
	return ret;
}

static int import_records(struct model_txn *t, const struct import_stage *s, struct cs_err *err)
{
	struct nlattr *pos;
	int rem, r = 0;

	for (size_t i = 0; i < sizeof(backup_types) && !r; i++)
		r = model_clear(t, backup_types[i], err);
	nla_for_each_attr(pos, (struct nlattr *)s->plain, (int)s->len, rem) {
		struct store_record rec;

		if (r)
			break;
		r = backup_get_record(pos, &rec, err);
		if (!r)
			r = check_fingerprints(t, &rec, err) ?: model_put_record(t, &rec, err);
	}
	return r;
}

/* The commit; the staged records go, whatever happens to it. */
int admin_import(struct cmd_ctx *c, struct cs_err *err)
{
	int r = owned_stage(c, err);

	if (r)
		return r;
	if (!c->d->import->complete)
		r = cs_err_set(err, EINVAL, "the backup is incomplete: %u chunks received, not the last",
			       c->d->import->next);
	else
		r = import_records(c->txn, c->d->import, err);
	import_drop(c->d);
	return r;
}
