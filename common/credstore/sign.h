/* credstored's signing: its limits and schemes (the SIGN request of its
 * query socket, common/credstore_admin.h).  Installed with libcredstore as
 * <credstore/sign.h>: its signing API (<credstore/credstore.h>) takes them
 * too, and one definition serves both. */
#ifndef CREDSTORE_SIGN_H
#define CREDSTORE_SIGN_H

#define CREDSTORE_SIGN_DATA_MAX		4096	/* what SIGN signs (digest or message) */
#define CREDSTORE_SIGNATURE_MAX		1024	/* a signature (RSA-8192: 1024 bytes) */

enum credstore_sign_scheme {
	CREDSTORE_SIGN_UNSPEC,
	CREDSTORE_SIGN_ECDSA,		/* DER ECDSA-Sig-Value over the digest */
	CREDSTORE_SIGN_RSA_PKCS1,	/* RSASSA-PKCS1-v1_5 over the digest */
	CREDSTORE_SIGN_RSA_PSS,		/* RSASSA-PSS, MGF1 with the digest's hash */
	CREDSTORE_SIGN_ED25519,		/* PureEdDSA over the message */

	__CREDSTORE_SIGN_MAX,
	CREDSTORE_SIGN_MAX = __CREDSTORE_SIGN_MAX - 1
};

#endif
