/* OpenSSL helpers for TLS servers: serve a store identity keyless (its
 * key a reference through the provider), and admit a client certificate
 * by its fingerprint.  The admission runs as the
 * context's certificate verification callback (one store query per
 * handshake), and its verdict stays attached to the SSL for the caller's
 * log. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "conn.h"
#include "fingerprint.h"
#include "provider/provider.h"

struct admit_config {
	credstore_fingerprint_lookup *lookup;
	void *arg;
	unsigned int flags;
	STACK_OF(X509_CRL) *crls;	/* credstore_ssl_ctx_use_crls() */
};

static CRYPTO_ONCE indexes_once = CRYPTO_ONCE_STATIC_INIT;
static int ctx_config_index = -1;	/* SSL_CTX -> struct admit_config */
static int admission_index = -1;	/* SSL -> struct credstore_admission */

static void free_ex(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	free(ptr);
}

static void free_config(struct admit_config *cfg)
{
	if (cfg)
		sk_X509_CRL_pop_free(cfg->crls, X509_CRL_free);
	free(cfg);
}

static void free_config_ex(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
			   void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	free_config(ptr);
}

static void create_indexes(void)
{
	ctx_config_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_config_ex);
	admission_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_ex);
}

static int indexes(void)
{
	if (!CRYPTO_THREAD_run_once(&indexes_once, create_indexes) ||
	    ctx_config_index < 0 || admission_index < 0)
		return -ENOMEM;
	return 0;
}

static CRYPTO_ONCE provider_once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_PROVIDER *provider;		/* loaded here, or NULL */
static int provider_loaded;

/* At OPENSSL_cleanup(), before the library context goes. */
static void unload_provider(void)
{
	OSSL_PROVIDER_unload(provider);
	provider = NULL;
}

/* The provider, into the default library context.  Loading one provider
 * by hand turns off the automatic loading of the default provider: a
 * fetch first lets that happen as it would have. */
static void load_provider(void)
{
	EVP_MD_free(EVP_MD_fetch(NULL, "SHA256", NULL));
	if (OSSL_PROVIDER_available(NULL, CS_PROV_NAME)) {
		provider_loaded = 1;
		return;
	}
	if (OSSL_PROVIDER_add_builtin(NULL, CS_PROV_NAME, credstore_provider_init))
		provider = OSSL_PROVIDER_load(NULL, CS_PROV_NAME);
	provider_loaded = provider && OPENSSL_atexit(unload_provider);
}

/* A key of the provider, for the leaf's public key, signing through
 * connections made with cs's options. */
static EVP_PKEY *keyless_key(struct credstore *cs, const char *identity, X509 *leaf)
{
	unsigned int uid = (unsigned int)cs->daemon_uid;
	int timeout_ms = cs->timeout_ms;
	OSSL_PARAM params[] = {
		OSSL_PARAM_uint("credstore-daemon-uid", &uid),
		OSSL_PARAM_int("credstore-timeout-ms", &timeout_ms),
		OSSL_PARAM_construct_utf8_string("credstore-runtime-dir",
						 (char *)cs_runtime_dir(cs->runtime_dir), 0),
		OSSL_PARAM_END
	};
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *key = NULL;
	const unsigned char *p;
	unsigned char *der;
	size_t len;

	if (cs_keyref_to_der(identity, X509_get0_pubkey(leaf), &der, &len) < 0)
		return NULL;
	p = der;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&key, "DER", CS_KEYREF_STRUCTURE, NULL,
					     OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, "provider=" CS_PROV_NAME);
	if (!dctx || !OSSL_DECODER_from_data(dctx, &p, &len) || !key ||
	    EVP_PKEY_set_params(key, params) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	OPENSSL_free(der);
	return key;
}

int credstore_ssl_ctx_use_identity(SSL_CTX *ctx, struct credstore *cs,
				   const struct credstore_identity *id)
{
	int n = sk_X509_num(id->chain);
	EVP_PKEY *key;
	int ret = 0;

	if (n < 1)
		return -EINVAL;
	if (!CRYPTO_THREAD_run_once(&provider_once, load_provider) || !provider_loaded)
		return -ENOPKG;
	if (SSL_CTX_use_certificate(ctx, sk_X509_value(id->chain, 0)) != 1 ||
	    SSL_CTX_clear_chain_certs(ctx) != 1)
		return -EINVAL;
	for (int i = 1; i < n; i++)
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(id->chain, i)) != 1)
			return -ENOMEM;
	key = keyless_key(cs, id->name, sk_X509_value(id->chain, 0));
	if (!key || SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		ret = -EINVAL;
	EVP_PKEY_free(key);
	return ret;
}

