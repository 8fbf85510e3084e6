/* libcredstore: the client library of credstore, for TLS front ends.
 *
 * A connection reaches the store through the kernel family "credstore"
 * when credstore.ko is loaded, and through credstored's query socket
 * otherwise (connecting only when the socket belongs to root or the
 * daemon's uid: nothing is sent to another listener); the calls are the
 * same either way.  Every call that can fail
 * returns 0 or a negative errno, and credstore_last_error() says why in a
 * sentence.  A connection is not thread-safe: use one per thread.
 *
 * Build with `pkg-config --cflags --libs libcredstore`. */
#ifndef CREDSTORE_CREDSTORE_H
#define CREDSTORE_CREDSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/core.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <linux/credstore.h>
#include <credstore/sign.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The size of the sentences the library gives (why, reason), with the NUL:
 * the daemon's error messages have the same limit. */
#define CREDSTORE_MESSAGE_MAX	256

struct credstore;

enum credstore_transport {
	CREDSTORE_TRANSPORT_AUTO,	/* the module when it is loaded, else the daemon */
	CREDSTORE_TRANSPORT_KERNEL,	/* generic netlink family "credstore" */
	CREDSTORE_TRANSPORT_DAEMON,	/* credstored's query socket */
};

struct credstore_options {
	enum credstore_transport transport;
	uid_t daemon_uid;	/* the daemon's socket must belong to root or this uid */
	int timeout_ms;		/* bound on each wait for the daemon; 0: 5000 */
	unsigned int flags;	/* CREDSTORE_CACHE_VERDICTS */
	/* The daemon's runtime directory; NULL: $CREDSTORE_RUNTIME_DIR, else
	 * /run/credstore. */
	const char *runtime_dir;
};

/* Reuse the verdicts of credstore_verify_fingerprint() without a device
 * id until the store announces a change of devices.  Every lookup first
 * reads the pending announcements, and the store announces a change
 * before acknowledging it: a verdict is never older than the last change
 * acknowledged before the lookup began.  It spares a TLS front end a
 * round trip per handshake, which costs most with the daemon. */
#define CREDSTORE_CACHE_VERDICTS	(1U << 0)

/* opt may be NULL: automatic transport, daemon running as root.  On
 * failure, why (NULL, or CREDSTORE_MESSAGE_MAX bytes) says what failed. */
int credstore_connect(struct credstore **out, const struct credstore_options *opt,
		      char *why);
void credstore_close(struct credstore *cs);
enum credstore_transport credstore_transport(const struct credstore *cs);
/* The sentence that explains the last failure of a call on cs. */
const char *credstore_last_error(const struct credstore *cs);
/* After a call on cs returned err (0 or a negative errno): may cs be used
 * again?  1 when the call succeeded or the store refused the request
 * itself: -ENOENT (no such name or device), -EINVAL, -ENAMETOOLONG (a
 * malformed or too long argument), -EPERM (not allowed).  0 for any other
 * failure, after which the link may be broken or out of step (no answer
 * in time, a closed socket, a reply that could not be read):
 * credstore_close() cs, and its notifications, and connect again. */
int credstore_error_keeps_connection(int err);

/* ---- identities and trust anchors ---- */

/* An identity's certificates.  Its private key never leaves credstored:
 * sign with credstore_sign(), or serve it with
 * credstore_ssl_ctx_use_identity(). */
struct credstore_identity {
	char name[CREDSTORE_NAME_MAX];
	STACK_OF(X509) *chain;		/* leaf first */
};

int credstore_get_identity(struct credstore *cs, const char *name,
			   struct credstore_identity **out);
void credstore_identity_free(struct credstore_identity *id);

/* One trust anchor's certificate (X509_free it). */
int credstore_get_anchor(struct credstore *cs, const char *name, X509 **out);

/* Every trust anchor of the store, as a new stack the caller frees with
 * sk_X509_pop_free(anchors, X509_free). */
int credstore_get_anchors(struct credstore *cs, STACK_OF(X509) **out);

/* ---- verification ---- */

struct credstore_verdict {
	enum credstore_match match;		/* NONE, MASTER or SUB */
	char device_id[CREDSTORE_DEVICE_ID_MAX];	/* set unless NONE (see flags) */
	/* With match NONE and device_id set: the credential was that
	 * device's, refused for these flags (CREDSTORE_DEVICE_F_REVOKED, a
	 * sub under SUB_DISABLED or NO_SUB). */
	uint32_t flags;
};

/* Is fp a device's master or sub fingerprint?  device_id NULL: look the
 * device up by the fingerprint.  An unknown fingerprint is not an error:
 * it returns 0 with match NONE. */
