/* SPDX-License-Identifier: GPL-2.0 */
/* The publisher's changes to a table set: batches (all or none), removals. */
#ifndef CREDSTORE_UPDATE_H
#define CREDSTORE_UPDATE_H

#include <net/netlink.h>
#include "tables.h"

int cs_tables_put_records(struct cs_tables *t, struct cs_record *recs,
			  unsigned int n, struct netlink_ext_ack *extack);
int cs_tables_remove(struct cs_tables *t, u8 kind, const char *key,
		     struct netlink_ext_ack *extack);

#endif
