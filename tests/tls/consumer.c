/* A program written against the installed libcredstore only (its header
 * and pkg-config file): the native test builds it from an install tree
 * and drives the public API with it.
 * usage: credstore-consumer [-d UID] COMMAND [ARGS]
 *   identity NAME            the chain's subject and length
 *   sign NAME                sign a digest through credstored, verify it here
 *   keyless NAME             a TLS handshake in memory, served keyless
 *   anchors                  how many trust anchors
 *   verify-fp HEX [ID]       master, sub or none, and the device
 *   verify-secret ID TEXT    master, sub or none
 *   watch N                  wait (30 s at most) for N notifications
 * -d UID: talk to credstored running as UID (default: the module, else a
 * daemon running as root). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <credstore/credstore.h>

static const char *match_name(enum credstore_match m)
{
	return m == CREDSTORE_MATCH_MASTER ? "master" : m == CREDSTORE_MATCH_SUB ? "sub" : "none";
}

static int fail(struct credstore *cs, const char *what)
{
	fprintf(stderr, "%s: %s\n", what, credstore_last_error(cs));
	return 1;
}

static int identity(struct credstore *cs, const char *name)
{
	struct credstore_identity *id;
	char subject[256];

	if (credstore_get_identity(cs, name, &id) < 0)
		return fail(cs, "identity");
	X509_NAME_oneline(X509_get_subject_name(sk_X509_value(id->chain, 0)), subject, sizeof(subject));
	printf("subject=%s chain=%d\n", subject, sk_X509_num(id->chain));
	credstore_identity_free(id);
	return 0;
}

/* ECDSA over SHA-256 of a fixed text, verified with the leaf's key. */
static int sign(struct credstore *cs, const char *name)
{
	struct credstore_sign_params p = { .identity = name, .scheme = CREDSTORE_SIGN_ECDSA,
					   .digest = "SHA256", .salt_len = -1 };
	unsigned char digest[32], sig[CREDSTORE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct credstore_identity *id;
	EVP_PKEY_CTX *verify;
	EVP_PKEY *leaf_key;
	int ok;

	if (credstore_get_identity(cs, name, &id) < 0)
		return fail(cs, "identity");
	leaf_key = X509_get0_pubkey(sk_X509_value(id->chain, 0));
	EVP_Digest("credstore", 9, digest, NULL, EVP_sha256(), NULL);
	if (credstore_key_id(leaf_key, p.key_id) < 0 ||
	    credstore_sign(cs, &p, digest, sizeof(digest), sig, &sig_len) < 0) {
		credstore_identity_free(id);
		return fail(cs, "sign");
	}
	verify = EVP_PKEY_CTX_new(leaf_key, NULL);
	ok = verify && EVP_PKEY_verify_init(verify) == 1 &&
	     EVP_PKEY_verify(verify, sig, sig_len, digest, sizeof(digest)) == 1;
	printf("signature=%s\n", ok ? "verified" : "bad");
	EVP_PKEY_CTX_free(verify);
	credstore_identity_free(id);
	return !ok;
}

/* Move what one side wrote to the other, until both are done or stuck. */
static int handshake(SSL *server, SSL *client)
{
	int done_s = 0, done_c = 0;

	for (int i = 0; i < 100 && !(done_s && done_c); i++) {
		done_c = done_c || SSL_do_handshake(client) == 1;
		done_s = done_s || SSL_do_handshake(server) == 1;
	}
	return done_s && done_c;
}

/* A server context from the store's identity, keyless, and a client that
 * trusts the chain's last certificate, over a BIO pair. */
static int keyless(struct credstore *cs, const char *name)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
	struct credstore_identity *id;
	SSL *server = NULL, *client = NULL;
	BIO *sbio, *cbio;
	int ret, ok;

	if (credstore_get_identity(cs, name, &id) < 0)
		return fail(cs, "identity");
	ret = credstore_ssl_ctx_use_identity(sctx, cs, id);
	if (ret < 0) {
		fprintf(stderr, "keyless: %s\n", strerror(-ret));
		ERR_print_errors_fp(stderr);
		credstore_identity_free(id);
		return 1;
	}
	X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), sk_X509_value(id->chain, sk_X509_num(id->chain) - 1));
	SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
	server = SSL_new(sctx);
	client = SSL_new(cctx);
	BIO_new_bio_pair(&sbio, 0, &cbio, 0);
	SSL_set_bio(server, sbio, sbio);
	SSL_set_bio(client, cbio, cbio);
	SSL_set_accept_state(server);
	SSL_set_connect_state(client);
	ok = handshake(server, client) && SSL_get_verify_result(client) == X509_V_OK;
	printf("handshake=%s\n", ok ? "ok" : "failed");
	if (!ok)
		ERR_print_errors_fp(stderr);
	SSL_free(server);
	SSL_free(client);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	credstore_identity_free(id);
	return !ok;
}

