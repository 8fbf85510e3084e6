/* Certificates that expire: once a day (and at start), every identity,
 * anchor and device certificate within the warning threshold gets a log
 * line and an EXPIRING notification, or EXPIRED once it has passed. */
#ifndef CREDSTORE_EXPIRY_H
#define CREDSTORE_EXPIRY_H

#include "server.h"

void expiry_sweep(struct daemon *d);

#endif
