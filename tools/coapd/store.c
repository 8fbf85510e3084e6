/* coapd's connection to the store and its change notifications, opened
 * when first needed and again after a transport failure. */
#include <errno.h>
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
			"their open sessions\n", credstore_last_error(src->cs));
		src->events = NULL;
	}
	return src->cs;
}

void coapd_store_failed(struct psk_source *src, int err)
{
	/* Answers about the request itself keep the connection. */
	if (err == -ENOENT || err == -EINVAL || err == -EPERM || err == -ENAMETOOLONG)
		return;
	credstore_events_close(src->events);
	credstore_close(src->cs);
	src->events = NULL;
	src->cs = NULL;
}
