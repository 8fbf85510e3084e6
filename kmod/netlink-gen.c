// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/credstore.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/credstore.h>

/* Common nested types */
const struct nla_policy credstore_record_nl_policy[CREDSTORE_A_FLAGS + 1] = {
	[CREDSTORE_A_KIND] = NLA_POLICY_RANGE(NLA_U8, 1, 3),
	[CREDSTORE_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
	[CREDSTORE_A_CHAIN] = { .type = NLA_BINARY, .len = CREDSTORE_CHAIN_MAX, },
	[CREDSTORE_A_MASTER_FP] = NLA_POLICY_EXACT_LEN(CREDSTORE_FINGERPRINT_LEN),
	[CREDSTORE_A_SUB_FP] = NLA_POLICY_EXACT_LEN(CREDSTORE_FINGERPRINT_LEN),
	[CREDSTORE_A_MASTER_SECRET] = { .type = NLA_BINARY, .len = CREDSTORE_SECRET_MAX, },
	[CREDSTORE_A_SUB_SECRET] = { .type = NLA_BINARY, .len = CREDSTORE_SECRET_MAX, },
	[CREDSTORE_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

const struct nla_policy credstore_records_nl_policy[CREDSTORE_A_RECORD + 1] = {
	[CREDSTORE_A_RECORD] = NLA_POLICY_NESTED(credstore_record_nl_policy),
};

/* CREDSTORE_CMD_GET_IDENTITY - do */
static const struct nla_policy credstore_get_identity_nl_policy[CREDSTORE_A_NAME + 1] = {
	[CREDSTORE_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CREDSTORE_CMD_GET_ANCHOR - do */
static const struct nla_policy credstore_get_anchor_nl_policy[CREDSTORE_A_NAME + 1] = {
	[CREDSTORE_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CREDSTORE_CMD_GET_DEVICE - do */
static const struct nla_policy credstore_get_device_nl_policy[CREDSTORE_A_DEVICE_ID + 1] = {
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CREDSTORE_CMD_VERIFY_FINGERPRINT - do */
static const struct nla_policy credstore_verify_fingerprint_nl_policy[CREDSTORE_A_FINGERPRINT + 1] = {
	[CREDSTORE_A_FINGERPRINT] = NLA_POLICY_EXACT_LEN(CREDSTORE_FINGERPRINT_LEN),
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CREDSTORE_CMD_VERIFY_SECRET - do */
static const struct nla_policy credstore_verify_secret_nl_policy[CREDSTORE_A_SECRET + 1] = {
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
	[CREDSTORE_A_SECRET] = { .type = NLA_BINARY, .len = CREDSTORE_SECRET_MAX, },
};

/* CREDSTORE_CMD_GET_DEVICE_SECRETS - do */
static const struct nla_policy credstore_get_device_secrets_nl_policy[CREDSTORE_A_DEVICE_ID + 1] = {
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CREDSTORE_CMD_PUBLISH_BEGIN - do */
static const struct nla_policy credstore_publish_begin_nl_policy[CREDSTORE_A_GENERATION + 1] = {
	[CREDSTORE_A_GENERATION] = { .type = NLA_U64, },
};

/* CREDSTORE_CMD_PUBLISH_RECORDS - do */
static const struct nla_policy credstore_publish_records_nl_policy[CREDSTORE_A_RECORDS + 1] = {
	[CREDSTORE_A_RECORDS] = NLA_POLICY_NESTED(credstore_records_nl_policy),
	[CREDSTORE_A_GENERATION] = { .type = NLA_U64, },
};

/* CREDSTORE_CMD_PUBLISH_COMMIT - do */
static const struct nla_policy credstore_publish_commit_nl_policy[CREDSTORE_A_GENERATION + 1] = {
	[CREDSTORE_A_GENERATION] = { .type = NLA_U64, },
};

/* CREDSTORE_CMD_PUBLISH_UPDATE - do */
static const struct nla_policy credstore_publish_update_nl_policy[CREDSTORE_A_RECORDS + 1] = {
	[CREDSTORE_A_GENERATION] = { .type = NLA_U64, },
	[CREDSTORE_A_RECORDS] = NLA_POLICY_NESTED(credstore_records_nl_policy),
};

/* CREDSTORE_CMD_RETRACT - do */
static const struct nla_policy credstore_retract_nl_policy[CREDSTORE_A_DEVICE_ID + 1] = {
	[CREDSTORE_A_GENERATION] = { .type = NLA_U64, },
	[CREDSTORE_A_KIND] = NLA_POLICY_RANGE(NLA_U8, 1, 3),
	[CREDSTORE_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CREDSTORE_CMD_VERIFY_HMAC - do */
static const struct nla_policy credstore_verify_hmac_nl_policy[CREDSTORE_A_HMAC + 1] = {
	[CREDSTORE_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 63, },
	[CREDSTORE_A_HMAC_MESSAGE] = { .type = NLA_BINARY, .len = CREDSTORE_HMAC_MESSAGE_MAX, },
	[CREDSTORE_A_HMAC] = NLA_POLICY_EXACT_LEN(CREDSTORE_HMAC_LEN),
};

/* Ops table for credstore */
const struct genl_split_ops credstore_nl_ops[17] = {
	{
		.cmd	= CREDSTORE_CMD_GET_STATUS,
		.doit	= credstore_nl_get_status_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_GET_IDENTITY,
		.doit		= credstore_nl_get_identity_doit,
		.policy		= credstore_get_identity_nl_policy,
		.maxattr	= CREDSTORE_A_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CREDSTORE_CMD_GET_IDENTITY,
		.start	= credstore_nl_dump_start,
		.dumpit	= credstore_nl_get_identity_dumpit,
		.done	= credstore_nl_dump_done,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= CREDSTORE_CMD_GET_ANCHOR,
		.doit		= credstore_nl_get_anchor_doit,
		.policy		= credstore_get_anchor_nl_policy,
		.maxattr	= CREDSTORE_A_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CREDSTORE_CMD_GET_ANCHOR,
		.start	= credstore_nl_dump_start,
		.dumpit	= credstore_nl_get_anchor_dumpit,
		.done	= credstore_nl_dump_done,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= CREDSTORE_CMD_GET_DEVICE,
		.doit		= credstore_nl_get_device_doit,
		.policy		= credstore_get_device_nl_policy,
		.maxattr	= CREDSTORE_A_DEVICE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CREDSTORE_CMD_GET_DEVICE,
		.start	= credstore_nl_dump_start,
		.dumpit	= credstore_nl_get_device_dumpit,
		.done	= credstore_nl_dump_done,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= CREDSTORE_CMD_VERIFY_FINGERPRINT,
		.doit		= credstore_nl_verify_fingerprint_doit,
		.policy		= credstore_verify_fingerprint_nl_policy,
		.maxattr	= CREDSTORE_A_FINGERPRINT,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_VERIFY_SECRET,
		.doit		= credstore_nl_verify_secret_doit,
		.policy		= credstore_verify_secret_nl_policy,
		.maxattr	= CREDSTORE_A_SECRET,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_GET_DEVICE_SECRETS,
		.doit		= credstore_nl_get_device_secrets_doit,
		.policy		= credstore_get_device_secrets_nl_policy,
		.maxattr	= CREDSTORE_A_DEVICE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_PUBLISH_BEGIN,
		.doit		= credstore_nl_publish_begin_doit,
		.policy		= credstore_publish_begin_nl_policy,
		.maxattr	= CREDSTORE_A_GENERATION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_PUBLISH_RECORDS,
		.doit		= credstore_nl_publish_records_doit,
		.policy		= credstore_publish_records_nl_policy,
		.maxattr	= CREDSTORE_A_RECORDS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_PUBLISH_COMMIT,
		.doit		= credstore_nl_publish_commit_doit,
		.policy		= credstore_publish_commit_nl_policy,
		.maxattr	= CREDSTORE_A_GENERATION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CREDSTORE_CMD_PUBLISH_ABORT,
		.doit	= credstore_nl_publish_abort_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_PUBLISH_UPDATE,
		.doit		= credstore_nl_publish_update_doit,
		.policy		= credstore_publish_update_nl_policy,
		.maxattr	= CREDSTORE_A_RECORDS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_RETRACT,
		.doit		= credstore_nl_retract_doit,
		.policy		= credstore_retract_nl_policy,
		.maxattr	= CREDSTORE_A_DEVICE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CREDSTORE_CMD_VERIFY_HMAC,
		.doit		= credstore_nl_verify_hmac_doit,
		.policy		= credstore_verify_hmac_nl_policy,
		.maxattr	= CREDSTORE_A_HMAC,
		.flags		= GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group credstore_nl_mcgrps[] = {
	[CREDSTORE_NLGRP_NOTIFY] = { "notify", },
};
