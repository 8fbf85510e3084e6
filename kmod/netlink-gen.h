/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/credstore.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_CREDSTORE_GEN_H
#define _LINUX_CREDSTORE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/credstore.h>

/* Common nested types */
extern const struct nla_policy credstore_record_nl_policy[CREDSTORE_A_FLAGS + 1];
extern const struct nla_policy credstore_records_nl_policy[CREDSTORE_A_RECORD + 1];

/* Ops table for credstore */
extern const struct genl_split_ops credstore_nl_ops[17];

int credstore_nl_dump_start(struct netlink_callback *cb);
int credstore_nl_dump_done(struct netlink_callback *cb);

int credstore_nl_get_status_doit(struct sk_buff *skb, struct genl_info *info);
int credstore_nl_get_identity_doit(struct sk_buff *skb, struct genl_info *info);
int credstore_nl_get_identity_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb);
int credstore_nl_get_anchor_doit(struct sk_buff *skb, struct genl_info *info);
int credstore_nl_get_anchor_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);
int credstore_nl_get_device_doit(struct sk_buff *skb, struct genl_info *info);
int credstore_nl_get_device_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);
int credstore_nl_verify_fingerprint_doit(struct sk_buff *skb,
					 struct genl_info *info);
int credstore_nl_verify_secret_doit(struct sk_buff *skb,
				    struct genl_info *info);
int credstore_nl_get_device_secrets_doit(struct sk_buff *skb,
					 struct genl_info *info);
int credstore_nl_publish_begin_doit(struct sk_buff *skb,
				    struct genl_info *info);
int credstore_nl_publish_records_doit(struct sk_buff *skb,
				      struct genl_info *info);
int credstore_nl_publish_commit_doit(struct sk_buff *skb,
				     struct genl_info *info);
int credstore_nl_publish_abort_doit(struct sk_buff *skb,
				    struct genl_info *info);
int credstore_nl_publish_update_doit(struct sk_buff *skb,
				     struct genl_info *info);
int credstore_nl_retract_doit(struct sk_buff *skb, struct genl_info *info);
int credstore_nl_verify_hmac_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	CREDSTORE_NLGRP_NOTIFY,
};

#endif /* _LINUX_CREDSTORE_GEN_H */
