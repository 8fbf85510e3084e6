/* SPDX-License-Identifier: GPL-2.0 */
/* The publisher: snapshots, updates, retractions. */
#ifndef CREDSTORE_PUBLISH_H
#define CREDSTORE_PUBLISH_H

#include <net/genetlink.h>

int cs_publish_init(void);
void cs_publish_exit(void);
bool cs_publisher_attached(void);

int cs_nl_publish_begin(struct sk_buff *skb, struct genl_info *info);
int cs_nl_publish_records(struct sk_buff *skb, struct genl_info *info);
int cs_nl_publish_commit(struct sk_buff *skb, struct genl_info *info);
int cs_nl_publish_abort(struct sk_buff *skb, struct genl_info *info);
int cs_nl_publish_update(struct sk_buff *skb, struct genl_info *info);
int cs_nl_retract(struct sk_buff *skb, struct genl_info *info);

#endif