/* Record a refusal and tell OpenSSL which alert it deserves. */
__attribute__((format(printf, 4, 5)))
static int refuse(X509_STORE_CTX *x509, struct credstore_admission *adm, int x509_error,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(adm->reason, sizeof(adm->reason), fmt, ap);
	va_end(ap);
	X509_STORE_CTX_set_error(x509, x509_error);
	return 0;
}

/* The CRL of cert's issuer lists it?  A certificate whose issuer has no
 * CRL here is not checked (an anchor without a CRL revokes nothing). */
static const X509_CRL *revoked_by(const struct admit_config *cfg, X509 *cert)
{
	X509_REVOKED *entry;

	for (int i = 0; i < sk_X509_CRL_num(cfg->crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(cfg->crls, i);

		if (!X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(cert)) &&
		    X509_CRL_get0_by_cert(crl, &entry, cert) == 1)
			return crl;
	}
	return NULL;
}

/* The leaf and, when a chain was verified, its issuers below the anchor. */
static int check_crls(X509_STORE_CTX *x509, const struct admit_config *cfg,
		      struct credstore_admission *adm, const char *hex)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(x509);
	int n = chain ? sk_X509_num(chain) - 1 : 1;
	char issuer[128], subject[128];

	for (int i = 0; i < n; i++) {
		X509 *cert = chain ? sk_X509_value(chain, i) : X509_STORE_CTX_get0_cert(x509);
		const X509_CRL *crl = revoked_by(cfg, cert);

		if (!crl)
			continue;
		X509_NAME_oneline(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
		X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
		return refuse(x509, adm, X509_V_ERR_CERT_REVOKED, "certificate %s is revoked: the "
			      "CRL of %s lists %s", hex, issuer, i ? subject : "it");
	}
	return 1;
}

/* Why the store refused a credential that was a device's. */
static int refuse_for_flags(X509_STORE_CTX *x509, struct credstore_admission *adm,
			    const char *hex)
{
	const struct credstore_verdict *v = &adm->verdict;

	if (v->flags & CREDSTORE_DEVICE_F_REVOKED)
		return refuse(x509, adm, X509_V_ERR_CERT_REVOKED, "certificate %s: device %s is "
			      "revoked", hex, v->device_id);
	if (v->flags & CREDSTORE_DEVICE_F_NO_SUB)
		return refuse(x509, adm, X509_V_ERR_CERT_REJECTED, "certificate %s: sub not allowed "
			      "for device %s (profile no-sub)", hex, v->device_id);
	return refuse(x509, adm, X509_V_ERR_CERT_REJECTED, "certificate %s is device %s's sub, "
		      "and its sub is disabled", hex, v->device_id);
}

static int decide(X509_STORE_CTX *x509, const struct admit_config *cfg,
		  struct credstore_admission *adm)
{
	X509 *cert = X509_STORE_CTX_get0_cert(x509);
	char hex[CS_FINGERPRINT_HEX_LEN + 1];

