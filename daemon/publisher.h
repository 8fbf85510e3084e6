/* The publisher: pushes the store's records into credstore.ko over
 * generic netlink (libnl-genl) - a full snapshot when the module appears
 * (at start, and whenever it is loaded again: the daemon watches nlctrl's
 * "notify" group for CTRL_CMD_NEWFAMILY "credstore"), then one
 * PUBLISH_UPDATE or RETRACT per change.
 *
 * Nothing the module refuses stops it: a record refused for what it holds
 * (a limit, a fingerprint another device holds, the module's max_entries
 * or max_bytes) is logged, left out (in an update, its old version is
 * retracted: no stale answer), reported (store status), and tried again
 * at the next change, while everything else is published.  When
 * publishing itself fails, the module keeps what it served and the next
 * change publishes a whole snapshot. */
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
/* Is a module being fed? */
bool publisher_active(const struct publisher *p);

enum publisher_state {
	PUBLISHER_NONE,		/* no module: userspace mode */
	PUBLISHER_LEVEL,	/* the module serves the store (but what it refused) */
	PUBLISHER_BEHIND,	/* publishing failed: the next change snapshots */
};
enum publisher_state publisher_state(const struct publisher *p);

/* A record the module refused, and why in its words. */
struct publisher_refusal {
	uint8_t type;				/* STORE_REC_* */
	char key[STORE_RECORD_KEY_MAX + 1];
	char why[CREDSTORE_MESSAGE_MAX];
	bool seen;				/* publisher.c's: during a snapshot */
};
/* The refused records (*n of them); p may be NULL. */
const struct publisher_refusal *publisher_refused(const struct publisher *p, size_t *n);
/* The whole store again (after it was mounted again). */
void publisher_snapshot(struct publisher *p);
/* After a commit: publish what t changed at generation gen.  A failure
 * leaves the module stale, so the next snapshot repairs it. */
void publisher_changes(struct publisher *p, const struct model_txn *t, uint64_t gen);

#endif
