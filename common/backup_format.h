/* The framing of a credstore backup file, which credctl splits into
 * chunks to import it and credstored seals and opens (daemon/backup_seal.c
 * has the cryptography):
 *   header: "CSBK" | version 2 | log2 N | r | p | salt[16] | nonce[8]
 *   chunk:  u32 big-endian (length | BACKUP_CHUNK_LAST on the last chunk) |
 *           ciphertext[length] | tag[16]
 * then chunks 0, 1, ... up to the one marked last, and nothing after it. */
#ifndef CREDSTORE_BACKUP_FORMAT_H
#define CREDSTORE_BACKUP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define BACKUP_HEADER_LEN	32
#define BACKUP_CHUNK_OVERHEAD	(4 + 16)
#define BACKUP_CHUNK_LAST	0x80000000u
/* Plaintext per chunk: a sealed chunk fits one attribute of a message. */
#define BACKUP_CHUNK_PLAIN_MAX	64000

/* The whole size of the chunk at p (avail bytes left in the file), 0 when
 * it is damaged or cut short; *last: it is the last chunk. */
static inline size_t backup_chunk_size(const uint8_t *p, size_t avail, int *last)
{
	uint32_t word, body;

	if (avail < BACKUP_CHUNK_OVERHEAD)
		return 0;
	word = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	body = word & ~BACKUP_CHUNK_LAST;
	*last = !!(word & BACKUP_CHUNK_LAST);
	if (body > BACKUP_CHUNK_PLAIN_MAX || avail - BACKUP_CHUNK_OVERHEAD < body)
		return 0;
	return body + BACKUP_CHUNK_OVERHEAD;
}

#endif
