/* The clients the plugin admitted, and closing the sessions of a device
 * that may no longer connect when the store announces its change. */
#include <errno.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mosquitto.h>

#include "plugin.h"

struct session {
	const struct mosquitto *client;
	char device_id[CREDSTORE_DEVICE_ID_MAX];
};

static int by_client(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct session *)a)->client;
	uintptr_t y = (uintptr_t)((const struct session *)b)->client;

	return x < y ? -1 : x > y;
}

int sessions_add(struct plugin *p, const struct mosquitto *client, const char *device_id)
{
	struct session *s = calloc(1, sizeof(*s)), **found;

	if (!s)
		return -ENOMEM;
	s->client = client;
	found = tsearch(s, &p->sessions, by_client);
	if (!found) {
		free(s);
		return -ENOMEM;
	}
	if (*found != s) {	/* the same client authenticating again */
		free(s);
		s = *found;
	}
	strncpy(s->device_id, device_id, sizeof(s->device_id) - 1);
	return 0;
}

void sessions_remove(struct plugin *p, const struct mosquitto *client)
{
	struct session key = { .client = client }, **found;
	struct session *s;

	found = tfind(&key, &p->sessions, by_client);
	if (!found)
		return;
	s = *found;
	tdelete(&key, &p->sessions, by_client);
	free(s);
}

void sessions_free(struct plugin *p)
{
	tdestroy(p->sessions, free);
	p->sessions = NULL;
}

/* The device ids of the admitted clients, each once. */
struct id_list {
	char (*ids)[CREDSTORE_DEVICE_ID_MAX];
	size_t n, cap;
	const char *only;	/* non-NULL: collect this id alone */
	int failed;
};

static void collect(const void *node, VISIT which, void *arg)
{
	const struct session *s = *(struct session *const *)node;
	struct id_list *l = arg;
	void *grown;

	if ((which != postorder && which != leaf) || l->failed)
		return;
	if (l->only && strcmp(l->only, s->device_id))
		return;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->ids[i], s->device_id))
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		grown = realloc(l->ids, l->cap * sizeof(*l->ids));
		if (!grown) {
			l->failed = 1;
			return;
		}
		l->ids = grown;
	}
	memcpy(l->ids[l->n++], s->device_id, CREDSTORE_DEVICE_ID_MAX);
}

/* May the device still connect?  Not when it is gone or revoked.  (The
 * store refuses its credentials by itself when flags forbid them; this
 * closes the sessions it already admitted.) */
static void check_device(struct plugin *p, const char *device_id)
{
	struct credstore_device d;
	int r;

	if (!plugin_store(p))
		return;
	r = credstore_get_device(p->cs, device_id, &d);
	if (r == -ENOENT || (r == 0 && (d.flags & CREDSTORE_DEVICE_F_REVOKED))) {
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "credstore: device %s was %s: closing its sessions",
				     device_id, r ? "removed" : "revoked");
		mosquitto_kick_client_by_username(device_id, false);
	} else if (r < 0) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "credstore: cannot check device %s: %s",
				     device_id, credstore_last_error(p->cs));
		plugin_store_failed(p, r);
	}
}

/* Check the devices of the admitted clients: all of them, or one. */
static void check_sessions(struct plugin *p, const char *only)
{
	struct id_list l = { .only = only };

	twalk_r(p->sessions, collect, &l);
	if (l.failed)
		mosquitto_log_printf(MOSQ_LOG_ERR, "credstore: out of memory checking sessions");
	for (size_t i = 0; i < l.n; i++)
		check_device(p, l.ids[i]);
	free(l.ids);
}

static void on_event(const struct credstore_event *e, void *arg)
{
	struct plugin *p = arg;

	if (e->kind == CREDSTORE_KIND_DEVICE)
		check_sessions(p, e->key);
	else if (e->kind == CREDSTORE_KIND_SNAPSHOT)
		check_sessions(p, NULL);
}

void sessions_watch(struct plugin *p)
{
	static time_t last_try;
	time_t now = time(NULL);
	int r;

	if (!p->events) {
		/* Reconnect at most once a second; whatever changed in between
		 * is checked as a whole. */
		if (!p->sessions || now == last_try)
			return;
		last_try = now;
		plugin_store_failed(p, -EIO);
		if (plugin_store(p) && p->events)
			check_sessions(p, NULL);
		return;
	}
	p->reading_events = true;
	r = credstore_events_read(p->events, on_event, p);
	p->reading_events = false;
	if (r < 0)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "credstore: lost the store's notifications: %s",
				     credstore_last_error(p->cs));
	else
		r = p->failed_while_reading;
	p->failed_while_reading = 0;
	if (r < 0)
		plugin_store_failed(p, r);
}
