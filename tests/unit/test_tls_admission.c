/* libcredstore's OpenSSL helpers, in a real TLS handshake over a memory
 * BIO pair: a server context with its own chain and key, and client
 * certificates admitted by master or sub fingerprint (from a table this
 * test holds in place of the store), refused when unknown, when the
 * lookup fails, without a chain when one is required, when expired
 * (unless allowed), when a CRL lists them, when the store refuses the
 * device for its flags (each with its reason), and never resumed past the
 * check. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "credstore/credstore.h"
#include "fingerprint.h"
#include "tap.h"

struct party {
	X509 *cert;
	EVP_PKEY *key;
};

/* A certificate valid until now + not_after seconds. */
static struct party make_dated_party(const char *cn, const struct party *issuer, int ca,
				     long not_after)
{
	struct party p = { X509_new(), EVP_EC_gen("P-256") };
	static long serial = 1;
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	ASN1_INTEGER_set(X509_get_serialNumber(p.cert), serial++);
	X509_set_version(p.cert, 2);
	X509_gmtime_adj(X509_getm_notBefore(p.cert), -7200);
	X509_gmtime_adj(X509_getm_notAfter(p.cert), not_after);
	X509_set_pubkey(p.cert, p.key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(p.cert), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(p.cert, X509_get_subject_name(issuer ? issuer->cert : p.cert));
	X509V3_set_ctx(&v3, issuer ? issuer->cert : p.cert, p.cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
				  ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(p.cert, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(p.cert, issuer ? issuer->key : p.key, EVP_sha256());
	return p;
}

static struct party make_party(const char *cn, const struct party *issuer, int ca)
{
	return make_dated_party(cn, issuer, ca, 3600);
}

/* A CRL of issuer listing cert. */
static X509_CRL *make_crl(const struct party *issuer, const struct party *cert)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *entry = X509_REVOKED_new();
	ASN1_TIME *now = ASN1_TIME_adj(NULL, time(NULL), 0, -60);

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->cert));
	X509_CRL_set1_lastUpdate(crl, now);
	X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert->cert));
	X509_REVOKED_set_revocationDate(entry, now);
	X509_CRL_add0_revoked(crl, entry);
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, issuer->key, EVP_sha256());
	ASN1_TIME_free(now);
	return crl;
}

static void free_party(struct party *p)
{
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
}

/* The test's stand-in for the store: dev1's master and sub. */
struct table {
	uint8_t master[CREDSTORE_FINGERPRINT_LEN], sub[CREDSTORE_FINGERPRINT_LEN];
	int calls;
	int fail;
	uint32_t flags;		/* dev1's: the store's refusals */
};

static int table_lookup(void *arg, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			struct credstore_verdict *out, char *reason)
{
	struct table *t = arg;

	t->calls++;
	memset(out, 0, sizeof(*out));
	if (t->fail) {
		snprintf(reason, CREDSTORE_MESSAGE_MAX, "the table is on strike");
		return -EIO;
	}
	if (memcmp(fp, t->master, sizeof(t->master)) == 0)
		out->match = CREDSTORE_MATCH_MASTER;
	else if (memcmp(fp, t->sub, sizeof(t->sub)) == 0)
		out->match = CREDSTORE_MATCH_SUB;
	if (out->match)
		strcpy(out->device_id, "dev1");
	/* As the store answers: refused, naming the device and its flags. */
	if (out->match && ((t->flags & CREDSTORE_DEVICE_F_REVOKED) ||
			   (out->match == CREDSTORE_MATCH_SUB && t->flags))) {
		out->match = CREDSTORE_MATCH_NONE;
		out->flags = t->flags;
	}
	return 0;
}

/* Run both ends of a handshake until each has finished or failed.  The
 * server's result, 1 or 0; *server_out keeps the server's SSL. */
