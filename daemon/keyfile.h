/* The store key: 32 random bytes in a 0600 file, made at first start. */
#ifndef CREDSTORE_KEYFILE_H
#define CREDSTORE_KEYFILE_H

#include <stdint.h>

#include "error.h"
#include "store.h"

/* Read the key, creating the file if it does not exist.  An existing file
 * that cannot be read or has the wrong size is an error, never replaced. */
int keyfile_load(const char *path, uint8_t key[STORE_KEY_LEN], struct cs_err *err);

#endif
