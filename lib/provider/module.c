/* The loadable module credstore.so, for openssl.cnf and `-provider
 * credstore`: the provider of libcredstore, linked in whole. */
#include <openssl/core.h>

#include "credstore/credstore.h"

OPENSSL_EXPORT int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
				      const OSSL_DISPATCH **out, void **provctx);

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		       const OSSL_DISPATCH **out, void **provctx)
{
	return credstore_provider_init(handle, in, out, provctx);
}
