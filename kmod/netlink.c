// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "credstore": one strict policy per command
 * (an attribute a command does not take is refused, not ignored) and the
 * operations table.  The ABI is documented in uapi/linux/credstore.h.
 */
#include "netlink.h"
#include "publish.h"
#include "query.h"

#define CS_POLICY_NAME { .type = NLA_NUL_STRING, .len = CREDSTORE_NAME_MAX - 1 }
#define CS_POLICY_DEVICE_ID \
	{ .type = NLA_NUL_STRING, .len = CREDSTORE_DEVICE_ID_MAX - 1 }
#define CS_POLICY_FP NLA_POLICY_EXACT_LEN(CREDSTORE_FINGERPRINT_LEN)
#define CS_POLICY_SECRET NLA_POLICY_RANGE(NLA_BINARY, 1, CREDSTORE_SECRET_MAX)
#define CS_POLICY_GENERATION { .type = NLA_U64 }
#define CS_POLICY_KIND \
	NLA_POLICY_RANGE(NLA_U8, CREDSTORE_KIND_IDENTITY, CREDSTORE_KIND_DEVICE)

/* Too long for NLA_POLICY_RANGE's s16 bounds. */
static struct netlink_range_validation cs_chain_len = {
	.min = 1,
	.max = CREDSTORE_CHAIN_MAX,
};

const struct nla_policy cs_record_policy[CREDSTORE_A_MAX + 1] = {
	[CREDSTORE_A_KIND] = CS_POLICY_KIND,
	[CREDSTORE_A_NAME] = CS_POLICY_NAME,
	[CREDSTORE_A_DEVICE_ID] = CS_POLICY_DEVICE_ID,
	[CREDSTORE_A_CHAIN] = NLA_POLICY_FULL_RANGE(NLA_BINARY, &cs_chain_len),
	[CREDSTORE_A_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 1, CREDSTORE_KEY_MAX),
	[CREDSTORE_A_MASTER_FP] = CS_POLICY_FP,
	[CREDSTORE_A_SUB_FP] = CS_POLICY_FP,
	[CREDSTORE_A_MASTER_SECRET] = CS_POLICY_SECRET,
	[CREDSTORE_A_SUB_SECRET] = CS_POLICY_SECRET,
	[CREDSTORE_A_FLAGS] = NLA_POLICY_MASK(NLA_U32,
					      CREDSTORE_DEVICE_F_ALL),
};

/* RECORDS holds RECORD nests and nothing else. */
static const struct nla_policy cs_records_policy[CREDSTORE_A_RECORD + 1] = {
	[CREDSTORE_A_RECORD] = NLA_POLICY_NESTED(cs_record_policy),
};

static const struct nla_policy cs_name_policy[CREDSTORE_A_NAME + 1] = {
	[CREDSTORE_A_NAME] = CS_POLICY_NAME,
};

static const struct nla_policy cs_device_policy[CREDSTORE_A_DEVICE_ID + 1] = {
	[CREDSTORE_A_DEVICE_ID] = CS_POLICY_DEVICE_ID,
};

static const struct nla_policy
cs_verify_fp_policy[CREDSTORE_A_FINGERPRINT + 1] = {
	[CREDSTORE_A_DEVICE_ID] = CS_POLICY_DEVICE_ID,
	[CREDSTORE_A_FINGERPRINT] = CS_POLICY_FP,
};

static const struct nla_policy
cs_verify_secret_policy[CREDSTORE_A_SECRET + 1] = {
	[CREDSTORE_A_DEVICE_ID] = CS_POLICY_DEVICE_ID,
	[CREDSTORE_A_SECRET] = CS_POLICY_SECRET,
};

static const struct nla_policy cs_verify_hmac_policy[CREDSTORE_A_MAX + 1] = {
	[CREDSTORE_A_DEVICE_ID] = CS_POLICY_DEVICE_ID,
	[CREDSTORE_A_HMAC_MESSAGE] =
		NLA_POLICY_RANGE(NLA_BINARY, 1, CREDSTORE_HMAC_MESSAGE_MAX),
	[CREDSTORE_A_HMAC] = NLA_POLICY_EXACT_LEN(CREDSTORE_HMAC_LEN),
};

static const struct nla_policy
cs_generation_policy[CREDSTORE_A_GENERATION + 1] = {
	[CREDSTORE_A_GENERATION] = CS_POLICY_GENERATION,
};

static const struct nla_policy cs_publish_policy[CREDSTORE_A_RECORDS + 1] = {
	[CREDSTORE_A_GENERATION] = CS_POLICY_GENERATION,
	[CREDSTORE_A_RECORDS] = NLA_POLICY_NESTED(cs_records_policy),
};