int credstore_verify_fingerprint(struct credstore *cs,
				 const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
				 const char *device_id, struct credstore_verdict *out);

/* Is secret the device's master or sub secret (compared in constant time
 * by the store)?  A revoked device matches nothing, a disabled sub is no
 * match: credstore_get_device() says why. */
int credstore_verify_secret(struct credstore *cs, const char *device_id,
			    const void *secret, size_t len, enum credstore_match *out);

/* Is mac HMAC-SHA256(key = the device's master or sub secret, message)?
 * For passwords derived from a secret and a timestamp: the store computes
 * and compares (constant time), the secret never leaves it.  message is
 * 1 to CREDSTORE_HMAC_MESSAGE_MAX bytes. */
int credstore_verify_hmac(struct credstore *cs, const char *device_id,
			  const void *message, size_t message_len,
			  const uint8_t mac[CREDSTORE_HMAC_LEN], enum credstore_match *out);

/* ---- devices ---- */

struct credstore_device {
	char id[CREDSTORE_DEVICE_ID_MAX];
	uint32_t flags;				/* enum credstore_device_flags */
	int has_master_fp, has_sub_fp;
	uint8_t master_fp[CREDSTORE_FINGERPRINT_LEN];
	uint8_t sub_fp[CREDSTORE_FINGERPRINT_LEN];
};

/* A device's fingerprints and flags (never its secrets); -ENOENT when the
 * store has no such device. */
int credstore_get_device(struct credstore *cs, const char *device_id,
			 struct credstore_device *out);

struct credstore_secrets {
	uint8_t master[CREDSTORE_SECRET_MAX], sub[CREDSTORE_SECRET_MAX];
	size_t master_len, sub_len;		/* 0: none */
	uint32_t flags;				/* the device's: enum credstore_device_flags */
};

/* A device's secrets, for a front end that must hold the key itself (a
 * DTLS PSK server): needs CAP_NET_ADMIN or the module's reader group
 * (kernel), root or the admin group (daemon); -EPERM otherwise.  Wipe out
 * after use (OPENSSL_cleanse).  Prefer credstore_verify_secret() and
 * credstore_verify_hmac(), which keep the secret in the store. */
int credstore_get_device_secrets(struct credstore *cs, const char *device_id,
				 struct credstore_secrets *out);

/* Every trust anchor's certificate revocation list, as a new stack the
 * caller frees with sk_X509_CRL_pop_free(crls, X509_CRL_free).  CRLs may
 * be several MiB: they come from credstored in parts, also when the
 * connection is to the module (credstored must be running). */
int credstore_get_crls(struct credstore *cs, STACK_OF(X509_CRL) **out);

/* ---- change notifications ---- */

struct credstore_events;

struct credstore_event {
	enum credstore_kind kind;	/* SNAPSHOT: anything may have changed */
	char key[CREDSTORE_NAME_MAX];	/* identity/anchor name or device id */
	uint64_t generation;
	enum credstore_event_type event;	/* CHANGED, REMOVED, EXPIRING, EXPIRED */
	/* A DEVICE event that is not REMOVED: the device's flags now.  A
	 * front end closes the open sessions of a device whose flags carry
	 * CREDSTORE_DEVICE_F_REVOKED (after a SNAPSHOT, it asks
	 * credstore_get_device() for the devices of its open sessions). */
	uint32_t flags;
	uint64_t not_after;		/* EXPIRING, EXPIRED: Unix seconds */
};

/* Subscribe on the transport of cs: the module's group "notify", or a
 * subscription on the daemon's query socket.  When the daemon restarts,
 * the subscription is made again by itself (a SNAPSHOT event says so);
 * the fd stays the same. */
int credstore_events_open(struct credstore *cs, struct credstore_events **out);
void credstore_events_close(struct credstore_events *ev);
/* Non-blocking; poll it for POLLIN / epoll it for EPOLLIN. */
int credstore_events_fd(const struct credstore_events *ev);
/* Call fn for each pending event; returns how many, or a negative errno.
 * Lost events (the socket overran, the daemon went away: while it is
 * away, every call) are reported as one SNAPSHOT event. */
int credstore_events_read(struct credstore_events *ev,
			  void (*fn)(const struct credstore_event *event, void *arg), void *arg);

/* ---- signing (credstored only) ---- */


