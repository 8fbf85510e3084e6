#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "pki.h"

static bool looks_like_pem(const void *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

static STACK_OF(X509) *parse_pem_certs(const void *data, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	X509 *x;

	while (certs && bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (!sk_X509_push(certs, x))
			X509_free(x);
	ERR_clear_error();	/* the end of the input reads as an error */
	BIO_free(bio);
	return certs;
}

static STACK_OF(X509) *parse_der_certs(const void *data, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	const unsigned char *p = data, *end = p + len;

	while (certs && p < end) {
		X509 *x = d2i_X509(NULL, &p, end - p);

		if (!x || !sk_X509_push(certs, x)) {
			X509_free(x);
			cs_pki_free_certs(certs);
			certs = NULL;
		}
	}
	ERR_clear_error();
	return certs;
}

STACK_OF(X509) *cs_pki_parse_certs(const void *data, size_t len, struct cs_err *err)
{
	STACK_OF(X509) *certs = NULL;

	if (len > 0 && len < INT32_MAX)
		certs = looks_like_pem(data, len) ? parse_pem_certs(data, len)
						  : parse_der_certs(data, len);
	if (certs && sk_X509_num(certs) > 0)
		return certs;
	cs_pki_free_certs(certs);
	cs_err_set(err, EINVAL, "not a certificate: the input is neither PEM nor DER X.509");
	return NULL;
}

void cs_pki_free_certs(STACK_OF(X509) *certs)
{
	sk_X509_pop_free(certs, X509_free);
}

/* The bytes a memory BIO holds, copied into a malloc'd, NUL-terminated
 * buffer. */
static int bio_take(BIO *bio, char **out, size_t *len, struct cs_err *err)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	*out = malloc((size_t)n + 1);
	if (!*out)
		return cs_err_set(err, ENOMEM, "out of memory");
	memcpy(*out, data, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int cs_pki_certs_to_der(STACK_OF(X509) *certs, uint8_t **der, size_t *len, struct cs_err *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int r = 0;

	for (int i = 0; bio && i < sk_X509_num(certs) && !r; i++)
		if (i2d_X509_bio(bio, sk_X509_value(certs, i)) != 1)
			r = cs_err_set(err, EINVAL, "cannot encode certificate %d as DER", i);
	if (!bio)
		r = cs_err_set(err, ENOMEM, "out of memory");
	if (!r)
		r = bio_take(bio, (char **)der, len, err);
	BIO_free(bio);
	return r;
}

int cs_pki_certs_to_pem(STACK_OF(X509) *certs, char **pem, size_t *len, struct cs_err *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int r = 0;

	for (int i = 0; bio && i < sk_X509_num(certs) && !r; i++)
		if (PEM_write_bio_X509(bio, sk_X509_value(certs, i)) != 1)
			r = cs_err_set(err, EINVAL, "cannot encode certificate %d as PEM", i);
	if (!bio)
		r = cs_err_set(err, ENOMEM, "out of memory");
	if (!r)
		r = bio_take(bio, pem, len, err);
	BIO_free(bio);
	return r;
}

/* Hand the given password to OpenSSL; never prompt on a terminal. */
static int password_cb(char *buf, int size, int rwflag, void *u)
{
	const char *password = u;
	int n;

	(void)rwflag;
	if (!password)
		return -1;
	n = (int)strlen(password);
	if (n > size)
		return -1;
	memcpy(buf, password, (size_t)n);
	return n;
}

static bool pem_is_encrypted(const void *data, size_t len)
{
	return memmem(data, len, "ENCRYPTED", 9) != NULL;
}

EVP_PKEY *cs_pki_parse_key(const void *data, size_t len, const char *password,
			   struct cs_err *err)
{
	BIO *bio = len < INT32_MAX ? BIO_new_mem_buf(data, (int)len) : NULL;
	EVP_PKEY *key = NULL;
	bool pem = looks_like_pem(data, len);

	if (bio && pem)
		key = PEM_read_bio_PrivateKey(bio, NULL, password_cb, (void *)password);
	else if (bio && password)
		key = d2i_PKCS8PrivateKey_bio(bio, NULL, password_cb, (void *)password);
	else if (bio)
		key = d2i_PrivateKey_bio(bio, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (key)
		return key;
	if (pem && pem_is_encrypted(data, len))
		cs_err_set(err, EACCES, password ? "cannot decrypt the private key: wrong password"
						 : "the private key is encrypted: give its password");
	else
		cs_err_set(err, EINVAL, "not a private key: the input is neither PEM nor DER");
	return NULL;
}

int cs_pki_key_to_der(EVP_PKEY *key, uint8_t **der, size_t *len, struct cs_err *err)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
	unsigned char *out = NULL;
	int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &out) : -1;

	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0)
		return cs_err_set(err, EINVAL, "cannot encode the private key as PKCS#8");
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, out, (size_t)n);
	OPENSSL_clear_free(out, (size_t)n);
	if (!*der)
		return cs_err_set(err, ENOMEM, "out of memory");
	*len = (size_t)n;
	return 0;
}

