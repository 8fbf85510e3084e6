/* credstore-mosquitto: a plugin for mosquitto 2.0 (plugin API v5) that
 * admits devices by the store's credentials: a client certificate whose
 * fingerprint is a device's master or sub, or username = device id with
 * its master or sub secret, or an HMAC-SHA256 of a timestamp keyed with
 * one (verified by the store, the secret never leaves it).  It hears the
 * store's notifications on the broker's tick and closes the sessions of
 * a device that is gone. */
#ifndef CREDSTORE_MOSQUITTO_PLUGIN_H
#define CREDSTORE_MOSQUITTO_PLUGIN_H

#include <stdbool.h>
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <credstore/credstore.h>

struct plugin {
	mosquitto_plugin_id_t *id;
	struct credstore_options opt;	/* opt.runtime_dir: runtime_dir */
	char *runtime_dir;		/* plugin_opt_runtime_dir, or NULL */
	struct credstore *cs;		/* NULL until needed, and after a failure */
	struct credstore_events *events;
	/* Within credstore_events_read(): a failure found by a handler is
	 * kept here, and the connection dropped when the read returns
	 * (closing the events under the read would free what it reads). */
	bool reading_events;
	int failed_while_reading;
	unsigned int hmac_window;	/* seconds either side of now; 0: any time */
	void *sessions;			/* tsearch() tree of struct session */
};

/* The store connection, opened on first use (and again after a transport
 * failure); NULL with a message logged when the store is not there. */
struct credstore *plugin_store(struct plugin *p);
/* Drop the connection after a call failed for want of an answer
 * (credstore_error_keeps_connection()): the next use connects again (a
 * restarted daemon, a reloaded module). */
void plugin_store_failed(struct plugin *p, int err);

/* MOSQ_EVT_BASIC_AUTH: decide, log, and remember whom we admitted. */
int auth_basic(struct plugin *p, struct mosquitto_evt_basic_auth *ed);

/* The clients we admitted, by device id (sessions.c). */
int sessions_add(struct plugin *p, const struct mosquitto *client, const char *device_id);
void sessions_remove(struct plugin *p, const struct mosquitto *client);
void sessions_free(struct plugin *p);
/* Read the store's notifications (MOSQ_EVT_TICK) and close the sessions
 * of devices that may no longer connect. */
void sessions_watch(struct plugin *p);

#endif
