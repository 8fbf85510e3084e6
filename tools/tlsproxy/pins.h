/* Device pins from a text file, for running without the store (and for
 * measuring what the store costs): one device a line,
 *	DEVICE-ID MASTER-FINGERPRINT [SUB-FINGERPRINT]
 * with fingerprints as `openssl x509 -fingerprint -sha256` prints them or
 * plain hex; '#' starts a comment. */
#ifndef TLSPROXY_PINS_H
#define TLSPROXY_PINS_H

#include "credstore/credstore.h"

struct pins;

/* NULL with why (CREDSTORE_MESSAGE_MAX bytes) naming the bad line. */
struct pins *pins_load(const char *path, char *why);
void pins_free(struct pins *pins);

/* The lookup for credstore_ssl_ctx_admit_devices(); arg is the pins. */
credstore_fingerprint_lookup pins_lookup;

#endif
