/* Certificate mode: coapd serves a store identity (its key stays in
 * credstored) and admits a device whose certificate's SHA-256 fingerprint
 * is that device's MASTER fingerprint.  The fingerprint is the trust:
 * device certificates are usually self-signed, so no chain is verified.
 * A sub fingerprint is refused, as the sub secret is in PSK mode: CoAP
 * devices have no sub.
 *
 * libcoap 4.3.1 (OpenSSL) takes a server key only as a file, a PEM or DER
 * buffer or a PKCS#11 URI (no EVP_PKEY), sets it on each handshake's SSL
 * itself, and verifies client certificates against CA files, which
 * cannot admit by fingerprint.  Its one hook into each handshake is
 * additional_tls_setup_call_back, which gets the SSL after libcoap set it
 * up.  So libcoap gets the leaf and the key's reference
 * (credstore-provider(7): a PEM that the provider, loaded by
 * credstore_ssl_ctx_use_identity(), turns into a keyless key), and the
 * hook then puts on the SSL the chain and the key made with coapd's own
 * store options (-u), and on libcoap's SSL_CTX libcredstore's admission
 * (credstore_ssl_ctx_admit_devices: the verification callback, which
 * replaces chain verification). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "coapd.h"
#include "fingerprint.h"
#include "provider/provider.h"

static struct {
	struct psk_source *src;
	const char *identity;	/* NULL: no certificate mode */
	SSL_CTX *holder;	/* made by credstore_ssl_ctx_use_identity() */
	STACK_OF(X509) *chain;	/* the holder's, after the leaf */
	SSL_CTX *admitting;	/* libcoap's context, once configured */
	BUF_MEM *leaf_pem, *ref_pem;	/* for libcoap's own setup */
} pki;

/* The store's verdict, master only. */
static int master_only(void *arg, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
		       struct credstore_verdict *out, char *reason)
{
	struct psk_source *src = arg;
	char hex[CS_FINGERPRINT_HEX_LEN + 1];
	int r;

	if (!coapd_store(src)) {
		snprintf(reason, CREDSTORE_MESSAGE_MAX, "the store is not reachable");
		return -EIO;
	}
	r = credstore_verify_fingerprint(src->cs, fp, NULL, out);
	if (r < 0) {
		snprintf(reason, CREDSTORE_MESSAGE_MAX, "the store did not answer: %s",
			 credstore_last_error(src->cs));
		coapd_store_failed(src, r);
		return r;
	}
	if (out->match == CREDSTORE_MATCH_SUB) {
		cs_fingerprint_format(fp, hex);
		snprintf(reason, CREDSTORE_MESSAGE_MAX, "certificate %s is device %s's sub: CoAP "
			 "devices have no sub, only the master is admitted", hex, out->device_id);
		return -EPERM;
	}
	return 0;
}

/* Each handshake, after libcoap's own setup of the SSL (PSK ones too,
 * where a certificate request is never sent). */
static int on_tls_setup(void *tls, coap_dtls_pki_t *setup)
{
	SSL *ssl = tls;
	SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);

	(void)setup;
	if (ctx != pki.admitting) {
		if (credstore_ssl_ctx_admit_devices(ctx, master_only, pki.src, 0) < 0)
			return 0;
		pki.admitting = ctx;
	}
	/* This SSL was made before the context's settings: the same here. */
	SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_set_options(ssl, SSL_OP_NO_TICKET);
	return SSL_use_certificate(ssl, SSL_CTX_get0_certificate(pki.holder)) == 1 &&
	       SSL_set1_chain(ssl, pki.chain) == 1 &&
	       SSL_use_PrivateKey(ssl, SSL_CTX_get0_privatekey(pki.holder)) == 1;
}

/* The leaf and the key's reference in PEM, NUL-terminated as libcoap
 * wants its buffers. */
static int make_pems(X509 *leaf, const char *identity)
{
	BIO *mem[2] = { BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()) };
	BUF_MEM **out[2] = { &pki.leaf_pem, &pki.ref_pem };
	int ok = mem[0] && mem[1] && PEM_write_bio_X509(mem[0], leaf) == 1 &&
		 cs_keyref_write_pem(mem[1], identity, X509_get0_pubkey(leaf)) == 0;

	for (int i = 0; i < 2; i++) {
		if (ok && BIO_write(mem[i], "", 1) == 1) {
			BIO_get_mem_ptr(mem[i], out[i]);
			BIO_set_close(mem[i], BIO_NOCLOSE);
		} else {
			ok = 0;
		}
		BIO_free(mem[i]);
	}
	return ok ? 0 : -ENOMEM;
}

/* The identity's chain and keyless key, into a new holder that replaces
 * the old one (SSLs hold references to what they use). */
