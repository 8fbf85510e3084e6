// SPDX-License-Identifier: GPL-2.0
/*
 * The published credentials.  Each snapshot is one struct cs_tables of
 * rhashtables; readers find the served one with rcu_dereference() and take
 * no lock.  Only the publisher writes (serialised by its mutex, update.c).
 *
 * A snapshot is swapped in with rcu_replace_pointer(); the set it replaces
 * lives on while dumps started on it are unfinished (they hold a kref), so
 * that such a dump stays exact.  At most max_superseded sets are kept that
 * way: beyond it the oldest is drained (its entries freed after a grace
 * period) and its dumps move on to the served set, flagged interrupted.
 * A user who starts dumps and never reads them therefore pins at most
 * max_superseded sets, not one per commit.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>
#include "hash.h"

static unsigned int max_entries = 262144;
module_param(max_entries, uint, 0644);
MODULE_PARM_DESC(max_entries, "Most records the served tables may hold");

static unsigned int max_bytes = 256 << 20;
module_param(max_bytes, uint, 0644);
MODULE_PARM_DESC(max_bytes, "Most memory the served tables may account for");

static unsigned int max_superseded = 1;
module_param(max_superseded, uint, 0644);
MODULE_PARM_DESC(max_superseded,
		 "Superseded table sets kept for unfinished dumps (each up to max_bytes)");

static struct kmem_cache *cs_device_cache;
static struct cs_tables __rcu *cs_live;
/* Entries allocated and not freed: 0 again at unload, or a leak. */
static atomic_long_t cs_entries = ATOMIC_LONG_INIT(0);

/* Superseded sets that dumps still hold, oldest first. */
static LIST_HEAD(cs_superseded);
static unsigned int cs_nsuperseded;
static DEFINE_MUTEX(cs_superseded_lock);

/* ---- entries ---------------------------------------------------------- */

struct cs_named *cs_named_alloc(const char *name, const void *chain,
				u32 chain_len)
{
	struct cs_named *n;

	n = kvzalloc(struct_size(n, chain, chain_len), GFP_KERNEL);
	if (!n)
		return NULL;
	atomic_long_inc(&cs_entries);
	strscpy(n->name, name, sizeof(n->name));
	refcount_set(&n->ref, 1);
	n->chain_len = chain_len;
	memcpy(n->chain, chain, chain_len);
	return n;
}

size_t cs_named_size(const struct cs_named *n)
{
	return struct_size(n, chain, n->chain_len);
}

static void cs_named_free_rcu(struct rcu_head *rcu)
{
	struct cs_named *n = container_of(rcu, struct cs_named, rcu);

	kvfree(n);
	atomic_long_dec(&cs_entries);
}

/* Freed a grace period after the last reference: readers may still see it. */
void cs_named_put(struct cs_named *n)
{
	if (n && refcount_dec_and_test(&n->ref))
		call_rcu(&n->rcu, cs_named_free_rcu);
}

struct cs_device *cs_device_alloc(void)
{
	struct cs_device *dev = kmem_cache_zalloc(cs_device_cache, GFP_KERNEL);

	if (dev)
		atomic_long_inc(&cs_entries);
	return dev;
}

/* Secrets live inline: wipe them as kfree_sensitive() would. */
static void cs_device_free(struct cs_device *dev)
{
	memzero_explicit(dev, sizeof(*dev));
	kmem_cache_free(cs_device_cache, dev);
	atomic_long_dec(&cs_entries);
}

void cs_device_free_rcu(struct rcu_head *rcu)
{
	cs_device_free(container_of(rcu, struct cs_device, rcu));
}

/*
 * A record's entry that the tables did not take.  It may have been
 * linked for a while (a batch that failed half-way), so a reader may
 * still hold it: freed after a grace period, like everything else.
 */
void cs_record_free(struct cs_record *rec)
{
	if (!rec->entry)
		return;
	if (rec->kind == CREDSTORE_KIND_DEVICE)
		call_rcu(&rec->dev->rcu, cs_device_free_rcu);
	else
		cs_named_put(rec->named);
	rec->entry = NULL;
}

/* ---- lookups (under rcu_read_lock) ------------------------------------ */

struct rhashtable *cs_tables_of_kind(struct cs_tables *t, u8 kind)
{
	switch (kind) {
	case CREDSTORE_KIND_IDENTITY:
		return &t->identities;
	case CREDSTORE_KIND_ANCHOR:
		return &t->anchors;
	default:
		return &t->devices;
	}
}

struct xarray *cs_tables_order(struct cs_tables *t, u8 kind)
{
	static_assert(ARRAY_SIZE(t->order) == CREDSTORE_KIND_DEVICE);
	return &t->order[kind - CREDSTORE_KIND_IDENTITY];
}

