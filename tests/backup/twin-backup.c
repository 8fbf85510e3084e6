/* twin-backup: writes FILE, a backup sealed under PASSPHRASE, as credctl
 * store export writes one, in which two devices share a fingerprint
 * (twin_backup.h), for `credctl store import` to refuse.
 *
 * usage: twin-backup FILE PASSPHRASE
 * Exit 0: written; 1: sealing or writing failed; 2: usage. */
#include <stdio.h>

#include "twin_backup.h"

int main(int argc, char **argv)
{
	struct twin_backup b;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: twin-backup FILE PASSPHRASE\n");
		return 2;
	}
	if (twin_backup_seal(&b, argv[2])) {
		fprintf(stderr, "twin-backup: cannot seal the backup\n");
		return 1;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(b.header, 1, sizeof(b.header), f) != sizeof(b.header) ||
	    fwrite(b.chunk, 1, b.chunk_len, f) != b.chunk_len || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
