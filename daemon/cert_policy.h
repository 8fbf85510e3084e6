/* What credstored accepts of a certificate beyond parsing and dates: key
 * strength and signature hash (its policy), the role (an anchor is a CA,
 * a server identity a TLS server leaf), and the expiry warning. */
#ifndef CREDSTORE_CERT_POLICY_H
#define CREDSTORE_CERT_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "server.h"

/* The key's size and, unless the certificate is self-signed (an anchor's
 * own signature proves nothing), the hash of its signature. */
int cert_check_strength(const struct daemon_policy *p, X509 *cert, const char *what,
			struct cs_err *err);
int cert_check_chain_strength(const struct daemon_policy *p, STACK_OF(X509) *chain,
			      struct cs_err *err);
int cert_check_key_strength(const struct daemon_policy *p, EVP_PKEY *key, const char *what,
			    struct cs_err *err);

/* An anchor must be a CA certificate. */
int cert_check_ca(X509 *cert, struct cs_err *err);
/* A server identity's leaf must allow TLS server use and not be a CA. */
int cert_check_server(X509 *leaf, struct cs_err *err);

/* notAfter in Unix seconds (0 when unreadable). */
uint64_t cert_not_after(const X509 *cert);
/* A reply warning when cert expires within the policy's threshold. */
void cert_warn_expiry(struct cmd_ctx *c, X509 *cert, const char *what);

#endif
