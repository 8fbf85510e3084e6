/* A program written against the installed libcredstore only (its header
 * and pkg-config file): the native test builds it from an install tree
 * and drives the public API with it.
 * usage: credstore-consumer [-d UID] COMMAND [ARGS]
 *   identity NAME            the chain's subject and length
 *   sign NAME [SCHEME [DIGEST]]  sign through credstored (ecdsa, rsa-pkcs1,
 *                            rsa-pss, ed25519; SHA256), verify it here
 *   keyless NAME [UID:GID]   a TLS handshake in memory, served keyless; with
 *                            UID:GID, another in a child running as that user
 *   anchors                  how many trust anchors
 *   crls                     how many CRLs, and how many certificates they revoke
 *   verify-fp HEX [ID]       master, sub or none, and the device
 *   verify-secret ID TEXT    master, sub or none
 *   verify-secret-file ID F  the same with the file's bytes as the secret
 *   verify-hmac ID TEXT HEX  master, sub or none for HMAC-SHA256(secret, TEXT)
 *   device ID                its flags and which fingerprints it has
 *   secrets ID               its secrets' lengths (a privileged read)
 *   watch N                  wait (30 s at most) for N notifications
 * -d UID: talk to credstored running as UID (default: the module, else a
 * daemon running as root). */
#include <errno.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
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

static const char *const scheme_names[] = {
	[CREDSTORE_SIGN_ECDSA] = "ecdsa", [CREDSTORE_SIGN_RSA_PKCS1] = "rsa-pkcs1",
	[CREDSTORE_SIGN_RSA_PSS] = "rsa-pss", [CREDSTORE_SIGN_ED25519] = "ed25519",
};

static enum credstore_sign_scheme scheme_of(const char *name)
{
	for (int s = CREDSTORE_SIGN_ECDSA; s <= CREDSTORE_SIGN_MAX; s++)
		if (strcmp(name, scheme_names[s]) == 0)
			return (enum credstore_sign_scheme)s;
	return CREDSTORE_SIGN_UNSPEC;
}

