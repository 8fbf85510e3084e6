#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "ext_ack.h"
#include "log.h"
#include "publisher.h"
#include "usersock.h"

/* PUBLISH_RECORDS / UPDATE messages stay well under the 64 KiB that a
 * nested CREDSTORE_A_RECORDS can hold. */
#define PUBLISH_MSG_SIZE	(128 * 1024)
#define RECORDS_NEST_MAX	(60 * 1024)
#define BATCH_RECORDS_MAX	256

struct publisher {
	struct model *m;
	struct nl_sock *ctrl;		/* nlctrl "notify": the module comes and goes */
	struct nl_sock *sk;		/* publishing, NULL while no module */
	int family;
	bool behind;			/* not level with the store: the next change snapshots */
	struct publisher_refusal *refused;
	size_t n_refused;
};

static int key_attr(uint8_t type)
{
	return type == STORE_REC_DEVICE ? CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME;
}

static int put_identity(struct nl_msg *msg, const struct store_record *r)
{
	struct model_identity id;
	int ret = model_identity_decode(r, &id, NULL) ? -EBADMSG : 0;

	/* Published once it has its certificate (a pending CSR is not), and
	 * then its chain alone: the key never leaves credstored.
	 */
	if (!ret && (!id.chain || !id.key))
		ret = -ENOENT;
	if (!ret && (nla_put_u8(msg, CREDSTORE_A_KIND, CREDSTORE_KIND_IDENTITY) ||
		     nla_put_string(msg, CREDSTORE_A_NAME, id.name) ||
		     nla_put(msg, CREDSTORE_A_CHAIN, (int)id.chain_len, id.chain)))
		ret = -EMSGSIZE;
	model_identity_release(&id);
	return ret;
}

static int put_anchor(struct nl_msg *msg, const struct store_record *r)
{
	struct model_anchor a;
	int ret = model_anchor_decode(r, &a, NULL) ? -EBADMSG : 0;

	if (!ret && (nla_put_u8(msg, CREDSTORE_A_KIND, CREDSTORE_KIND_ANCHOR) ||
		     nla_put_string(msg, CREDSTORE_A_NAME, a.name) ||
		     nla_put(msg, CREDSTORE_A_CHAIN, (int)a.cert_len, a.cert)))
		ret = -EMSGSIZE;
	model_anchor_release(&a);
	return ret;
}

static int put_device(struct nl_msg *msg, const struct store_record *r)
{
	static const int fp_attr[SLOT_COUNT] = { CREDSTORE_A_MASTER_FP, CREDSTORE_A_SUB_FP };
	static const int secret_attr[SLOT_COUNT] = { CREDSTORE_A_MASTER_SECRET, CREDSTORE_A_SUB_SECRET };
	struct model_device d;
	int ret = model_device_decode(r, &d, NULL) ? -EBADMSG : 0;

	if (!ret && (nla_put_u8(msg, CREDSTORE_A_KIND, CREDSTORE_KIND_DEVICE) ||
		     nla_put_string(msg, CREDSTORE_A_DEVICE_ID, d.id) ||
		     nla_put_u32(msg, CREDSTORE_A_FLAGS, d.flags)))
		ret = -EMSGSIZE;
	for (int s = 0; s < SLOT_COUNT && !ret; s++)
		if ((d.has_fp[s] && nla_put(msg, fp_attr[s], CREDSTORE_FINGERPRINT_LEN, d.fp[s])) ||
		    (d.secret_len[s] && nla_put(msg, secret_attr[s], (int)d.secret_len[s], d.secret[s])))
			ret = -EMSGSIZE;
	model_device_wipe(&d);
	return ret;
}

/* The module's CREDSTORE_A_RECORD for a store record, in a message of its
 * own (the caller appends its payload).  NULL when the record is not
 * published (a damaged record, an identity with only a CSR key). */
static struct nl_msg *record_msg(const struct store_record *r)
{
	struct nl_msg *msg = nlmsg_alloc_size(PUBLISH_MSG_SIZE);
	struct nlattr *nest = msg && nlmsg_put(msg, 0, 0, 0, 0, 0)
			      ? nla_nest_start(msg, CREDSTORE_A_RECORD) : NULL;
	int ret = nest ? 0 : -ENOMEM;

