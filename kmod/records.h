/* SPDX-License-Identifier: GPL-2.0 */
/* Published records: from CREDSTORE_A_RECORDS to table entries. */
#ifndef CREDSTORE_RECORDS_H
#define CREDSTORE_RECORDS_H

#include <net/netlink.h>
#include "tables.h"

int cs_records_parse(const struct nlattr *records,
		     struct netlink_ext_ack *extack,
		     struct cs_record **recs, unsigned int *n);
void cs_records_wipe(const struct nlattr *records);
void cs_records_free(struct cs_record *recs, unsigned int n);

#endif
