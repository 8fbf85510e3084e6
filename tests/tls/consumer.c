/* A program written against the installed libcredstore only (its header
 * and pkg-config file): the native test builds it from an install tree
 * and drives the public API with it.
 * usage: credstore-consumer [-d UID] COMMAND [ARGS]
 *   identity NAME [key]      the chain's subject and length, whether a key came
 *   anchors                  how many trust anchors
 *   verify-fp HEX [ID]       master, sub or none, and the device
 *   verify-secret ID TEXT    master, sub or none
 *   verify-hmac ID TEXT HEX  master, sub or none for HMAC-SHA256(secret, TEXT)
 *   device ID                its flags and which fingerprints it has
 *   secrets ID               its secrets' lengths (a privileged read)
 *   watch N                  wait (30 s at most) for N notifications
 * -d UID: talk to credstored running as UID (default: the module, else a
 * daemon running as root). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
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

static int identity(struct credstore *cs, const char *name, int want_key)
{
	struct credstore_identity *id;
	char subject[256];

	if (credstore_get_identity(cs, name, want_key ? CREDSTORE_IDENTITY_WITH_KEY : 0, &id) < 0)
		return fail(cs, "identity");
	X509_NAME_oneline(X509_get_subject_name(sk_X509_value(id->chain, 0)), subject, sizeof(subject));
	printf("subject=%s chain=%d key=%s\n", subject, sk_X509_num(id->chain), id->key ? "yes" : "no");
	credstore_identity_free(id);
	return 0;
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
	if (strcmp(argv[1], "identity") == 0 && argc >= 3)
		ret = identity(cs, argv[2], argc > 3);
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
