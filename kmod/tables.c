// SPDX-License-Identifier: GPL-2.0
/*
 * The published credentials.  Each snapshot is one struct cs_tables of
 * rhashtables; readers find the served one with rcu_dereference() and take
 * no lock.  Only the publisher writes (serialised by its mutex): single
 * records are replaced in place with RCU-deferred frees, a snapshot is
 * swapped in with rcu_replace_pointer() and the old one freed after a grace
 * period, once the dumps still walking it are done (kref).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>
#include "tables.h"

static unsigned int max_entries = 262144;
module_param(max_entries, uint, 0644);
MODULE_PARM_DESC(max_entries, "Most records the served tables may hold");

static unsigned int max_bytes = 256 << 20;
module_param(max_bytes, uint, 0644);
MODULE_PARM_DESC(max_bytes, "Most memory the served tables may account for");

static struct kmem_cache *cs_device_cache;
static struct cs_tables __rcu *cs_live;
/* Entries allocated and not freed: 0 again at unload, or a leak. */
static atomic_long_t cs_entries = ATOMIC_LONG_INIT(0);

static const struct rhashtable_params cs_named_params = {
	.key_len = CREDSTORE_NAME_MAX,
	.key_offset = offsetof(struct cs_named, name),
	.head_offset = offsetof(struct cs_named, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params cs_device_params = {
	.key_len = CREDSTORE_DEVICE_ID_MAX,
	.key_offset = offsetof(struct cs_device, id),
	.head_offset = offsetof(struct cs_device, by_id),
	.automatic_shrinking = true,
};

/* The fingerprint indexes: a device sits in each under its own node. */
struct cs_fp_index {
	size_t table;		/* offset in struct cs_tables */
	u8 has;			/* enum cs_device_has */
	struct rhashtable_params params;
};

static const struct cs_fp_index cs_fp_indexes[] = {
	{
		.table = offsetof(struct cs_tables, master_fps),
		.has = CS_HAS_MASTER_FP,
		.params = {
			.key_len = CREDSTORE_FINGERPRINT_LEN,
			.key_offset = offsetof(struct cs_device, master_fp),
			.head_offset = offsetof(struct cs_device, by_master),
			.automatic_shrinking = true,
		},
	},
	{
		.table = offsetof(struct cs_tables, sub_fps),
		.has = CS_HAS_SUB_FP,
		.params = {
			.key_len = CREDSTORE_FINGERPRINT_LEN,
			.key_offset = offsetof(struct cs_device, sub_fp),
			.head_offset = offsetof(struct cs_device, by_sub),
			.automatic_shrinking = true,
		},
	},
};

#define CS_MASTER (&cs_fp_indexes[0])
#define CS_SUB (&cs_fp_indexes[1])

static struct rhashtable *cs_fp_table(struct cs_tables *t,
				     const struct cs_fp_index *idx)
{
	return (void *)t + idx->table;
}

static struct rhash_head *cs_fp_node(struct cs_device *dev,
				     const struct cs_fp_index *idx)
{
	return (void *)dev + idx->params.head_offset;
}

static const u8 *cs_fp_of(const struct cs_device *dev,
			  const struct cs_fp_index *idx)
{
	return (const void *)dev + idx->params.key_offset;
}

static bool cs_fp_has(const struct cs_device *dev,
		      const struct cs_fp_index *idx)
{
	return dev && (dev->has & idx->has);
}

static bool cs_fp_same(const struct cs_device *a, const struct cs_device *b,
		       const struct cs_fp_index *idx)
{
	return cs_fp_has(a, idx) && cs_fp_has(b, idx) &&
	       !memcmp(cs_fp_of(a, idx), cs_fp_of(b, idx),
		       CREDSTORE_FINGERPRINT_LEN);
}

/* ---- entries ---------------------------------------------------------- */

struct cs_named *cs_named_alloc(const char *name, const void *chain,
				u32 chain_len, const void *key, u32 key_len)
{
	struct cs_named *n;

	n = kvzalloc(struct_size(n, data, chain_len + key_len), GFP_KERNEL);
	if (!n)
		return NULL;
	atomic_long_inc(&cs_entries);
	strscpy(n->name, name, sizeof(n->name));
	refcount_set(&n->ref, 1);
	n->chain = n->data;
	n->chain_len = chain_len;
	memcpy(n->chain, chain, chain_len);
	if (key) {
		n->key = n->data + chain_len;
		n->key_len = key_len;
		memcpy(n->key, key, key_len);
	}
	return n;
}

static size_t cs_named_size(const struct cs_named *n)
{
	return struct_size(n, data, n->chain_len + n->key_len);
}

static void cs_named_free_rcu(struct rcu_head *rcu)
{
	struct cs_named *n = container_of(rcu, struct cs_named, rcu);

	kvfree_sensitive(n, cs_named_size(n));
	atomic_long_dec(&cs_entries);
}

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
	if (!dev)
		return;
	memzero_explicit(dev, sizeof(*dev));
	kmem_cache_free(cs_device_cache, dev);
	atomic_long_dec(&cs_entries);
}

static void cs_device_free_rcu(struct rcu_head *rcu)
{
	cs_device_free(container_of(rcu, struct cs_device, rcu));
}

void cs_record_free(struct cs_record *rec)
{
	if (rec->kind == CREDSTORE_KIND_DEVICE)
		cs_device_free(rec->dev);
	else
		cs_named_put(rec->named);
	rec->named = NULL;
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

struct cs_named *cs_named_find(struct cs_tables *t, u8 kind, const char *name)
{
	char key[CREDSTORE_NAME_MAX] = {};

	strscpy(key, name, sizeof(key));
	return rhashtable_lookup(cs_tables_of_kind(t, kind), key,
				 cs_named_params);
}

/*
 * A served identity or anchor, held beyond the RCU read section (its reply
 * is allocated to its size), and the generation it was served at.
 */
struct cs_named *cs_named_get(u8 kind, const char *name, u64 *generation)
{
	struct cs_tables *t;
	struct cs_named *n;

	rcu_read_lock();
	t = cs_tables_live();
	n = cs_named_find(t, kind, name);
	if (n && !refcount_inc_not_zero(&n->ref))
		n = NULL;
	*generation = READ_ONCE(t->generation);
	rcu_read_unlock();
	return n;
}

struct cs_device *cs_device_find(struct cs_tables *t, const char *id)
{
	char key[CREDSTORE_DEVICE_ID_MAX] = {};

	strscpy(key, id, sizeof(key));
	return rhashtable_lookup(&t->devices, key, cs_device_params);
}

static struct cs_device *cs_fp_lookup(struct cs_tables *t,
				      const struct cs_fp_index *idx,
				      const u8 *fp)
{
	return rhashtable_lookup(cs_fp_table(t, idx), fp, idx->params);
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
	kref_init(&t->ref);
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

/* Nobody can reach @t any more: neither readers (a grace period has
 * passed since it was served) nor dumps (they held the last references).
 */
static void cs_tables_release(struct kref *ref)
{
	struct cs_tables *t = container_of(ref, struct cs_tables, ref);

	rhashtable_destroy(&t->master_fps);
	rhashtable_destroy(&t->sub_fps);
	rhashtable_free_and_destroy(&t->devices, cs_device_free_entry, NULL);
	rhashtable_free_and_destroy(&t->identities, cs_named_free_entry, NULL);
	rhashtable_free_and_destroy(&t->anchors, cs_named_free_entry, NULL);
	kfree(t);
}

void cs_tables_get(struct cs_tables *t)
{
	kref_get(&t->ref);
}

void cs_tables_put(struct cs_tables *t)
{
	if (t)
		kref_put(&t->ref, cs_tables_release);
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
	cs_tables_get(t);
	rcu_read_unlock();
	return t;
}

/* The served tables, for the publisher (who alone replaces them). */
struct cs_tables *cs_tables_published(void)
{
	return rcu_dereference_protected(cs_live, true);
}

/* Serve @t; the caller is the publisher (or init/exit). */
void cs_tables_serve(struct cs_tables *t)
{
	struct cs_tables *old;

	old = rcu_replace_pointer(cs_live, t, true);
	if (old) {
		synchronize_rcu();
		cs_tables_put(old);
	}
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

/* ---- writers (the publisher) ------------------------------------------ */

static size_t cs_record_size(const struct cs_record *rec)
{
	return rec->kind == CREDSTORE_KIND_DEVICE ? sizeof(*rec->dev) :
						    cs_named_size(rec->named);
}

/* The record @rec would replace, if any. */
static void *cs_record_old(struct cs_tables *t, const struct cs_record *rec)
{
	if (rec->kind == CREDSTORE_KIND_DEVICE)
		return cs_device_find(t, rec->dev->id);
	return cs_named_find(t, rec->kind, rec->named->name);
}

static struct cs_device *cs_fp_owner(struct cs_tables *t, const u8 *fp)
{
	return cs_fp_lookup(t, CS_MASTER, fp) ?: cs_fp_lookup(t, CS_SUB, fp);
}

static bool cs_devices_share_fp(const struct cs_device *a,
				const struct cs_device *b)
{
	int i, j;

	for (i = 0; i < ARRAY_SIZE(cs_fp_indexes); i++)
		for (j = 0; j < ARRAY_SIZE(cs_fp_indexes); j++)
			if (cs_fp_has(a, &cs_fp_indexes[i]) &&
			    cs_fp_has(b, &cs_fp_indexes[j]) &&
			    !memcmp(cs_fp_of(a, &cs_fp_indexes[i]),
				    cs_fp_of(b, &cs_fp_indexes[j]),
				    CREDSTORE_FINGERPRINT_LEN))
				return true;
	return false;
}

/* A fingerprint names one device: not another one already in @t. */
static bool cs_device_fps_free(struct cs_tables *t, const struct cs_device *dev)
{
	struct cs_device *owner;
	int i;

	for (i = 0; i < ARRAY_SIZE(cs_fp_indexes); i++) {
		if (!cs_fp_has(dev, &cs_fp_indexes[i]))
			continue;
		owner = cs_fp_owner(t, cs_fp_of(dev, &cs_fp_indexes[i]));
		if (owner && strcmp(owner->id, dev->id))
			return false;
	}
	return true;
}

/* Everything that could make a batch fail, checked before any change. */
static int cs_check_batch(struct cs_tables *t, const struct cs_record *recs,
			  unsigned int n, struct netlink_ext_ack *extack)
{
	u64 bytes = t->bytes;
	u32 entries = cs_tables_entries(t);
	const struct cs_record *a, *b;
	struct cs_record old;
	unsigned int i, j;
	int err = 0;

	rcu_read_lock();
	for (i = 0; i < n && !err; i++) {
		a = &recs[i];
		for (j = 0; j < i; j++) {
			b = &recs[j];
			if (a->kind == b->kind &&
			    !strcmp(a->key, b->key)) {
				NL_SET_ERR_MSG(extack, "a record's key appears twice in the message");
				err = -EINVAL;
				break;
			}
			if (a->kind == CREDSTORE_KIND_DEVICE &&
			    b->kind == CREDSTORE_KIND_DEVICE &&
			    cs_devices_share_fp(a->dev, b->dev)) {
				NL_SET_ERR_MSG(extack, "two devices of the message share a fingerprint");
				err = -EEXIST;
				break;
			}
		}
		if (!err && a->kind == CREDSTORE_KIND_DEVICE &&
		    !cs_device_fps_free(t, a->dev)) {
			NL_SET_ERR_MSG(extack, "a fingerprint already belongs to another device");
			err = -EEXIST;
		}
		if (err)
			break;
		old.kind = a->kind;
		old.named = cs_record_old(t, a);
		if (old.named)
			bytes -= cs_record_size(&old);
		else
			entries++;
		bytes += cs_record_size(a);
	}
	rcu_read_unlock();
	if (err)
		return err;
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

static void cs_account(struct cs_tables *t, u8 kind, const void *old_entry,
		       const struct cs_record *new)
{
	struct cs_record old = { .kind = kind, .named = (void *)old_entry };

	if (old_entry)
		WRITE_ONCE(t->bytes, t->bytes - cs_record_size(&old));
	else if (new)
		WRITE_ONCE(t->count[kind], t->count[kind] + 1);
	if (new)
		WRITE_ONCE(t->bytes, t->bytes + cs_record_size(new));
	else
		WRITE_ONCE(t->count[kind], t->count[kind] - 1);
}

static int cs_put_named(struct cs_tables *t, struct cs_record *rec)
{
	struct rhashtable *ht = cs_tables_of_kind(t, rec->kind);
	struct cs_named *old;
	int err;

	old = rhashtable_lookup_fast(ht, rec->named->name, cs_named_params);
	if (old)
		err = rhashtable_replace_fast(ht, &old->node, &rec->named->node,
					      cs_named_params);
	else
		err = rhashtable_lookup_insert_fast(ht, &rec->named->node,
						    cs_named_params);
	if (err)
		return err;
	cs_account(t, rec->kind, old, rec);
	rec->named = NULL;
	cs_named_put(old);
	return 0;
}

/* Index @new under a fingerprint @old does not already hold there. */
static int cs_fp_link(struct cs_tables *t, const struct cs_fp_index *idx,
		      struct cs_device *old, struct cs_device *new)
{
	if (!cs_fp_has(new, idx) || cs_fp_same(old, new, idx))
		return 0;
	return rhashtable_lookup_insert_fast(cs_fp_table(t, idx),
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

/*
 * Readers always find a device by id and by each of its fingerprints:
 * the new fingerprints go in first, then the id is replaced atomically,
 * then the old fingerprints go.
 */
static int cs_put_device(struct cs_tables *t, struct cs_record *rec)
{
	struct cs_device *new = rec->dev, *old;
	int err;

	old = rhashtable_lookup_fast(&t->devices, new->id, cs_device_params);
	err = cs_fp_link(t, CS_MASTER, old, new);
	if (err)
		return err;
	err = cs_fp_link(t, CS_SUB, old, new);
	if (err)
		goto unlink_master;
	if (old)
		err = rhashtable_replace_fast(&t->devices, &old->by_id,
					      &new->by_id, cs_device_params);
	else
		err = rhashtable_lookup_insert_fast(&t->devices, &new->by_id,
						    cs_device_params);
	if (err)
		goto unlink_sub;
	cs_fp_unlink_old(t, CS_MASTER, old, new);
	cs_fp_unlink_old(t, CS_SUB, old, new);
	cs_account(t, CREDSTORE_KIND_DEVICE, old, rec);
	rec->dev = NULL;
	if (old)
		call_rcu(&old->rcu, cs_device_free_rcu);
	return 0;
unlink_sub:
	cs_fp_unlink_new(t, CS_SUB, old, new);
unlink_master:
	cs_fp_unlink_new(t, CS_MASTER, old, new);
	return err;
}

/*
 * Insert or replace every record of @recs in @t.  The tables take the
 * records they hold (the pointers in @recs are cleared); the caller frees
 * what is left.
 */
int cs_tables_put_records(struct cs_tables *t, struct cs_record *recs,
			  unsigned int n, struct netlink_ext_ack *extack)
{
	unsigned int i;
	int err;

	err = cs_check_batch(t, recs, n, extack);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (recs[i].kind == CREDSTORE_KIND_DEVICE)
			err = cs_put_device(t, &recs[i]);
		else
			err = cs_put_named(t, &recs[i]);
		if (err) {
			NL_SET_ERR_MSG(extack, "no memory to grow the tables");
			return err;
		}
		cond_resched();
	}
	return 0;
}

static void cs_remove_device(struct cs_tables *t, struct cs_device *dev)
{
	rhashtable_remove_fast(&t->devices, &dev->by_id, cs_device_params);
	cs_fp_unlink_old(t, CS_MASTER, dev, NULL);
	cs_fp_unlink_old(t, CS_SUB, dev, NULL);
	cs_account(t, CREDSTORE_KIND_DEVICE, dev, NULL);
	call_rcu(&dev->rcu, cs_device_free_rcu);
}

static void cs_remove_named(struct cs_tables *t, u8 kind, struct cs_named *n)
{
	rhashtable_remove_fast(cs_tables_of_kind(t, kind), &n->node,
			       cs_named_params);
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
	if (kind == CREDSTORE_KIND_DEVICE)
		cs_remove_device(t, entry);
	else
		cs_remove_named(t, kind, entry);
	return 0;
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
