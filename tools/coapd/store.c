/* coapd's connection to the store and its change notifications, opened
 * when first needed and again after a transport failure.  Cached keys
 * live only as long as the notifications that would retract them. */
#include <poll.h>
#include <stdio.h>

#include "coapd.h"

struct credstore *coapd_store(struct psk_source *src)
{
	char why[CREDSTORE_MESSAGE_MAX];

	if (src->cs)
		return src->cs;
	if (credstore_connect(&src->cs, &src->opt, why) < 0) {
		fprintf(stderr, "credstore-coapd: cannot reach the store: %s\n", why);
		src->cs = NULL;
		return NULL;
	}
	if (credstore_events_open(src->cs, &src->events) < 0) {
		fprintf(stderr, "credstore-coapd: no change notifications (%s): revoked devices keep "
			"their open sessions%s\n", credstore_last_error(src->cs),
			src->cache ? "; no key is cached" : "");
		src->events = NULL;
	}
	return src->cs;
}

void coapd_store_failed(struct psk_source *src, int err)
{
	if (credstore_error_keeps_connection(err))
		return;
	if (src->reading_events) {
		src->failed_while_reading = err;
		return;
	}
	credstore_events_close(src->events);
	credstore_close(src->cs);
	src->events = NULL;
	src->cs = NULL;
	/* Changes from now until notifications flow again are not heard. */
	if (src->cache)
		keycache_clear(src->cache);
}

bool coapd_keys_cacheable(const struct psk_source *src)
{
	struct pollfd p = { .events = POLLIN };

	if (!src->cache || !src->events)
		return false;
	/* A notification not read yet may retract a cached key: the store
	 * sends it before the change's author is told, so a change made
	 * before this handshake is at least waiting here. */
	p.fd = credstore_events_fd(src->events);
	return poll(&p, 1, 0) == 0;
}
