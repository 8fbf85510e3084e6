/* Change notifications in userspace mode: CREDSTORE_CMD_NOTIFY multicast
 * on NETLINK_USERSOCK group CREDSTORE_USERSOCK_GROUP, as the module sends
 * them on its "notify" group. */
#ifndef CREDSTORE_NOTIFY_H
#define CREDSTORE_NOTIFY_H

#include "model.h"
#include "usersock.h"

void notify_changes(struct nl_sock *sk, const struct model_txn *t, uint64_t gen);

#endif
