/* SPDX-License-Identifier: GPL-2.0 */
/* The multicast group "notify": one message per change. */
#ifndef CREDSTORE_NOTIFY_H
#define CREDSTORE_NOTIFY_H

#include <linux/types.h>

void cs_notify(u8 kind, const char *key, u64 generation, u8 event, u32 flags);

#endif
