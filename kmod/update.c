// SPDX-License-Identifier: GPL-2.0
/*
 * The publisher's changes to a table set: a batch of records inserted or
 * replaced, all or none, and single retractions.  Only the publisher
 * writes (under its mutex); readers walk the tables meanwhile (RCU), so
 * nothing leaves a table without a grace period before it is freed, not
 * even an entry of a batch that failed.
 *
 * A batch runs in four phases:
 *  - check: everything that can be refused (a key or fingerprint twice,
 *    a fingerprint of another device, the limits) is, before any change;
 *  - link: what can fail (memory for a growing hash table or for the dump
 *    order), unseen: each new entry goes into the tables unpublished
 *    (cs_entry_live()) under its new fingerprints and, if it replaces
 *    nothing, under its key.  A failure unlinks what was linked: readers
 *    never saw any of it, and the tables are as before;
 *  - publish, which cannot fail: each entry becomes live and takes its
 *    predecessor's place under its key and in the dump order;
 *  - finish, which cannot fail either: the predecessors' fingerprints go,
 *    the counts change, the predecessors are freed after a grace period.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <net/netlink.h>
#include "hash.h"
#include "update.h"

static unsigned int fault_insert;
module_param(fault_insert, uint, 0600);
MODULE_PARM_DESC(fault_insert,
		 "Testing only: the Nth table insertion from now fails with -ENOMEM (0: none)");

/* Serialised by the publisher's mutex, as every write here. */
static int cs_fault(void)
{
	unsigned int n = READ_ONCE(fault_insert);

	if (!n)
		return 0;
	WRITE_ONCE(fault_insert, n - 1);
	return n == 1 ? -ENOMEM : 0;
}

/* ---- check ------------------------------------------------------------ */

static size_t cs_record_size(u8 kind, const void *entry)
{
	return kind == CREDSTORE_KIND_DEVICE ? sizeof(struct cs_device) :
					       cs_named_size(entry);
}

/* The entry @rec would replace, if any; under rcu_read_lock(). */
static void *cs_record_old(struct cs_tables *t, const struct cs_record *rec)
{
	if (rec->kind == CREDSTORE_KIND_DEVICE)
		return cs_device_find(t, rec->dev->id);
	return cs_named_find(t, rec->kind, rec->named->name);
}

static int cs_cmp_records(const void *a, const void *b)
{
	const struct cs_record *x = *(const struct cs_record **)a;
	const struct cs_record *y = *(const struct cs_record **)b;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	return strcmp(x->key, y->key);
}

static int cs_cmp_fps(const void *a, const void *b)
{
	return memcmp(*(const u8 **)a, *(const u8 **)b,
		      CREDSTORE_FINGERPRINT_LEN);
}

/*
 * No key and no fingerprint twice in the message.  Sorted, a twin sits
 * next to its sibling: n log n, where comparing every pair was quadratic.
 * (A device's own master and sub are different: records.c checks that.)
 */
static int cs_check_twins(const struct cs_record *recs, unsigned int n,
			  struct netlink_ext_ack *extack)
{
	const struct cs_record **by_key;
	unsigned int i, j, nfps = 0;
	const u8 **fps;
	int err = 0;

	by_key = kvmalloc_array(n, sizeof(*by_key), GFP_KERNEL);
	fps = kvmalloc_array(n, 2 * sizeof(*fps), GFP_KERNEL);
	if (!by_key || !fps) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		by_key[i] = &recs[i];
		if (recs[i].kind != CREDSTORE_KIND_DEVICE)
			continue;
		for (j = 0; j < ARRAY_SIZE(cs_fp_indexes); j++)
			if (cs_fp_has(recs[i].dev, &cs_fp_indexes[j]))
				fps[nfps++] = cs_fp_of(recs[i].dev,
						       &cs_fp_indexes[j]);
	}
	sort(by_key, n, sizeof(*by_key), cs_cmp_records, NULL);
	sort(fps, nfps, sizeof(*fps), cs_cmp_fps, NULL);
	for (i = 1; i < n; i++) {
		if (!cs_cmp_records(&by_key[i - 1], &by_key[i])) {
			NL_SET_ERR_MSG(extack, "a record's key appears twice in the message");
			err = -EINVAL;
			goto out;
		}
	}
	for (i = 1; i < nfps; i++) {
		if (!cs_cmp_fps(&fps[i - 1], &fps[i])) {
			NL_SET_ERR_MSG(extack, "two devices of the message share a fingerprint");
			err = -EEXIST;
			goto out;
		}
	}