EVP_PKEY *cs_pki_generate_key(const char *type, struct cs_err *err)
{
	EVP_PKEY *key = NULL;

	if (!type || !strcmp(type, "ec-p256"))
		key = EVP_EC_gen("P-256");
	else if (!strcmp(type, "rsa2048"))
		key = EVP_RSA_gen(2048);
	else if (!strcmp(type, "rsa3072"))
		key = EVP_RSA_gen(3072);
	else
		cs_err_set(err, EINVAL, "unknown key type '%s': use ec-p256, rsa2048 or rsa3072", type);
	if (!key)
		cs_err_set(err, EIO, "key generation failed");
	return key;
}

/* "/CN=gw/O=Example" into an X509_NAME. */
static int parse_subject(const char *subject, X509_NAME *name, struct cs_err *err)
{
	char *copy = strdup(subject), *save = NULL;
	int r = 0;

	if (!copy)
		return cs_err_set(err, ENOMEM, "out of memory");
	if (subject[0] != '/')
		r = cs_err_set(err, EINVAL, "subject '%s' must look like /CN=name/O=org", subject);
	for (char *part = strtok_r(copy, "/", &save); part && !r; part = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(part, '=');

		if (!eq || eq == part || !eq[1]) {
			r = cs_err_set(err, EINVAL, "subject component '%s' is not FIELD=value", part);
			break;
		}
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8,
						(unsigned char *)eq + 1, -1, -1, 0))
			r = cs_err_set(err, EINVAL, "unknown subject field '%s'", part);
	}
	if (!r && X509_NAME_entry_count(name) == 0)
		r = cs_err_set(err, EINVAL, "the subject is empty");
	free(copy);
	ERR_clear_error();
	return r;
}

/* The subjectAltName extension requested, in OpenSSL's own syntax
 * ("DNS:a,IP:1.2.3.4"); no configuration, so no references to sections. */
static int add_san(X509_REQ *req, const char *san, struct cs_err *err)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
	int r = 0;

	if (!ext)
		r = cs_err_set(err, EINVAL, "subjectAltName '%s' is not a list like "
			       "DNS:gw.example,IP:192.0.2.1", san);
	else if (!exts || !sk_X509_EXTENSION_push(exts, ext) || !X509_REQ_add_extensions(req, exts))
		r = cs_err_set(err, ENOMEM, "out of memory");
	else
		ext = NULL;
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ERR_clear_error();
	return r;
}

int cs_pki_make_csr(EVP_PKEY *key, const char *subject, const char *san, char **pem,
		    size_t *len, struct cs_err *err)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	BIO *bio = BIO_new(BIO_s_mem());
	int r = req && name && bio ? 0 : cs_err_set(err, ENOMEM, "out of memory");

	if (!r)
		r = parse_subject(subject, name, err);
	if (!r && san)
		r = add_san(req, san, err);
	if (!r && (!X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, name) ||
		   !X509_REQ_set_pubkey(req, key) || X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
		   !PEM_write_bio_X509_REQ(bio, req)))
		r = cs_err_set(err, EIO, "cannot make the CSR");
	if (!r)
		r = bio_take(bio, pem, len, err);
	BIO_free(bio);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return r;
}

