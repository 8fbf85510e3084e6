/* The provider itself: what it offers, and its settings from
 * openssl.cnf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "provider.h"
#include "usersock.h"

#define PROPS "provider=credstore"

static const OSSL_ALGORITHM keymgmts[] = {
	{ cs_name_ec, PROPS, cs_keymgmt_ec, "EC key held by credstored" },
	{ cs_name_rsa, PROPS, cs_keymgmt_rsa, "RSA key held by credstored" },
	{ cs_name_ed25519, PROPS, cs_keymgmt_ed25519, "Ed25519 key held by credstored" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM signatures[] = {
	{ "ECDSA", PROPS, cs_signature_ecdsa, "ECDSA signed by credstored" },
	{ cs_name_rsa, PROPS, cs_signature_rsa, "RSA signed by credstored" },
	{ cs_name_ed25519, PROPS, cs_signature_ed25519, "Ed25519 signed by credstored" },
	{ NULL, NULL, NULL, NULL }
};

/* The PEM file to DER, then DER to a key of each type. */
static const OSSL_ALGORITHM decoders[] = {
	{ "DER", PROPS ",input=pem", cs_decoder_pem, "credstore key reference PEM" },
	{ cs_name_ec, PROPS ",input=der,structure=" CS_KEYREF_STRUCTURE, cs_decoder_key_ec, NULL },
	{ cs_name_rsa, PROPS ",input=der,structure=" CS_KEYREF_STRUCTURE, cs_decoder_key_rsa, NULL },
	{ cs_name_ed25519, PROPS ",input=der,structure=" CS_KEYREF_STRUCTURE, cs_decoder_key_ed25519,
	  NULL },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM stores[] = {
	{ "credstore", PROPS, cs_store_functions, "credstore:identity/NAME, chain/NAME, anchor/NAME" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ITEM reasons[] = {
	{ CS_R_DAEMON, "credstored" },
	{ CS_R_REFERENCE, "bad credstore key reference" },
	{ CS_R_UNSUPPORTED, "not supported by credstore" },
	{ CS_R_NO_MEMORY, "out of memory" },
	{ 0, NULL }
};

static const OSSL_ALGORITHM *query_operation(void *provctx, int operation, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (operation) {
	case OSSL_OP_KEYMGMT: return keymgmts;
	case OSSL_OP_SIGNATURE: return signatures;
	case OSSL_OP_DECODER: return decoders;
	case OSSL_OP_STORE: return stores;
	default: return NULL;
	}
}

static const OSSL_ITEM *get_reason_strings(void *provctx)
{
	(void)provctx;
	return reasons;
}

static const OSSL_PARAM *gettable_params(void *provctx)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, NULL, 0),
		OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, NULL),
		OSSL_PARAM_END
	};

	(void)provctx;
	return table;
}

static int get_params(void *provctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	(void)provctx;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "credstore: keys held by credstored"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
	return !p || OSSL_PARAM_set_int(p, 1);
}

static void teardown(void *provctx)
{
	struct cs_prov *prov = provctx;

	OSSL_LIB_CTX_free(prov->libctx);
	free(prov->runtime_dir);
	free(prov);
}

static const OSSL_DISPATCH provider_functions[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))teardown },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))query_operation },
	{ OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))get_reason_strings },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))get_params },
	{ 0, NULL }
};

/* openssl.cnf, in the provider's section:
 *   daemon-uid = 0       credstored's uid (its answers from any other are dropped)
 *   timeout-ms = 5000    bound on each wait for credstored
 *   runtime-dir = DIR    where credstored's sockets are
 * Without runtime-dir, $CREDSTORE_RUNTIME_DIR as the process has it when
 * the provider loads (a server's master: nginx clears its workers'
 * environment), else /run/credstore. */
static int read_settings(struct cs_prov *prov, OSSL_FUNC_core_get_params_fn *core_get_params)
{
	char *uid = NULL, *timeout = NULL, *dir = NULL, *end;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_ptr("daemon-uid", &uid, 0),
		OSSL_PARAM_utf8_ptr("timeout-ms", &timeout, 0),
		OSSL_PARAM_utf8_ptr("runtime-dir", &dir, 0),
		OSSL_PARAM_END
	};

	prov->options.transport = CREDSTORE_TRANSPORT_DAEMON;
	if (core_get_params && !core_get_params(prov->handle, params))
		uid = timeout = dir = NULL;
	if (uid) {
		prov->options.daemon_uid = (uid_t)strtoul(uid, &end, 10);
		if (!*uid || *end)
			return -EINVAL;
	}
	if (timeout) {
		prov->options.timeout_ms = (int)strtol(timeout, &end, 10);
		if (!*timeout || *end || prov->options.timeout_ms <= 0)
			return -EINVAL;
	}
	prov->runtime_dir = strdup(cs_runtime_dir(dir && *dir ? dir : NULL));
	prov->options.runtime_dir = prov->runtime_dir;
	return prov->runtime_dir ? 0 : -ENOMEM;
}

int credstore_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
			    const OSSL_DISPATCH **out, void **provctx)
{
	OSSL_FUNC_core_get_params_fn *core_get_params = NULL;
	struct cs_prov *prov = calloc(1, sizeof(*prov));

	if (!prov)
		return 0;
	prov->handle = handle;
	for (const OSSL_DISPATCH *f = in; f->function_id; f++) {
		switch (f->function_id) {
		case OSSL_FUNC_CORE_GET_PARAMS:
			core_get_params = OSSL_FUNC_core_get_params(f);
			break;
		case OSSL_FUNC_CORE_NEW_ERROR:
			prov->new_error = OSSL_FUNC_core_new_error(f);
			break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			prov->set_error_debug = OSSL_FUNC_core_set_error_debug(f);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR:
			prov->vset_error = OSSL_FUNC_core_vset_error(f);
			break;
		default:
			break;
		}
	}
	if (!prov->new_error || !prov->set_error_debug || !prov->vset_error)
		prov->new_error = NULL;
	prov->libctx = OSSL_LIB_CTX_new_child(handle, in);
	if (!prov->libctx || read_settings(prov, core_get_params) < 0) {
		if (prov->libctx)
			cs_prov_error(prov, CS_R_REFERENCE,
				      "bad daemon-uid or timeout-ms in the provider's configuration");
		teardown(prov);
		return 0;
	}
	*out = provider_functions;
	*provctx = prov;
	return 1;
}
