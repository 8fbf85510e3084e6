/* credstored's request handling: one table of commands (queries,
 * privileged reads, admin commands), authorised from the connection's
 * peer credentials and run in the order commit -> publish -> notify ->
 * acknowledge. */
#ifndef CREDSTORE_SERVER_H
#define CREDSTORE_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "conn.h"
#include "model.h"
#include "usersock.h"

struct publisher;
struct import_stage;
struct remount;
struct sign_keys;

/* What credstored accepts, from its options. */
struct daemon_policy {
	uint32_t min_secret_len;	/* bytes, --min-secret-length */
	uint32_t min_rsa_bits;		/* RSA and DSA keys, --min-rsa-bits */
	bool allow_sha1;		/* SHA-1 signatures, --allow-sha1 */
	uint32_t expiry_warning_days;	/* install warnings, EXPIRING events */
	uint32_t expiry_check_s;	/* how often the expiry check runs */
};

#define POLICY_DEFAULT_MIN_SECRET	16
#define POLICY_DEFAULT_MIN_RSA_BITS	2048
#define POLICY_DEFAULT_WARNING_DAYS	30
#define POLICY_DEFAULT_CHECK_S		86400
#define POLICY_DEFAULT { POLICY_DEFAULT_MIN_SECRET, POLICY_DEFAULT_MIN_RSA_BITS, false, \
			 POLICY_DEFAULT_WARNING_DAYS, POLICY_DEFAULT_CHECK_S }

struct daemon {
	struct model model;
	struct conns *conns;
	bool has_admin_group;
	gid_t admin_gid;
	struct publisher *publisher;	/* NULL: no module to feed */
	struct import_stage *import;	/* the import in progress, if any */
	struct daemon_policy policy;
	int64_t expiry_due_ms;		/* the next expiry check (monotonic_ms) */
	struct sign_keys *sign_keys;	/* parsed keys for SIGN, made on first use */
	struct remount *remount;	/* NULL: a broken store stays so */
	bool failed;			/* the store is gone: stop, for a restart */
};

enum access { ACCESS_QUERY, ACCESS_PRIVILEGED, ACCESS_ADMIN };

struct cmd_ctx {
	struct daemon *d;
	struct conn *conn;		/* the request's: answers go there */
	const struct cs_request *req;
	struct nlattr **tb;		/* this command's attributes */
	struct nlattr *attrs;		/* the same, as sent (repeated ones) */
	int attrs_len;
	struct model_txn *txn;		/* for commands that change the store */
	struct nl_msg *reply;		/* the answer's attributes go here */
	/* Parts sent before the reply (NLM_F_MULTI, then NLMSG_DONE): a
	 * backup in pieces, one answer per batch operation. */
	struct nl_msg **parts;
	size_t n_parts;
};

struct command {
	uint8_t cmd;
	const char *name;
	enum access access;
	/* Runs in a model transaction: committed, answered with the
	 * generation and logged.  A command that changes something without
	 * one (accept-rollback, an import's first steps) is still a change
	 * for cmd_kind.h, which tests/unit/test_cmd_kind.c checks against. */
	bool transaction;
	bool batchable;
	int (*run)(struct cmd_ctx *c, struct cs_err *err);
	/* Queries that dump: send entries after the cursor, NLM_F_MULTI.
	 * A command without run answers only this way (export). */
	int (*dump)(struct cmd_ctx *c, struct cs_err *err);
};

const struct command *command_find(uint8_t cmd);

/* A new connection: what its peer may do. */
void server_accepted(struct daemon *d, struct conn *conn);
/* Handle one datagram read from conn (buf of len bytes, taken). */
void server_request(struct daemon *d, struct conn *conn, unsigned char *buf, size_t len);

/* Helpers for command handlers (command_io.c). */
const char *attr_string(struct nlattr **tb, int attr);
int need_attr(struct nlattr **tb, int attr, const char *what, struct cs_err *err);
int need_name(struct nlattr **tb, int attr, const char *what, struct cs_err *err);
/* A name or id for something new: need_name() and the documented
 * characters (letters, digits, . _ : @ -, a letter or digit first). */