out:
	kvfree(by_key);
	kvfree(fps);
	return err;
}

/* A fingerprint names one device: not another one already in @t. */
static bool cs_device_fps_free(struct cs_tables *t, const struct cs_device *dev)
{
	const struct cs_fp_index *idx;
	struct cs_device *owner;
	bool taken = false;
	const u8 *fp;

	rcu_read_lock();
	for (idx = cs_fp_indexes; idx < cs_fp_indexes + 2 && !taken; idx++) {
		if (!cs_fp_has(dev, idx))
			continue;
		fp = cs_fp_of(dev, idx);
		owner = cs_fp_lookup(t, CS_MASTER, fp) ?:
			cs_fp_lookup(t, CS_SUB, fp);
		taken = owner && strcmp(owner->id, dev->id);
	}
	rcu_read_unlock();
	return !taken;
}

/* Everything that could make a batch fail, checked before any change. */
static int cs_check_batch(struct cs_tables *t, const struct cs_record *recs,
			  unsigned int n, struct netlink_ext_ack *extack)
{
	u32 entries = cs_tables_entries(t);
	u64 bytes = t->bytes;
	unsigned int i;
	void *old;
	int err;

	err = cs_check_twins(recs, n, extack);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (recs[i].kind == CREDSTORE_KIND_DEVICE &&
		    !cs_device_fps_free(t, recs[i].dev)) {
			NL_SET_ERR_MSG(extack, "a fingerprint already belongs to another device");
			return -EEXIST;
		}
		rcu_read_lock();
		old = cs_record_old(t, &recs[i]);
		if (old)
			bytes -= cs_record_size(recs[i].kind, old);
		else
			entries++;
		rcu_read_unlock();
		bytes += cs_record_size(recs[i].kind, recs[i].entry);
		cond_resched();
	}
	if (entries > cs_tables_max_entries()) {
		NL_SET_ERR_MSG(extack, "publish would exceed the module's max_entries");
		return -ENOSPC;
	}
	if (bytes > cs_tables_max_bytes()) {
		NL_SET_ERR_MSG(extack, "publish would exceed the module's max_bytes");
		return -ENOSPC;
	}
	return 0;
}

/* ---- link, unlink, finish --------------------------------------------- */

static bool cs_fp_same(const struct cs_device *a, const struct cs_device *b,
		       const struct cs_fp_index *idx)
{
	return cs_fp_has(a, idx) && cs_fp_has(b, idx) &&
	       !memcmp(cs_fp_of(a, idx), cs_fp_of(b, idx),
		       CREDSTORE_FINGERPRINT_LEN);
}

/* Index @new under a fingerprint @old does not already hold there. */
static int cs_fp_link(struct cs_tables *t, const struct cs_fp_index *idx,
		      struct cs_device *old, struct cs_device *new)
{
	if (!cs_fp_has(new, idx) || cs_fp_same(old, new, idx))
		return 0;
	return cs_fault() ?:
	       rhashtable_lookup_insert_fast(cs_fp_table(t, idx),
					     cs_fp_node(new, idx), idx->params);
}

static void cs_fp_unlink_new(struct cs_tables *t,
			     const struct cs_fp_index *idx,
			     struct cs_device *old, struct cs_device *new)
{
	if (cs_fp_has(new, idx) && !cs_fp_same(old, new, idx))
		rhashtable_remove_fast(cs_fp_table(t, idx),
				       cs_fp_node(new, idx), idx->params);
}

/* Take @old out of the index, handing a shared fingerprint to @new. */
static void cs_fp_unlink_old(struct cs_tables *t,
			     const struct cs_fp_index *idx,
			     struct cs_device *old, struct cs_device *new)
{
	if (!cs_fp_has(old, idx))
		return;
	if (cs_fp_same(old, new, idx))
		rhashtable_replace_fast(cs_fp_table(t, idx),
					cs_fp_node(old, idx),
					cs_fp_node(new, idx), idx->params);
	else
		rhashtable_remove_fast(cs_fp_table(t, idx),
				       cs_fp_node(old, idx), idx->params);
}

