/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hash tables' parameters and the fingerprint indexes, shared by the
 * lookups (tables.c) and the writers (update.c).  Constant here, so that
 * the rhashtable fast paths fold them.
 */
#ifndef CREDSTORE_HASH_H
#define CREDSTORE_HASH_H

#include "tables.h"

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

static inline struct rhashtable *cs_fp_table(struct cs_tables *t,
					     const struct cs_fp_index *idx)
{
	return (void *)t + idx->table;
}

static inline struct rhash_head *cs_fp_node(struct cs_device *dev,
					    const struct cs_fp_index *idx)
{
	return (void *)dev + idx->params.head_offset;
}

static inline const u8 *cs_fp_of(const struct cs_device *dev,
				 const struct cs_fp_index *idx)
{
	return (const void *)dev + idx->params.key_offset;
}

static inline bool cs_fp_has(const struct cs_device *dev,
			     const struct cs_fp_index *idx)
{
	return dev && (dev->has & idx->has);
}

/* A published device with that fingerprint; under rcu_read_lock(). */
static inline struct cs_device *cs_fp_lookup(struct cs_tables *t,
					     const struct cs_fp_index *idx,
					     const u8 *fp)
{
	struct cs_device *dev;

	dev = rhashtable_lookup(cs_fp_table(t, idx), fp, idx->params);
	return cs_entry_live(dev) ? dev : NULL;
}

#endif