static const struct nla_policy cs_retract_policy[CREDSTORE_A_DEVICE_ID + 1] = {
	[CREDSTORE_A_GENERATION] = CS_POLICY_GENERATION,
	[CREDSTORE_A_KIND] = CS_POLICY_KIND,
	[CREDSTORE_A_NAME] = CS_POLICY_NAME,
	[CREDSTORE_A_DEVICE_ID] = CS_POLICY_DEVICE_ID,
};

#define CS_POLICY(p) .policy = (p), .maxattr = ARRAY_SIZE(p) - 1

#define CS_DUMP \
	.start = cs_nl_dump_start, \
	.dumpit = cs_nl_dump, \
	.done = cs_nl_dump_done

static const struct genl_ops cs_ops[] = {
	{
		.cmd = CREDSTORE_CMD_GET_STATUS,
		.doit = cs_nl_get_status,
	},
	{
		.cmd = CREDSTORE_CMD_GET_IDENTITY,
		.doit = cs_nl_get_named,
		CS_DUMP,
		CS_POLICY(cs_name_policy),
	},
	{
		.cmd = CREDSTORE_CMD_GET_ANCHOR,
		.doit = cs_nl_get_named,
		CS_DUMP,
		CS_POLICY(cs_name_policy),
	},
	{
		.cmd = CREDSTORE_CMD_GET_DEVICE,
		.doit = cs_nl_get_device,
		CS_DUMP,
		CS_POLICY(cs_device_policy),
	},
	{
		.cmd = CREDSTORE_CMD_VERIFY_FINGERPRINT,
		.doit = cs_nl_verify_fingerprint,
		CS_POLICY(cs_verify_fp_policy),
	},
	{
		.cmd = CREDSTORE_CMD_VERIFY_SECRET,
		.doit = cs_nl_verify_secret,
		CS_POLICY(cs_verify_secret_policy),
	},
	{
		.cmd = CREDSTORE_CMD_VERIFY_HMAC,
		.doit = cs_nl_verify_hmac,
		CS_POLICY(cs_verify_hmac_policy),
	},
	{
		.cmd = CREDSTORE_CMD_GET_IDENTITY_KEY,
		.doit = cs_nl_get_identity_key,
		CS_POLICY(cs_name_policy),
	},
	{
		.cmd = CREDSTORE_CMD_GET_DEVICE_SECRETS,
		.doit = cs_nl_get_device_secrets,
		CS_POLICY(cs_device_policy),
	},
	{
		.cmd = CREDSTORE_CMD_PUBLISH_BEGIN,
		.doit = cs_nl_publish_begin,
		.flags = GENL_ADMIN_PERM,
		CS_POLICY(cs_generation_policy),
	},
	{
		.cmd = CREDSTORE_CMD_PUBLISH_RECORDS,
		.doit = cs_nl_publish_records,
		.flags = GENL_ADMIN_PERM,
		CS_POLICY(cs_publish_policy),
	},
	{
		.cmd = CREDSTORE_CMD_PUBLISH_COMMIT,
		.doit = cs_nl_publish_commit,
		.flags = GENL_ADMIN_PERM,
		CS_POLICY(cs_generation_policy),
	},
	{
		.cmd = CREDSTORE_CMD_PUBLISH_ABORT,
		.doit = cs_nl_publish_abort,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CREDSTORE_CMD_PUBLISH_UPDATE,
		.doit = cs_nl_publish_update,
		.flags = GENL_ADMIN_PERM,
		CS_POLICY(cs_publish_policy),
	},
	{
		.cmd = CREDSTORE_CMD_RETRACT,
		.doit = cs_nl_retract,
		.flags = GENL_ADMIN_PERM,
		CS_POLICY(cs_retract_policy),
	},
};

static const struct genl_multicast_group cs_mcgrps[] = {
	[CS_MCGRP_NOTIFY] = { .name = CREDSTORE_MCGRP_NOTIFY },
};

struct genl_family cs_family __ro_after_init = {
	.name = CREDSTORE_GENL_NAME,
	.version = CREDSTORE_GENL_VERSION,
	.maxattr = CREDSTORE_A_MAX,
	.netnsok = false,
	/* Queries run in parallel; the publisher has its own lock. */
	.parallel_ops = true,
	/* Every command validates strictly, reserved header fields too. */
	.resv_start_op = CREDSTORE_CMD_GET_STATUS,
	.module = THIS_MODULE,
	.ops = cs_ops,
	.n_ops = ARRAY_SIZE(cs_ops),
	.mcgrps = cs_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cs_mcgrps),
};

int __init cs_netlink_init(void)
{
	return genl_register_family(&cs_family);
}

void cs_netlink_exit(void)
{
	genl_unregister_family(&cs_family);
}
