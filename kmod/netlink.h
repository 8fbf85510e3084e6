/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "credstore": policies and operations. */
#ifndef CREDSTORE_NETLINK_H
#define CREDSTORE_NETLINK_H

#include <net/genetlink.h>
#include <linux/credstore.h>

enum cs_mcgrp {
	CS_MCGRP_NOTIFY,
};

extern struct genl_family cs_family;
extern const struct nla_policy cs_record_policy[CREDSTORE_A_MAX + 1];

int cs_netlink_init(void);
void cs_netlink_exit(void);

#endif
