/* A bounded, short-lived cache of devices' master secrets for
 * credstore-coapd (keycache.c).  It knows nothing of the store: the caller
 * says when an entry must go (a notification for that device, a lost
 * notification stream) and what the time is (monotonic seconds). */
#ifndef CREDSTORE_COAPD_KEYCACHE_H
#define CREDSTORE_COAPD_KEYCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <credstore/credstore.h>

#define KEYCACHE_ENTRIES_MAX	1000000
#define KEYCACHE_SECONDS_MAX	3600

struct keycache;

/* At most `entries` secrets, each kept `seconds` after it was read from
 * the store; NULL when out of memory.  entries must be 1 to
 * KEYCACHE_ENTRIES_MAX, seconds 1 to KEYCACHE_SECONDS_MAX. */
struct keycache *keycache_new(size_t entries, unsigned int seconds);
/* Wipes every secret. */
void keycache_free(struct keycache *kc);

/* The device's secret into key (CREDSTORE_SECRET_MAX bytes), if cached
 * and not expired. */
bool keycache_get(struct keycache *kc, const char *device_id, uint8_t *key, size_t *len,
		  time_t now);
/* Keep (or replace) the device's secret; the oldest entry makes room. */
void keycache_put(struct keycache *kc, const char *device_id, const uint8_t *key, size_t len,
		  time_t now);
void keycache_forget(struct keycache *kc, const char *device_id);
void keycache_clear(struct keycache *kc);
/* Wipe the expired entries (at most once per second of `now`). */
void keycache_expire(struct keycache *kc, time_t now);
size_t keycache_count(const struct keycache *kc);

#endif