static int handshake(SSL_CTX *server_ctx, SSL_CTX *client_ctx, SSL_SESSION *resume,
		     SSL **server_out, SSL_SESSION **session_out)
{
	SSL *server = SSL_new(server_ctx), *client = SSL_new(client_ctx);
	BIO *sbio, *cbio;
	int s = -1, c = -1;

	BIO_new_bio_pair(&sbio, 0, &cbio, 0);
	SSL_set_bio(server, sbio, sbio);
	SSL_set_bio(client, cbio, cbio);
	SSL_set_accept_state(server);
	SSL_set_connect_state(client);
	if (resume)
		SSL_set_session(client, resume);
	for (int i = 0; i < 100 && (s != 1 || c != 1); i++) {
		if (c != 1) {
			c = SSL_do_handshake(client);
			if (c <= 0 && SSL_get_error(client, c) != SSL_ERROR_WANT_READ)
				break;
		}
		s = SSL_do_handshake(server);
		if (s <= 0 && SSL_get_error(server, s) != SSL_ERROR_WANT_READ)
			break;
	}
	/* TLS 1.3: the client is done before the server judged it. */
	if (s == 1) {
		char byte;

		SSL_write(server, "x", 1);
		SSL_read(client, &byte, 1);
	}
	if (session_out)
		*session_out = SSL_get1_session(client);
	SSL_free(client);
	*server_out = server;
	return s == 1;
}

static SSL_CTX *client_ctx(const struct party *who)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (who) {
		SSL_CTX_use_certificate(ctx, who->cert);
		SSL_CTX_use_PrivateKey(ctx, who->key);
	}
	return ctx;
}

/* Handshake as `who` and return the server's admission (-ENOENT: none). */
static int admission_of(SSL_CTX *server_ctx, const struct party *who, int *handshake_ok,
			struct credstore_admission *adm)
{
	SSL_CTX *cctx = client_ctx(who);
	SSL *server;
	int ret;

	*handshake_ok = handshake(server_ctx, cctx, NULL, &server, NULL);
	ret = credstore_ssl_get_admission(server, adm);
	SSL_free(server);
	SSL_CTX_free(cctx);
	return ret;
}

