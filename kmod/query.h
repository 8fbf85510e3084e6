/* SPDX-License-Identifier: GPL-2.0 */
/* Command handlers: queries, privileged reads and paged dumps. */
#ifndef CREDSTORE_QUERY_H
#define CREDSTORE_QUERY_H

#include <net/genetlink.h>
#include "tables.h"

int cs_nl_get_status(struct sk_buff *skb, struct genl_info *info);
int cs_nl_get_named(struct sk_buff *skb, struct genl_info *info);
int cs_nl_get_device(struct sk_buff *skb, struct genl_info *info);
int cs_nl_verify_fingerprint(struct sk_buff *skb, struct genl_info *info);
int cs_nl_verify_secret(struct sk_buff *skb, struct genl_info *info);
int cs_nl_verify_hmac(struct sk_buff *skb, struct genl_info *info);

int cs_reply_named(struct genl_info *info, u8 kind,
		   size_t (*size)(const struct cs_named *n),
		   int (*fill)(struct sk_buff *msg, const struct cs_named *n,
			       u64 generation));
int cs_reply_device(struct genl_info *info, size_t size,
		    int (*fill)(struct sk_buff *msg, const struct cs_device *dev,
				u64 generation));

int cs_nl_get_identity_key(struct sk_buff *skb, struct genl_info *info);
int cs_nl_get_device_secrets(struct sk_buff *skb, struct genl_info *info);

int cs_nl_dump_start(struct netlink_callback *cb);
int cs_nl_dump(struct sk_buff *skb, struct netlink_callback *cb);
int cs_nl_dump_done(struct netlink_callback *cb);

#endif
