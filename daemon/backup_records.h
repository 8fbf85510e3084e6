/* The plaintext inside a backup's chunks: one nested BACKUP_A_RECORD per
 * store record (identities, anchors, devices), netlink attributes; a
 * record never spans two chunks. */
#ifndef CREDSTORE_BACKUP_RECORDS_H
#define CREDSTORE_BACKUP_RECORDS_H

#include <netlink/attr.h>

#include "store.h"

enum backup_attr {
	BACKUP_A_UNSPEC,
	BACKUP_A_RECORD,
	BACKUP_A_TYPE,
	BACKUP_A_KEY,
	BACKUP_A_VALUE,
	BACKUP_A_SECRET,
	__BACKUP_A_MAX,
};
#define BACKUP_A_MAX (__BACKUP_A_MAX - 1)

/* The record types a backup holds, in the order it holds them. */
extern const uint8_t backup_types[4];

/* The bytes put_record adds for r. */
size_t backup_record_size(const struct store_record *r);
int backup_put_record(struct nl_msg *msg, const struct store_record *r);
/* A BACKUP_A_RECORD nest into r (pointing into it); 0 or -EBADMSG. */
int backup_get_record(struct nlattr *nest, struct store_record *r, struct cs_err *err);

#endif