	if (!ret)
		ret = r->type == STORE_REC_IDENTITY ? put_identity(msg, r)
		    : r->type == STORE_REC_ANCHOR ? put_anchor(msg, r) : put_device(msg, r);
	if (ret) {
		cs_msg_wipe_free(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *publish_msg(struct publisher *p, uint8_t cmd, uint64_t gen)
{
	struct nl_msg *msg = nlmsg_alloc_size(PUBLISH_MSG_SIZE);

	if (msg && (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, p->family, 0, 0, cmd,
				 CREDSTORE_GENL_VERSION) ||
		    nla_put_u64(msg, CREDSTORE_A_GENERATION, gen))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static const char *kind_name(uint8_t type)
{
	return type == STORE_REC_IDENTITY ? "identity" : type == STORE_REC_ANCHOR ? "anchor" : "device";
}

/* ---- records credstore.ko refused ---- */

static struct publisher_refusal *find_refusal(struct publisher *p, uint8_t type, const char *key)
{
	for (size_t i = 0; i < p->n_refused; i++)
		if (p->refused[i].type == type && !strcmp(p->refused[i].key, key))
			return &p->refused[i];
	return NULL;
}

/* Logged when it is new or the module's reason changed. */
static void note_refusal(struct publisher *p, uint8_t type, const char *key, const char *why)
{
	struct publisher_refusal *f = find_refusal(p, type, key), *grown;

	if (!f) {
		grown = realloc(p->refused, (p->n_refused + 1) * sizeof(*grown));
		if (!grown)
			return;
		p->refused = grown;
		f = &p->refused[p->n_refused++];
		*f = (struct publisher_refusal){ .type = type };
		snprintf(f->key, sizeof(f->key), "%s", key);
	} else if (!strcmp(f->why, why)) {
		f->seen = true;
		return;
	}
	snprintf(f->why, sizeof(f->why), "%s", why);
	f->seen = true;
	log_msg(LOG_WARNING, "publisher: credstore.ko refused %s '%s': %s; it is not served, the "
		"rest is; retried at the next change", kind_name(type), key, why);
}

static void drop_refusal(struct publisher *p, struct publisher_refusal *f, const char *now)
{
	log_msg(LOG_NOTICE, "publisher: %s '%s' %s", kind_name(f->type), f->key, now);
	*f = p->refused[--p->n_refused];
}

/* ---- talking to the module ---- */

struct ack {
	bool done;
	int error;			/* negative errno */
	char *why;			/* CREDSTORE_MESSAGE_MAX */
};

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct ack *)arg)->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct ack *a = arg;
	const char *why = cs_ext_ack_message(e);

	(void)nla;
	a->done = true;
	a->error = e->error;
	snprintf(a->why, CREDSTORE_MESSAGE_MAX, "%s", why ? why : strerror(-e->error));
	return NL_STOP;
}

/* Send, wipe (records hold keys and secrets) and wait for the module's
 * answer: 0, or the negative errno it refused with and, in why, its
 * extended ACK's sentence. */
static int send_sync(struct publisher *p, struct nl_msg *msg, char *why)
{
	struct ack a = { .why = why };
	struct nl_cb *cb;
	int r;

	if (!msg)
		return snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory"), -ENOMEM;
	r = nl_send_auto(p->sk, msg);
	cs_msg_wipe_free(msg);
	cb = r < 0 ? NULL : nl_cb_alloc(NL_CB_DEFAULT);
	if (cb) {
		nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &a);
		nl_cb_err(cb, NL_CB_CUSTOM, on_error, &a);
	}
	while (cb && !a.done && (r = nl_recvmsgs(p->sk, cb)) >= 0)
		;
	if (cb)
		nl_cb_put(cb);
	if (!a.done) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "%s", r < 0 ? nl_geterror(r) : "out of memory");
		return -EIO;
	}
	return a.error;
}

/* Errors about the records of a message, not about publishing itself:
 * the records are then tried one by one. */
static bool record_error(int e)
{
	return e == -EINVAL || e == -EEXIST || e == -ENOSPC || e == -ERANGE || e == -E2BIG ||
	       e == -EMSGSIZE;
}

