// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "credstore" (family.c) registered with its
 * policies and operations, generated from the family's spec
 * (netlink-gen.c, from uapi/credstore.yaml by the kernel's ynl-gen-c.py:
 * `make netlink-gen`).  The ABI is documented in uapi/linux/credstore.h.
 */
#include "family.h"
#include "netlink.h"
#include "netlink-gen.h"

#ifdef CS_COMPAT_SPLIT_OPS
/*
 * Linux 6.1 (compat.h): one genl_ops per command, merged from the split
 * ops.  The do's policy parses a dump's request too; a dump takes no
 * attributes, and credstore_nl_dump_start() refuses them there.
 */
static struct genl_ops cs_ops[ARRAY_SIZE(credstore_nl_ops)] __ro_after_init;

static void __init cs_family_add_ops(void)
{
	const struct genl_split_ops *s;
	struct genl_ops *op = NULL;
	int n = 0;

	for (s = credstore_nl_ops; s < credstore_nl_ops + ARRAY_SIZE(cs_ops);
	     s++) {
		if (!op || op->cmd != s->cmd) {
			op = &cs_ops[n++];
			op->cmd = s->cmd;
			op->flags = s->flags & GENL_ADMIN_PERM;
		}
		if (s->flags & GENL_CMD_CAP_DO) {
			op->doit = s->doit;
			op->policy = s->policy;
			op->maxattr = s->maxattr;
		}
		if (s->flags & GENL_CMD_CAP_DUMP) {
			op->start = s->start;
			op->dumpit = s->dumpit;
			op->done = s->done;
		}
	}
	cs_family.ops = cs_ops;
	cs_family.n_ops = n;
}
#else
static void __init cs_family_add_ops(void)
{
	cs_family.split_ops = credstore_nl_ops;
	cs_family.n_split_ops = ARRAY_SIZE(credstore_nl_ops);
}
#endif

int __init cs_netlink_init(void)
{
	cs_family_add_ops();
	return genl_register_family(&cs_family);
}

void cs_netlink_exit(void)
{
	genl_unregister_family(&cs_family);
}
