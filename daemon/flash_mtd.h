/* What the libmtd backend (flash_mtd_open() in flash.h) says beyond the
 * struct flash interface. */
#ifndef CREDSTORE_FLASH_MTD_H
#define CREDSTORE_FLASH_MTD_H

#include "flash.h"

/* Why the last failing op of a flash opened by flash_mtd_open() failed:
 * the device, the eraseblock and what went wrong; "" when none has. */
const char *flash_mtd_error(const struct flash *f);

#endif
