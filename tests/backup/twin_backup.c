/* The backup of twin_backup.h, sealed as daemon/admin_export.c seals one. */
#include <string.h>
#include <netlink/msg.h>

#include "backup_records.h"
#include "backup_seal.h"
#include "model.h"
#include "twin_backup.h"

/* The plaintext of the backup's one chunk: both devices' records. */
static int put_twins(struct nl_msg *plain)
{
	static const char *const ids[] = { "twin-a", "twin-b" };

	for (size_t i = 0; i < 2; i++) {
		struct model_device d = { .has_fp[SLOT_MASTER] = true };
		struct store_record r = { 0 };
		int rc;

		strcpy(d.id, ids[i]);
		memset(d.fp[SLOT_MASTER], TWIN_BACKUP_FP_BYTE, CREDSTORE_FINGERPRINT_LEN);
		rc = model_device_encode(&d, &r, NULL) ?: backup_put_record(plain, &r);
		model_record_release(&r);
		if (rc)
			return -1;
	}
	return 0;
}

int twin_backup_seal(struct twin_backup *b, const char *passphrase)
{
	struct nl_msg *plain = nlmsg_alloc_size(sizeof(b->chunk));
	struct backup_key k = { 0 };
	size_t len;
	int rc;

	if (!plain || !nlmsg_put(plain, 0, 0, 0, 0, 0) || put_twins(plain)) {
		nlmsg_free(plain);
		return -1;
	}
	len = (size_t)nlmsg_datalen(nlmsg_hdr(plain));
	rc = len + BACKUP_CHUNK_OVERHEAD > sizeof(b->chunk) ? -1
							    : backup_seal_begin(&k, passphrase, NULL);
	if (!rc)
		rc = backup_seal_chunk(&k, 0, true, nlmsg_data(nlmsg_hdr(plain)), len, b->chunk,
				       NULL);
	if (!rc) {
		memcpy(b->header, k.header, sizeof(b->header));
		b->chunk_len = len + BACKUP_CHUNK_OVERHEAD;
	}
	backup_key_wipe(&k);
	nlmsg_free(plain);
	return rc ? -1 : 0;
}
