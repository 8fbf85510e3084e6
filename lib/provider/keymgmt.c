/* Key objects.  A key is loaded from a reference (a decoder or the store
 * loader hands it over); what a key says about itself (size, curve, its
 * public half) comes from its public key, and it exports that public
 * half only, so that OpenSSL compares it with a certificate and never
 * takes it for a whole key in another provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "fingerprint.h"
#include "provider.h"

/* Per key, in EVP_PKEY_set_params(): the connection to credstored
 * (libcredstore's helper passes its connection's options). */
#define PARAM_DAEMON_UID	"credstore-daemon-uid"
#define PARAM_TIMEOUT_MS	"credstore-timeout-ms"
#define PARAM_RUNTIME_DIR	"credstore-runtime-dir"

static void key_free(void *keydata)
{
	struct cs_key *key = keydata;

	if (!key)
		return;
	EVP_PKEY_free(key->public_key);
	cs_signer_free(key->signer);
	free(key);
}

static struct cs_key *key_new(struct cs_prov *prov, const char *identity, EVP_PKEY *public_key,
			      const struct credstore_options *options)
{
	struct cs_key *key = calloc(1, sizeof(*key));

	if (!key || cs_key_id(public_key, key->key_id) < 0 ||
	    !(key->signer = cs_signer_new(options))) {
		cs_prov_error(prov, CS_R_NO_MEMORY, "cannot make a key object");
		EVP_PKEY_free(public_key);
		key_free(key);
		return NULL;
	}
	key->prov = prov;
	snprintf(key->identity, sizeof(key->identity), "%s", identity);
	key->public_key = public_key;
	return key;
}

static void *load(const void *reference, size_t size, const char *type)
{
	const struct cs_keyref_object *obj = reference;
	struct cs_keyref ref;
	EVP_PKEY *public_key;

	if (!obj || size != sizeof(*obj))
		return NULL;
	if (cs_keyref_from_der(obj->der, obj->len, &ref) < 0) {
		cs_prov_error(obj->prov, CS_R_REFERENCE, "malformed credstore key reference");
		return NULL;
	}
	public_key = cs_prov_public_key(obj->prov, ref.spki, ref.spki_len);
	cs_keyref_release(&ref);
	if (public_key && !EVP_PKEY_is_a(public_key, type)) {
		cs_prov_error(obj->prov, CS_R_REFERENCE, "identity '%s': the key is %s, not %s",
			      ref.identity, EVP_PKEY_get0_type_name(public_key), type);
		EVP_PKEY_free(public_key);
		return NULL;
	}
	return public_key ? key_new(obj->prov, ref.identity, public_key, &obj->prov->options) : NULL;
}

static void *load_ec(const void *reference, size_t size)
{
	return load(reference, size, "EC");
}

static void *load_rsa(const void *reference, size_t size)
{
	return load(reference, size, "RSA");
}

static void *load_ed25519(const void *reference, size_t size)
{
	return load(reference, size, "ED25519");
}

/* An empty key, for OpenSSL's import into this key manager (which it
 * tries when it compares a certificate's key with one of ours): without
 * it, OpenSSL records an allocation failure before it compares the other
 * way round, and that stale error fails a later TLS read (lighttpd). */
static void *new_key(void *provctx)
{
	(void)provctx;
	return calloc(1, sizeof(struct cs_key));
}

/* A key of this provider is made from a reference only: another
 * provider's key is never imported (quietly: OpenSSL then compares in
 * the other provider). */
static int import_none(void *keydata, int selection, const OSSL_PARAM params[])
{
	(void)keydata, (void)selection, (void)params;
	return 0;
}

static const OSSL_PARAM *import_types(int selection)
{
	static const OSSL_PARAM none[] = { OSSL_PARAM_END };

	(void)selection;
	return none;
}

static void *dup_key(const void *from, int selection)
{
	const struct cs_key *key = from;

	(void)selection;
	if (!key->public_key || !EVP_PKEY_up_ref(key->public_key))
		return NULL;
	return key_new(key->prov, key->identity, key->public_key, cs_signer_options(key->signer));
}

/* The public half, the parameters and (as a reference) the private half:
 * everything a loaded key of ours has. */
static int has(const void *keydata, int selection)
{
	const struct cs_key *key = keydata;

	(void)selection;
	return key && key->public_key;
}

