/* credstored's log of what the flash does to the store: retired
 * (bad) eraseblocks, segments relocated after a failed program or erase,
 * segments scrubbed after corrected bit flips, pages that could not be
 * read.  The store only counts these (store_status); a tap between the
 * store and the flash remembers which eraseblocks they happened on, and
 * flash_log_report, called after each commit and each upkeep step,
 * compares the counters with the last report and logs what changed,
 * naming the blocks.  No change to the store: it sees a flash like any
 * other. */
#ifndef CREDSTORE_FLASH_LOG_H
#define CREDSTORE_FLASH_LOG_H

#include "flash.h"
#include "store.h"

/* A flash that forwards to inner (and owns it: closing it closes inner).
 * NULL when out of memory (inner is then closed). */
struct flash *flash_log_wrap(struct flash *inner);
/* Log what happened since the last report (the first: since mount); a
 * NULL tap logs nothing. */
void flash_log_report(struct flash *tap, struct store *s);

#endif
