/* credstore-coapd: a CoAP-over-DTLS resource server on libcoap3 whose
 * pre-shared keys are the store's: PSK identity = device id, key = the
 * device's master secret (CoAP devices have no sub); optionally also
 * certificates, admitted by the device's master fingerprint.  A handshake
 * asks the store, or takes the key from a short-lived cache that every
 * notification about the device empties, so a rotation applies to the
 * next handshake. */
#ifndef CREDSTORE_COAPD_H
#define CREDSTORE_COAPD_H

#include <stdbool.h>
#include <coap3/coap.h>
#include <credstore/credstore.h>

#include "keycache.h"

struct psk_source {
	struct credstore_options opt;
	struct credstore *cs;		/* NULL until needed, and after a failure */
	struct credstore_events *events;	/* on cs; NULL when it has none */
	/* Within credstore_events_read(): a failure found by a handler is
	 * kept here, and the connection dropped when the read returns
	 * (closing the events under the read would free what it reads). */
	bool reading_events;
	int failed_while_reading;
	struct keycache *cache;		/* NULL: ask the store every time */
	bool quiet;			/* log refusals only */
	/* The key handed to libcoap, which copies it at once; wiped after
	 * each round of the event loop. */
	uint8_t key[CREDSTORE_SECRET_MAX];
	coap_bin_const_t key_ref;
};

/* libcoap's identity callback (coap_dtls_spsk_t.validate_id_call_back):
 * the device's master secret, or NULL to refuse the handshake. */
const coap_bin_const_t *psk_for_identity(coap_bin_const_t *identity, coap_session_t *session,
					 void *arg);
void psk_wipe(struct psk_source *src);
/* Wipe the cached keys past their time (once a second at most). */
void psk_expire(struct psk_source *src);
void psk_close(struct psk_source *src);

/* The store and its notifications, connected when first needed (store.c);
 * a failure err that leaves the connection unusable
 * (credstore_error_keeps_connection()) closes both, to connect again next
 * time, and empties the key cache. */
struct credstore *coapd_store(struct psk_source *src);
void coapd_store_failed(struct psk_source *src, int err);
/* May a key be taken from, or put in, the cache now?  Not without
 * notifications, nor while one waits unread. */
bool coapd_keys_cacheable(const struct psk_source *src);

/* Open DTLS sessions by device (sessions.c): sessions_check() ends those
 * of a device (only; NULL: of every device) that is revoked or removed. */
void sessions_add(coap_session_t *session);
void sessions_remove(const coap_session_t *session);
void sessions_free(void);
void sessions_check(struct psk_source *src, const char *only);
size_t sessions_open(void);

/* The store's notifications (events.c): watch events_fd() (-1: none) and
 * call events_watch() when it is readable, or once a second. */
int events_fd(const struct psk_source *src);
void events_watch(struct psk_source *src);

/* Handshakes whose key was handed out, until they complete (handshakes.c):
 * those that end otherwise, or take too long, are logged as failed. */
void handshake_started(const coap_session_t *session, const char *device_id);
void handshake_ended(const coap_session_t *session, bool connected);
void handshakes_expire(void);

/* Certificate mode (pki.c): serve the store's identity (keyless) and
 * admit a device by its certificate's master fingerprint. */
int pki_setup(coap_context_t *ctx, struct psk_source *src, const char *identity);
void pki_free(void);	/* after the libcoap context */
/* The store changed identity name (NULL: anything may have): serve it
 * anew if it is ours, from the next handshake on. */
void pki_identity_changed(struct psk_source *src, const char *name);
/* The device a certificate admitted on this session (false: none). */
bool pki_session_device(const coap_session_t *session, char out[CREDSTORE_DEVICE_ID_MAX]);
/* Why a certificate handshake failed on this session (false: it did not,
 * or it was a PSK one). */
bool pki_refusal(const coap_session_t *session, char out[CREDSTORE_MESSAGE_MAX]);

/* The resources: /whoami (GET) and /report (POST, PUT). */
int resources_add(coap_context_t *ctx, bool quiet);

/* The device id of a DTLS session, printable ("?" when none). */
void session_device(const coap_session_t *session, char out[CREDSTORE_DEVICE_ID_MAX]);
/* The peer's address, for logs. */
void session_peer(const coap_session_t *session, char *out, size_t size);

#endif