static int retract(struct publisher *p, uint8_t type, const char *key, uint64_t gen, char *why)
{
	struct nl_msg *msg = publish_msg(p, CREDSTORE_CMD_RETRACT, gen);
	int r;

	if (msg && (nla_put_u8(msg, CREDSTORE_A_KIND, model_kind(type)) ||
		    nla_put_string(msg, key_attr(type), key))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	r = send_sync(p, msg, why);
	return r == -ENOENT ? 0 : r;	/* never published (a CSR only, or refused) */
}

/* ---- batches of records ---- */

struct pending {
	struct nl_msg *rec;		/* its CREDSTORE_A_RECORD nest, alone */
	uint8_t type;
	char key[STORE_RECORD_KEY_MAX + 1];
};

struct batch {
	struct publisher *p;
	uint8_t cmd;			/* PUBLISH_RECORDS (a snapshot) or PUBLISH_UPDATE */
	uint64_t gen;
	struct pending rec[BATCH_RECORDS_MAX];
	size_t n, bytes;
	int err;			/* publishing itself failed */
	char why[CREDSTORE_MESSAGE_MAX];
};

static int send_records(struct batch *b, const struct pending *recs, size_t n, char *why)
{
	struct nl_msg *msg = publish_msg(b->p, b->cmd, b->gen);
	struct nlattr *nest = msg ? nla_nest_start(msg, CREDSTORE_A_RECORDS) : NULL;

	for (size_t i = 0; nest && i < n; i++) {
		struct nlmsghdr *nlh = nlmsg_hdr(recs[i].rec);

		if (nlmsg_append(msg, nlmsg_data(nlh), (size_t)nlmsg_datalen(nlh), NLMSG_ALIGNTO) < 0)
			nest = NULL;
	}
	if (!nest) {
		cs_msg_wipe_free(msg);
		return snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory"), -ENOMEM;
	}
	nla_nest_end(msg, nest);
	return send_sync(b->p, msg, why);
}

static void published(struct publisher *p, const struct pending *rec)
{
	struct publisher_refusal *f = find_refusal(p, rec->type, rec->key);

	if (f)
		drop_refusal(p, f, "is published again");
}

/* A record the module refuses is left out, and reported; in an update,
 * the version it served is retracted: better no answer than a stale one. */
static void send_alone(struct batch *b, const struct pending *rec)
{
	char why[CREDSTORE_MESSAGE_MAX];
	int r = send_records(b, rec, 1, why);

	if (!r) {
		published(b->p, rec);
		return;
	}
	if (record_error(r)) {
		note_refusal(b->p, rec->type, rec->key, why);
		r = b->cmd == CREDSTORE_CMD_PUBLISH_UPDATE
			? retract(b->p, rec->type, rec->key, b->gen, why) : 0;
	}
	if (r) {
		b->err = r;
		snprintf(b->why, sizeof(b->why), "%s", why);
	}
}

/* The records in one message; when the module refuses it for what a
 * record holds, each alone. */
static void batch_flush(struct batch *b)
{
	int r = 0;

	if (b->n && !b->err) {
		r = send_records(b, b->rec, b->n, b->why);
		if (r && !record_error(r))
			b->err = r;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!b->err && !r)
			published(b->p, &b->rec[i]);
		else if (!b->err)
			send_alone(b, &b->rec[i]);
		cs_msg_wipe_free(b->rec[i].rec);
	}
	b->n = 0;
	b->bytes = 0;
}

static int batch_add(const struct store_record *r, void *arg)
{
	struct batch *b = arg;
	struct pending *pr;
	struct nl_msg *rec = record_msg(r);
	size_t len = rec ? (size_t)nlmsg_datalen(nlmsg_hdr(rec)) : 0;

	if (!rec)
		return 0;
	if (b->n == BATCH_RECORDS_MAX || b->bytes + len > RECORDS_NEST_MAX)
		batch_flush(b);
	pr = &b->rec[b->n++];
	pr->rec = rec;
	pr->type = r->type;
	snprintf(pr->key, sizeof(pr->key), "%.*s", (int)r->key_len, (const char *)r->key);
	b->bytes += len;
	return b->err ? 1 : 0;
}

