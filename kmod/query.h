/* SPDX-License-Identifier: GPL-2.0 */
/* Replies of the queries, shared with the privileged reads. */
#ifndef CREDSTORE_QUERY_H
#define CREDSTORE_QUERY_H

#include <net/genetlink.h>
#include "tables.h"

int cs_require_published(struct netlink_ext_ack *extack);
int cs_reply_named(struct genl_info *info, u8 kind,
		   size_t (*size)(const struct cs_named *n),
		   int (*fill)(struct sk_buff *msg, const struct cs_named *n,
			       u64 generation));
int cs_reply_device(struct genl_info *info, size_t size,
		    int (*fill)(struct sk_buff *msg, const struct cs_device *dev,
				u64 generation));

#endif
