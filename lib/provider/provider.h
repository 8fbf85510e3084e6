/* The OpenSSL 3 provider "credstore" (credstore-provider(7)): keys whose
 * private half is a reference to credstored.
 *
 *   core.c       errors, public keys in the provider's library context
 *   keyref.c     the key reference (DER, and its PEM file)
 *   signer.c     connections to credstored, per process and thread
 *   keymgmt.c    key objects: public half local, private half a reference
 *   signature.c  ECDSA, RSA (PKCS#1 v1.5, PSS), Ed25519 through SIGN
 *   decoder.c    the reference PEM through PEM_read_bio_PrivateKey()
 *   store.c      credstore:identity/NAME, chain/NAME, anchor/NAME
 *   provider.c   the provider: init, its operations, settings
 *   module.c     OSSL_provider_init of the loadable module
 * (in layer order: each file calls only those above it)
 *
 * Everything a key does in public (its parameters, its public half, a
 * comparison with a certificate) is done locally by a public key of the
 * default provider; only signing goes to the daemon. */
#ifndef CREDSTORE_PROVIDER_H
#define CREDSTORE_PROVIDER_H

#include <stdint.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "credstore/credstore.h"

#define CS_PROV_NAME		"credstore"
/* Fetches made by the provider itself never come back to it. */
#define CS_PROV_PROPQ		"provider!=credstore"
/* The decoders' data structure for a reference's DER. */
#define CS_KEYREF_STRUCTURE	"credstore-key-reference"
#define CS_KEYREF_PEM_LABEL	"CREDSTORE KEY REFERENCE"

struct cs_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_LIB_CTX *libctx;			/* a child of the application's */
	struct credstore_options options;	/* from openssl.cnf */
	char *runtime_dir;			/* options.runtime_dir's, owned */
	OSSL_FUNC_core_new_error_fn *new_error;
	OSSL_FUNC_core_set_error_debug_fn *set_error_debug;
	OSSL_FUNC_core_vset_error_fn *vset_error;
};

/* Reasons of the provider's errors (the text says the rest). */
enum {
	CS_R_DAEMON = 1,	/* credstored refused or could not be reached */
	CS_R_REFERENCE,		/* a malformed key reference or URI */
	CS_R_UNSUPPORTED,	/* an algorithm or parameter it does not do */
	CS_R_NO_MEMORY,
};

/* Raise an error on the application's error queue. */
__attribute__((format(printf, 3, 4)))
void cs_prov_error(const struct cs_prov *prov, int reason, const char *fmt, ...);

/* ---- the key reference ---- */

struct cs_keyref {
	char identity[CREDSTORE_NAME_MAX];
	unsigned char *spki;			/* DER SubjectPublicKeyInfo */
	size_t spki_len;
};

/* DER of a reference (malloc'd, OPENSSL_free) and back. */
int cs_keyref_to_der(const char *identity, EVP_PKEY *public_key, unsigned char **der,
		     size_t *len);
int cs_keyref_from_der(const unsigned char *der, size_t len, struct cs_keyref *out);
void cs_keyref_release(struct cs_keyref *ref);
/* The reference PEM file (-----BEGIN CREDSTORE KEY REFERENCE-----). */
int cs_keyref_write_pem(BIO *out, const char *identity, EVP_PKEY *public_key);

/* What a decoder or the store loader hands to the key manager's load():
 * OpenSSL loads the key inside the callback, while this is alive. */
struct cs_keyref_object {
	struct cs_prov *prov;
	const unsigned char *der;
	size_t len;
};

/* ---- connections and signing ---- */

struct cs_signer;

/* A signer connects with a copy of options (the runtime directory too). */
struct cs_signer *cs_signer_new(const struct credstore_options *options);
const struct credstore_options *cs_signer_options(const struct cs_signer *s);
void cs_signer_free(struct cs_signer *s);
/* Sign through credstored; on failure, the error is raised.  After a
 * fork the child opens its own connections (the parent's carry the
 * parent's credentials); a connection that broke (a daemon restart) is
 * replaced and the request sent once more. */
int cs_signer_sign(struct cs_signer *s, const struct cs_prov *prov,
		   const struct credstore_sign_params *p, const unsigned char *data,
		   size_t len, unsigned char *sig, size_t *sig_len);

/* ---- key objects ---- */

struct cs_key {
	struct cs_prov *prov;
	char identity[CREDSTORE_NAME_MAX];
	EVP_PKEY *public_key;			/* the default provider's */
	uint8_t key_id[CREDSTORE_FINGERPRINT_LEN];
	struct cs_signer *signer;		/* and the options it connects with */
};

/* The key type names, as the default provider spells them. */
extern const char cs_name_ec[], cs_name_rsa[], cs_name_ed25519[];

extern const OSSL_DISPATCH cs_keymgmt_ec[], cs_keymgmt_rsa[], cs_keymgmt_ed25519[];
extern const OSSL_DISPATCH cs_signature_ecdsa[], cs_signature_rsa[], cs_signature_ed25519[];
extern const OSSL_DISPATCH cs_decoder_pem[], cs_decoder_key_ec[], cs_decoder_key_rsa[],
	cs_decoder_key_ed25519[];
extern const OSSL_DISPATCH cs_store_functions[];

/* The public key of a DER SubjectPublicKeyInfo, in the provider's library
 * context; NULL and an error raised. */
EVP_PKEY *cs_prov_public_key(struct cs_prov *prov, const unsigned char *spki, size_t len);

#endif
