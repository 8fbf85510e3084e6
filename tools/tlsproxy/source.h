/* Where the proxy's TLS context comes from: the store (identity, devices,
 * trust anchors, change notifications), or PEM files and a pins file. */
#ifndef TLSPROXY_SOURCE_H
#define TLSPROXY_SOURCE_H

#include <stdbool.h>
#include <openssl/ssl.h>

#include "credstore/credstore.h"

struct source_config {
	const char *identity;		/* store: the server identity's name */
	const char *cert_file;		/* PEM mode when set: chain, leaf first */
	const char *key_file;
	const char *pins_file;
	const char *ca_file;		/* PEM mode trust anchors */
	bool require_anchor;		/* client chains must reach an anchor */
	bool allow_expired;		/* admit expired device certificates */
	bool no_client_cert;		/* ask none: serve any client */
	struct credstore_options store;
};

struct source;

/* NULL with why (CREDSTORE_MESSAGE_MAX bytes) filled. */
struct source *source_open(const struct source_config *cfg, char *why);
void source_close(struct source *src);
/* "credstore.ko", "credstored" or "PEM files". */
const char *source_name(const struct source *src);

/* A new server context: identity, device admission, CRLs, no
 * resumption.  NULL with why; *gone tells an identity that is not in the
 * store (removed) from other failures. */
SSL_CTX *source_new_ctx(struct source *src, char *why, bool *gone);

/* The notification descriptor to poll, -1 when there is none. */
int source_events_fd(const struct source *src);

/* What the pending notifications say. */
struct source_news {
	bool reload;			/* the identity, anchors or CRLs changed */
	bool recheck;			/* a snapshot: any device may be revoked */
	char (*revoked)[CREDSTORE_DEVICE_ID_MAX];	/* devices revoked */
	size_t n_revoked;
};
/* Read them into news (source_news_release() it). */
void source_read(struct source *src, struct source_news *news);
void source_news_release(struct source_news *news);
/* For a recheck: is the device revoked now? */
bool source_device_revoked(struct source *src, const char *device);

#endif
