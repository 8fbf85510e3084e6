/* The plugin's connection to the store and its notifications, opened
 * when first needed and again after a transport failure. */

#include "plugin.h"

struct credstore *plugin_store(struct plugin *p)
{
	char why[CREDSTORE_MESSAGE_MAX];

	struct credstore_options uncached = p->opt;

	if (p->cs)
		return p->cs;
	/* The verdict cache needs the store's notifications: where this user
	 * may not hear them, ask the store at every connection. */
	uncached.flags &= ~CREDSTORE_CACHE_VERDICTS;
	if (credstore_connect(&p->cs, &p->opt, why) < 0 &&
	    (!(p->opt.flags & CREDSTORE_CACHE_VERDICTS) ||
	     credstore_connect(&p->cs, &uncached, why) < 0)) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "credstore: cannot reach the store: %s", why);
		p->cs = NULL;
		return NULL;
	}
	if (credstore_events_open(p->cs, &p->events) < 0) {
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     "credstore: no change notifications (%s): removed devices keep their sessions",
				     credstore_last_error(p->cs));
		p->events = NULL;
	}
	return p->cs;
}

void plugin_store_failed(struct plugin *p, int err)
{
	if (credstore_error_keeps_connection(err))
		return;
	if (p->reading_events) {
		p->failed_while_reading = err;
		return;
	}
	credstore_events_close(p->events);
	credstore_close(p->cs);
	p->events = NULL;
	p->cs = NULL;
}
