/* Pre-shared keys from the store: the identity must be a device id, the
 * key is that device's master secret.  The sub secret is never a key:
 * CoAP devices have no sub. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

const coap_bin_const_t *psk_for_identity(coap_bin_const_t *identity, coap_session_t *session,
					 void *arg)
{
	struct psk_source *src = arg;
	char id[CREDSTORE_DEVICE_ID_MAX];
	struct credstore_secrets sec;
	int r;

	if (!is_device_id(identity))
		return refuse(session, "the PSK identity is no device id (1 to %d printable characters)",
			      CREDSTORE_DEVICE_ID_MAX - 1);
	memcpy(id, identity->s, identity->length);
	id[identity->length] = '\0';
	if (!coapd_store(src))
		return refuse(session, "device %s: the store is not reachable", id);
	r = credstore_get_device_secrets(src->cs, id, &sec);
	if (r == -ENOENT)
		return refuse(session, "no device %s", id);
	if (r < 0) {
		fprintf(stderr, "credstore-coapd: device %s: %s\n", id, credstore_last_error(src->cs));
		coapd_store_failed(src, r);	/* a transport failure: connect again next time */
		return NULL;
	}
	/* coapd holds the key itself: what the flags forbid is its to refuse. */
	if (sec.flags & CREDSTORE_DEVICE_F_REVOKED) {
		OPENSSL_cleanse(&sec, sizeof(sec));
		return refuse(session, "device %s is revoked", id);
	}
	if (!sec.master_len) {
		OPENSSL_cleanse(&sec, sizeof(sec));
		return refuse(session, "device %s has no master secret", id);
	}
	memcpy(src->key, sec.master, sec.master_len);
	src->key_ref.s = src->key;
	src->key_ref.length = sec.master_len;
	OPENSSL_cleanse(&sec, sizeof(sec));
	handshake_started(session, id);
	return &src->key_ref;
}

void psk_wipe(struct psk_source *src)
{
	OPENSSL_cleanse(src->key, sizeof(src->key));
	src->key_ref.length = 0;
}

void psk_close(struct psk_source *src)
{
	psk_wipe(src);
	coapd_store_failed(src, -EIO);
}
