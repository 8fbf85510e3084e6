/* The management page's changes, each one admin command or one batch (a
 * single store transaction): applied whole or not at all.  Each returns
 * 0 with a sentence for the page in ok, or -1 with the reason in why. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "actions.h"
#include "fingerprint.h"

int result_keep_csr(struct nlattr **tb, void *arg)
{
	struct result *res = arg;
	size_t len;

	if (!tb[CREDSTORE_A_ADMIN_CSR])
		return 0;
	len = (size_t)nla_len(tb[CREDSTORE_A_ADMIN_CSR]);
	if (len >= sizeof(res->csr))
		return -EMSGSIZE;
	memcpy(res->csr, nla_data(tb[CREDSTORE_A_ADMIN_CSR]), len);
	res->csr[len] = '\0';
	return 0;
}

int result_keep_secret(struct nlattr **tb, void *arg)
{
	struct result *res = arg;
	const uint8_t *p;
	size_t len;

	if (!tb[CREDSTORE_A_SECRET])
		return 0;
	p = nla_data(tb[CREDSTORE_A_SECRET]);
	len = (size_t)nla_len(tb[CREDSTORE_A_SECRET]);
	for (size_t i = 0; i < len && 2 * i + 2 < sizeof(res->secret); i++)
		snprintf(res->secret + 2 * i, 3, "%02x", p[i]);
	return 0;
}

__attribute__((format(printf, 2, 3)))
static int say(struct result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
	return 0;
}

__attribute__((format(printf, 2, 3)))
static int refuse(struct result *res, const char *fmt, ...)
{
	va_list ap;

	res->failed = true;
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
	return -1;
}

static int store_said(struct result *res, struct store *s, const char *what)
{
	return refuse(res, "%s failed: %s", what, s->err.msg);
}

/* A file field, or a refusal naming it. */
static const struct field *need_file(const struct form *f, const char *name, const char *what,
				     struct result *res)
{
	const struct field *file = form_get(f, name, NULL);

	if (!file || !file->is_file || file->len == 0) {
		refuse(res, "choose the %s file", what);
		return NULL;
	}
	return file;
}

static int put_field(struct nl_msg *m, int attr, const struct field *f)
{
	return nla_put(m, attr, (int)f->len, f->data);
}

