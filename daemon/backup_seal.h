/* Sealing of a portable backup under a passphrase, in chunks, so that a
 * backup of any size streams through the admin socket (framing in
 * common/backup_format.h): scrypt derives one AES-256-GCM key per backup;
 * each chunk is sealed on its own, with its index and whether it is the
 * last bound into the tag, so a chunk moved, dropped, repeated or cut off
 * fails to open.  Chunk i's nonce: the header's nonce[8] | u32 big-endian
 * i; its AAD: header | u32 big-endian i | u8 last. */
#ifndef CREDSTORE_BACKUP_SEAL_H
#define CREDSTORE_BACKUP_SEAL_H

#include <stdbool.h>

#include "backup_format.h"
#include "error.h"

#define BACKUP_PASSPHRASE_MIN	8

struct backup_key {
	uint8_t header[BACKUP_HEADER_LEN];
	uint8_t key[32];
};

/* Export: a fresh header (salt, nonce) and its key. */
int backup_seal_begin(struct backup_key *k, const char *passphrase, struct cs_err *err);
/* Import: check a header and derive its key. */
int backup_open_begin(struct backup_key *k, const uint8_t *header, size_t len,
		      const char *passphrase, struct cs_err *err);
/* Seal chunk `index` into out (len + BACKUP_CHUNK_OVERHEAD bytes). */
int backup_seal_chunk(const struct backup_key *k, uint32_t index, bool last,
		      const uint8_t *plain, size_t len, uint8_t *out, struct cs_err *err);
/* Open chunk `index`, exactly `len` bytes of in; plain gets its length
 * minus BACKUP_CHUNK_OVERHEAD bytes.  -EACCES: wrong passphrase, or the
 * chunk is damaged or out of place. */
int backup_open_chunk(const struct backup_key *k, uint32_t index, const uint8_t *in,
		      size_t len, uint8_t *plain, bool *last, struct cs_err *err);
void backup_key_wipe(struct backup_key *k);

#endif