static int load_identity(struct psk_source *src)
{
	struct credstore_identity *id = NULL;
	STACK_OF(X509) *chain = NULL;
	SSL_CTX *holder;
	int r;

	if (!coapd_store(src))
		return -EIO;
	r = credstore_get_identity(src->cs, pki.identity, &id);
	if (r < 0) {
		fprintf(stderr, "credstore-coapd: identity %s: %s\n", pki.identity,
			credstore_last_error(src->cs));
		coapd_store_failed(src, r);
		return r;
	}
	holder = SSL_CTX_new(DTLS_server_method());
	r = holder ? credstore_ssl_ctx_use_identity(holder, src->cs, id) : -ENOMEM;
	if (!r && SSL_CTX_get0_chain_certs(holder, &chain) != 1)
		r = -EINVAL;
	credstore_identity_free(id);
	if (r < 0) {
		fprintf(stderr, "credstore-coapd: identity %s cannot be served (%s)\n",
			pki.identity, strerror(-r));
		SSL_CTX_free(holder);
		return r;
	}
	SSL_CTX_free(pki.holder);
	pki.holder = holder;
	pki.chain = chain;
	return 0;
}

int pki_setup(coap_context_t *ctx, struct psk_source *src, const char *identity)
{
	coap_dtls_pki_t setup = {
		.version = COAP_DTLS_PKI_SETUP_VERSION,
		.verify_peer_cert = 1,		/* request a client certificate */
		.additional_tls_setup_call_back = on_tls_setup,
		.pki_key.key_type = COAP_PKI_KEY_PEM_BUF,
	};
	int r;

	pki.src = src;
	pki.identity = identity;
	r = load_identity(src);
	if (!r)
		r = make_pems(SSL_CTX_get0_certificate(pki.holder), identity);
	if (r < 0)
		return r;
	setup.pki_key.key.pem_buf.public_cert = (const uint8_t *)pki.leaf_pem->data;
	setup.pki_key.key.pem_buf.public_cert_len = pki.leaf_pem->length;
	setup.pki_key.key.pem_buf.private_key = (const uint8_t *)pki.ref_pem->data;
	setup.pki_key.key.pem_buf.private_key_len = pki.ref_pem->length;
	if (!coap_context_set_pki(ctx, &setup)) {
		fprintf(stderr, "credstore-coapd: libcoap cannot do DTLS with certificates\n");
		return -EINVAL;
	}
	return 0;
}

/* libcoap keeps the PEMs of the start for its own setup (a leaf and its
 * key's reference: they match, and reading them asks credstored
 * nothing); what each handshake serves is the holder's, reloaded here. */
void pki_identity_changed(struct psk_source *src, const char *name)
{
	if (!pki.identity || (name && strcmp(name, pki.identity)))
		return;
	if (load_identity(src) == 0)
		fprintf(stderr, "credstore-coapd: serving identity %s as the store has it now\n",
			pki.identity);
	else
		fprintf(stderr, "credstore-coapd: keeping identity %s as it was\n", pki.identity);
}

void pki_free(void)
{
	SSL_CTX_free(pki.holder);
	BUF_MEM_free(pki.leaf_pem);
	BUF_MEM_free(pki.ref_pem);
	memset(&pki, 0, sizeof(pki));
}

static SSL *session_ssl(const coap_session_t *session)
{
	coap_tls_library_t type;
	SSL *ssl = coap_session_get_tls(session, &type);

	return type == COAP_TLS_LIBRARY_OPENSSL ? ssl : NULL;
}

bool pki_session_device(const coap_session_t *session, char out[CREDSTORE_DEVICE_ID_MAX])
{
	struct credstore_admission adm;
	SSL *ssl = session_ssl(session);

	if (!ssl || credstore_ssl_get_admission(ssl, &adm) < 0 || !adm.admitted)
		return false;
	memcpy(out, adm.verdict.device_id, CREDSTORE_DEVICE_ID_MAX);
	return true;
}

bool pki_refusal(const coap_session_t *session, char out[CREDSTORE_MESSAGE_MAX])
{
	struct credstore_admission adm;
	SSL *ssl = session_ssl(session);
	const SSL_CIPHER *cipher = ssl ? SSL_get_pending_cipher(ssl) : NULL;

	if (!ssl)
		return false;
	if (credstore_ssl_get_admission(ssl, &adm) == 0) {
		memcpy(out, adm.reason, CREDSTORE_MESSAGE_MAX);
		return !adm.admitted;
	}
	/* A certificate handshake (not PSK: its cipher, chosen at the
	 * ServerHello) that ended before the device's certificate was
	 * checked; from here the causes look alike. */
	if (!pki.identity || !cipher || SSL_CIPHER_get_auth_nid(cipher) == NID_auth_psk)
		return false;
	snprintf(out, CREDSTORE_MESSAGE_MAX, "the handshake ended before a device certificate was "
		 "checked (the device sent none or refused the server's, or credstored did not sign)");
	return true;
}
