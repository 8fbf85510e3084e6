#include <errno.h>
#include <stdio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "cert_policy.h"
#include "pki.h"

static void subject_of(X509 *cert, char *out, size_t size)
{
	char *s = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);

	snprintf(out, size, "%s", s ? s : "?");
	OPENSSL_free(s);
}

int cert_check_key_strength(const struct daemon_policy *p, EVP_PKEY *key, const char *what,
			    struct cs_err *err)
{
	int id = EVP_PKEY_get_base_id(key), bits = EVP_PKEY_get_bits(key);
	const char *alg = id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS ? "RSA"
			: id == EVP_PKEY_DSA ? "DSA" : NULL;

	if (alg && bits < (int)p->min_rsa_bits)
		return cs_err_set(err, EKEYREJECTED, "%s has a %d-bit %s key: credstored takes %u "
				  "bits or more (--min-rsa-bits)", what, bits, alg, p->min_rsa_bits);
	return 0;
}

static bool weak_hash(int md_nid)
{
	return md_nid == NID_sha1 || md_nid == NID_md5 || md_nid == NID_md5_sha1 ||
	       md_nid == NID_md4 || md_nid == NID_md2;
}

int cert_check_strength(const struct daemon_policy *p, X509 *cert, const char *what,
			struct cs_err *err)
{
	char subject[256], label[320];
	int md_nid = NID_undef, r;
	bool self_signed = X509_check_issued(cert, cert) == X509_V_OK;

	subject_of(cert, subject, sizeof(subject));
	snprintf(label, sizeof(label), "%s %s", what, subject);
	r = cert_check_key_strength(p, X509_get0_pubkey(cert), label, err);
	if (!r && !self_signed && X509_get_signature_info(cert, &md_nid, NULL, NULL, NULL) == 1 &&
	    weak_hash(md_nid) && (md_nid != NID_sha1 || !p->allow_sha1))
		r = cs_err_set(err, EKEYREJECTED, "%s is signed with %s, which credstored refuses%s",
			       label, OBJ_nid2sn(md_nid),
			       md_nid == NID_sha1 ? " (--allow-sha1 accepts it)" : "");
	ERR_clear_error();
	return r;
}

int cert_check_chain_strength(const struct daemon_policy *p, STACK_OF(X509) *chain,
			      struct cs_err *err)
{
	int r = 0;

	for (int i = 0; i < sk_X509_num(chain) && !r; i++)
		r = cert_check_strength(p, sk_X509_value(chain, i),
					i ? "chain certificate" : "the certificate", err);
	return r;
}

int cert_check_ca(X509 *cert, struct cs_err *err)
{
	char subject[256];

	if (X509_check_ca(cert) != 0)
		return 0;
	subject_of(cert, subject, sizeof(subject));
	return cs_err_set(err, EKEYREJECTED, "%s is not a CA certificate (no basicConstraints "
			  "CA:TRUE): an anchor must be the CA that issues the devices' certificates",
			  subject);
}

int cert_check_server(X509 *leaf, struct cs_err *err)
{
	char subject[256];
	int r = 0;

	subject_of(leaf, subject, sizeof(subject));
	if (X509_get_extension_flags(leaf) & EXFLAG_CA)
		r = cs_err_set(err, EKEYREJECTED, "%s is a CA certificate (basicConstraints CA:TRUE): "
			       "a server identity must be a leaf", subject);
	else if (X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1)
		r = cs_err_set(err, EKEYREJECTED, "%s does not allow TLS server use (its "
			       "extendedKeyUsage lacks serverAuth, or its keyUsage forbids it)",
			       subject);
	ERR_clear_error();
	return r;
}

uint64_t cert_not_after(const X509 *cert)
{
	return cs_pki_time(X509_get0_notAfter(cert));
}

void cert_warn_expiry(struct cmd_ctx *c, X509 *cert, const char *what)
{
	uint64_t not_after = cert_not_after(cert);
	long days = cs_days_until(not_after);
	char subject[256], date[32];

	if (!not_after || days >= (long)c->d->policy.expiry_warning_days)
		return;
	subject_of(cert, subject, sizeof(subject));
	cs_format_time(not_after, date);
	reply_warning(c, "%s %s expires in %ld day%s (%s)", what, subject, days,
		      days == 1 ? "" : "s", date);
}
