/* store status | accept-rollback | factory-reset | reset-devices. */
#include <errno.h>

#include "log.h"
#include "publisher.h"
#include "remount.h"
#include "server.h"

/* What the publisher could not publish, and what stopped the store. */
static int put_troubles(struct nl_msg *m, const struct daemon *d)
{
	size_t n;
	const struct publisher_refusal *f = publisher_refused(d->publisher, &n);
	const struct remount *rm = d->remount;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		struct nlattr *nest = nla_nest_start(m, CREDSTORE_A_STORE_REFUSED);

		r = !nest || nla_put_u8(m, CREDSTORE_A_KIND, model_kind(f[i].type)) ||
		    nla_put_string(m, f[i].type == STORE_REC_DEVICE ? CREDSTORE_A_DEVICE_ID
								    : CREDSTORE_A_NAME, f[i].key) ||
		    nla_put_string(m, CREDSTORE_A_MESSAGE, f[i].why);
		if (!r)
			nla_nest_end(m, nest);
	}
	if (!r && rm)
		r = nla_put_u32(m, CREDSTORE_A_STORE_REMOUNTS, rm->count) ||
		    (rm->last_error[0] && nla_put_string(m, CREDSTORE_A_STORE_IO_ERROR, rm->last_error));
	return r;
}

int admin_store_status(struct cmd_ctx *c, struct cs_err *err)
{
	const struct model_limits *lim = &c->d->model.limits;
	struct store_status st;
	struct nlattr *nest;
	struct nl_msg *m = c->reply;
	int r;

	store_status(c->d->model.store, &st);
	nest = nla_nest_start(m, CREDSTORE_A_ADMIN_STORE);
	r = !nest ||
	    nla_put_u64(m, CREDSTORE_A_STORE_GENERATION, st.generation) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_IDENTITIES, st.records[STORE_REC_IDENTITY]) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_ANCHORS, st.records[STORE_REC_ANCHOR]) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_DEVICES, st.records[STORE_REC_DEVICE]) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_MAX_IDENTITIES, lim->identities) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_MAX_ANCHORS, lim->anchors) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_MAX_DEVICES, lim->devices) ||
	    nla_put_u64(m, CREDSTORE_A_STORE_LIVE_BYTES, st.live_bytes) ||
	    nla_put_u64(m, CREDSTORE_A_STORE_FREE_BYTES, st.free_bytes) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_BLOCKS, st.geo.eraseblock_count) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_BLOCK_SIZE, st.geo.eraseblock_size) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_BAD_BLOCKS, st.bad_blocks) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_ERASE_MIN, st.erase_min) ||
	    nla_put_u32(m, CREDSTORE_A_STORE_ERASE_MAX, st.erase_max) ||
	    nla_put_u8(m, CREDSTORE_A_STORE_PUBLISHER, (uint8_t)publisher_state(c->d->publisher)) ||
	    nla_put_u64(m, CREDSTORE_A_STORE_SCRUBS, st.scrubs) ||
	    nla_put_u64(m, CREDSTORE_A_STORE_RELOCATIONS, st.relocations) ||
	    nla_put_u64(m, CREDSTORE_A_STORE_LOST_COMMITS, st.lost_commits) ||
	    nla_put_u64(m, CREDSTORE_A_STORE_TAMPERED, st.tampered) ||
	    nla_put_u8(m, CREDSTORE_A_STORE_ROLLBACK, (uint8_t)st.rollback) ||
	    (st.rollback != STORE_ROLLBACK_OFF &&
	     (nla_put_u64(m, CREDSTORE_A_STORE_COUNTER, st.counter_value) ||
	      nla_put_u64(m, CREDSTORE_A_STORE_COUNTER_EXPECTED, st.counter_expected))) ||
	    (st.rollback_reason[0] &&
	     nla_put_string(m, CREDSTORE_A_STORE_ROLLBACK_REASON, st.rollback_reason)) ||
	    put_troubles(m, c->d);
	if (!r)
		nla_nest_end(m, nest);
	return reply_put(r ? -1 : 0, err);
}

int admin_store_accept_rollback(struct cmd_ctx *c, struct cs_err *err)
{
	struct store *s = c->d->model.store;
	int r = store_accept_rollback(s, err);

	if (!r)
		log_msg(LOG_WARNING, "store: rollback accepted by the administrator: bound anew "
			"at generation %llu", (unsigned long long)store_generation(s));
	return r ? r : reply_put(nla_put_u64(c->reply, CREDSTORE_A_GENERATION,
					     store_generation(s)), err);
}

int admin_factory_reset(struct cmd_ctx *c, struct cs_err *err)
{
	int r = model_clear(c->txn, STORE_REC_IDENTITY, err);

	if (!r)
		r = model_clear(c->txn, STORE_REC_ANCHOR, err);
	if (!r)
		r = model_clear(c->txn, STORE_REC_DEVICE, err);
	return r;
}

int admin_reset_devices(struct cmd_ctx *c, struct cs_err *err)
{
	return model_clear(c->txn, STORE_REC_DEVICE, err);
}