int main(void)
{
	struct party ca = make_party("test CA", NULL, 1);
	struct party server = make_party("server", &ca, 0);
	struct party master = make_party("dev1", &ca, 0);
	struct party sub = make_party("dev1 sub", &ca, 0);
	struct party stranger = make_party("stranger", &ca, 0);
	struct party lone = make_party("self-signed dev1", NULL, 0);
	struct party expired = make_dated_party("dev1 expired", &ca, 0, -3600);
	struct credstore_admission adm;
	struct table table = { 0 };
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX *cctx;
	SSL_SESSION *session = NULL;
	SSL *ssl;
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	int hs;

	cs_fingerprint_of_cert(master.cert, table.master);
	cs_fingerprint_of_cert(sub.cert, table.sub);

	/* The server's own key: the keyless identity needs credstored, and
	 * tests/native/52-libcredstore.sh drives it there. */
	ok(SSL_CTX_use_certificate(sctx, server.cert) == 1 && SSL_CTX_add1_chain_cert(sctx, ca.cert) == 1 &&
	   SSL_CTX_use_PrivateKey(sctx, server.key) == 1, "the server serves its chain");
	ok(credstore_ssl_ctx_admit_devices(sctx, table_lookup, &table, 0) == 0,
	   "the device verify callback is installed");

	cctx = client_ctx(&master);
	hs = handshake(sctx, cctx, NULL, &ssl, &session);
	ok(hs && credstore_ssl_get_admission(ssl, &adm) == 0 && adm.admitted &&
	   adm.verdict.match == CREDSTORE_MATCH_MASTER && strcmp(adm.verdict.device_id, "dev1") == 0,
	   "the master certificate is admitted as dev1's master");
	cs_fingerprint_of_cert(master.cert, fp);
	ok(memcmp(adm.fingerprint, fp, sizeof(fp)) == 0, "the admission carries its fingerprint");
	{
		SSL *again;
		int calls = table.calls;

		handshake(sctx, cctx, session, &again, NULL);
		ok(!SSL_session_reused(again) && table.calls == calls + 1,
		   "a second connection is not resumed: the lookup runs again");
		SSL_free(again);
	}
	SSL_SESSION_free(session);
	SSL_free(ssl);
	SSL_CTX_free(cctx);

	ok(admission_of(sctx, &sub, &hs, &adm) == 0 && hs && adm.admitted &&
	   adm.verdict.match == CREDSTORE_MATCH_SUB && strcmp(adm.verdict.device_id, "dev1") == 0,
	   "the sub certificate is admitted as dev1's sub");
	ok(admission_of(sctx, &stranger, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "no device's master or sub"),
	   "an unknown certificate is refused, and says so (%s)", adm.reason);
	ok(admission_of(sctx, NULL, &hs, &adm) == -ENOENT && !hs,
	   "a client without a certificate is refused before any admission");
	table.fail = 1;
	ok(admission_of(sctx, &master, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strcmp(adm.reason, "the table is on strike") == 0,
	   "a failing lookup refuses with the lookup's reason");
	table.fail = 0;

	table.flags = CREDSTORE_DEVICE_F_REVOKED;
	ok(admission_of(sctx, &master, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "device dev1 is revoked"),
	   "a revoked device is refused, and the reason says so (%s)", adm.reason);
	table.flags = CREDSTORE_DEVICE_F_SUB_DISABLED;
	ok(admission_of(sctx, &sub, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "sub is disabled"),
	   "a disabled sub is refused as such (%s)", adm.reason);
	table.flags = CREDSTORE_DEVICE_F_NO_SUB;
	ok(admission_of(sctx, &sub, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "sub not allowed"),
	   "a sub under the no-sub profile is refused as such (%s)", adm.reason);
	ok(admission_of(sctx, &master, &hs, &adm) == 0 && hs && adm.admitted,
	   "and the master still is admitted");
	table.flags = 0;

	/* Expired device certificates. */
	cs_fingerprint_of_cert(expired.cert, table.sub);
	ok(admission_of(sctx, &expired, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "has expired"),
	   "a pinned certificate past its notAfter is refused (%s)", adm.reason);
	ok(credstore_ssl_ctx_admit_devices(sctx, table_lookup, &table,
					   CREDSTORE_SSL_ALLOW_EXPIRED) == 0 &&
	   admission_of(sctx, &expired, &hs, &adm) == 0 && hs && adm.admitted,
	   "with CREDSTORE_SSL_ALLOW_EXPIRED it is admitted");
	cs_fingerprint_of_cert(sub.cert, table.sub);

	/* A CRL of the CA listing the sub. */
	{
		STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();

		sk_X509_CRL_push(crls, make_crl(&ca, &sub));
		ok(credstore_ssl_ctx_use_crls(sctx, crls) == 0, "the CA's CRL is used");
		sk_X509_CRL_pop_free(crls, X509_CRL_free);
	}
	ok(admission_of(sctx, &sub, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "is revoked: the CRL of /CN=test CA lists it"),
	   "a certificate the CRL lists is refused, naming the CRL (%s)", adm.reason);
	ok(admission_of(sctx, &master, &hs, &adm) == 0 && hs && adm.admitted,
	   "one it does not list is admitted");

	/* The same pins, and a chain to the CA required. */
	ok(credstore_ssl_ctx_admit_devices(sctx, table_lookup, &table,
					   CREDSTORE_SSL_REQUIRE_CHAIN) == 0,
	   "the callback is reinstalled requiring a chain");
	cs_fingerprint_of_cert(lone.cert, table.sub);
	ok(admission_of(sctx, &lone, &hs, &adm) == 0 && !hs && !adm.admitted &&
	   strstr(adm.reason, "no valid chain"),
	   "a pinned certificate without a chain to an anchor is refused (%s)", adm.reason);
	X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), ca.cert);
	ok(admission_of(sctx, &master, &hs, &adm) == 0 && hs && adm.admitted,
	   "a pinned certificate that chains to the anchor is admitted");
	ok(admission_of(sctx, &stranger, &hs, &adm) == 0 && !hs && !adm.admitted,
	   "a certificate that chains to the anchor but is not pinned is refused");

	SSL_CTX_free(sctx);
	free_party(&ca);
	free_party(&server);
	free_party(&master);
	free_party(&sub);
	free_party(&stranger);
	free_party(&lone);
	free_party(&expired);
	return tap_done();
}
