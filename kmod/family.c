// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "credstore", without its operations: the
 * handlers' replies, dumps and notifications name it, and netlink.c, on
 * top of them all, adds the generated operations and registers it (so
 * that calls between the module's files run one way).  The ABI is
 * documented in uapi/linux/credstore.h.
 */
#include <linux/module.h>
#include "family.h"
#include "netlink-gen.h"

/* The generator defines its own copy (static) only as part of a family
 * struct, which it writes for genetlink specs, not genetlink-legacy ones.
 */
static const struct genl_multicast_group cs_mcgrps[] = {
	[CREDSTORE_NLGRP_NOTIFY] = { .name = CREDSTORE_MCGRP_NOTIFY },
};

struct genl_family cs_family __ro_after_init = {
	.name = CREDSTORE_GENL_NAME,
	.version = CREDSTORE_GENL_VERSION,
	.maxattr = CREDSTORE_A_MAX,
	.netnsok = false,
	/* Queries run in parallel; the publisher has its own lock. */
	.parallel_ops = true,
	/* Every command validates strictly, reserved header fields too. */
	.resv_start_op = CREDSTORE_CMD_GET_STATUS,
	.module = THIS_MODULE,
	.mcgrps = cs_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cs_mcgrps),
};
