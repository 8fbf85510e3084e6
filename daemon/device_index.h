/* The committed devices by id, by master fingerprint and by sub
 * fingerprint: built when the store is mounted and changed at each
 * commit (model_index.c), so that no command or query walks the devices
 * or unseals anything to find one.  It knows a device's id and
 * fingerprints, nothing else of it.
 *
 * To stay small (100,000 devices: a few MiB) an entry keeps a 32-bit tag
 * of each fingerprint rather than the fingerprint: a lookup by
 * fingerprint yields candidates, which the caller confirms against the
 * device's record. */
#ifndef CREDSTORE_DEVICE_INDEX_H
#define CREDSTORE_DEVICE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct device_index;
struct device_entry;

struct device_index *device_index_new(void);
void device_index_free(struct device_index *ix);

/* An entry for device id holding fp[slot] where fp[slot] is not NULL;
 * NULL when out of memory.  Entries are made before a commit and put
 * after it, when nothing may fail any more. */
struct device_entry *device_entry_new(const struct device_index *ix, const char *id,
				      const uint8_t *const fp[SLOT_COUNT]);
void device_entry_free(struct device_entry *e);

/* Room for n more entries, so that the next n puts do not allocate:
 * 0 or -ENOMEM. */
int device_index_reserve(struct device_index *ix, size_t n);
/* e replaces the entry of its id, if any; the index owns it from now on.
 * Never fails within what device_index_reserve() made room for. */
void device_index_put(struct device_index *ix, struct device_entry *e);
void device_index_remove(struct device_index *ix, const char *id);
void device_index_clear(struct device_index *ix);
size_t device_index_count(const struct device_index *ix);

/* Calls fn with the id of each device whose slot may hold fp, until fn
 * returns non-zero (returned); 0 when none stopped it. */
int device_index_find_fp(const struct device_index *ix, int slot, const uint8_t *fp,
			 int (*fn)(const char *id, void *arg), void *arg);

#endif
