/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "credstore": what replies and notifications
 * name.  Its operations are added when it is registered (netlink.c).
 */
#ifndef CREDSTORE_FAMILY_H
#define CREDSTORE_FAMILY_H

#include <net/genetlink.h>
#include <linux/credstore.h>

extern struct genl_family cs_family;

#endif
