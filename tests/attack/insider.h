/* Test-only: what someone holding the store key can do to an image that
 * an attacker without it cannot: give commits a right tag.  The tests use
 * it to reach what lies behind the MAC (the decoder's bounds, the seals,
 * part markers) as a writer with a bug would, and the fuzzer to keep its
 * mutations past the MAC. */
#ifndef CREDSTORE_TEST_INSIDER_H
#define CREDSTORE_TEST_INSIDER_H

#include "flash.h"
#include "store.h"

/* Every commit whose header decodes, in every segment of the newest
 * store id, gets its tag and CRC computed again for its place (cseq and
 * all else as they are).  0, or -errno. */
int insider_reseal(struct flash *f, const uint8_t key[STORE_KEY_LEN]);

#endif
