/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "credstore", registered with its operations. */
#ifndef CREDSTORE_NETLINK_H
#define CREDSTORE_NETLINK_H

int cs_netlink_init(void);
void cs_netlink_exit(void);

#endif
