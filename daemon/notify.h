/* Change notifications in userspace mode: CREDSTORE_CMD_NOTIFY to every
 * connection that sent SUBSCRIBE, as the module sends them on its
 * "notify" group (the rules of a full subscriber: daemon/conn.h). */
#ifndef CREDSTORE_NOTIFY_H
#define CREDSTORE_NOTIFY_H

#include "conn.h"
#include "model.h"

void notify_changes(struct conns *set, const struct model_txn *t, uint64_t gen);
/* Anything may have changed (the store was mounted again). */
void notify_snapshot(struct conns *set, uint64_t gen);

#endif
