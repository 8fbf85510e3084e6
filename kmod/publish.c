// SPDX-License-Identifier: GPL-2.0
/*
 * The publisher: one netlink socket (credstored's) at a time pushes the
 * store into the module, as whole snapshots built aside and swapped in, or
 * as single records updated or retracted in the served tables.  Every
 * publish carries the store's generation; an update or retraction older
 * than the one served is refused, a snapshot may carry any (it replaces
 * everything).  When the publisher's socket closes, the module keeps
 * serving.
 */
#include <linux/mutex.h>
#include <linux/notifier.h>
#include "msg.h"
#include "netlink-gen.h"
#include "notify.h"
#include "publish.h"
#include "records.h"
#include "update.h"

static DEFINE_MUTEX(cs_publish_lock);
static u32 cs_publisher;		/* its netlink portid; 0: none */
static struct cs_tables *cs_snapshot;	/* being built, or NULL */
static s64 cs_snapshot_base;		/* the served set's changes at its begin */

bool cs_publisher_attached(void)
{
	return READ_ONCE(cs_publisher) != 0;
}

static int cs_claim(struct genl_info *info)
{
	if (!cs_publisher)
		WRITE_ONCE(cs_publisher, info->snd_portid);
	if (cs_publisher == info->snd_portid)
		return 0;
	GENL_SET_ERR_MSG(info, "another publisher is attached");
	return -EBUSY;
}

static void cs_drop_snapshot(void)
{
	cs_tables_put(cs_snapshot);
	cs_snapshot = NULL;
}

static u64 cs_served_generation(void)
{
	return cs_tables_published()->generation;
}

/* A generation an update or retraction may serve: not older than the
 * served one (they change the served tables in place).
 */
static int cs_req_generation(struct genl_info *info, u64 *generation)
{
	if (cs_req_missing(info, CREDSTORE_A_GENERATION))
		return -EINVAL;
	*generation = nla_get_u64(info->attrs[CREDSTORE_A_GENERATION]);
	if (*generation >= cs_served_generation())
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CREDSTORE_A_GENERATION],
			    "generation is older than the one served");
	return -ESTALE;
}

/* The snapshot being built, and the generation, if given, must be its. */
static int cs_req_snapshot(struct genl_info *info)
{
	struct nlattr *gen = info->attrs[CREDSTORE_A_GENERATION];

	if (!cs_snapshot) {
		GENL_SET_ERR_MSG(info, "no snapshot begun");
		return -EINVAL;
	}
	if (gen && nla_get_u64(gen) != cs_snapshot->generation) {
		NL_SET_ERR_MSG_ATTR(info->extack, gen,
				    "generation is not the snapshot's");
		return -EINVAL;
	}
	return 0;
}

/*
 * A snapshot replaces everything served, so it may carry any generation:
 * a store rolled back on purpose (credstored's accept-rollback, issue 14)
 * is served as it is, older than what was served before.
 */
static int cs_begin(struct genl_info *info)
{
	struct nlattr *gen = info->attrs[CREDSTORE_A_GENERATION];

	if (cs_req_missing(info, CREDSTORE_A_GENERATION))
		return -EINVAL;
	cs_drop_snapshot();
	cs_snapshot = cs_tables_new(nla_get_u64(gen));
	if (!cs_snapshot)
		return -ENOMEM;
	cs_snapshot->from_snapshot = true;
	cs_snapshot_base = cs_tables_changes(cs_tables_published());
	return 0;
}

static int cs_put_records(struct genl_info *info, struct cs_tables *t,
			  struct cs_record **recs, unsigned int *n)
{
	int err;

	if (cs_req_missing(info, CREDSTORE_A_RECORDS))
		return -EINVAL;
	err = cs_records_parse(info->attrs[CREDSTORE_A_RECORDS], info->extack,
			       recs, n);
	if (err)
		return err;
	return cs_tables_put_records(t, *recs, *n, info->extack);
}

static int cs_records(struct genl_info *info)
{
	struct cs_record *recs = NULL;
	unsigned int n = 0;
	int err;

	err = cs_req_snapshot(info);
	if (err)
		return err;
	err = cs_put_records(info, cs_snapshot, &recs, &n);
	cs_records_free(recs, n);
	return err;
}

static int cs_commit(struct genl_info *info)
{
	u64 generation;
	int err;

	err = cs_req_snapshot(info);
	if (err)
		return err;
	/* An update or retraction served since the begin is not in it. */
	if (cs_tables_changes(cs_tables_published()) != cs_snapshot_base) {
		GENL_SET_ERR_MSG(info, "the served tables changed since the snapshot began");
		return -ESTALE;
	}
	generation = cs_snapshot->generation;
	cs_tables_serve(cs_snapshot);
	cs_snapshot = NULL;
	cs_notify(CREDSTORE_KIND_SNAPSHOT, NULL, generation,
		  CREDSTORE_EVENT_CHANGED, 0);
	return 0;
}