static int match(const void *a, const void *b, int selection)
{
	const struct cs_key *ka = a, *kb = b;

	(void)selection;
	return has(ka, 0) && has(kb, 0) && EVP_PKEY_eq(ka->public_key, kb->public_key) == 1;
}

static int get_params(void *keydata, OSSL_PARAM params[])
{
	const struct cs_key *key = keydata;

	return has(key, 0) && EVP_PKEY_get_params(key->public_key, params);
}

static const OSSL_PARAM *gettable_params(void *provctx)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
		OSSL_PARAM_END
	};

	(void)provctx;
	return table;
}

static int set_params(void *keydata, const OSSL_PARAM params[])
{
	struct cs_key *key = keydata;
	const OSSL_PARAM *p;
	const struct credstore_options *now = cs_signer_options(key->signer);
	struct credstore_options o = *now;
	unsigned int uid;
	struct cs_signer *signer;

	p = OSSL_PARAM_locate_const(params, PARAM_DAEMON_UID);
	if (p) {
		if (!OSSL_PARAM_get_uint(p, &uid))
			return 0;
		o.daemon_uid = (uid_t)uid;
	}
	p = OSSL_PARAM_locate_const(params, PARAM_TIMEOUT_MS);
	if (p && !OSSL_PARAM_get_int(p, &o.timeout_ms))
		return 0;
	p = OSSL_PARAM_locate_const(params, PARAM_RUNTIME_DIR);
	if (p && !OSSL_PARAM_get_utf8_string_ptr(p, &o.runtime_dir))
		return 0;
	if (o.daemon_uid == now->daemon_uid && o.timeout_ms == now->timeout_ms &&
	    (o.runtime_dir == now->runtime_dir ||
	     (o.runtime_dir && now->runtime_dir && !strcmp(o.runtime_dir, now->runtime_dir))))
		return 1;
	signer = cs_signer_new(&o);
	if (!signer)
		return 0;
	cs_signer_free(key->signer);
	key->signer = signer;
	return 1;
}

static const OSSL_PARAM *settable_params(void *provctx)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_uint(PARAM_DAEMON_UID, NULL),
		OSSL_PARAM_int(PARAM_TIMEOUT_MS, NULL),
		OSSL_PARAM_utf8_string(PARAM_RUNTIME_DIR, NULL, 0),
		OSSL_PARAM_END
	};

	(void)provctx;
	return table;
}

static int export_public(void *keydata, int selection, OSSL_CALLBACK *cb, void *arg)
{
	const struct cs_key *key = keydata;

	if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) || !has(key, 0))
		return 0;	/* it is in credstored */
	return EVP_PKEY_export(key->public_key, selection, cb, arg);
}

static const OSSL_PARAM *export_types(int selection)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
		OSSL_PARAM_END
	};

	return selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY ? NULL : table;
}

static const char *ecdsa_operation(int operation)
{
	return operation == OSSL_OP_SIGNATURE ? "ECDSA" : NULL;
}

static const char *rsa_operation(int operation)
{
	return operation == OSSL_OP_SIGNATURE ? "RSA" : NULL;
}

static const char *ed25519_operation(int operation)
{
	return operation == OSSL_OP_SIGNATURE ? "ED25519" : NULL;
}

#define KEYMGMT(load_fn, operation_fn) \
	{ OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))new_key }, \
	{ OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))load_fn }, \
	{ OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))key_free }, \
	{ OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))dup_key }, \
	{ OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))has }, \
	{ OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))match }, \
	{ OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))get_params }, \
	{ OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))gettable_params }, \
	{ OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))set_params }, \
	{ OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, (void (*)(void))settable_params }, \
	{ OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))import_none }, \
	{ OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))import_types }, \
	{ OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))export_public }, \
	{ OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))export_types }, \
	{ OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, (void (*)(void))operation_fn }, \
	{ 0, NULL }

const OSSL_DISPATCH cs_keymgmt_ec[] = { KEYMGMT(load_ec, ecdsa_operation) };
const OSSL_DISPATCH cs_keymgmt_rsa[] = { KEYMGMT(load_rsa, rsa_operation) };
const OSSL_DISPATCH cs_keymgmt_ed25519[] = { KEYMGMT(load_ed25519, ed25519_operation) };