/* ABORT takes no attribute, so not publish_msg()'s generation. */
static void abort_snapshot(struct publisher *p)
{
	struct nl_msg *msg = nlmsg_alloc();
	char why[CREDSTORE_MESSAGE_MAX];

	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, p->family, 0, 0,
			       CREDSTORE_CMD_PUBLISH_ABORT, CREDSTORE_GENL_VERSION))
		send_sync(p, msg, why);
	else
		nlmsg_free(msg);
}

/* BEGIN, the records in pages, COMMIT: the module swaps atomically.  The
 * refusals are found again (those of records it now takes are dropped). */
static int publish_snapshot(struct publisher *p)
{
	static const uint8_t types[] = { STORE_REC_IDENTITY, STORE_REC_ANCHOR, STORE_REC_DEVICE };
	uint64_t gen = store_generation(p->m->store);
	struct batch b = { .p = p, .cmd = CREDSTORE_CMD_PUBLISH_RECORDS, .gen = gen };

	b.err = send_sync(p, publish_msg(p, CREDSTORE_CMD_PUBLISH_BEGIN, gen), b.why);
	for (size_t i = 0; i < p->n_refused; i++)
		p->refused[i].seen = false;
	for (size_t i = 0; i < sizeof(types) && !b.err; i++)
		store_iterate(p->m->store, types[i], NULL, 0, batch_add, &b, NULL);
	batch_flush(&b);
	if (!b.err)
		b.err = send_sync(p, publish_msg(p, CREDSTORE_CMD_PUBLISH_COMMIT, gen), b.why);
	if (b.err) {
		log_msg(LOG_WARNING, "publisher: snapshot at generation %llu: %s; credstore.ko serves "
			"what it served, until the next change tries again", (unsigned long long)gen,
			b.why);
		abort_snapshot(p);
		p->behind = true;
		return b.err;
	}
	for (size_t i = p->n_refused; i-- > 0;)
		if (!p->refused[i].seen)
			drop_refusal(p, &p->refused[i], "is gone from the store or published");
	p->behind = false;
	log_msg(LOG_INFO, "published a snapshot at generation %llu (%zu records refused)",
		(unsigned long long)gen, p->n_refused);
	return 0;
}

static void detach(struct publisher *p)
{
	nl_socket_free(p->sk);
	p->sk = NULL;
}

/* A fresh socket and family id each time: a reloaded module has a new id. */
static void attach(struct publisher *p)
{
	int one = 1;

	detach(p);
	p->sk = nl_socket_alloc();
	if (!p->sk || genl_connect(p->sk) < 0) {
		detach(p);
		return;
	}
	p->family = genl_ctrl_resolve(p->sk, CREDSTORE_GENL_NAME);
	if (p->family < 0) {
		detach(p);	/* no module: userspace mode */
		return;
	}
	nl_socket_set_buffer_size(p->sk, CS_USERSOCK_BUFSIZE, CS_USERSOCK_BUFSIZE);
	/* The module explains a refusal in an extended ACK. */
	setsockopt(nl_socket_get_fd(p->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	publish_snapshot(p);
}

struct publisher *publisher_open(struct model *m, struct cs_err *err)
{
	struct publisher *p = calloc(1, sizeof(*p));
	int grp;

	if (!p) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	p->m = m;
	p->ctrl = nl_socket_alloc();
	if (!p->ctrl || genl_connect(p->ctrl) < 0 ||
	    (grp = genl_ctrl_resolve_grp(p->ctrl, "nlctrl", "notify")) < 0 ||
	    nl_socket_add_membership(p->ctrl, grp) < 0) {
		cs_err_set(err, EIO, "cannot watch the generic netlink controller");
		publisher_close(p);
		return NULL;
	}
	nl_socket_disable_seq_check(p->ctrl);
	nl_socket_set_nonblocking(p->ctrl);
	attach(p);
	return p;
}

void publisher_close(struct publisher *p)
{
	if (!p)
		return;
	detach(p);
	nl_socket_free(p->ctrl);
	free(p->refused);
	free(p);
}

int publisher_fd(const struct publisher *p)
{
	return nl_socket_get_fd(p->ctrl);
}

bool publisher_active(const struct publisher *p)
{
	return p && p->sk;
}

enum publisher_state publisher_state(const struct publisher *p)
{
	return !publisher_active(p) ? PUBLISHER_NONE : p->behind ? PUBLISHER_BEHIND
								 : PUBLISHER_LEVEL;
}

const struct publisher_refusal *publisher_refused(const struct publisher *p, size_t *n)
{
	*n = p ? p->n_refused : 0;
	return p ? p->refused : NULL;
}

static int on_ctrl(struct nl_msg *msg, void *arg)
{
	struct publisher *p = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), CREDSTORE_GENL_NAME))
		return NL_OK;
	if (gh->cmd == CTRL_CMD_NEWFAMILY) {
		log_msg(LOG_INFO, "credstore.ko appeared: publishing");
		attach(p);
	} else if (gh->cmd == CTRL_CMD_DELFAMILY) {
		log_msg(LOG_INFO, "credstore.ko went away: userspace mode");
		detach(p);
	}
	return NL_OK;
}

