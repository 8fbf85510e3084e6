// SPDX-License-Identifier: GPL-2.0
/*
 * credstore.ko: the generic netlink family "credstore".
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <linux/credstore.h>

static const struct nla_policy credstore_status_policy[CREDSTORE_A_MAX + 1] = {
};

static struct genl_family credstore_family;

static int credstore_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &credstore_family, 0,
				CREDSTORE_CMD_GET_STATUS);
	if (!hdr || nla_put_u64_64bit(msg, CREDSTORE_A_GENERATION, 0,
				      CREDSTORE_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_small_ops credstore_ops[] = {
	{
		.cmd = CREDSTORE_CMD_GET_STATUS,
		.doit = credstore_get_status,
	},
};

static const struct genl_multicast_group credstore_mcgrps[] = {
	{ .name = CREDSTORE_MCGRP_NOTIFY },
};

static struct genl_family credstore_family __ro_after_init = {
	.name = CREDSTORE_GENL_NAME,
	.version = CREDSTORE_GENL_VERSION,
	.maxattr = CREDSTORE_A_MAX,
	.policy = credstore_status_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.small_ops = credstore_ops,
	.n_small_ops = ARRAY_SIZE(credstore_ops),
	.mcgrps = credstore_mcgrps,
	.n_mcgrps = ARRAY_SIZE(credstore_mcgrps),
};

static int __init credstore_init(void)
{
	int ret = genl_register_family(&credstore_family);

	if (!ret)
		pr_info("credstore: family registered\n");
	return ret;
}

static void __exit credstore_exit(void)
{
	genl_unregister_family(&credstore_family);
	pr_info("credstore: family unregistered\n");
}

module_init(credstore_init);
module_exit(credstore_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("credstore: credentials over generic netlink");
MODULE_ALIAS_GENL_FAMILY(CREDSTORE_GENL_NAME);
