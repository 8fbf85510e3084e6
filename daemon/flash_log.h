/* credstored's log of what the flash does to the store: the store tells
 * each event as it happens (store_options.on_event: a block retired, a
 * segment relocated or scrubbed, commits lost at mount), and this logs
 * it, naming the eraseblock; store status counts the same events. */
#ifndef CREDSTORE_FLASH_LOG_H
#define CREDSTORE_FLASH_LOG_H

#include "store.h"

/* The store's event hook (arg unused). */
void flash_log_event(const struct store_event *ev, void *arg);
/* The blocks the flash had marked bad before this mount. */
void flash_log_mounted(struct store *s);

#endif
