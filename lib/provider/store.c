/* The store loader, for `-cert credstore:identity/web -key
 * credstore:identity/web` and OSSL_STORE_open():
 *   credstore:identity/NAME   the chain, leaf first, then the key
 *   credstore:chain/NAME      the chain after the leaf (intermediates)
 *   credstore:anchor/NAME     a trust anchor's certificate
 * Certificates are fetched at open; the key is a reference to the leaf's
 * public key, and is never read. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include "provider.h"

struct loader {
	struct cs_prov *prov;
	STACK_OF(X509) *certs;		/* what is left to hand out, in order */
	int next;
	char identity[CREDSTORE_NAME_MAX];	/* set: a key follows the certificates */
	int expect;			/* OSSL_STORE_INFO_* wanted, 0: any */
	int key_done;
};

static void loader_free(struct loader *l)
{
	sk_X509_pop_free(l->certs, X509_free);
	free(l);
}

static int fetch(struct loader *l, struct credstore *cs, const char *kind, const char *name)
{
	struct credstore_identity *id = NULL;
	X509 *anchor = NULL;

	if (!strcmp(kind, "anchor")) {
		if (credstore_get_anchor(cs, name, &anchor) < 0 ||
		    !(l->certs = sk_X509_new_null()) || !sk_X509_push(l->certs, anchor)) {
			X509_free(anchor);
			return -1;
		}
		return 0;
	}
	if (credstore_get_identity(cs, name, &id) < 0)
		return -1;
	l->certs = id->chain;
	id->chain = NULL;
	credstore_identity_free(id);
	if (!strcmp(kind, "chain"))
		X509_free(sk_X509_shift(l->certs));
	else
		snprintf(l->identity, sizeof(l->identity), "%s", name);
	return 0;
}

static void *store_open(void *provctx, const char *uri)
{
	struct cs_prov *prov = provctx;
	struct loader *l = calloc(1, sizeof(*l));
	const char *path = uri + strlen("credstore:");
	char why[CREDSTORE_MESSAGE_MAX];
	const char *slash = strchr(path, '/');
	char kind[16] = "";
	struct credstore *cs = NULL;

	if (!l)
		return NULL;
	l->prov = prov;
	if (strncmp(uri, "credstore:", strlen("credstore:")) || !slash || slash - path >= (long)sizeof(kind) ||
	    !slash[1] || strlen(slash + 1) >= CREDSTORE_NAME_MAX) {
		cs_prov_error(prov, CS_R_REFERENCE, "%s: not credstore:identity/NAME, chain/NAME or anchor/NAME",
			      uri);
		loader_free(l);
		return NULL;
	}
	memcpy(kind, path, (size_t)(slash - path));
	if (strcmp(kind, "identity") && strcmp(kind, "chain") && strcmp(kind, "anchor")) {
		cs_prov_error(prov, CS_R_REFERENCE, "%s: unknown kind '%s' (identity, chain or anchor)", uri, kind);
		loader_free(l);
		return NULL;
	}
	if (credstore_connect(&cs, &prov->options, why) < 0) {
		cs_prov_error(prov, CS_R_DAEMON, "%s: %s", uri, why);
		loader_free(l);
		return NULL;
	}
	if (fetch(l, cs, kind, slash + 1) < 0) {
		cs_prov_error(prov, CS_R_DAEMON, "%s: %s", uri, credstore_last_error(cs));
		loader_free(l);
		l = NULL;
	}
	credstore_close(cs);
	return l;
}

static const OSSL_PARAM *settable_ctx_params(void *provctx)
{
	static const OSSL_PARAM table[] = {
		OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
		OSSL_PARAM_END
	};

	(void)provctx;
	return table;
}

static int set_ctx_params(void *ctx, const OSSL_PARAM params[])
{
	struct loader *l = ctx;
	const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);

	return !p || OSSL_PARAM_get_int(p, &l->expect);
}

static bool wants(const struct loader *l, int type)
{
	return !l->expect || l->expect == type;
}

static int load_cert(struct loader *l, OSSL_CALLBACK *cb, void *arg)
{
	X509 *cert = sk_X509_value(l->certs, l->next++);
	int object_type = OSSL_OBJECT_CERT;
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der), ret;
	OSSL_PARAM params[] = {
		OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
		OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_DATA, der, len > 0 ? (size_t)len : 0),
		OSSL_PARAM_END
	};

	if (len <= 0)
		return 0;
	ret = cb(params, arg);
	OPENSSL_free(der);
	return ret;
}

static int load_key(struct loader *l, OSSL_CALLBACK *cb, void *arg)
{
	EVP_PKEY *public_key = X509_get0_pubkey(sk_X509_value(l->certs, 0));
	struct cs_keyref_object obj = { .prov = l->prov };
	int object_type = OSSL_OBJECT_PKEY, ret;
	unsigned char *der;

	l->key_done = 1;
	if (cs_keyref_to_der(l->identity, public_key, &der, &obj.len) < 0) {
		cs_prov_error(l->prov, CS_R_REFERENCE, "identity '%s': its certificate has no usable key",
			      l->identity);
		return 0;
	}
	obj.der = der;
	{
		OSSL_PARAM params[] = {
			OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
			OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
					       (char *)EVP_PKEY_get0_type_name(public_key), 0),
			OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &obj, sizeof(obj)),
			OSSL_PARAM_END
		};

		ret = cb(params, arg);
	}
	OPENSSL_free(der);
	return ret;
}

static int store_eof(void *ctx)
{
	const struct loader *l = ctx;
	bool certs_left = wants(l, OSSL_STORE_INFO_CERT) && l->next < sk_X509_num(l->certs);
	bool key_left = l->identity[0] && wants(l, OSSL_STORE_INFO_PKEY) && !l->key_done;

	return !certs_left && !key_left;
}

static int store_load(void *ctx, OSSL_CALLBACK *cb, void *arg, OSSL_PASSPHRASE_CALLBACK *pw_cb,
		      void *pw_arg)
{
	struct loader *l = ctx;

	(void)pw_cb, (void)pw_arg;
	if (wants(l, OSSL_STORE_INFO_CERT) && l->next < sk_X509_num(l->certs))
		return load_cert(l, cb, arg);
	if (!store_eof(l))
		return load_key(l, cb, arg);
	return 0;
}

static int store_close(void *ctx)
{
	loader_free(ctx);
	return 1;
}

const OSSL_DISPATCH cs_store_functions[] = {
	{ OSSL_FUNC_STORE_OPEN, (void (*)(void))store_open },
	{ OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, (void (*)(void))settable_ctx_params },
	{ OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))set_ctx_params },
	{ OSSL_FUNC_STORE_LOAD, (void (*)(void))store_load },
	{ OSSL_FUNC_STORE_EOF, (void (*)(void))store_eof },
	{ OSSL_FUNC_STORE_CLOSE, (void (*)(void))store_close },
	{ 0, NULL }
};