static int anchor_exists(struct store *s, const char *name)
{
	int r = store_transact(s, store_request(CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, name),
			       NULL, NULL);

	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/* The appliance: root certificate, server certificate, its key and the
 * key's password, in one transaction. */
int action_appliance(struct store *s, const struct cgi_config *cfg, const struct form *f,
		     struct result *res)
{
	const struct field *root = need_file(f, "root", "root certificate", res);
	const struct field *cert = root ? need_file(f, "server", "server certificate", res) : NULL;
	const struct field *key = cert ? need_file(f, "key", "server key", res) : NULL;
	const char *password = form_text(f, "password");
	struct nl_msg *req;
	struct nlattr *op;
	int exists, err = 0;

	if (!key)
		return -1;
	exists = anchor_exists(s, cfg->anchor);
	if (exists < 0)
		return store_said(res, s, "reading the store");
	req = cs_client_request(CREDSTORE_ADMIN_CMD_BATCH, 0);
	if (!req)
		return refuse(res, "out of memory");
	if (exists) {
		op = nla_nest_start(req, CREDSTORE_A_ADMIN_REQUEST);
		err |= !op || nla_put_u8(req, CREDSTORE_A_ADMIN_CMD, CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE) ||
		       nla_put_string(req, CREDSTORE_A_NAME, cfg->anchor);
		if (op)
			nla_nest_end(req, op);
	}
	op = nla_nest_start(req, CREDSTORE_A_ADMIN_REQUEST);
	err |= !op || nla_put_u8(req, CREDSTORE_A_ADMIN_CMD, CREDSTORE_ADMIN_CMD_ANCHOR_ADD) ||
	       nla_put_string(req, CREDSTORE_A_NAME, cfg->anchor) ||
	       put_field(req, CREDSTORE_A_ADMIN_PEM, root);
	if (op)
		nla_nest_end(req, op);
	op = nla_nest_start(req, CREDSTORE_A_ADMIN_REQUEST);
	err |= !op || nla_put_u8(req, CREDSTORE_A_ADMIN_CMD, CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL) ||
	       nla_put_string(req, CREDSTORE_A_NAME, cfg->identity) ||
	       put_field(req, CREDSTORE_A_ADMIN_PEM, cert) ||
	       put_field(req, CREDSTORE_A_ADMIN_KEY_PEM, key) ||
	       (password && *password && nla_put_string(req, CREDSTORE_A_ADMIN_PASSWORD, password)) ||
	       nla_put_string(req, CREDSTORE_A_ADMIN_ANCHOR, cfg->anchor);
	if (op)
		nla_nest_end(req, op);
	if (err) {
		cs_msg_wipe_free(req);
		return refuse(res, "the files are too large for one request");
	}
	if (store_transact(s, req, NULL, NULL))
		return store_said(res, s, "Nothing was changed: the upload");
	return say(res, "The root certificate, the server certificate and its key are installed. "
		   "Terminals now download them.");
}

int action_csr(struct store *s, const struct cgi_config *cfg, const struct form *f,
	       struct result *res)
{
	const char *cn = form_text(f, "cn");
	char subject[300];
	struct nl_msg *req;

	if (!cn || !*cn || strlen(cn) > 64 || strpbrk(cn, "/=+,\\\"<>"))
		return refuse(res, "the common name must be 1 to 64 characters, without / = + , \\ \" < >");
	snprintf(subject, sizeof(subject), "/CN=%s", cn);
	req = store_request(CREDSTORE_ADMIN_CMD_IDENTITY_CSR, CREDSTORE_A_NAME, cfg->identity);
	if (req && nla_put_string(req, CREDSTORE_A_ADMIN_SUBJECT, subject) < 0) {
		nlmsg_free(req);
		req = NULL;
	}
	if (store_transact(s, req, result_keep_csr, res))
		return store_said(res, s, "Making the request");
	return say(res, "credstored made a new key and this certificate signing request: have it "
		   "signed, then upload the certificate.");
}

int action_camera_upload(struct store *s, const struct cgi_config *cfg, const struct form *f,
			 struct result *res)
{
	const struct field *cert = need_file(f, "cert", "certificate", res);
	struct nl_msg *req;

	if (!cert)
		return -1;
	/* A camera's HTTPS certificate comes from a web CA that browsers
	 * trust, not from one of the store's anchors (those admit devices). */
	req = store_request(CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, CREDSTORE_A_NAME, cfg->identity);
	if (req && (put_field(req, CREDSTORE_A_ADMIN_PEM, cert) < 0 ||
		    nla_put_flag(req, CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK) < 0)) {
		nlmsg_free(req);
		req = NULL;
	}
	if (store_transact(s, req, NULL, NULL))
		return store_said(res, s, "Installing the certificate");
	return say(res, "The HTTPS certificate is installed.");
}

int action_camera_remove(struct store *s, const struct cgi_config *cfg, struct result *res)
{
	if (store_transact(s, store_request(CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, CREDSTORE_A_NAME,
					    cfg->identity), NULL, NULL))
		return store_said(res, s, "Removing the certificate");
	return say(res, "The HTTPS certificate, its key and any pending request are removed.");
}

/* The fingerprint of an uploaded certificate (PEM or DER), or typed. */
static int fingerprint_of(const struct form *f, uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			  struct result *res)
{
	const struct field *file = form_get(f, "cert", NULL);
	const char *hex = form_text(f, "fingerprint");
	const unsigned char *p;
	X509 *cert = NULL;
	BIO *bio;

	if (file && file->is_file && file->len) {
		bio = BIO_new_mem_buf(file->data, (int)file->len);
		cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		p = file->data;
		if (!cert)
			cert = d2i_X509(NULL, &p, (long)file->len);
		if (!cert)
			return refuse(res, "the file is not a certificate (PEM or DER)");
		cs_fingerprint_of_cert(cert, fp);
		X509_free(cert);
		return 0;
	}
	if (hex && *hex)
		return cs_fingerprint_parse(hex, fp) ?
		       refuse(res, "a fingerprint is 64 hex digits (SHA-256)") : 0;
	return refuse(res, "upload the device's certificate or type its fingerprint");
}

int action_device(struct store *s, const char *id, const char *action, const struct form *f,
		  struct result *res)
{
	const char *slot = form_text(f, "slot"), *secret = form_text(f, "secret");
	bool master = slot && !strcmp(slot, "master");
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	struct nl_msg *req = NULL;
	uint8_t cmd;

	if (!strcmp(action, "promote")) {
		cmd = CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE;
	} else if (!strcmp(action, "drop-sub")) {
		cmd = CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB;
	} else if (!strcmp(action, "reset-secret") || !strcmp(action, "reset-fingerprint")) {
		if (!slot || (!master && strcmp(slot, "sub")))
			return refuse(res, "choose master or sub");
		cmd = action[6] == 's' ? CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET :
					 CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT;
		if (cmd == CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT && fingerprint_of(f, fp, res))
			return -1;
		if (cmd == CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET && secret &&
		    strlen(secret) > CREDSTORE_SECRET_MAX)
			return refuse(res, "a secret has at most %d bytes", CREDSTORE_SECRET_MAX);
	} else {
		return refuse(res, "unknown action");
	}
	req = store_request(cmd, CREDSTORE_A_DEVICE_ID, id);
	if (req && master && nla_put_flag(req, CREDSTORE_A_ADMIN_MASTER) < 0)
		goto nomem;
	if (req && cmd == CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT &&
	    nla_put(req, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp) < 0)
		goto nomem;
	if (req && cmd == CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET &&
	    (secret && *secret ? nla_put(req, CREDSTORE_A_SECRET, (int)strlen(secret), secret)
			       : nla_put_flag(req, CREDSTORE_A_ADMIN_GENERATE)) < 0)
		goto nomem;
	if (store_transact(s, req, result_keep_secret, res))
		return store_said(res, s, "The change");
	return say(res, "Done: %s of device %s.", action, id);
nomem:
	cs_msg_wipe_free(req);
	return refuse(res, "out of memory");
}
