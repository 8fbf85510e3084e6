// SPDX-License-Identifier: GPL-2.0
/*
 * Request attributes and reply messages shared by the command handlers.
 * Policies have checked types and maximum lengths; what they cannot say (a
 * key must not be empty, a device id has a character set, an attribute is
 * required) is checked here, with an extended ACK that names the attribute.
 */
#include <linux/ctype.h>
#include "msg.h"
#include "family.h"

int cs_nla_name(const struct nlattr *nla, struct netlink_ext_ack *extack,
		const char **name)
{
	const char *s = nla_data(nla);

	if (!s[0]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "name or id is empty");
		return -EINVAL;
	}
	*name = s;
	return 0;
}

/* The characters credstored allows in a device id, and YNL can decode
 * (ASCII: the kernel's isalnum() also takes Latin-1 letters).
 */
static bool cs_device_id_char(char c)
{
	return isascii(c) && (isalnum(c) || strchr("._:@-", c));
}

int cs_nla_device_id(const struct nlattr *nla, struct netlink_ext_ack *extack,
		     const char **id)
{
	const char *s;
	int err;

	err = cs_nla_name(nla, extack, id);
	for (s = *id; !err && *s; s++) {
		if (!cs_device_id_char(*s)) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "device id: letters, digits and . _ : @ - only");
			err = -EINVAL;
		}
	}
	return err;
}

/*
 * A command that takes no attribute has no policy in the spec: Linux 6.2
 * and later then parse nothing and would pass an attribute over in
 * silence (6.1 checks it against the family's maxattr), so refuse it here.
 */
int cs_req_none(struct genl_info *info)
{
	if (!nlmsg_attrlen(info->nlhdr, GENL_HDRLEN))
		return 0;
	GENL_SET_ERR_MSG(info, "Unsupported attribute: the command takes none");
	return -EINVAL;
}

bool cs_req_missing(struct genl_info *info, int attr)
{
	if (!GENL_REQ_ATTR_CHECK(info, attr))
		return false;
	GENL_SET_ERR_MSG(info, "request lacks a required attribute");
	return true;
}

/* A required name. */
int cs_req_name(struct genl_info *info, const char **name)
{
	if (cs_req_missing(info, CREDSTORE_A_NAME))
		return -EINVAL;
	return cs_nla_name(info->attrs[CREDSTORE_A_NAME], info->extack, name);
}

/* A required device id. */
int cs_req_device_id(struct genl_info *info, const char **id)
{
	if (cs_req_missing(info, CREDSTORE_A_DEVICE_ID))
		return -EINVAL;
	return cs_nla_device_id(info->attrs[CREDSTORE_A_DEVICE_ID],
				info->extack, id);
}

/* A secret in a request is wiped once used, as WireGuard does. */
void cs_nla_wipe(struct nlattr *nla)
{
	if (nla)
		memzero_explicit(nla_data(nla), nla_len(nla));
}

struct sk_buff *cs_reply_new(struct genl_info *info, size_t payload,
			     void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(payload, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &cs_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int cs_reply_send(struct sk_buff *msg, void *hdr, struct genl_info *info)
{
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* A reply that is not sent, wiped first: it may hold a secret. */
void cs_reply_free(struct sk_buff *msg)
{
	memzero_explicit(msg->data, msg->len);
	nlmsg_free(msg);
}

size_t cs_named_msg_size(const struct cs_named *n)
{
	return nla_total_size(CREDSTORE_NAME_MAX) +
	       nla_total_size(n->chain_len) + nla_total_size_64bit(8);
}

int cs_fill_named(struct sk_buff *msg, const struct cs_named *n)
{
	if (nla_put_string(msg, CREDSTORE_A_NAME, n->name) ||
	    nla_put(msg, CREDSTORE_A_CHAIN, n->chain_len, n->chain))
		return -EMSGSIZE;
	return 0;
}

int cs_fill_device(struct sk_buff *msg, const struct cs_device *dev)
{
	if (nla_put_string(msg, CREDSTORE_A_DEVICE_ID, dev->id) ||
	    nla_put_u32(msg, CREDSTORE_A_FLAGS, dev->flags))
		return -EMSGSIZE;
	if ((dev->has & CS_HAS_MASTER_FP) &&
	    nla_put(msg, CREDSTORE_A_MASTER_FP, CREDSTORE_FINGERPRINT_LEN,
		    dev->master_fp))
		return -EMSGSIZE;
	if ((dev->has & CS_HAS_SUB_FP) &&
	    nla_put(msg, CREDSTORE_A_SUB_FP, CREDSTORE_FINGERPRINT_LEN,
		    dev->sub_fp))
		return -EMSGSIZE;
	return 0;
}

int cs_fill_generation(struct sk_buff *msg, u64 generation)
{
	return nla_put_u64_64bit(msg, CREDSTORE_A_GENERATION, generation,
				 CREDSTORE_A_PAD);
}
