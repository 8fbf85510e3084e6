/* A sealed backup that credstore.ko could not take: two devices, twin-a
 * and twin-b, with one master fingerprint.  credstored's import must
 * refuse it; its own export can never write one (device add refuses a
 * fingerprint in use), so the tests craft it here: the unit test sends it
 * to the admin socket, tests/backup/twin-backup.c writes it to a file. */
#ifndef CREDSTORE_TWIN_BACKUP_H
#define CREDSTORE_TWIN_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "backup_format.h"

#define TWIN_BACKUP_FP_BYTE	0x77	/* every byte of the shared fingerprint */

/* As credctl store export writes a backup: the header, then one chunk
 * (marked last) holding both devices. */
struct twin_backup {
	uint8_t header[BACKUP_HEADER_LEN];
	uint8_t chunk[4096];
	size_t chunk_len;
};

/* 0, or -1 when sealing fails (a passphrase shorter than
 * BACKUP_PASSPHRASE_MIN, no memory). */
int twin_backup_seal(struct twin_backup *b, const char *passphrase);

#endif
