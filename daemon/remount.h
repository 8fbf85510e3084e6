/* After an I/O error the store takes no change until it is mounted again
 * (store_broken()): credstored mounts it again at once, as a reboot would
 * (an emulated flash's power comes back on first: its cut is over), then
 * publishes a snapshot and tells subscribers that anything may have
 * changed.  When the store does not mount, the daemon is to stop with a
 * failure, so that systemd restarts it. */
#ifndef CREDSTORE_REMOUNT_H
#define CREDSTORE_REMOUNT_H

#include <stdbool.h>

#include "server.h"

struct remount {
	struct flash *flash;
	const char *key_file;			/* read again for each mount */
	struct store_options options;		/* its key unused */
	bool emulated;
	unsigned int count;			/* since start */
	char last_error[CREDSTORE_MESSAGE_MAX];	/* what stopped the store */
};

/* Nothing to do unless the store is broken; why: the error that said so.
 * 0 when it is mounted again; negative (d->failed set) when it could not
 * be. */
int remount_if_broken(struct daemon *d, const char *why);

#endif
