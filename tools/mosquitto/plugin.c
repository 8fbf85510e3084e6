/* The plugin's entry points (mosquitto 2.0, plugin API v5) and its
 * options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <mosquitto.h>

#include "plugin.h"
#include "user.h"
#include <mosquitto_plugin.h>	/* after mosquitto_broker.h, which it needs */

#define PLUGIN_API_VERSION	5
#define DEFAULT_TIMEOUT_MS	1000	/* the broker waits for the store this long */
#define DEFAULT_HMAC_WINDOW	300

static int on_basic_auth(int event, void *data, void *userdata)
{
	(void)event;
	return auth_basic(userdata, data);
}

static int on_disconnect(int event, void *data, void *userdata)
{
	struct mosquitto_evt_disconnect *ed = data;

	(void)event;
	sessions_remove(userdata, ed->client);
	return MOSQ_ERR_SUCCESS;
}

static int on_tick(int event, void *data, void *userdata)
{
	(void)event;
	(void)data;
	sessions_watch(userdata);
	return MOSQ_ERR_SUCCESS;
}

static const struct {
	int event;
	MOSQ_FUNC_generic_callback fn;
} callbacks[] = {
	{ MOSQ_EVT_BASIC_AUTH, on_basic_auth },
	{ MOSQ_EVT_DISCONNECT, on_disconnect },
	{ MOSQ_EVT_TICK, on_tick },
};

/* A whole number in [min, max]. */
static int parse_number(const char *text, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || end == text || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int parse_option(struct plugin *p, const char *key, const char *value)
{
	long n;

	if (!strcmp(key, "transport")) {
		if (!strcmp(value, "auto"))
			p->opt.transport = CREDSTORE_TRANSPORT_AUTO;
		else if (!strcmp(value, "kernel"))
			p->opt.transport = CREDSTORE_TRANSPORT_KERNEL;
		else if (!strcmp(value, "daemon"))
			p->opt.transport = CREDSTORE_TRANSPORT_DAEMON;
		else
			return -1;
	} else if (!strcmp(key, "daemon_user")) {
		if (cs_parse_user(value, &p->opt.daemon_uid))
			return -1;
	} else if (!strcmp(key, "runtime_dir")) {
		if (value[0] != '/' || p->runtime_dir)
			return -1;
		p->runtime_dir = strdup(value);
		if (!p->runtime_dir)
			return -1;
		p->opt.runtime_dir = p->runtime_dir;
	} else if (!strcmp(key, "timeout_ms")) {
		if (parse_number(value, 1, 60000, &n))
			return -1;
		p->opt.timeout_ms = (int)n;
	} else if (!strcmp(key, "hmac_window")) {
		if (parse_number(value, 0, 366L * 86400, &n))
			return -1;
		p->hmac_window = (unsigned int)n;
	} else if (!strcmp(key, "cache")) {
		if (!strcmp(value, "yes"))
			p->opt.flags |= CREDSTORE_CACHE_VERDICTS;
		else if (!strcmp(value, "no"))
			p->opt.flags &= ~CREDSTORE_CACHE_VERDICTS;
		else
			return -1;
	} else {
		return -1;
	}
	return 0;
}

static void plugin_free(struct plugin *p)
{
	for (size_t i = 0; i < sizeof(callbacks) / sizeof(callbacks[0]); i++)
		mosquitto_callback_unregister(p->id, callbacks[i].event, callbacks[i].fn, NULL);
	sessions_free(p);
	credstore_events_close(p->events);
	credstore_close(p->cs);
	free(p->runtime_dir);
	free(p);
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == PLUGIN_API_VERSION)
			return PLUGIN_API_VERSION;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
			  struct mosquitto_opt *options, int option_count)
{
	struct plugin *p = calloc(1, sizeof(*p));

	if (!p)
		return MOSQ_ERR_NOMEM;
	p->id = identifier;
	p->opt.timeout_ms = DEFAULT_TIMEOUT_MS;
	p->opt.flags = CREDSTORE_CACHE_VERDICTS;
	p->hmac_window = DEFAULT_HMAC_WINDOW;
	for (int i = 0; i < option_count; i++) {
		if (parse_option(p, options[i].key, options[i].value)) {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     "credstore: bad option plugin_opt_%s %s (see credstore-mosquitto(8))",
					     options[i].key, options[i].value);
			free(p->runtime_dir);
			free(p);
			return MOSQ_ERR_INVAL;
		}
	}
	for (size_t i = 0; i < sizeof(callbacks) / sizeof(callbacks[0]); i++) {
		if (mosquitto_callback_register(identifier, callbacks[i].event, callbacks[i].fn,
						NULL, p) != MOSQ_ERR_SUCCESS) {
			plugin_free(p);
			return MOSQ_ERR_UNKNOWN;
		}
	}
	/* A store that is not up yet is no reason to stop the broker: the
	 * first connection tries again. */
	plugin_store(p);
	*userdata = p;
	mosquitto_log_printf(MOSQ_LOG_INFO, "credstore: devices admitted by the store (%s)",
			     p->cs ? (credstore_transport(p->cs) == CREDSTORE_TRANSPORT_KERNEL ?
				      "credstore.ko" : "credstored") : "not reachable yet");
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)options;
	(void)option_count;
	plugin_free(userdata);
	return MOSQ_ERR_SUCCESS;
}
