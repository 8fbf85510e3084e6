/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "credstore". */
#ifndef CREDSTORE_NETLINK_H
#define CREDSTORE_NETLINK_H

#include <net/genetlink.h>
#include <linux/credstore.h>

extern struct genl_family cs_family;

int cs_netlink_init(void);
void cs_netlink_exit(void);

#endif
