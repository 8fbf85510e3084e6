// SPDX-License-Identifier: GPL-2.0
/*
 * Paged dumps of identities, anchors and devices.  A dump holds the table
 * set it started on (a snapshot committed meanwhile does not mix in) and
 * walks one rhashtable across calls; a change to the tables it walks is
 * flagged with NLM_F_DUMP_INTR.
 */
#include "msg.h"
#include "netlink.h"
#include "query.h"

struct cs_dump {
	struct cs_tables *tables;
	u8 kind;
	struct rhashtable_iter iter;
};

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

int cs_nl_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct cs_dump *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->kind = cs_dump_kind(info->op.cmd);
	d->tables = cs_tables_get_live();
	rhashtable_walk_enter(cs_tables_of_kind(d->tables, d->kind), &d->iter);
	cb->args[0] = (long)d;
	return 0;
}

static int cs_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		       struct cs_dump *d, void *entry)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &cs_family, NLM_F_MULTI,
			  genl_dumpit_info(cb)->op.cmd);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (d->kind == CREDSTORE_KIND_DEVICE)
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

int cs_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cs_dump *d = (struct cs_dump *)cb->args[0];
	void *entry;
	int err = 0;

	cb->seq = READ_ONCE(d->tables->generation);
	rhashtable_walk_start(&d->iter);
	while ((entry = rhashtable_walk_peek(&d->iter))) {
		/* -EAGAIN: the walk moved on to a resized table. */
		if (IS_ERR(entry))
			continue;
		err = cs_dump_one(skb, cb, d, entry);
		if (err)
			break;
		rhashtable_walk_next(&d->iter);
	}
	rhashtable_walk_stop(&d->iter);
	/* An entry that does not fit in an empty message never will. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

int cs_nl_dump_done(struct netlink_callback *cb)
{
	struct cs_dump *d = (struct cs_dump *)cb->args[0];

	if (!d)
		return 0;
	rhashtable_walk_exit(&d->iter);
	cs_tables_put(d->tables);
	kfree(d);
	return 0;
}