/* Check sig over msg with the leaf's public key, as the scheme says. */
static int verified(EVP_PKEY *key, const struct credstore_sign_params *p, const unsigned char *msg,
		    size_t msg_len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = md && EVP_DigestVerifyInit_ex(md, &pctx, p->digest, NULL, NULL, key, NULL) == 1;

	if (ok && p->scheme == CREDSTORE_SIGN_RSA_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
	ok = ok && EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* A fixed text signed (its digest, or itself for Ed25519) by credstored
 * with the identity's key, verified with its certificate's. */
static int sign(struct credstore *cs, const char *name, const char *scheme, const char *digest)
{
	static const unsigned char msg[] = "credstore";
	struct credstore_sign_params p = { .identity = name, .scheme = scheme_of(scheme),
					   .digest = digest, .salt_len = -1 };
	unsigned char md[EVP_MAX_MD_SIZE], sig[CREDSTORE_SIGNATURE_MAX];
	unsigned int md_len = 0;
	size_t sig_len = sizeof(sig);
	struct credstore_identity *id;
	EVP_PKEY *leaf_key;
	int ok;

	if (credstore_get_identity(cs, name, &id) < 0)
		return fail(cs, "identity");
	leaf_key = X509_get0_pubkey(sk_X509_value(id->chain, 0));
	if (digest && !EVP_Digest(msg, sizeof(msg), md, &md_len, EVP_get_digestbyname(digest), NULL))
		md_len = 0;
	if (credstore_key_id(leaf_key, p.key_id) < 0 ||
	    credstore_sign(cs, &p, digest ? md : msg, digest ? md_len : sizeof(msg), sig, &sig_len) < 0) {
		credstore_identity_free(id);
		return fail(cs, "sign");
	}
	ok = verified(leaf_key, &p, msg, sizeof(msg), sig, sig_len);
	printf("signature=%s\n", ok ? "verified" : "bad");
	credstore_identity_free(id);
	return !ok;
}

/* Move what one side wrote to the other, until both are done or one
 * failed.  Each SSL_do_handshake() clears the thread's error queue: the
 * server's errors (the provider's) are printed as they happen. */
static int handshake(SSL *server, SSL *client)
{
	int done_s = 0, done_c = 0, r;

	for (int i = 0; i < 100 && !(done_s && done_c); i++) {
		done_c = done_c || SSL_do_handshake(client) == 1;
		if (!done_s) {
			r = SSL_do_handshake(server);
			done_s = r == 1;
			if (r <= 0 && SSL_get_error(server, r) == SSL_ERROR_SSL) {
				ERR_print_errors_fp(stderr);
				return 0;
			}
		}
	}
	return done_s && done_c;
}

/* One handshake over a BIO pair; 1 when the client verified the server. */
static int handshake_once(SSL_CTX *sctx, SSL_CTX *cctx)
{
	SSL *server = SSL_new(sctx), *client = SSL_new(cctx);
	BIO *sbio, *cbio;
	int ok;

	BIO_new_bio_pair(&sbio, 0, &cbio, 0);
	SSL_set_bio(server, sbio, sbio);
	SSL_set_bio(client, cbio, cbio);
	SSL_set_accept_state(server);
	SSL_set_connect_state(client);
	/* ... and leaves no error behind (see keyless()). */
	ok = handshake(server, client) && SSL_get_verify_result(client) == X509_V_OK &&
	     !ERR_peek_error();
	if (!ok)
		ERR_print_errors_fp(stderr);
	SSL_free(server);
	SSL_free(client);
	return ok;
}

/* After a fork, the child, as uid:gid, serves the same context. */
static int child_handshake(SSL_CTX *sctx, SSL_CTX *cctx, const char *as)
{
	unsigned int uid, gid;
	pid_t pid;
	int status;

	if (sscanf(as, "%u:%u", &uid, &gid) != 2)
		return 0;
	pid = fork();
	if (pid == 0)
		_exit(setgroups(0, NULL) || setgid(gid) || setuid(uid) || !handshake_once(sctx, cctx));
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* A server context from the store's identity, keyless, and a client that
 * trusts the chain's last certificate, over a BIO pair; with UID:GID,
 * once more in a child that runs as that user after the fork. */
static int keyless(struct credstore *cs, const char *name, const char *child_as)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
	struct credstore_identity *id;
	int ret, ok;

	if (credstore_get_identity(cs, name, &id) < 0)
		return fail(cs, "identity");
	ret = credstore_ssl_ctx_use_identity(sctx, cs, id);
	/* A success leaves no error behind: a stale one fails a server's
	 * next TLS call (SSL_get_error() reads the queue). */
	if (!ret && ERR_peek_error())
		ret = -EPROTO;
	if (ret < 0) {
		fprintf(stderr, "keyless: %s\n", strerror(-ret));
		ERR_print_errors_fp(stderr);
		credstore_identity_free(id);
		return 1;
	}
	X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), sk_X509_value(id->chain, sk_X509_num(id->chain) - 1));
	SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
	ok = handshake_once(sctx, cctx);
	printf("handshake=%s", ok ? "ok" : "failed");
	if (child_as) {
		fflush(stdout);
		printf(" child=%s", child_handshake(sctx, cctx, child_as) ? "ok" : "failed");
	}
	printf("\n");
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
		ret = printf("match=%s id=%s%s\n", match_name(v.match), v.device_id,
			     v.flags & CREDSTORE_DEVICE_F_REVOKED ? " revoked" : "") < 0;
	OPENSSL_free(fp);
	return ret;
}

static int verify_hmac(struct credstore *cs, const char *id, const char *text, const char *hex)
{
	long len = 0;
	unsigned char *mac = OPENSSL_hexstr2buf(hex, &len);
	enum credstore_match m;
	int ret;

	if (!mac || len != CREDSTORE_HMAC_LEN) {
		OPENSSL_free(mac);
		fprintf(stderr, "verify-hmac: the HMAC is %d hex bytes\n", CREDSTORE_HMAC_LEN);
		return 2;
	}
	ret = credstore_verify_hmac(cs, id, text, strlen(text), mac, &m) < 0 ?
	      fail(cs, "verify-hmac") : 0;
	if (!ret)
		printf("match=%s\n", match_name(m));
	OPENSSL_free(mac);
	return ret;
}

