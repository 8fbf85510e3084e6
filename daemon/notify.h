/* Change notifications in userspace mode: CREDSTORE_CMD_NOTIFY multicast
 * on NETLINK_USERSOCK group CREDSTORE_USERSOCK_GROUP, as the module sends
 * them on its "notify" group; and the daemon's own EXPIRING / EXPIRED
 * events, which only it sends. */
#ifndef CREDSTORE_NOTIFY_H
#define CREDSTORE_NOTIFY_H

#include "model.h"
#include "usersock.h"

void notify_changes(struct nl_sock *sk, const struct model_txn *t, uint64_t gen);
/* kind: CREDSTORE_KIND_IDENTITY, _ANCHOR or _DEVICE. */
void notify_expiry(struct nl_sock *sk, uint8_t kind, const char *key, bool expired,
		   uint64_t not_after, uint64_t gen);

#endif
