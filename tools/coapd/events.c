/* The store's change notifications: a device's event retracts its cached
 * key and has its open sessions checked (sessions.c); a change of an
 * identity may be the server's own certificate (certificate mode, pki.c);
 * a SNAPSHOT (the store was remounted, or notifications were lost)
 * retracts every key, checks every session and the identity, and
 * subscribes again from scratch, so that keys are cached again only once
 * notifications are known to flow. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "coapd.h"

struct watch_round {
	struct psk_source *src;
	bool snapshot;
};

static void on_store_event(const struct credstore_event *e, void *arg)
{
	struct watch_round *w = arg;

	if (e->kind == CREDSTORE_KIND_DEVICE) {
		if (w->src->cache)
			keycache_forget(w->src->cache, e->key);
		sessions_check(w->src, e->key);
	} else if (e->kind == CREDSTORE_KIND_IDENTITY && e->event == CREDSTORE_EVENT_CHANGED) {
		pki_identity_changed(w->src, e->key);
	} else if (e->kind == CREDSTORE_KIND_SNAPSHOT) {
		if (w->src->cache)
			keycache_clear(w->src->cache);
		sessions_check(w->src, NULL);
		pki_identity_changed(w->src, NULL);
		w->snapshot = true;
	}
}

int events_fd(const struct psk_source *src)
{
	return src->events ? credstore_events_fd(src->events) : -1;
}

void events_watch(struct psk_source *src)
{
	static time_t last_try;
	struct watch_round w = { .src = src };
	time_t now = time(NULL);
	int r;

	if (!src->events) {
		/* Without notifications, connect again at most once a second;
		 * whatever changed in between is checked as a whole. */
		if (!sessions_open() || now == last_try)
			return;
		last_try = now;
		coapd_store_failed(src, -EIO);
		if (coapd_store(src) && src->events)
			sessions_check(src, NULL);
		return;
	}
	src->reading_events = true;
	r = credstore_events_read(src->events, on_store_event, &w);
	src->reading_events = false;
	if (r < 0)
		fprintf(stderr, "credstore-coapd: lost the store's notifications: %s\n",
			credstore_last_error(src->cs));
	else
		r = src->failed_while_reading;
	src->failed_while_reading = 0;
	if (r < 0) {
		coapd_store_failed(src, r);
	} else if (w.snapshot && src->cache) {
		/* The library subscribes again by itself, but may be left
		 * waiting to; only a subscription of ours says it is there. */
		coapd_store_failed(src, -EIO);
		coapd_store(src);
	}
}
