/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one shim the module needs for Linux 6.1 (Debian 12's default
 * kernel), included first in every file (Kbuild: -include).  The ops
 * generated from the spec are split ops (struct genl_split_ops, Linux
 * 6.2): a do and a dump of the same command are separate entries with
 * policies of their own.  6.1 registers struct genl_ops, one per command;
 * for it this declares the generated type, and netlink.c merges the split
 * ops into genl_ops when it registers the family.
 */
#ifndef CREDSTORE_COMPAT_H
#define CREDSTORE_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define CS_COMPAT_SPLIT_OPS 1
#include <net/genetlink.h>

/* The members the generator fills (6.2 keeps them in unions). */
struct genl_split_ops {
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*start)(struct netlink_callback *cb);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	int (*done)(struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 internal_flags;
	u8 flags;
	u8 validate;
};
#endif

#endif
