// SPDX-License-Identifier: GPL-2.0
/*
 * Privileged reads: a device's secrets (no private key: the module holds
 * none, credstored signs for the front ends).  Allowed
 * to CAP_NET_ADMIN as netlink_capable() sees it (in the initial user
 * namespace, held both by whoever opened the socket and by the sender, as
 * for the publisher's GENL_ADMIN_PERM), and to the module's reader group
 * in the credentials that opened the socket (a member that drops
 * privileges, or hands the socket on, keeps the right it opened with).
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/uidgid.h>
#include <net/sock.h>
#include "msg.h"
#include "netlink-gen.h"
#include "query.h"

static int reader_gid = -1;
module_param(reader_gid, int, 0644);
MODULE_PARM_DESC(reader_gid, "Group allowed the privileged reads (-1: none)");

/* groups_search() is not exported to modules: look through them here. */
static bool cs_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *groups = cred->group_info;
	int i;

	if (gid_eq(cred->egid, gid))
		return true;
	for (i = 0; groups && i < groups->ngroups; i++)
		if (gid_eq(groups->gid[i], gid))
			return true;
	return false;
}

static bool cs_opener_in_reader_group(const struct sk_buff *skb)
{
	int gid = READ_ONCE(reader_gid);
	struct sock *sk = NETLINK_CB(skb).sk;
	kgid_t kgid;

	if (gid < 0 || !sk || !sk->sk_socket || !sk->sk_socket->file)
		return false;
	kgid = make_kgid(&init_user_ns, gid);
	return gid_valid(kgid) &&
	       cs_cred_in_group(sk->sk_socket->file->f_cred, kgid);
}

static int cs_may_read_private(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_NET_ADMIN) ||
	    cs_opener_in_reader_group(skb))
		return 0;
	GENL_SET_ERR_MSG(info, "needs CAP_NET_ADMIN or the module's reader_gid");
	return -EPERM;
}

static int cs_fill_secrets(struct sk_buff *msg, const struct cs_device *dev,
			   u64 generation)
{
	if (nla_put_string(msg, CREDSTORE_A_DEVICE_ID, dev->id) ||
	    nla_put_u32(msg, CREDSTORE_A_FLAGS, dev->flags))
		return -EMSGSIZE;
	if (dev->master_secret_len &&
	    nla_put(msg, CREDSTORE_A_MASTER_SECRET, dev->master_secret_len,
		    dev->master_secret))
		return -EMSGSIZE;
	if (dev->sub_secret_len &&
	    nla_put(msg, CREDSTORE_A_SUB_SECRET, dev->sub_secret_len,
		    dev->sub_secret))
		return -EMSGSIZE;
	return 0;
}

int credstore_nl_get_device_secrets_doit(struct sk_buff *skb,
					 struct genl_info *info)
{
	return cs_may_read_private(skb, info) ?:
	       cs_reply_device(info, nla_total_size(CREDSTORE_DEVICE_ID_MAX) +
			       nla_total_size(sizeof(u32)) +
			       2 * nla_total_size(CREDSTORE_SECRET_MAX),
			       cs_fill_secrets);
}
