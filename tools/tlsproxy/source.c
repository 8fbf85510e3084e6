#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>

#include "pins.h"
#include "source.h"

struct source {
	const struct source_config *cfg;
	struct credstore *store;		/* store mode */
	struct credstore_events *events;
	struct pins *pins;			/* PEM mode */
	bool changed;
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

static int load_from_store(struct source *src, SSL_CTX *ctx, char *why)
{
	struct credstore_identity *id;
	unsigned int flags = src->cfg->require_anchor ? CREDSTORE_SSL_REQUIRE_CHAIN : 0;
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
	ret = credstore_ssl_ctx_admit_store_devices(ctx, src->store, flags);
	if (ret < 0)
		snprintf(why, CREDSTORE_MESSAGE_MAX, "trust anchors: %s",
			 credstore_last_error(src->store));
	return ret;
}

static int load_from_files(struct source *src, SSL_CTX *ctx, char *why)
{
	const struct source_config *cfg = src->cfg;
	unsigned int flags = cfg->require_anchor ? CREDSTORE_SSL_REQUIRE_CHAIN : 0;

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

SSL_CTX *source_new_ctx(struct source *src, char *why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int ret;

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

static void on_event(const struct credstore_event *event, void *arg)
{
	struct source *src = arg;

	switch (event->kind) {
	case CREDSTORE_KIND_IDENTITY:
		if (strcmp(event->key, src->cfg->identity) == 0)
			src->changed = true;
		break;
	case CREDSTORE_KIND_ANCHOR:
		if (src->cfg->require_anchor)
			src->changed = true;
		break;
	case CREDSTORE_KIND_SNAPSHOT:
		src->changed = true;
		break;
	default:	/* devices are asked at every handshake */
		break;
	}
}

bool source_changed(struct source *src)
{
	if (!src->events)
		return false;
	src->changed = false;
	credstore_events_read(src->events, on_event, src);
	return src->changed;
}