/* A new entry's place in the dump order (replacing one keeps its place). */
static int cs_order_add(struct xarray *order, u32 *slot, void *entry)
{
	return cs_fault() ?:
	       xa_alloc(order, slot, entry, xa_limit_32b, GFP_KERNEL);
}

/*
 * Link: everything that can fail, unseen.  @new goes in unpublished under
 * its fingerprints that @old does not already hold and, when it replaces
 * nothing, under its id and in the dump order.
 */
static int cs_link_device(struct cs_tables *t, struct cs_record *rec)
{
	struct xarray *order = cs_tables_order(t, CREDSTORE_KIND_DEVICE);
	struct cs_device *new = rec->dev, *old;
	int err;

	old = rhashtable_lookup_fast(&t->devices, new->id, cs_device_params);
	err = cs_fp_link(t, CS_MASTER, old, new);
	if (err)
		return err;
	err = cs_fp_link(t, CS_SUB, old, new);
	if (err)
		goto unlink_master;
	if (!old) {
		err = cs_order_add(order, &new->slot, new);
		if (err)
			goto unlink_sub;
		err = cs_fault() ?:
		      rhashtable_lookup_insert_fast(&t->devices, &new->by_id,
						    cs_device_params);
		if (err)
			goto unorder;
	}
	rec->old = old;
	return 0;
unorder:
	xa_erase(order, new->slot);
unlink_sub:
	cs_fp_unlink_new(t, CS_SUB, old, new);
unlink_master:
	cs_fp_unlink_new(t, CS_MASTER, old, new);
	return err;
}

static void cs_unlink_device(struct cs_tables *t, struct cs_record *rec)
{
	struct cs_device *new = rec->dev, *old = rec->old;

	if (!old) {
		rhashtable_remove_fast(&t->devices, &new->by_id,
				       cs_device_params);
		xa_erase(cs_tables_order(t, CREDSTORE_KIND_DEVICE), new->slot);
	}
	cs_fp_unlink_new(t, CS_SUB, old, new);
	cs_fp_unlink_new(t, CS_MASTER, old, new);
	rec->old = NULL;
}

static int cs_link_named(struct cs_tables *t, struct cs_record *rec)
{
	struct rhashtable *ht = cs_tables_of_kind(t, rec->kind);
	struct xarray *order = cs_tables_order(t, rec->kind);
	struct cs_named *new = rec->named;
	int err;

	rec->old = rhashtable_lookup_fast(ht, new->name, cs_named_params);
	if (rec->old)
		return 0;
	err = cs_order_add(order, &new->slot, new);
	if (err)
		return err;
	err = cs_fault() ?:
	      rhashtable_lookup_insert_fast(ht, &new->node, cs_named_params);
	if (err)
		xa_erase(order, new->slot);
	return err;
}

static void cs_unlink_named(struct cs_tables *t, struct cs_record *rec)
{
	if (!rec->old) {
		rhashtable_remove_fast(cs_tables_of_kind(t, rec->kind),
				       &rec->named->node, cs_named_params);
		xa_erase(cs_tables_order(t, rec->kind), rec->named->slot);
	}
	rec->old = NULL;
}

/*
 * Publish: nothing can fail now.  @new becomes live and takes @old's place
 * under its id and in the dump order (replacing in a hash table cannot
 * fail, @old is in it; nor can storing to @old's occupied slot).
 */
static void cs_publish_device(struct cs_tables *t, struct cs_record *rec)
{
	struct cs_device *new = rec->dev, *old = rec->old;

	WRITE_ONCE(new->live, true);
	if (!old)
		return;
	new->slot = old->slot;
	rhashtable_replace_fast(&t->devices, &old->by_id, &new->by_id,
				cs_device_params);
	xa_store(cs_tables_order(t, rec->kind), new->slot, new, GFP_KERNEL);
}

static void cs_publish_named(struct cs_tables *t, struct cs_record *rec)
{
	struct cs_named *new = rec->named, *old = rec->old;

	WRITE_ONCE(new->live, true);
	if (!old)
		return;
	new->slot = old->slot;
	rhashtable_replace_fast(cs_tables_of_kind(t, rec->kind), &old->node,
				&new->node, cs_named_params);
	xa_store(cs_tables_order(t, rec->kind), new->slot, new, GFP_KERNEL);
}