struct credstore_sign_params {
	const char *identity;
	/* The key meant: SHA-256 of its DER SubjectPublicKeyInfo.  credstored
	 * signs with that key only (the identity's key, or the one its last
	 * install replaced), never with another. */
	uint8_t key_id[CREDSTORE_FINGERPRINT_LEN];
	enum credstore_sign_scheme scheme;
	const char *digest;	/* "SHA256", "SHA384", ...; NULL for Ed25519 */
	int salt_len;		/* RSA-PSS salt in bytes; -1: the digest's length */
};

/* The key id of a public key (of a certificate: X509_get0_pubkey()). */
int credstore_key_id(const EVP_PKEY *public_key, uint8_t id[CREDSTORE_FINGERPRINT_LEN]);

/* Sign data (the digest, or for Ed25519 the message) with the identity's
 * key, in credstored.  *sig_len: the size of sig in, the signature's
 * length out (CREDSTORE_SIGNATURE_MAX always suffices).  Needs a daemon
 * connection (-EOPNOTSUPP on the kernel's); -EPERM when the caller is
 * neither root nor in the identity's signer group; -ENOKEY when the
 * identity no longer holds that key. */
int credstore_sign(struct credstore *cs, const struct credstore_sign_params *p,
		   const void *data, size_t len, void *sig, size_t *sig_len);

/* The OpenSSL 3 provider "credstore" (credstore-provider(7)), built into
 * this library: OSSL_PROVIDER_add_builtin(libctx, "credstore",
 * credstore_provider_init) makes it loadable without the module file. */
int credstore_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
			    const OSSL_DISPATCH **out, void **provctx);

/* ---- OpenSSL helpers for TLS servers ---- */

/* Serve the identity keyless: its leaf and the rest of its chain, and a
 * key whose private half is a reference to credstored through the
 * provider "credstore" (loaded into the default library context if it is
 * not there yet).  Every handshake's signature is made by credstored, on
 * connections made with cs's options, for this process's credentials. */
int credstore_ssl_ctx_use_identity(SSL_CTX *ctx, struct credstore *cs,
				   const struct credstore_identity *id);

/* Whatever answers "which device holds this fingerprint": the store
 * (credstore_ssl_ctx_admit_store_devices), or the caller's own table.
 * 0 with out filled (match NONE for an unknown one), or a negative errno
 * when it could not answer; reason (size CREDSTORE_MESSAGE_MAX) then says
 * why. */
typedef int credstore_fingerprint_lookup(void *arg, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
					 struct credstore_verdict *out, char *reason);

/* Also require the client's chain to reach a trust anchor in the
 * context's X509_STORE (the store's anchors with the store variant). */
#define CREDSTORE_SSL_REQUIRE_CHAIN	(1U << 0)
/* Admit a device certificate past its notAfter (refused by default). */
#define CREDSTORE_SSL_ALLOW_EXPIRED	(1U << 1)

/* Require a client certificate and admit it only when its SHA-256
 * fingerprint is a device's master or sub, it has not expired (unless
 * CREDSTORE_SSL_ALLOW_EXPIRED) and no CRL of
 * credstore_ssl_ctx_use_crls() lists it.  Session resumption is turned
 * off: every handshake asks the lookup.  arg must outlive ctx. */
int credstore_ssl_ctx_admit_devices(SSL_CTX *ctx, credstore_fingerprint_lookup *lookup,
				    void *arg, unsigned int flags);
/* The same with the store as the lookup; with CREDSTORE_SSL_REQUIRE_CHAIN
 * the store's trust anchors are loaded into ctx.  cs must outlive ctx.
 * The store's CRLs come apart (credstore_get_crls() and
 * credstore_ssl_ctx_use_crls()): they need credstored, which a front end
 * on the module may want to do without for a while. */
int credstore_ssl_ctx_admit_store_devices(SSL_CTX *ctx, struct credstore *cs, unsigned int flags);
/* Refuse client certificates (and, with a chain, their issuers) that a
 * CRL of crls revokes, by the CRL of their issuer (ctx takes a reference
 * to each CRL).  After credstore_ssl_ctx_admit_devices(). */
int credstore_ssl_ctx_use_crls(SSL_CTX *ctx, STACK_OF(X509_CRL) *crls);

struct credstore_admission {
	int admitted;			/* 1: a device, verdict says which */
	struct credstore_verdict verdict;
	uint8_t fingerprint[CREDSTORE_FINGERPRINT_LEN];
	char reason[CREDSTORE_MESSAGE_MAX];	/* why not, when refused */
};

/* What the verify callback decided for this connection.  -ENOENT when it
 * did not run (the client sent no certificate, or the handshake failed
 * before). */
int credstore_ssl_get_admission(const SSL *ssl, struct credstore_admission *out);

#ifdef __cplusplus
}
#endif

#endif
