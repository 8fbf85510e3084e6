/* The sentence the kernel attaches to a refusal (NLMSGERR_ATTR_MSG of an
 * extended ACK, with NETLINK_EXT_ACK on the socket): libcredstore's
 * kernel transport and the daemon's publisher both show it. */
#ifndef CREDSTORE_EXT_ACK_H
#define CREDSTORE_EXT_ACK_H

#include <linux/netlink.h>

/* NULL when the error carries none. */
const char *cs_ext_ack_message(struct nlmsgerr *e);

#endif
