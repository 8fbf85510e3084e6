/* Pre-shared keys from the store: the identity must be a device id, the
 * key is that device's master secret.  The sub secret is never a key:
 * CoAP devices have no sub.
 *
 * A key read from the store may be kept in the key cache (keycache.c) for
 * --key-cache-seconds: a round trip to credstored costs a PSK handshake
 * about a fifth more CPU (bench/coap).  Only while notifications flow and
 * none waits unread (coapd_keys_cacheable), so a reset, promote, revoke
 * or removal applies to the next handshake as without the cache. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "coapd.h"

static bool is_device_id(const coap_bin_const_t *identity)
{
	if (!identity || identity->length == 0 || identity->length >= CREDSTORE_DEVICE_ID_MAX)
		return false;
	for (size_t i = 0; i < identity->length; i++)
		if (identity->s[i] < 0x21 || identity->s[i] > 0x7e)
			return false;
	return true;
}

__attribute__((format(printf, 2, 3)))
static const coap_bin_const_t *refuse(const coap_session_t *session, const char *fmt, ...)
{
	char peer[64];
	va_list ap;

	session_peer(session, peer, sizeof(peer));
	fprintf(stderr, "credstore-coapd: refused %s: ", peer);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return NULL;
}

static time_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The device's master secret from the store into src->key: 0, or NULL's
 * reason logged and a negative number. */
static int from_store(struct psk_source *src, const coap_session_t *session, const char *id)
{
	struct credstore_secrets sec;
	int r = credstore_get_device_secrets(src->cs, id, &sec);

	if (r == -ENOENT) {
		refuse(session, "no device %s", id);
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "credstore-coapd: device %s: %s\n", id, credstore_last_error(src->cs));
		coapd_store_failed(src, r);	/* a transport failure: connect again next time */
		return r;
	}
	/* coapd holds the key itself: what the flags forbid is its to refuse. */
	if (sec.flags & CREDSTORE_DEVICE_F_REVOKED) {
		refuse(session, "device %s is revoked", id);
		r = -EPERM;
	} else if (!sec.master_len) {
		refuse(session, "device %s has no master secret", id);
		r = -ENOKEY;
	} else {
		memcpy(src->key, sec.master, sec.master_len);
		src->key_ref.length = sec.master_len;
	}
	OPENSSL_cleanse(&sec, sizeof(sec));
	return r;
}

const coap_bin_const_t *psk_for_identity(coap_bin_const_t *identity, coap_session_t *session,
					 void *arg)
{
	struct psk_source *src = arg;
	char id[CREDSTORE_DEVICE_ID_MAX];
	time_t now = monotonic_seconds();
	bool cacheable;
	size_t len;

	if (!is_device_id(identity))
		return refuse(session, "the PSK identity is no device id (1 to %d printable characters)",
			      CREDSTORE_DEVICE_ID_MAX - 1);
	memcpy(id, identity->s, identity->length);
	id[identity->length] = '\0';
	if (!coapd_store(src))
		return refuse(session, "device %s: the store is not reachable", id);
	src->key_ref.s = src->key;
	cacheable = coapd_keys_cacheable(src);
	if (cacheable && keycache_get(src->cache, id, src->key, &len, now)) {
		src->key_ref.length = len;
	} else {
		if (from_store(src, session, id) < 0)
			return NULL;
		if (cacheable)
			keycache_put(src->cache, id, src->key, src->key_ref.length, now);
	}
	handshake_started(session, id);
	return &src->key_ref;
}

void psk_wipe(struct psk_source *src)
{
	OPENSSL_cleanse(src->key, sizeof(src->key));
	src->key_ref.length = 0;
}

void psk_expire(struct psk_source *src)
{
	if (src->cache)
		keycache_expire(src->cache, monotonic_seconds());
}

void psk_close(struct psk_source *src)
{
	psk_wipe(src);
	coapd_store_failed(src, -EIO);
	keycache_free(src->cache);
	src->cache = NULL;
}
