#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "log.h"
#include "publisher.h"
#include "usersock.h"

/* PUBLISH_RECORDS / UPDATE messages stay well under the 64 KiB that a
 * nested CREDSTORE_A_RECORDS can hold. */
#define PUBLISH_MSG_SIZE	(128 * 1024)
#define RECORDS_NEST_MAX	(60 * 1024)

struct publisher {
	struct model *m;
	struct nl_sock *ctrl;		/* nlctrl "notify": the module comes and goes */
	struct nl_sock *sk;		/* publishing, NULL while no module */
	int family;
};

static const uint8_t kind_of[STORE_REC_TYPE_MAX + 1] = {
	[STORE_REC_IDENTITY] = CREDSTORE_KIND_IDENTITY,
	[STORE_REC_ANCHOR] = CREDSTORE_KIND_ANCHOR,
	[STORE_REC_DEVICE] = CREDSTORE_KIND_DEVICE,
};

static int key_attr(uint8_t type)
{
	return type == STORE_REC_DEVICE ? CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME;
}

static int put_identity(struct nl_msg *msg, const struct store_record *r)
{
	struct model_identity id;
	int ret = model_identity_decode(r, &id, NULL) ? -EBADMSG : 0;

	/* Published once it has a certificate; a CSR's key stays here. */
	if (!ret && (!id.chain || !id.key))
		ret = -ENOENT;
	if (!ret && (nla_put_u8(msg, CREDSTORE_A_KIND, CREDSTORE_KIND_IDENTITY) ||
		     nla_put_string(msg, CREDSTORE_A_NAME, id.name) ||
		     nla_put(msg, CREDSTORE_A_CHAIN, (int)id.chain_len, id.chain) ||
		     nla_put(msg, CREDSTORE_A_KEY, (int)id.key_len, id.key)))
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

/* Send, wipe (records hold keys and secrets) and wait for the module's
 * ACK, as nl_send_sync() does but for the wipe.  0 or a libnl error. */
static int send_sync(struct publisher *p, struct nl_msg *msg)
{
	int r;

	if (!msg)
		return -NLE_NOMEM;
	r = nl_send_auto(p->sk, msg);
	cs_msg_wipe_free(msg);
	return r < 0 ? r : nl_wait_for_ack(p->sk);
}

struct batch {
	struct publisher *p;
	uint8_t cmd;
	uint64_t gen;
	struct nl_msg *msg;
	struct nlattr *records;
	int sent;
	int err;
};

static int batch_flush(struct batch *b)
{
	int r = 0;

	if (b->msg && b->records) {
		nla_nest_end(b->msg, b->records);
		r = send_sync(b->p, b->msg);
		b->sent++;
	} else {
		cs_msg_wipe_free(b->msg);
	}
	b->msg = NULL;
	b->records = NULL;
	return r;
}

static int batch_add(const struct store_record *r, void *arg)
{
	struct batch *b = arg;
	struct nl_msg *rec = record_msg(r);
	size_t len = rec ? (size_t)nlmsg_datalen(nlmsg_hdr(rec)) : 0;

	if (!rec)
		return 0;
	if (b->msg && nlmsg_hdr(b->msg)->nlmsg_len + len > RECORDS_NEST_MAX)
		b->err = batch_flush(b);
	if (!b->err && !b->msg) {
		b->msg = publish_msg(b->p, b->cmd, b->gen);
		b->records = b->msg ? nla_nest_start(b->msg, CREDSTORE_A_RECORDS) : NULL;
		if (!b->records)
			b->err = -NLE_NOMEM;
	}
	if (!b->err && nlmsg_append(b->msg, nlmsg_data(nlmsg_hdr(rec)), len, NLMSG_ALIGNTO) < 0)
		b->err = -NLE_MSGSIZE;
	cs_msg_wipe_free(rec);
	return b->err ? 1 : 0;
}

static void log_nl(const char *what, int r)
{
	log_msg(LOG_WARNING, "publisher: %s: %s", what, nl_geterror(r));
}

/* ABORT takes no attribute, so not publish_msg()'s generation. */
static void abort_snapshot(struct publisher *p)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, p->family, 0, 0,
			       CREDSTORE_CMD_PUBLISH_ABORT, CREDSTORE_GENL_VERSION))
		send_sync(p, msg);
	else
		nlmsg_free(msg);
}

/* BEGIN, the records in pages, COMMIT: the module swaps atomically. */
static int publish_snapshot(struct publisher *p)
{
	static const uint8_t types[] = { STORE_REC_IDENTITY, STORE_REC_ANCHOR, STORE_REC_DEVICE };
	uint64_t gen = store_generation(p->m->store);
	struct batch b = { .p = p, .cmd = CREDSTORE_CMD_PUBLISH_RECORDS, .gen = gen };
	int r = send_sync(p, publish_msg(p, CREDSTORE_CMD_PUBLISH_BEGIN, gen));

	for (size_t i = 0; i < sizeof(types) && !r && !b.err; i++)
		store_iterate(p->m->store, types[i], NULL, 0, batch_add, &b, NULL);
	if (!r)
		r = b.err ? b.err : batch_flush(&b);
	else
		cs_msg_wipe_free(b.msg);
	if (!r)
		r = send_sync(p, publish_msg(p, CREDSTORE_CMD_PUBLISH_COMMIT, gen));
	if (r) {
		log_nl("snapshot", r);
		abort_snapshot(p);
		return r;
	}
	log_msg(LOG_INFO, "published a snapshot at generation %llu", (unsigned long long)gen);
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
	if (publish_snapshot(p))
		detach(p);
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
	free(p);
}

int publisher_fd(const struct publisher *p)
{
	return nl_socket_get_fd(p->ctrl);
}

void publisher_resync(struct publisher *p)
{
	if (p)
		attach(p);
}

bool publisher_active(const struct publisher *p)
{
	return p && p->sk;
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

static int retract(struct publisher *p, const struct model_change *c, uint64_t gen)
{
	struct nl_msg *msg = publish_msg(p, CREDSTORE_CMD_RETRACT, gen);
	int r;

	if (msg && (nla_put_u8(msg, CREDSTORE_A_KIND, kind_of[c->type]) ||
		    nla_put_string(msg, key_attr(c->type), c->key))) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	r = send_sync(p, msg);
	return r == -NLE_OBJ_NOTFOUND ? 0 : r;	/* never published (a CSR only) */
}

void publisher_changes(struct publisher *p, const struct model_txn *t, uint64_t gen)
{
	struct batch b = { .p = p, .cmd = CREDSTORE_CMD_PUBLISH_UPDATE, .gen = gen };
	int r = 0;

	if (!p->sk)
		return;
	if (t->cleared) {
		if (publish_snapshot(p))
			detach(p);
		return;
	}
	for (size_t i = 0; i < t->n_changes && !r && !b.err; i++)
		if (!model_change_latest(t, &t->changes[i]))
			continue;
		else if (t->changes[i].deleted)
			r = retract(p, &t->changes[i], gen);
		else
			batch_add(&t->changes[i].rec, &b);
	if (!r)
		r = b.err ? b.err : batch_flush(&b);
	else
		cs_msg_wipe_free(b.msg);
	if (r) {
		/* The module is behind: a snapshot brings it level. */
		log_nl("update", r);
		if (publish_snapshot(p))
			detach(p);
	}
}
