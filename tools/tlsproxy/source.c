#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>

#include "pins.h"
#include "proxy.h"
#include "source.h"

struct source {
	const struct source_config *cfg;
	struct credstore *store;		/* store mode */
	struct credstore_events *events;
	struct pins *pins;			/* PEM mode */
	struct source_news *news;		/* filled by source_read() */
	bool crls_missing;			/* said once, not at every reload */
};

static bool pem_mode(const struct source *src)
{
	return src->cfg->cert_file != NULL;
}

struct source *source_open(const struct source_config *cfg, char *why)
{
	struct source *src = calloc(1, sizeof(*src));
	int ret;

	if (!src) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory");
		return NULL;
	}
	src->cfg = cfg;
	if (pem_mode(src)) {
		src->pins = pins_load(cfg->pins_file, why);
		if (!src->pins) {
			free(src);
			return NULL;
		}
		return src;
	}
	ret = credstore_connect(&src->store, &cfg->store, why);
	if (!ret && credstore_events_open(src->store, &src->events) < 0) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "%s", credstore_last_error(src->store));
		ret = -1;
	}
	if (ret) {
		source_close(src);
		return NULL;
	}
	return src;
}

void source_close(struct source *src)
{
	if (!src)
		return;
	credstore_events_close(src->events);
	credstore_close(src->store);
	pins_free(src->pins);
	free(src);
}

const char *source_name(const struct source *src)
{
	if (pem_mode(src))
		return "PEM files";
	return credstore_transport(src->store) == CREDSTORE_TRANSPORT_KERNEL ? "credstore.ko"
									      : "credstored";
}

static int openssl_failed(const char *what, char *why)
{
	char detail[160];

	ERR_error_string_n(ERR_get_error(), detail, sizeof(detail));
	snprintf(why, CREDSTORE_MESSAGE_MAX, "%s: %s", what, detail);
	ERR_clear_error();
	return -1;
}

static unsigned int admit_flags(const struct source_config *cfg)
{
	return (cfg->require_anchor ? CREDSTORE_SSL_REQUIRE_CHAIN : 0) |
	       (cfg->allow_expired ? CREDSTORE_SSL_ALLOW_EXPIRED : 0);
}

/* The anchors' CRLs come from credstored.  On the module without the
 * daemon (restarting, say) devices are still admitted, and the log says
 * that CRLs are not applied until it is back. */
static int load_crls(struct source *src, SSL_CTX *ctx, char *why)
{
	STACK_OF(X509_CRL) *crls = NULL;
	int ret = credstore_get_crls(src->store, &crls);

	if (ret < 0 && credstore_transport(src->store) == CREDSTORE_TRANSPORT_KERNEL &&
	    (ret == -ECONNREFUSED || ret == -ETIMEDOUT)) {
		if (!src->crls_missing)
			proxy_log("CRLs not applied: %s", credstore_last_error(src->store));
		src->crls_missing = true;
		return 0;
	}
	if (ret < 0) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "CRLs: %s", credstore_last_error(src->store));
		return ret;
	}
	src->crls_missing = false;
	ret = credstore_ssl_ctx_use_crls(ctx, crls);
	if (ret < 0)
		snprintf(why, CREDSTORE_MESSAGE_MAX, "CRLs: out of memory");
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return ret;
}

static int load_from_store(struct source *src, SSL_CTX *ctx, char *why)
{
	struct credstore_identity *id;
	int ret = credstore_get_identity(src->store, src->cfg->identity, &id);

	if (ret < 0) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "identity %s: %s", src->cfg->identity,
			 credstore_last_error(src->store));
		return ret;
	}
	ret = credstore_ssl_ctx_use_identity(ctx, src->store, id);
	credstore_identity_free(id);
	if (ret < 0)
		return openssl_failed("cannot use the store's identity", why);
	if (src->cfg->no_client_cert)
		return 0;
	ret = credstore_ssl_ctx_admit_store_devices(ctx, src->store, admit_flags(src->cfg));
	if (ret < 0) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "trust anchors: %s",
			 credstore_last_error(src->store));
		return ret;
	}
	return load_crls(src, ctx, why);
}

static int load_from_files(struct source *src, SSL_CTX *ctx, char *why)
{
	const struct source_config *cfg = src->cfg;
	unsigned int flags = admit_flags(cfg);

	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1)
		return openssl_failed(cfg->cert_file, why);
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return openssl_failed(cfg->key_file, why);
	if (cfg->ca_file && SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1)
		return openssl_failed(cfg->ca_file, why);
	if (credstore_ssl_ctx_admit_devices(ctx, pins_lookup, src->pins, flags) < 0) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory");
		return -1;
	}
	return 0;
}

SSL_CTX *source_new_ctx(struct source *src, char *why, bool *gone)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int ret;

	*gone = false;
	if (!ctx) {
		openssl_failed("cannot create a TLS context", why);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* A device that drops the connection without close_notify is an
	 * end of stream, not an error worth a log line. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	ret = pem_mode(src) ? load_from_files(src, ctx, why) : load_from_store(src, ctx, why);
	*gone = ret == -ENOENT && !pem_mode(src);
	if (ret < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int source_events_fd(const struct source *src)
{
	return src->events ? credstore_events_fd(src->events) : -1;
}

static void note_revoked(struct source_news *news, const char *device)
{
	void *p = realloc(news->revoked, (news->n_revoked + 1) * sizeof(*news->revoked));

	if (!p) {
		news->recheck = true;	/* find it the long way */
		return;
	}
	news->revoked = p;
	snprintf(news->revoked[news->n_revoked++], CREDSTORE_DEVICE_ID_MAX, "%s", device);
}

static void on_event(const struct credstore_event *event, void *arg)
{
	struct source *src = arg;
	struct source_news *news = src->news;

	switch (event->kind) {
	case CREDSTORE_KIND_IDENTITY:
		if (strcmp(event->key, src->cfg->identity) == 0)
			news->reload = true;
		break;
	case CREDSTORE_KIND_ANCHOR:	/* its certificate or its CRL */
		news->reload = true;
		break;
	case CREDSTORE_KIND_SNAPSHOT:
		news->reload = news->recheck = true;
		break;
	case CREDSTORE_KIND_DEVICE:	/* asked at every handshake; a revoked one is cut */
		if (event->event != CREDSTORE_EVENT_REMOVED &&
		    (event->flags & CREDSTORE_DEVICE_F_REVOKED))
			note_revoked(news, event->key);
		break;
	default:
		break;
	}
}

void source_read(struct source *src, struct source_news *news)
{
	memset(news, 0, sizeof(*news));
	if (!src->events)
		return;
	src->news = news;
	credstore_events_read(src->events, on_event, src);
	src->news = NULL;
}

void source_news_release(struct source_news *news)
{
	free(news->revoked);
	news->revoked = NULL;
	news->n_revoked = 0;
}

bool source_device_revoked(struct source *src, const char *device)
{
	struct credstore_device d;

	return src->store && credstore_get_device(src->store, device, &d) == 0 &&
	       (d.flags & CREDSTORE_DEVICE_F_REVOKED);
}