static void subject_line(X509 *cert, char *out, size_t size)
{
	char *s = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);

	snprintf(out, size, "%s", s ? s : "?");
	OPENSSL_free(s);
}

int cs_pki_check_dates(X509 *cert, const char *what, struct cs_err *err)
{
	char subject[256];

	subject_line(cert, subject, sizeof(subject));
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
		return cs_err_set(err, EKEYREJECTED, "%s %s is not yet valid", what, subject);
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		return cs_err_set(err, EKEYEXPIRED, "%s %s has expired", what, subject);
	return 0;
}

int cs_pki_check_key_matches(X509 *leaf, EVP_PKEY *key, struct cs_err *err)
{
	int ok = X509_check_private_key(leaf, key);

	ERR_clear_error();
	return ok == 1 ? 0 : cs_err_set(err, EKEYREJECTED,
					"the private key does not match the certificate");
}

int cs_pki_check_order(STACK_OF(X509) *chain, struct cs_err *err)
{
	char a[256], b[256];
	int n = sk_X509_num(chain);

	for (int i = 1; i < n; i++) {
		X509 *cert = sk_X509_value(chain, i);

		if (!(X509_get_extension_flags(cert) & EXFLAG_CA) &&
		    (X509_get_extension_flags(sk_X509_value(chain, 0)) & EXFLAG_CA)) {
			subject_line(cert, a, sizeof(a));
			return cs_err_set(err, EINVAL, "the chain is in the wrong order: certificate %d "
					  "(%s) is the leaf; give it first, then its issuer, then "
					  "the issuer's", i + 1, a);
		}
	}
	for (int i = 0; i + 1 < n; i++) {
		if (X509_check_issued(sk_X509_value(chain, i + 1), sk_X509_value(chain, i)) ==
		    X509_V_OK)
			continue;
		subject_line(sk_X509_value(chain, i), a, sizeof(a));
		subject_line(sk_X509_value(chain, i + 1), b, sizeof(b));
		ERR_clear_error();
		return cs_err_set(err, EINVAL, "the chain is in the wrong order or holds an unrelated "
				  "certificate: certificate %d (%s) did not issue certificate %d "
				  "(%s); give the leaf first, then each issuer", i + 2, b, i + 1, a);
	}
	ERR_clear_error();
	return 0;
}

int cs_pki_check_chain(STACK_OF(X509) *chain, STACK_OF(X509) *anchors, const char *anchor_name,
		       struct cs_err *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int r = store && ctx ? 0 : cs_err_set(err, ENOMEM, "out of memory");

	for (int i = 0; !r && i < sk_X509_num(anchors); i++)
		if (!X509_STORE_add_cert(store, sk_X509_value(anchors, i)))
			r = cs_err_set(err, EIO, "cannot set up chain verification");
	if (!r && !X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), chain))
		r = cs_err_set(err, EIO, "cannot set up chain verification");
	if (!r) {
		/* The anchor may be an intermediate the administrator trusts. */
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
		if (X509_verify_cert(ctx) != 1)
			r = cs_err_set(err, EKEYREJECTED, "the chain does not lead to %s: %s",
				       anchor_name,
				       X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return r;
}

uint64_t cs_pki_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (uint64_t)timegm(&tm);
}

long cs_days_until(uint64_t t)
{
	long long left = (long long)t - (long long)time(NULL);

	return (long)(left >= 0 ? left / 86400 : -((-left + 86399) / 86400));
}

void cs_format_time(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "?");
}