int need_new_name(struct nlattr **tb, int attr, const char *what, struct cs_err *err);
/* Refuse attributes given together ("--x or --y, not both"). */
int only_one(struct nlattr **tb, int a, int b, const char *what, struct cs_err *err);
/* A warning for the administrator in the reply (and the log). */
__attribute__((format(printf, 2, 3)))
void reply_warning(struct cmd_ctx *c, const char *fmt, ...);
/* Send one entry of a dump; fill it with fill(). */
int dump_send(struct cmd_ctx *c, int (*fill)(struct nl_msg *msg, const void *arg),
	      const void *arg, struct cs_err *err);
/* Keep a part of the answer (see struct cmd_ctx): a copy of scratch (a
 * cs_reply_new() message, freed) just its size. */
int reply_add_part(struct cmd_ctx *c, struct nl_msg *scratch, struct cs_err *err);
/* ret of an nla_put*(): a message that is too small becomes an error. */
int reply_put(int ret, struct cs_err *err);

/* The handlers (admin_*.c, query.c). */
int admin_identity_csr(struct cmd_ctx *c, struct cs_err *err);
int admin_identity_install(struct cmd_ctx *c, struct cs_err *err);
int admin_identity_remove(struct cmd_ctx *c, struct cs_err *err);
int admin_anchor_add(struct cmd_ctx *c, struct cs_err *err);
int admin_anchor_remove(struct cmd_ctx *c, struct cs_err *err);
int admin_anchor_replace(struct cmd_ctx *c, struct cs_err *err);
int admin_anchor_crl(struct cmd_ctx *c, struct cs_err *err);
int query_crl(struct cmd_ctx *c, struct cs_err *err);
int admin_device_add(struct cmd_ctx *c, struct cs_err *err);
int admin_device_reset_fingerprint(struct cmd_ctx *c, struct cs_err *err);
int admin_device_reset_secret(struct cmd_ctx *c, struct cs_err *err);
int admin_device_promote(struct cmd_ctx *c, struct cs_err *err);
int admin_device_drop_sub(struct cmd_ctx *c, struct cs_err *err);
int admin_device_set_flags(struct cmd_ctx *c, struct cs_err *err);
int admin_device_remove(struct cmd_ctx *c, struct cs_err *err);
int admin_store_status(struct cmd_ctx *c, struct cs_err *err);
int admin_store_accept_rollback(struct cmd_ctx *c, struct cs_err *err);
int admin_factory_reset(struct cmd_ctx *c, struct cs_err *err);
int admin_reset_devices(struct cmd_ctx *c, struct cs_err *err);
int admin_export(struct cmd_ctx *c, struct cs_err *err);
int admin_import_begin(struct cmd_ctx *c, struct cs_err *err);
int admin_import_chunk(struct cmd_ctx *c, struct cs_err *err);
int admin_import(struct cmd_ctx *c, struct cs_err *err);
/* Drop the staged import of a client that is gone; drop any at exit. */
void import_reap(struct daemon *d);
void import_drop(struct daemon *d);
int admin_batch(struct cmd_ctx *c, struct cs_err *err);
int admin_identity_export_key(struct cmd_ctx *c, struct cs_err *err);

/* The identity that tb[CREDSTORE_A_NAME] names, with a certificate;
 * -ENOENT with a message otherwise.  with_key: its private keys too
 * (unsealed: the admin's export alone); else the chain without them. */
int query_get_identity(struct cmd_ctx *c, bool with_key, struct model_identity *id,
		       struct cs_err *err);
int query_status(struct cmd_ctx *c, struct cs_err *err);
int query_identity(struct cmd_ctx *c, struct cs_err *err);
int query_identity_dump(struct cmd_ctx *c, struct cs_err *err);
int query_anchor(struct cmd_ctx *c, struct cs_err *err);
int query_anchor_dump(struct cmd_ctx *c, struct cs_err *err);
int query_device(struct cmd_ctx *c, struct cs_err *err);
int query_device_dump(struct cmd_ctx *c, struct cs_err *err);
int query_verify_fingerprint(struct cmd_ctx *c, struct cs_err *err);
int query_verify_secret(struct cmd_ctx *c, struct cs_err *err);
int query_verify_hmac(struct cmd_ctx *c, struct cs_err *err);
int query_device_secrets(struct cmd_ctx *c, struct cs_err *err);
int query_subscribe(struct cmd_ctx *c, struct cs_err *err);
int query_sign(struct cmd_ctx *c, struct cs_err *err);

#endif
