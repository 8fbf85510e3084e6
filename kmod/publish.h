/* SPDX-License-Identifier: GPL-2.0 */
/* The publisher: snapshots, updates, retractions. */
#ifndef CREDSTORE_PUBLISH_H
#define CREDSTORE_PUBLISH_H

#include <linux/types.h>

int cs_publish_init(void);
void cs_publish_exit(void);
bool cs_publisher_attached(void);

#endif