	if (cs_fingerprint_of_cert(cert, adm->fingerprint) < 0)
		return refuse(x509, adm, X509_V_ERR_UNSPECIFIED, "cannot digest the certificate");
	cs_fingerprint_format(adm->fingerprint, hex);
	if ((cfg->flags & CREDSTORE_SSL_REQUIRE_CHAIN) && X509_verify_cert(x509) != 1)
		return refuse(x509, adm, X509_STORE_CTX_get_error(x509),
			      "certificate %s has no valid chain to a trust anchor: %s", hex,
			      X509_verify_cert_error_string(X509_STORE_CTX_get_error(x509)));
	if (!(cfg->flags & CREDSTORE_SSL_ALLOW_EXPIRED) &&
	    X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		return refuse(x509, adm, X509_V_ERR_CERT_HAS_EXPIRED, "certificate %s has expired",
			      hex);
	if (check_crls(x509, cfg, adm, hex) == 0)
		return 0;
	if (cfg->lookup(cfg->arg, adm->fingerprint, &adm->verdict, adm->reason) < 0) {
		if (!adm->reason[0])
			snprintf(adm->reason, sizeof(adm->reason), "the device lookup failed");
		X509_STORE_CTX_set_error(x509, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (adm->verdict.match == CREDSTORE_MATCH_NONE && adm->verdict.flags)
		return refuse_for_flags(x509, adm, hex);
	if (adm->verdict.match == CREDSTORE_MATCH_NONE)
		return refuse(x509, adm, X509_V_ERR_CERT_REJECTED,
			      "certificate %s is no device's master or sub", hex);
	adm->admitted = 1;
	return 1;
}

/* SSL_CTX_set_cert_verify_callback: it replaces X509_verify_cert, which
 * decide() calls itself when a chain is required. */
static int verify_device(X509_STORE_CTX *x509, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x509, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct credstore_admission *adm = calloc(1, sizeof(*adm));

	if (ssl)	/* a renegotiation decides afresh */
		free(SSL_get_ex_data(ssl, admission_index));
	if (!adm || !ssl || !SSL_set_ex_data(ssl, admission_index, adm)) {
		free(adm);
		X509_STORE_CTX_set_error(x509, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	return decide(x509, arg, adm);
}

int credstore_ssl_ctx_admit_devices(SSL_CTX *ctx, credstore_fingerprint_lookup *lookup,
				    void *arg, unsigned int flags)
{
	struct admit_config *cfg;

	if (indexes() < 0)
		return -ENOMEM;
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	*cfg = (struct admit_config){ .lookup = lookup, .arg = arg, .flags = flags };
	free_config(SSL_CTX_get_ex_data(ctx, ctx_config_index));
	if (!SSL_CTX_set_ex_data(ctx, ctx_config_index, cfg)) {
		free(cfg);
		return -ENOMEM;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, verify_device, cfg);
	/* A resumed session skips the verification: a device removed from
	 * the store could come back on an old ticket.  Every handshake is a
	 * full one. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	return 0;
}

static int store_lookup(void *arg, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			struct credstore_verdict *out, char *reason)
{
	struct credstore *cs = arg;
	int ret = credstore_verify_fingerprint(cs, fp, NULL, out);

	if (ret < 0)
		snprintf(reason, CREDSTORE_MESSAGE_MAX, "the store did not answer: %s",
			 credstore_last_error(cs));
	return ret;
}

static int load_store_anchors(SSL_CTX *ctx, struct credstore *cs)
{
	X509_STORE *trust = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509) *anchors;
	int ret = credstore_get_anchors(cs, &anchors);

	for (int i = 0; !ret && i < sk_X509_num(anchors); i++)
		if (X509_STORE_add_cert(trust, sk_X509_value(anchors, i)) != 1)
			ret = -ENOMEM;
	sk_X509_pop_free(anchors, X509_free);
	return ret;
}

int credstore_ssl_ctx_admit_store_devices(SSL_CTX *ctx, struct credstore *cs, unsigned int flags)
{
	int ret = 0;

	if (flags & CREDSTORE_SSL_REQUIRE_CHAIN)
		ret = load_store_anchors(ctx, cs);
	return ret ? ret : credstore_ssl_ctx_admit_devices(ctx, store_lookup, cs, flags);
}

int credstore_ssl_ctx_use_crls(SSL_CTX *ctx, STACK_OF(X509_CRL) *crls)
{
	struct admit_config *cfg;
	STACK_OF(X509_CRL) *copy;

	if (indexes() < 0)
		return -ENOMEM;
	cfg = SSL_CTX_get_ex_data(ctx, ctx_config_index);
	if (!cfg)
		return -EINVAL;
	copy = sk_X509_CRL_new_null();
	for (int i = 0; copy && i < sk_X509_CRL_num(crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(crls, i);

		if (!X509_CRL_up_ref(crl))
			break;
		if (!sk_X509_CRL_push(copy, crl)) {
			X509_CRL_free(crl);
			break;
		}
	}
	if (!copy || sk_X509_CRL_num(copy) != sk_X509_CRL_num(crls)) {
		sk_X509_CRL_pop_free(copy, X509_CRL_free);
		return -ENOMEM;
	}
	sk_X509_CRL_pop_free(cfg->crls, X509_CRL_free);
	cfg->crls = copy;
	return 0;
}

int credstore_ssl_get_admission(const SSL *ssl, struct credstore_admission *out)
{
	const struct credstore_admission *adm;

	if (indexes() < 0)
		return -ENOMEM;
	adm = SSL_get_ex_data(ssl, admission_index);
	if (!adm)
		return -ENOENT;
	*out = *adm;
	return 0;
}
