/* Change notifications in userspace mode: CREDSTORE_CMD_NOTIFY to every
 * connection that sent SUBSCRIBE, as the module sends them on its
 * "notify" group (the rules of a full subscriber: daemon/conn.h); and the
 * daemon's own EXPIRING / EXPIRED events, which only it sends. */
#ifndef CREDSTORE_NOTIFY_H
#define CREDSTORE_NOTIFY_H

#include "conn.h"
#include "model.h"

void notify_changes(struct conns *set, const struct model_txn *t, uint64_t gen);
/* kind: CREDSTORE_KIND_IDENTITY, _ANCHOR or _DEVICE. */
void notify_expiry(struct conns *set, uint8_t kind, const char *key, bool expired,
		   uint64_t not_after, uint64_t gen);
/* Anything may have changed (the store was mounted again). */
void notify_snapshot(struct conns *set, uint64_t gen);

#endif