/* A published identity or anchor; under rcu_read_lock(). */
struct cs_named *cs_named_find(struct cs_tables *t, u8 kind, const char *name)
{
	char key[CREDSTORE_NAME_MAX] = {};
	struct cs_named *n;

	strscpy(key, name, sizeof(key));
	n = rhashtable_lookup(cs_tables_of_kind(t, kind), key, cs_named_params);
	return cs_entry_live(n) ? n : NULL;
}

/*
 * A served identity or anchor, held beyond the RCU read section (its reply
 * is allocated to its size), and the generation it was served at.  An
 * entry whose last reference is gone has been replaced or retracted
 * already: look again, to find its successor rather than nothing.
 */
struct cs_named *cs_named_get(u8 kind, const char *name, u64 *generation)
{
	struct cs_tables *t;
	struct cs_named *n;

	rcu_read_lock();
	t = cs_tables_live();
	for (;;) {
		n = cs_named_find(t, kind, name);
		if (!n || refcount_inc_not_zero(&n->ref))
			break;
		/* See the table as it was when the count reached zero. */
		smp_rmb();
	}
	*generation = READ_ONCE(t->generation);
	rcu_read_unlock();
	return n;
}

/* A published device; under rcu_read_lock(). */
struct cs_device *cs_device_find(struct cs_tables *t, const char *id)
{
	char key[CREDSTORE_DEVICE_ID_MAX] = {};
	struct cs_device *dev;

	strscpy(key, id, sizeof(key));
	dev = rhashtable_lookup(&t->devices, key, cs_device_params);
	return cs_entry_live(dev) ? dev : NULL;
}

struct cs_device *cs_device_find_fp(struct cs_tables *t, const u8 *fp,
				    u8 *held)
{
	struct cs_device *dev;

	dev = cs_fp_lookup(t, CS_MASTER, fp);
	if (dev) {
		*held = CREDSTORE_MATCH_MASTER;
		return dev;
	}
	dev = cs_fp_lookup(t, CS_SUB, fp);
	*held = dev ? CREDSTORE_MATCH_SUB : CREDSTORE_MATCH_NONE;
	return dev;
}

/* ---- the table sets --------------------------------------------------- */

static struct rhashtable *cs_all_tables(struct cs_tables *t, int i)
{
	struct rhashtable *all[] = {
		&t->identities, &t->anchors, &t->devices,
		&t->master_fps, &t->sub_fps,
	};

	return i < ARRAY_SIZE(all) ? all[i] : NULL;
}

static const struct rhashtable_params *cs_all_params(int i)
{
	const struct rhashtable_params *all[] = {
		&cs_named_params, &cs_named_params, &cs_device_params,
		&CS_MASTER->params, &CS_SUB->params,
	};

	return all[i];
}

struct cs_tables *cs_tables_new(u64 generation)
{
	struct cs_tables *t;
	int i, err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; cs_all_tables(t, i); i++) {
		err = rhashtable_init(cs_all_tables(t, i), cs_all_params(i));
		if (err)
			goto undo;
	}
	for (i = 0; i < ARRAY_SIZE(t->order); i++)
		xa_init_flags(&t->order[i], XA_FLAGS_ALLOC);
	kref_init(&t->ref);
	INIT_LIST_HEAD(&t->superseded);
	t->generation = generation;
	return t;
undo:
	while (i--)
		rhashtable_destroy(cs_all_tables(t, i));
	kfree(t);
	return NULL;
}

static void cs_named_free_entry(void *ptr, void *arg)
{
	cs_named_put(ptr);
}

static void cs_device_free_entry(void *ptr, void *arg)
{
	cs_device_free(ptr);
}

/* Free every entry of @t: no reader can reach it any more. */
static void cs_tables_destroy(struct cs_tables *t)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(t->order); i++)
		xa_destroy(&t->order[i]);
	rhashtable_destroy(&t->master_fps);
	rhashtable_destroy(&t->sub_fps);
	rhashtable_free_and_destroy(&t->devices, cs_device_free_entry, NULL);
	rhashtable_free_and_destroy(&t->identities, cs_named_free_entry, NULL);
	rhashtable_free_and_destroy(&t->anchors, cs_named_free_entry, NULL);
}

/*
 * The last reference is gone: neither readers (a grace period has passed
 * since it was served) nor dumps can reach @t.  Called with
 * cs_superseded_lock held (kref_put_mutex), which it releases.
 */
static void cs_tables_release(struct kref *ref)
{
	struct cs_tables *t = container_of(ref, struct cs_tables, ref);
	bool drained = t->drained;

	if (!list_empty(&t->superseded)) {
		list_del(&t->superseded);
		cs_nsuperseded--;
	}
	mutex_unlock(&cs_superseded_lock);
	if (!drained)
		cs_tables_destroy(t);
	kfree(t);
}

