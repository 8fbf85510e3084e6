/* Sealing of a portable backup under a passphrase: scrypt derives an
 * AES-256-GCM key; the header is authenticated with the data.
 *   "CSBK" | version 1 | log2 N | r | p | salt[16] | iv[12] | ciphertext | tag[16] */
#ifndef CREDSTORE_BACKUP_SEAL_H
#define CREDSTORE_BACKUP_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define BACKUP_PASSPHRASE_MIN 8

int backup_seal(const uint8_t *plain, size_t len, const char *passphrase,
		uint8_t **sealed, size_t *sealed_len, struct cs_err *err);
/* -EACCES: wrong passphrase or damaged backup. */
int backup_unseal(const uint8_t *sealed, size_t len, const char *passphrase,
		  uint8_t **plain, size_t *plain_len, struct cs_err *err);

#endif