void publisher_handle(struct publisher *p)
{
	nl_socket_modify_cb(p->ctrl, NL_CB_VALID, NL_CB_CUSTOM, on_ctrl, p);
	while (nl_recvmsgs_default(p->ctrl) > 0)
		;
}

void publisher_snapshot(struct publisher *p)
{
	if (p->sk)
		publish_snapshot(p);
}

static bool changed_in(const struct model_txn *t, uint8_t type, const char *key)
{
	for (size_t i = 0; i < t->n_changes; i++)
		if (t->changes[i].type == type && !strcmp(t->changes[i].key, key))
			return true;
	return false;
}

/* Each record refused before that t did not change: published now if the
 * module takes it, dropped if it is gone. */
static void retry_refused(struct batch *b, const struct model_txn *t)
{
	struct publisher *p = b->p;
	size_t n = p->n_refused;
	struct pending *keys = n ? calloc(n, sizeof(*keys)) : NULL;

	for (size_t i = 0; keys && i < n; i++) {	/* batch_add may change the list */
		keys[i].type = p->refused[i].type;
		memcpy(keys[i].key, p->refused[i].key, sizeof(keys[i].key));
	}
	for (size_t i = 0; keys && i < n && !b->err; i++) {
		struct publisher_refusal *f;
		struct store_record r;

		if (changed_in(t, keys[i].type, keys[i].key))
			continue;
		if (store_get(p->m->store, keys[i].type, keys[i].key, strlen(keys[i].key), &r,
			      NULL) == 0) {
			batch_add(&r, b);
			store_record_free(&r);
		} else if ((f = find_refusal(p, keys[i].type, keys[i].key))) {
			drop_refusal(p, f, "is gone from the store");
		}
	}
	free(keys);
}

void publisher_changes(struct publisher *p, const struct model_txn *t, uint64_t gen)
{
	struct batch b = { .p = p, .cmd = CREDSTORE_CMD_PUBLISH_UPDATE, .gen = gen };

	if (!p->sk)
		return;
	if (t->cleared || p->behind) {
		publish_snapshot(p);
		return;
	}
	/* Retractions first: an update may take a fingerprint a removed
	 * device held. */
	for (size_t i = 0; i < t->n_changes && !b.err; i++) {
		const struct model_change *c = &t->changes[i];
		struct publisher_refusal *f;

		if (!model_kind(c->type) || !model_change_latest(t, c) || !c->deleted)
			continue;	/* CRL parts are not the module's */
		b.err = retract(p, c->type, c->key, gen, b.why);
		f = b.err ? NULL : find_refusal(p, c->type, c->key);
		if (f)
			drop_refusal(p, f, "is gone from the store");
	}
	for (size_t i = 0; i < t->n_changes && !b.err; i++)
		if (model_kind(t->changes[i].type) && model_change_latest(t, &t->changes[i]) &&
		    !t->changes[i].deleted)
			batch_add(&t->changes[i].rec, &b);
	retry_refused(&b, t);
	batch_flush(&b);
	if (b.err) {
		/* The module is behind: a snapshot brings it level. */
		log_msg(LOG_WARNING, "publisher: update at generation %llu: %s; publishing a snapshot",
			(unsigned long long)gen, b.why);
		publish_snapshot(p);
	}
}
