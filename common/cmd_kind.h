/* What each command of credstored's sockets does to the store, in one
 * list: credctl (a read that got no answer changed nothing: exit 3, not 8,
 * "outcome unknown"), the sockets' message buffers (usersock.c: a page for
 * a query, an attribute or a batch for the rest) and the daemon's command
 * table (tests/unit/test_cmd_kind.c checks it against this one, number by
 * number) all follow it, so that a new command cannot be a read for one
 * and a change for another. */
#ifndef CREDSTORE_CMD_KIND_H
#define CREDSTORE_CMD_KIND_H

#include <stdbool.h>
#include <stdint.h>

enum cs_cmd_kind {
	CS_CMD_UNKNOWN,		/* not a command the sockets serve */
	/* Changes nothing; its request and answer are small: names, ids,
	 * fingerprints, secrets, one chain, a signature. */
	CS_CMD_QUERY,
	/* Changes nothing; answers up to an attribute each part: the store's
	 * status, a backup, a key, a part of a CRL. */
	CS_CMD_READ,
	/* Changes the store, or stages a change (an import's chunks); its
	 * request may be a whole batch. */
	CS_CMD_CHANGE,
};

enum cs_cmd_kind cs_cmd_kind(uint8_t cmd);

/* A query or a read: false for a change and for a command unknown here
 * (what it did is not known). */
bool cs_cmd_changes_nothing(uint8_t cmd);

#endif
