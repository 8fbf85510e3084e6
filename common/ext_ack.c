#include <stddef.h>
#include <netlink/attr.h>

#include "ext_ack.h"

const char *cs_ext_ack_message(struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);
	struct nlattr *msg;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off >= nlh->nlmsg_len - NLMSG_HDRLEN)
		return NULL;
	msg = nla_find((struct nlattr *)((char *)e + off),
		       (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off), NLMSGERR_ATTR_MSG);
	if (!msg || nla_len(msg) < 1 || ((char *)nla_data(msg))[nla_len(msg) - 1])
		return NULL;
	return nla_data(msg);
}
