/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The published credentials: one set of RCU hash tables (identities,
 * anchors, devices by id and by master and sub fingerprint) per snapshot,
 * and per kind an xarray that gives every entry a stable position for the
 * dumps.
 */
#ifndef CREDSTORE_TABLES_H
#define CREDSTORE_TABLES_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rhashtable.h>
#include <linux/refcount.h>
#include <linux/xarray.h>
#include <linux/credstore.h>

/*
 * An identity or a trust anchor: a name and a chain.  No private key: keys
 * never leave credstored, which signs for the front ends.
 */
struct cs_named {
	struct rhash_head node;
	char name[CREDSTORE_NAME_MAX];	/* the key: zero-padded */
	refcount_t ref;
	struct rcu_head rcu;
	bool live;		/* see cs_entry_live() */
	u32 slot;		/* its index in the set's dump order */
	u32 chain_len;
	u8 chain[];
};

enum cs_device_has {
	CS_HAS_MASTER_FP = 1 << 0,
	CS_HAS_SUB_FP = 1 << 1,
};

struct cs_device {
	struct rhash_head by_id;
	struct rhash_head by_master;
	struct rhash_head by_sub;
	struct rcu_head rcu;
	char id[CREDSTORE_DEVICE_ID_MAX];	/* the key: zero-padded */
	u8 master_fp[CREDSTORE_FINGERPRINT_LEN];
	u8 sub_fp[CREDSTORE_FINGERPRINT_LEN];
	/* Zero-padded: verification compares all of both buffers. */
	u8 master_secret[CREDSTORE_SECRET_MAX];
	u8 sub_secret[CREDSTORE_SECRET_MAX];
	u8 master_secret_len;	/* 0: none */
	u8 sub_secret_len;
	u8 has;			/* enum cs_device_has */
	bool live;		/* see cs_entry_live() */
	u32 flags;		/* enum credstore_device_flags */
	u32 slot;		/* its index in the set's dump order */
};

/*
 * A batch links its new entries into the tables unpublished and publishes
 * them only once nothing can fail any more (update.c): readers treat an
 * entry that is not live as absent, so a batch that fails half-way is
 * never seen.
 */
#define cs_entry_live(entry) ((entry) && READ_ONCE((entry)->live))

static_assert(CREDSTORE_DEVICE_ID_MAX <= CREDSTORE_NAME_MAX);

/*
 * One published record, parsed: the entry it brings and, while the batch
 * is being applied, the entry it replaces (kept until the batch is done,
 * so that a failure can put it back).
 */
struct cs_record {
	u8 kind;		/* enum credstore_kind */
	char key[CREDSTORE_NAME_MAX];	/* name or id, kept for notifying */
	u32 flags;		/* a device's, kept for notifying */
	union {
		struct cs_named *named;
		struct cs_device *dev;
		void *entry;
	};
	void *old;
};

struct cs_tables {
	struct rhashtable identities;
	struct rhashtable anchors;
	struct rhashtable devices;
	struct rhashtable master_fps;
	struct rhashtable sub_fps;
	/* Dump order, per kind: index -> entry (cs_tables_order()). */
	struct xarray order[3];
	struct kref ref;
	/* On the list of superseded sets kept for unfinished dumps. */
	struct list_head superseded;
	/* Its entries are gone (too many superseded sets were kept); the
	 * dumps still holding it move on to the served set. */
	bool drained;
	/* Built by a publisher's snapshot; the empty set served from the
	 * module's load until the first commit is not (cs_tables_ready()). */
	bool from_snapshot;
	/* Odd while the publisher changes the set, +2 per change: a dump
	 * that sees it move was interrupted. */
	atomic64_t changes;
	/* Written under the publisher's lock, read locklessly. */
	u64 generation;
	u32 count[__CREDSTORE_KIND_MAX];
	u64 bytes;
};

int cs_tables_init(void);
void cs_tables_exit(void);

struct cs_tables *cs_tables_new(u64 generation);
void cs_tables_put(struct cs_tables *t);
struct cs_tables *cs_tables_live(void);
struct cs_tables *cs_tables_get_live(void);
struct cs_tables *cs_tables_published(void);
bool cs_tables_ready(void);
void cs_tables_serve(struct cs_tables *t);
u32 cs_tables_entries(const struct cs_tables *t);
u32 cs_tables_max_entries(void);
u32 cs_tables_max_bytes(void);
void cs_tables_change_begin(struct cs_tables *t);
void cs_tables_change_end(struct cs_tables *t);
s64 cs_tables_changes(const struct cs_tables *t);

struct rhashtable *cs_tables_of_kind(struct cs_tables *t, u8 kind);
struct xarray *cs_tables_order(struct cs_tables *t, u8 kind);
struct cs_named *cs_named_find(struct cs_tables *t, u8 kind, const char *name);
struct cs_named *cs_named_get(u8 kind, const char *name, u64 *generation);
void cs_named_put(struct cs_named *n);
size_t cs_named_size(const struct cs_named *n);
struct cs_device *cs_device_find(struct cs_tables *t, const char *id);
/* The device holding @fp as its master or sub (which: *@held), whatever
 * its flags say. */
struct cs_device *cs_device_find_fp(struct cs_tables *t, const u8 *fp,
				    u8 *held);

struct cs_named *cs_named_alloc(const char *name, const void *chain,
				u32 chain_len);
struct cs_device *cs_device_alloc(void);
void cs_device_free_rcu(struct rcu_head *rcu);
void cs_record_free(struct cs_record *rec);

#endif