static int verify_fp(struct credstore *cs, const char *hex, const char *device)
{
	struct credstore_verdict v;
	long len;
	unsigned char *fp = OPENSSL_hexstr2buf(hex, &len);
	int ret = 1;

	if (!fp || len != CREDSTORE_FINGERPRINT_LEN)
		fprintf(stderr, "not a SHA-256 fingerprint: %s\n", hex);
	else if (credstore_verify_fingerprint(cs, fp, device, &v) < 0)
		fail(cs, "verify-fp");
	else
		ret = printf("match=%s id=%s\n", match_name(v.match), v.device_id) < 0;
	OPENSSL_free(fp);
	return ret;
}

static void print_event(const struct credstore_event *e, void *arg)
{
	(void)arg;
	printf("kind=%d key=%s generation=%llu\n", e->kind, e->key, (unsigned long long)e->generation);
	fflush(stdout);
}

static int watch(struct credstore *cs, int want)
{
	struct credstore_events *ev;
	int seen = 0;

	if (credstore_events_open(cs, &ev) < 0)
		return fail(cs, "watch");
	printf("watching\n");
	fflush(stdout);
	while (seen < want) {
		struct pollfd p = { .fd = credstore_events_fd(ev), .events = POLLIN };
		int n = poll(&p, 1, 30000);

		if (n <= 0 || (n = credstore_events_read(ev, print_event, NULL)) < 0)
			break;
		seen += n;
	}
	credstore_events_close(ev);
	return seen >= want ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct credstore_options opt = { 0 };
	struct credstore *cs;
	char why[CREDSTORE_MESSAGE_MAX];
	enum credstore_match m;
	int ret = 2;

	if (argc > 2 && strcmp(argv[1], "-d") == 0) {
		opt.transport = CREDSTORE_TRANSPORT_DAEMON;
		opt.daemon_uid = (uid_t)atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2)
		return 2;
	if (credstore_connect(&cs, &opt, why) < 0) {
		fprintf(stderr, "connect: %s\n", why);
		return 1;
	}
	if (strcmp(argv[1], "identity") == 0 && argc == 3)
		ret = identity(cs, argv[2]);
	else if (strcmp(argv[1], "sign") == 0 && argc == 3)
		ret = sign(cs, argv[2]);
	else if (strcmp(argv[1], "keyless") == 0 && argc == 3)
		ret = keyless(cs, argv[2]);
	else if (strcmp(argv[1], "anchors") == 0) {
		STACK_OF(X509) *anchors;

		ret = credstore_get_anchors(cs, &anchors) < 0 ? fail(cs, "anchors") : 0;
		if (!ret)
			printf("anchors=%d\n", sk_X509_num(anchors));
		sk_X509_pop_free(anchors, X509_free);
	} else if (strcmp(argv[1], "verify-fp") == 0 && argc >= 3)
		ret = verify_fp(cs, argv[2], argc > 3 ? argv[3] : NULL);
	else if (strcmp(argv[1], "verify-secret") == 0 && argc == 4) {
		ret = credstore_verify_secret(cs, argv[2], argv[3], strlen(argv[3]), &m) < 0 ?
		      fail(cs, "verify-secret") : 0;
		if (!ret)
			printf("match=%s\n", match_name(m));
	} else if (strcmp(argv[1], "watch") == 0 && argc == 3)
		ret = watch(cs, atoi(argv[2]));
	credstore_close(cs);
	return ret;
}
