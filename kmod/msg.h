/* SPDX-License-Identifier: GPL-2.0 */
/* Request attributes and reply messages shared by the command handlers. */
#ifndef CREDSTORE_MSG_H
#define CREDSTORE_MSG_H

#include <net/genetlink.h>
#include "tables.h"

/* Room for a device's public fields, a generation and a match. */
#define CS_DEVICE_MSG_SIZE						\
	(nla_total_size(CREDSTORE_DEVICE_ID_MAX) + nla_total_size(4) +	\
	 2 * nla_total_size(CREDSTORE_FINGERPRINT_LEN) +			\
	 nla_total_size_64bit(8) + nla_total_size(1))

/* The largest message of an identity or anchor (a dump entry, a reply). */
#define CS_NAMED_MSG_MAX						\
	nlmsg_total_size(GENL_HDRLEN +					\
			 nla_total_size(CREDSTORE_NAME_MAX) +		\
			 nla_total_size(CREDSTORE_CHAIN_MAX) +		\
			 nla_total_size_64bit(8))

int cs_nla_name(const struct nlattr *nla, struct netlink_ext_ack *extack,
		const char **name);
int cs_nla_device_id(const struct nlattr *nla, struct netlink_ext_ack *extack,
		     const char **id);
int cs_req_name(struct genl_info *info, const char **name);
int cs_req_device_id(struct genl_info *info, const char **id);
bool cs_req_missing(struct genl_info *info, int attr);
int cs_req_none(struct genl_info *info);
void cs_nla_wipe(struct nlattr *nla);

struct sk_buff *cs_reply_new(struct genl_info *info, size_t payload,
			     void **hdr);
int cs_reply_send(struct sk_buff *msg, void *hdr, struct genl_info *info);
void cs_reply_free(struct sk_buff *msg);

size_t cs_named_msg_size(const struct cs_named *n);
int cs_fill_named(struct sk_buff *msg, const struct cs_named *n);
int cs_fill_device(struct sk_buff *msg, const struct cs_device *dev);
int cs_fill_generation(struct sk_buff *msg, u64 generation);

#endif
