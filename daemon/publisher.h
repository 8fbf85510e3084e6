/* The publisher: pushes the store's records into credstore.ko over
 * generic netlink (libnl-genl) - a full snapshot when the module appears
 * (at start, and whenever it is loaded again: the daemon watches nlctrl's
 * "notify" group for CTRL_CMD_NEWFAMILY "credstore"), then one
 * PUBLISH_UPDATE or RETRACT per change. */
#ifndef CREDSTORE_PUBLISHER_H
#define CREDSTORE_PUBLISHER_H

#include "model.h"

struct publisher;

/* Watch for the module; publish a snapshot if it is there.  NULL only
 * when generic netlink itself is unusable (err says why). */
struct publisher *publisher_open(struct model *m, struct cs_err *err);
void publisher_close(struct publisher *p);
/* The controller socket to poll; publisher_handle() when readable. */
int publisher_fd(const struct publisher *p);
void publisher_handle(struct publisher *p);
/* A snapshot again, over a fresh socket (the module, if it is there,
 * may have refused an older one: after a rollback is accepted, the store
 * goes on at a generation past the module's). */
void publisher_resync(struct publisher *p);
/* Is a module being fed? */
bool publisher_active(const struct publisher *p);
/* After a commit: publish what t changed at generation gen.  A failure
 * leaves the module stale, so the next snapshot repairs it. */
void publisher_changes(struct publisher *p, const struct model_txn *t, uint64_t gen);

#endif