/* Counts and bytes: @new replaces @old (either may be NULL). */
static void cs_account(struct cs_tables *t, u8 kind, const void *old,
		       const void *new)
{
	s64 bytes = 0;
	int count = 0;

	if (old) {
		bytes -= cs_record_size(kind, old);
		count--;
	}
	if (new) {
		bytes += cs_record_size(kind, new);
		count++;
	}
	WRITE_ONCE(t->bytes, t->bytes + bytes);
	WRITE_ONCE(t->count[kind], t->count[kind] + count);
}

static void cs_finish(struct cs_tables *t, struct cs_record *rec)
{
	struct cs_device *old_dev = rec->old;

	cs_account(t, rec->kind, rec->old, rec->entry);
	if (rec->kind == CREDSTORE_KIND_DEVICE) {
		cs_fp_unlink_old(t, CS_MASTER, old_dev, rec->dev);
		cs_fp_unlink_old(t, CS_SUB, old_dev, rec->dev);
		if (old_dev)
			call_rcu(&old_dev->rcu, cs_device_free_rcu);
	} else {
		cs_named_put(rec->old);
	}
	rec->entry = NULL;	/* the tables hold it now */
	rec->old = NULL;
}

/*
 * Insert or replace every record of @recs in @t, or none.  The tables take
 * the entries they hold (the pointers in @recs are cleared); the caller
 * frees what is left with cs_record_free().
 */
int cs_tables_put_records(struct cs_tables *t, struct cs_record *recs,
			  unsigned int n, struct netlink_ext_ack *extack)
{
	unsigned int i;
	int err;

	err = cs_check_batch(t, recs, n, extack);
	if (err)
		return err;
	cs_tables_change_begin(t);
	for (i = 0; i < n; i++) {
		if (recs[i].kind == CREDSTORE_KIND_DEVICE)
			err = cs_link_device(t, &recs[i]);
		else
			err = cs_link_named(t, &recs[i]);
		if (err)
			break;
		cond_resched();
	}
	if (err) {
		while (i--) {
			if (recs[i].kind == CREDSTORE_KIND_DEVICE)
				cs_unlink_device(t, &recs[i]);
			else
				cs_unlink_named(t, &recs[i]);
		}
		NL_SET_ERR_MSG(extack, "no memory to grow the tables: nothing was changed");
	} else {
		for (i = 0; i < n; i++) {
			if (recs[i].kind == CREDSTORE_KIND_DEVICE)
				cs_publish_device(t, &recs[i]);
			else
				cs_publish_named(t, &recs[i]);
		}
		for (i = 0; i < n; i++)
			cs_finish(t, &recs[i]);
	}
	cs_tables_change_end(t);
	return err;
}

static void cs_remove_device(struct cs_tables *t, struct cs_device *dev)
{
	rhashtable_remove_fast(&t->devices, &dev->by_id, cs_device_params);
	xa_erase(cs_tables_order(t, CREDSTORE_KIND_DEVICE), dev->slot);
	cs_fp_unlink_old(t, CS_MASTER, dev, NULL);
	cs_fp_unlink_old(t, CS_SUB, dev, NULL);
	cs_account(t, CREDSTORE_KIND_DEVICE, dev, NULL);
	call_rcu(&dev->rcu, cs_device_free_rcu);
}

static void cs_remove_named(struct cs_tables *t, u8 kind, struct cs_named *n)
{
	rhashtable_remove_fast(cs_tables_of_kind(t, kind), &n->node,
			       cs_named_params);
	xa_erase(cs_tables_order(t, kind), n->slot);
	cs_account(t, kind, n, NULL);
	cs_named_put(n);
}

int cs_tables_remove(struct cs_tables *t, u8 kind, const char *key,
		     struct netlink_ext_ack *extack)
{
	void *entry;

	rcu_read_lock();
	if (kind == CREDSTORE_KIND_DEVICE)
		entry = cs_device_find(t, key);
	else
		entry = cs_named_find(t, kind, key);
	rcu_read_unlock();
	if (!entry) {
		NL_SET_ERR_MSG(extack, "no such record is published");
		return -ENOENT;
	}
	cs_tables_change_begin(t);
	if (kind == CREDSTORE_KIND_DEVICE)
		cs_remove_device(t, entry);
	else
		cs_remove_named(t, kind, entry);
	cs_tables_change_end(t);
	return 0;
}
