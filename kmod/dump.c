// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps of identities, anchors and devices.  A dump holds the table set
 * it started on (a snapshot committed meanwhile does not mix in) and walks
 * that kind's dump order, an xarray in which every entry keeps one index
 * (a resize of the hash tables moves nothing there), resuming after the
 * last index it sent: each entry comes exactly once.  When the set
 * changes while the dump runs (an update or retraction of the served set)
 * or is drained (tables.c), a message of the dump, at the latest its
 * NLMSG_DONE, carries NLM_F_DUMP_INTR.
 */
#include "msg.h"
#include "family.h"
#include "netlink-gen.h"
#include "query.h"

struct cs_dump {
	struct cs_tables *tables;
	unsigned long next;	/* the index to resume from */
	s64 changes;		/* the set's change count when it began */
	bool interrupted;
	u8 kind;
};

/*
 * nl_dump_check_consistent() flags the first message whose cb->seq
 * differs from the one before: a dump starts with EXACT and turns INTR.
 */
#define CS_DUMP_SEQ_EXACT	1
#define CS_DUMP_SEQ_INTR	2

static u8 cs_dump_kind(u8 cmd)
{
	switch (cmd) {
	case CREDSTORE_CMD_GET_IDENTITY:
		return CREDSTORE_KIND_IDENTITY;
	case CREDSTORE_CMD_GET_ANCHOR:
		return CREDSTORE_KIND_ANCHOR;
	default:
		return CREDSTORE_KIND_DEVICE;
	}
}

static void cs_dump_hold(struct cs_dump *d, struct cs_tables *t)
{
	d->tables = t;
	d->changes = cs_tables_changes(t);
	if (d->changes & 1)	/* the publisher is changing it */
		d->interrupted = true;
}

int credstore_nl_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct cs_dump *d;

	/* Linux 6.1 parses a dump's request with the do's policy (compat.h);
	 * 6.2 and later refuse any attribute before we get here.
	 */
	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG(cb->extack, "a dump takes no attributes");
		return -EINVAL;
	}
	if (cs_require_published(cb->extack))
		return -EAGAIN;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->kind = cs_dump_kind(info->op.cmd);
	cs_dump_hold(d, cs_tables_get_live());
	/* Any entry the module accepts fits one message, on any socket (a
	 * fresh one's first dump skb is small otherwise).
	 */
	if (d->kind != CREDSTORE_KIND_DEVICE)
		cb->min_dump_alloc = CS_NAMED_MSG_MAX;
	cb->seq = CS_DUMP_SEQ_EXACT;
	cb->prev_seq = CS_DUMP_SEQ_EXACT;
	cb->args[0] = (long)d;
	return 0;
}

static int cs_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 kind, void *entry)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &cs_family, NLM_F_MULTI,
			  genl_dumpit_info(cb)->op.cmd);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (kind == CREDSTORE_KIND_DEVICE)
		err = cs_fill_device(skb, entry);
	else
		err = cs_fill_named(skb, entry);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Not an entry of a batch still being linked (update.c). */
static bool cs_dump_live(u8 kind, void *entry)
{
	if (kind == CREDSTORE_KIND_DEVICE)
		return cs_entry_live((struct cs_device *)entry);
	return cs_entry_live((struct cs_named *)entry);
}

/* The set was drained under the dump: go on with the served one. */
static void cs_dump_move_on(struct cs_dump *d)
{
	cs_tables_put(d->tables);
	d->interrupted = true;
	cs_dump_hold(d, cs_tables_get_live());
}

static int cs_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cs_dump *d = (struct cs_dump *)cb->args[0];
	unsigned long index;
	void *entry;
	int err = 0;

	rcu_read_lock();
	while (READ_ONCE(d->tables->drained)) {
		rcu_read_unlock();
		cs_dump_move_on(d);
		rcu_read_lock();
	}
	if (cs_tables_changes(d->tables) != d->changes)
		d->interrupted = true;
	cb->seq = d->interrupted ? CS_DUMP_SEQ_INTR : CS_DUMP_SEQ_EXACT;
	xa_for_each_start(cs_tables_order(d->tables, d->kind), index, entry,
			  d->next) {
		if (cs_dump_live(d->kind, entry)) {
			err = cs_dump_one(skb, cb, d->kind, entry);
			if (err)
				break;
		}
		d->next = index + 1;
	}
	rcu_read_unlock();
	/* An entry that does not fit an empty message never will (it cannot
	 * happen: min_dump_alloc).
	 */
	if (err && !skb->len)
		return err;
	return skb->len;
}

int credstore_nl_get_identity_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	return cs_dump(skb, cb);
}

int credstore_nl_get_anchor_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	return cs_dump(skb, cb);
}

int credstore_nl_get_device_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	return cs_dump(skb, cb);
}

int credstore_nl_dump_done(struct netlink_callback *cb)
{
	struct cs_dump *d = (struct cs_dump *)cb->args[0];

	if (!d)
		return 0;
	cs_tables_put(d->tables);
	kfree(d);
	return 0;
}
