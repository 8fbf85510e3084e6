/* Certificates that expire: at start and then every
 * d->policy.expiry_check_s (a day by default), every identity,
 * anchor and device certificate within the warning threshold gets a log
 * line and an EXPIRING notification, or EXPIRED once it has passed. */
#ifndef CREDSTORE_EXPIRY_H
#define CREDSTORE_EXPIRY_H

#include "server.h"

void expiry_sweep(struct daemon *d);
/* The sweep when it is due (the first call: at once). */
void expiry_check_due(struct daemon *d);

#endif