static int cs_abort(struct genl_info *info)
{
	cs_drop_snapshot();
	return 0;
}

static void cs_serve_generation(u64 generation)
{
	WRITE_ONCE(cs_tables_published()->generation, generation);
}

static int cs_update(struct genl_info *info)
{
	struct cs_record *recs = NULL;
	unsigned int i, n = 0;
	u64 generation;
	int err;

	err = cs_req_generation(info, &generation) ?:
	      cs_put_records(info, cs_tables_published(), &recs, &n);
	if (!err) {
		cs_serve_generation(generation);
		for (i = 0; i < n; i++)
			cs_notify(recs[i].kind, recs[i].key, generation,
				  CREDSTORE_EVENT_CHANGED, recs[i].flags);
	}
	cs_records_free(recs, n);
	return err;
}

/* The key of a retraction: the device's id, or the name of the others. */
static int cs_req_retract_key(struct genl_info *info, u8 kind,
			      const char **key)
{
	int other = kind == CREDSTORE_KIND_DEVICE ? CREDSTORE_A_NAME :
						    CREDSTORE_A_DEVICE_ID;

	if (info->attrs[other]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[other],
				    "a device is keyed by DEVICE_ID, the others by NAME");
		return -EINVAL;
	}
	if (kind == CREDSTORE_KIND_DEVICE)
		return cs_req_device_id(info, key);
	return cs_req_name(info, key);
}

static int cs_retract(struct genl_info *info)
{
	u64 generation;
	const char *key;
	u8 kind;
	int err;

	err = cs_req_generation(info, &generation);
	if (err)
		return err;
	if (cs_req_missing(info, CREDSTORE_A_KIND))
		return -EINVAL;
	kind = nla_get_u8(info->attrs[CREDSTORE_A_KIND]);
	err = cs_req_retract_key(info, kind, &key) ?:
	      cs_tables_remove(cs_tables_published(), kind, key, info->extack);
	if (err)
		return err;
	cs_serve_generation(generation);
	cs_notify(kind, key, generation, CREDSTORE_EVENT_REMOVED, 0);
	return 0;
}

static int cs_publish_run(struct genl_info *info,
			  int (*op)(struct genl_info *info))
{
	int err;

	mutex_lock(&cs_publish_lock);
	err = cs_claim(info) ?: op(info);
	mutex_unlock(&cs_publish_lock);
	return err;
}

/*
 * The commands that carry records: taken or refused, their secrets leave
 * no copy in the request (nor in an error's echo of it).
 */
static int cs_publish_records_run(struct genl_info *info,
				  int (*op)(struct genl_info *info))
{
	int err = cs_publish_run(info, op);

	if (info->attrs[CREDSTORE_A_RECORDS])
		cs_records_wipe(info->attrs[CREDSTORE_A_RECORDS]);
	return err;
}

int credstore_nl_publish_begin_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	return cs_publish_run(info, cs_begin);
}

int credstore_nl_publish_records_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	return cs_publish_records_run(info, cs_records);
}

int credstore_nl_publish_commit_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	return cs_publish_run(info, cs_commit);
}

int credstore_nl_publish_abort_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	return cs_req_none(info) ?: cs_publish_run(info, cs_abort);
}

int credstore_nl_publish_update_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	return cs_publish_records_run(info, cs_update);
}

int credstore_nl_retract_doit(struct sk_buff *skb, struct genl_info *info)
{
	return cs_publish_run(info, cs_retract);
}

/* The publisher's socket closed: keep serving, forget its snapshot. */
static int cs_netlink_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !net_eq(n->net, &init_net) || !n->portid ||
	    n->portid != READ_ONCE(cs_publisher))
		return NOTIFY_DONE;
	mutex_lock(&cs_publish_lock);
	if (n->portid == cs_publisher) {
		WRITE_ONCE(cs_publisher, 0);
		cs_drop_snapshot();
	}
	mutex_unlock(&cs_publish_lock);
	return NOTIFY_DONE;
}

static struct notifier_block cs_netlink_notifier = {
	.notifier_call = cs_netlink_event,
};

int __init cs_publish_init(void)
{
	return netlink_register_notifier(&cs_netlink_notifier);
}

void cs_publish_exit(void)
{
	netlink_unregister_notifier(&cs_netlink_notifier);
	cs_drop_snapshot();
}
