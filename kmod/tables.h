/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The published credentials: one set of RCU hash tables (identities,
 * anchors, devices by id and by master and sub fingerprint) per snapshot.
 */
#ifndef CREDSTORE_TABLES_H
#define CREDSTORE_TABLES_H

#include <linux/kref.h>
#include <linux/rhashtable.h>
#include <linux/refcount.h>
#include <linux/credstore.h>

/* An identity (chain and key) or a trust anchor (chain, no key). */
struct cs_named {
	struct rhash_head node;
	char name[CREDSTORE_NAME_MAX];	/* the key: zero-padded */
	refcount_t ref;
	struct rcu_head rcu;
	u32 chain_len;
	u32 key_len;
	u8 *chain;
	u8 *key;		/* NULL for an anchor */
	u8 data[];		/* chain, then key */
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
	u8 master_secret[CREDSTORE_SECRET_MAX];
	u8 sub_secret[CREDSTORE_SECRET_MAX];
	u8 master_secret_len;	/* 0: none */
	u8 sub_secret_len;
	u8 has;			/* enum cs_device_has */
	u32 flags;		/* enum credstore_device_flags */
};

static_assert(CREDSTORE_DEVICE_ID_MAX <= CREDSTORE_NAME_MAX);

/* One published record, parsed, not yet in a table. */
struct cs_record {
	u8 kind;		/* enum credstore_kind */
	char key[CREDSTORE_NAME_MAX];	/* name or id, kept for notifying */
	u32 flags;		/* a device's, kept for notifying */
	union {
		struct cs_named *named;
		struct cs_device *dev;
	};
};

struct cs_tables {
	struct rhashtable identities;
	struct rhashtable anchors;
	struct rhashtable devices;
	struct rhashtable master_fps;
	struct rhashtable sub_fps;
	struct kref ref;
	/* Written under the publisher's lock, read locklessly. */
	u64 generation;
	u32 count[__CREDSTORE_KIND_MAX];
	u64 bytes;
};

int cs_tables_init(void);
void cs_tables_exit(void);

struct cs_tables *cs_tables_new(u64 generation);
void cs_tables_get(struct cs_tables *t);
void cs_tables_put(struct cs_tables *t);
struct cs_tables *cs_tables_live(void);
struct cs_tables *cs_tables_get_live(void);
struct cs_tables *cs_tables_published(void);
void cs_tables_serve(struct cs_tables *t);
u32 cs_tables_entries(const struct cs_tables *t);
u32 cs_tables_max_entries(void);
u32 cs_tables_max_bytes(void);

struct rhashtable *cs_tables_of_kind(struct cs_tables *t, u8 kind);
struct cs_named *cs_named_find(struct cs_tables *t, u8 kind, const char *name);
struct cs_named *cs_named_get(u8 kind, const char *name, u64 *generation);
void cs_named_put(struct cs_named *n);
struct cs_device *cs_device_find(struct cs_tables *t, const char *id);
/* The device holding @fp as its master or sub (which: *@held), whatever
 * its flags say. */
struct cs_device *cs_device_find_fp(struct cs_tables *t, const u8 *fp,
				    u8 *held);

struct cs_named *cs_named_alloc(const char *name, const void *chain,
				u32 chain_len, const void *key, u32 key_len);
struct cs_device *cs_device_alloc(void);
void cs_record_free(struct cs_record *rec);

int cs_tables_put_records(struct cs_tables *t, struct cs_record *recs,
			  unsigned int n, struct netlink_ext_ack *extack);
int cs_tables_remove(struct cs_tables *t, u8 kind, const char *key,
		     struct netlink_ext_ack *extack);

#endif