/* May sleep: the last reference frees the set. */
void cs_tables_put(struct cs_tables *t)
{
	if (t)
		kref_put_mutex(&t->ref, cs_tables_release,
			       &cs_superseded_lock);
}

/* Drain the oldest superseded sets beyond max_superseded. */
static void cs_tables_drain_excess(void)
{
	struct cs_tables *t;

	mutex_lock(&cs_superseded_lock);
	while (cs_nsuperseded > READ_ONCE(max_superseded)) {
		t = list_first_entry(&cs_superseded, struct cs_tables,
				     superseded);
		list_del_init(&t->superseded);
		cs_nsuperseded--;
		WRITE_ONCE(t->drained, true);
		/* A dump inside its batch saw drained false: let it finish. */
		synchronize_rcu();
		cs_tables_destroy(t);
	}
	mutex_unlock(&cs_superseded_lock);
}

/* @old is no longer served: freed now, or kept for the dumps on it. */
static void cs_tables_retire(struct cs_tables *old)
{
	mutex_lock(&cs_superseded_lock);
	list_add_tail(&old->superseded, &cs_superseded);
	cs_nsuperseded++;
	mutex_unlock(&cs_superseded_lock);
	cs_tables_put(old);
	cs_tables_drain_excess();
}

/* The served tables; the caller holds rcu_read_lock(). */
struct cs_tables *cs_tables_live(void)
{
	return rcu_dereference(cs_live);
}

/* The served tables, held beyond the RCU read section (dumps).  The live
 * pointer's own reference is dropped only a grace period after the swap,
 * so the count cannot be zero here.
 */
struct cs_tables *cs_tables_get_live(void)
{
	struct cs_tables *t;

	rcu_read_lock();
	t = rcu_dereference(cs_live);
	kref_get(&t->ref);
	rcu_read_unlock();
	return t;
}

/* The served tables, for the publisher (who alone replaces them). */
struct cs_tables *cs_tables_published(void)
{
	return rcu_dereference_protected(cs_live, true);
}

/* Whether a publisher's snapshot is served: until then an absent name or
 * device proves nothing (the module was just loaded, credstored has not
 * published to it yet).
 */
bool cs_tables_ready(void)
{
	bool ready;

	rcu_read_lock();
	ready = rcu_dereference(cs_live)->from_snapshot;
	rcu_read_unlock();
	return ready;
}

/* Serve @t; the caller is the publisher (or init/exit). */
void cs_tables_serve(struct cs_tables *t)
{
	struct cs_tables *old;

	old = rcu_replace_pointer(cs_live, t, true);
	if (old) {
		synchronize_rcu();
		cs_tables_retire(old);
	}
}

/*
 * The publisher brackets every change of a set with these; a dump compares
 * the count before and after its batches (dump.c).  Fully ordered: the
 * count moves before the change is visible, and again after it is.
 */
void cs_tables_change_begin(struct cs_tables *t)
{
	atomic64_inc_return(&t->changes);
}

void cs_tables_change_end(struct cs_tables *t)
{
	atomic64_inc_return(&t->changes);
}

s64 cs_tables_changes(const struct cs_tables *t)
{
	s64 changes;

	smp_rmb();	/* after what the caller read before */
	changes = atomic64_read(&t->changes);
	smp_rmb();	/* before what the caller reads next */
	return changes;
}

u32 cs_tables_entries(const struct cs_tables *t)
{
	u32 sum = 0;
	int kind;

	for (kind = 0; kind < __CREDSTORE_KIND_MAX; kind++)
		sum += READ_ONCE(t->count[kind]);
	return sum;
}

u32 cs_tables_max_entries(void)
{
	return READ_ONCE(max_entries);
}

u32 cs_tables_max_bytes(void)
{
	return READ_ONCE(max_bytes);
}

int __init cs_tables_init(void)
{
	struct cs_tables *t;

	cs_device_cache = KMEM_CACHE(cs_device, 0);
	if (!cs_device_cache)
		return -ENOMEM;
	t = cs_tables_new(0);
	if (!t) {
		kmem_cache_destroy(cs_device_cache);
		return -ENOMEM;
	}
	cs_tables_serve(t);
	return 0;
}

void cs_tables_exit(void)
{
	cs_tables_serve(NULL);
	rcu_barrier();	/* the RCU-deferred frees of single records */
	WARN(atomic_long_read(&cs_entries), "credstore: %ld entries leaked\n",
	     atomic_long_read(&cs_entries));
	kmem_cache_destroy(cs_device_cache);
}
