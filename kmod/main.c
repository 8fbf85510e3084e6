// SPDX-License-Identifier: GPL-2.0
/*
 * credstore.ko: the generic netlink family "credstore", the fast read path
 * of the credentials that credstored publishes.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include "netlink.h"
#include "publish.h"
#include "tables.h"

static int __init credstore_init(void)
{
	int err;

	err = cs_tables_init();
	if (err)
		return err;
	err = cs_publish_init();
	if (err)
		goto tables;
	err = cs_netlink_init();
	if (err)
		goto publish;
	pr_info("credstore: family registered\n");
	return 0;
publish:
	cs_publish_exit();
tables:
	cs_tables_exit();
	return err;
}

static void __exit credstore_exit(void)
{
	cs_netlink_exit();
	cs_publish_exit();
	cs_tables_exit();
	pr_info("credstore: family unregistered\n");
}

module_init(credstore_init);
module_exit(credstore_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("credstore: credentials over generic netlink");
MODULE_ALIAS_GENL_FAMILY(CREDSTORE_GENL_NAME);
