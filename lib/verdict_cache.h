/* Verdicts of fingerprint lookups, reused until the store announces a
 * change of devices.  Each lookup first reads the announcements pending
 * on the connection's own subscription (one non-blocking receive); the
 * store announces a change before it acknowledges it, so a cached verdict
 * is never older than the last change acknowledged before the lookup. */
#ifndef CREDSTORE_VERDICT_CACHE_H
#define CREDSTORE_VERDICT_CACHE_H

#include <stdbool.h>

#include "credstore/credstore.h"

struct verdict_cache;

/* NULL with cs's error set when the subscription fails. */
struct verdict_cache *verdict_cache_new(struct credstore *cs);
void verdict_cache_free(struct verdict_cache *cache);

/* true and out filled when a verdict for fp is known and still valid. */
bool verdict_cache_lookup(struct verdict_cache *cache, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			  struct credstore_verdict *out);
void verdict_cache_store(struct verdict_cache *cache, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			 const struct credstore_verdict *verdict);

#endif