/* Issuers after the leaf, each the issuer of the one before. */
static int order_chain(X509 *leaf, STACK_OF(X509) *others, STACK_OF(X509) *chain)
{
	X509 *cur = leaf;

	if (!sk_X509_push(chain, leaf) || !X509_up_ref(leaf))
		return -ENOMEM;
	for (int hops = 0; hops < sk_X509_num(others); hops++) {
		X509 *issuer = NULL;

		for (int i = 0; i < sk_X509_num(others) && !issuer; i++) {
			X509 *c = sk_X509_value(others, i);

			if (c != cur && X509_check_issued(c, cur) == X509_V_OK)
				issuer = c;
		}
		if (!issuer || issuer == cur || X509_check_issued(cur, cur) == X509_V_OK)
			break;
		if (!sk_X509_push(chain, issuer) || !X509_up_ref(issuer))
			return -ENOMEM;
		cur = issuer;
	}
	ERR_clear_error();
	return 0;
}

int cs_pki_parse_pkcs12(const void *data, size_t len, const char *password, EVP_PKEY **key,
			STACK_OF(X509) **chain, struct cs_err *err)
{
	const unsigned char *p = data;
	PKCS12 *p12 = len < INT32_MAX ? d2i_PKCS12(NULL, &p, (long)len) : NULL;
	STACK_OF(X509) *others = NULL;
	X509 *leaf = NULL;
	int r = 0;

	*key = NULL;
	*chain = NULL;
	if (!p12)
		r = cs_err_set(err, EINVAL, "not a PKCS#12 file");
	else if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, password ? password : "", -1) &&
		 !(!password && PKCS12_verify_mac(p12, NULL, 0)))
		r = cs_err_set(err, EACCES, password ? "cannot open the PKCS#12 file: wrong password"
						     : "the PKCS#12 file has a password: give it");
	else if (!PKCS12_parse(p12, password, key, &leaf, &others))
		r = cs_err_set(err, EINVAL, "cannot read the PKCS#12 file (an algorithm OpenSSL 3 "
			       "no longer loads, such as RC2? re-export it with AES)");
	else if (!*key || !leaf)
		r = cs_err_set(err, EINVAL, "the PKCS#12 file holds no %s",
			       *key ? "certificate" : "private key");
	if (!r && (!(*chain = sk_X509_new_null()) || order_chain(leaf, others, *chain) < 0))
		r = cs_err_set(err, ENOMEM, "out of memory");
	if (r) {
		EVP_PKEY_free(*key);
		*key = NULL;
		cs_pki_free_certs(*chain);
		*chain = NULL;
	}
	X509_free(leaf);
	cs_pki_free_certs(others);
	PKCS12_free(p12);
	ERR_clear_error();
	return r;
}

X509_CRL *cs_pki_parse_crl(const void *data, size_t len, struct cs_err *err)
{
	BIO *bio = len > 0 && len < INT32_MAX ? BIO_new_mem_buf(data, (int)len) : NULL;
	X509_CRL *crl = NULL;

	if (bio)
		crl = looks_like_pem(data, len) ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)
						: d2i_X509_CRL_bio(bio, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!crl)
		cs_err_set(err, EINVAL, "not a CRL: the input is neither PEM nor DER X.509 CRL");
	return crl;
}

static void format_time(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(out, size, "?");
}

static void format_name(const X509_NAME *name, char *out, size_t size)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	out[0] = '\0';
	if (!bio)
		return;
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
	n = BIO_get_mem_data(bio, &data);
	snprintf(out, size, "%.*s", (int)n, data);
	BIO_free(bio);
}

int cs_pki_describe(X509 *cert, struct cs_cert_info *info)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	format_name(X509_get_subject_name(cert), info->subject, sizeof(info->subject));
	format_name(X509_get_issuer_name(cert), info->issuer, sizeof(info->issuer));
	snprintf(info->serial, sizeof(info->serial), "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	format_time(X509_get0_notBefore(cert), info->not_before, sizeof(info->not_before));
	format_time(X509_get0_notAfter(cert), info->not_after, sizeof(info->not_after));
	info->not_after_time = cs_pki_time(X509_get0_notAfter(cert));
	if (cs_fingerprint_of_cert(cert, fp) < 0)
		return -EINVAL;
	cs_fingerprint_format(fp, info->fingerprint);
	return 0;
}