static int device(struct credstore *cs, const char *id)
{
	struct credstore_device d;

	if (credstore_get_device(cs, id, &d) < 0)
		return fail(cs, "device");
	printf("id=%s flags=%u master_fp=%s sub_fp=%s\n", d.id, d.flags,
	       d.has_master_fp ? "yes" : "no", d.has_sub_fp ? "yes" : "no");
	return 0;
}

static int secrets(struct credstore *cs, const char *id)
{
	struct credstore_secrets s;

	if (credstore_get_device_secrets(cs, id, &s) < 0)
		return fail(cs, "secrets");
	printf("master=%zu sub=%zu flags=%u\n", s.master_len, s.sub_len, (unsigned int)s.flags);
	OPENSSL_cleanse(&s, sizeof(s));
	return 0;
}

static void print_event(const struct credstore_event *e, void *arg)
{
	(void)arg;
	printf("kind=%d key=%s generation=%llu", e->kind, e->key, (unsigned long long)e->generation);
	if (e->event)
		printf(" event=%d", e->event);
	if (e->flags)
		printf(" flags=%u", e->flags);
	if (e->not_after)
		printf(" not_after=%llu", (unsigned long long)e->not_after);
	putchar('\n');
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
	else if (strcmp(argv[1], "sign") == 0 && argc >= 3 && argc <= 5)
		ret = sign(cs, argv[2], argc > 3 ? argv[3] : "ecdsa",
			   argc > 4 ? (*argv[4] ? argv[4] : NULL) : "SHA256");
	else if (strcmp(argv[1], "keyless") == 0 && (argc == 3 || argc == 4))
		ret = keyless(cs, argv[2], argc == 4 ? argv[3] : NULL);
	else if (strcmp(argv[1], "anchors") == 0) {
		STACK_OF(X509) *anchors;

		ret = credstore_get_anchors(cs, &anchors) < 0 ? fail(cs, "anchors") : 0;
		if (!ret)
			printf("anchors=%d\n", sk_X509_num(anchors));
		sk_X509_pop_free(anchors, X509_free);
	} else if (strcmp(argv[1], "crls") == 0) {
		STACK_OF(X509_CRL) *crls;
		int revoked = 0;

		ret = credstore_get_crls(cs, &crls) < 0 ? fail(cs, "crls") : 0;
		for (int i = 0; !ret && i < sk_X509_CRL_num(crls); i++) {
			STACK_OF(X509_REVOKED) *r = X509_CRL_get_REVOKED(sk_X509_CRL_value(crls, i));

			revoked += r ? sk_X509_REVOKED_num(r) : 0;
		}
		if (!ret)
			printf("crls=%d revoked=%d\n", sk_X509_CRL_num(crls), revoked);
		sk_X509_CRL_pop_free(crls, X509_CRL_free);
	} else if (strcmp(argv[1], "verify-fp") == 0 && argc >= 3)
		ret = verify_fp(cs, argv[2], argc > 3 ? argv[3] : NULL);
	else if (strcmp(argv[1], "verify-secret") == 0 && argc == 4) {
		ret = credstore_verify_secret(cs, argv[2], argv[3], strlen(argv[3]), &m) < 0 ?
		      fail(cs, "verify-secret") : 0;
		if (!ret)
			printf("match=%s\n", match_name(m));
	} else if (strcmp(argv[1], "verify-secret-file") == 0 && argc == 4) {
		char buf[CREDSTORE_SECRET_MAX + 1];
		FILE *f = fopen(argv[3], "rb");
		size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

		if (f)
			fclose(f);
		ret = credstore_verify_secret(cs, argv[2], buf, n, &m) < 0 ?
		      fail(cs, "verify-secret-file") : 0;
		if (!ret)
			printf("match=%s\n", match_name(m));
	} else if (strcmp(argv[1], "verify-hmac") == 0 && argc == 5)
		ret = verify_hmac(cs, argv[2], argv[3], argv[4]);
	else if (strcmp(argv[1], "device") == 0 && argc == 3)
		ret = device(cs, argv[2]);
	else if (strcmp(argv[1], "secrets") == 0 && argc == 3)
		ret = secrets(cs, argv[2]);
	else if (strcmp(argv[1], "watch") == 0 && argc == 3)
		ret = watch(cs, atoi(argv[2]));
	credstore_close(cs);
	return ret;
}
