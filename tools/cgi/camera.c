/* The camera's HTTPS certificate protocol, byte for byte:
 *
 *   GET  update?HTTPS_CER          HTTPS_CER='none' | HTTPS_CER='certSrv.pem'
 *   GET  update?HTTPS_CER=remove   OK (also when there is nothing to remove)
 *   GET  update?HTTPS_CER=upload   an HTML form that POSTs the file to
 *   POST update?HTTPS_CER_SAVE     OK | ERROR: internal error. <message>
 *
 * Answers are text/plain, one line.  The uploaded file, whatever its name,
 * becomes the identity's certificate ("certSrv.pem"); its key is the one
 * credstored made for the last CSR, and a certificate that does not match
 * it is refused.  Every other request answers "ERROR: internal error.
 * <why>" and changes nothing. */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cgi.h"

#define CERT_NAME "certSrv.pem"

static int error_answer(const char *why)
{
	char line[CREDSTORE_MESSAGE_MAX + 40];

	snprintf(line, sizeof(line), "ERROR: internal error. %s", why);
	out_text_answer(NULL, line);
	return 0;
}

static int query(struct store *s, const struct cgi_config *cfg)
{
	uint8_t *der = NULL;
	size_t len;
	int r = store_identity_chain(s, cfg->identity, &der, &len);

	free(der);
	if (r && r != -ENOENT)
		return error_answer(s->err.msg);
	out_text_answer(NULL, r ? "HTTPS_CER='none'" : "HTTPS_CER='" CERT_NAME "'");
	return 0;
}

static int remove_cert(struct store *s, const struct cgi_config *cfg)
{
	if (store_transact(s, store_request(CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, CREDSTORE_A_NAME,
					    cfg->identity), NULL, NULL))
		return error_answer(s->err.msg);
	out_text_answer(NULL, "OK");
	return 0;
}

static int upload_form(void)
{
	printf("Content-type: text/html\r\n\r\n"
	       "<html><body>\n"
	       "<form action=\"update?HTTPS_CER_SAVE\" method=\"post\" enctype=\"multipart/form-data\">\n"
	       "<input type=\"file\" name=\"file\">\n"
	       "<input type=\"submit\" value=\"Upload\">\n"
	       "</form>\n</body></html>\n");
	return 0;
}

static int save(struct store *s, const struct cgi_config *cfg)
{
	struct form body = { 0 };
	const struct field *file = NULL;
	struct nl_msg *req;
	int r;

	if (form_parse_body(&body, cfg->upload_limit)) {
		error_answer(body.error);
		form_free(&body);
		return 0;
	}
	for (size_t i = 0; i < body.n && !file; i++)
		if (body.f[i].is_file)
			file = &body.f[i];
	if (!file || file->len == 0) {
		form_free(&body);
		return error_answer("the upload holds no file");
	}
	/* From a web CA, not one of the store's anchors (action_camera_upload). */
	req = store_request(CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, CREDSTORE_A_NAME, cfg->identity);
	if (req && (nla_put(req, CREDSTORE_A_ADMIN_PEM, (int)file->len, file->data) < 0 ||
		    nla_put_flag(req, CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK) < 0)) {
		nlmsg_free(req);
		req = NULL;
	}
	r = store_transact(s, req, NULL, NULL);
	form_free(&body);
	if (r)
		return error_answer(s->err.msg);
	out_text_answer(NULL, "OK");
	return 0;
}

/* USER= and PWD= in the URL: refused unless the compatibility switch
 * names them.  1: they were there and are right; 0: absent; -1: refused
 * (answered). */
static int url_credentials(const struct cgi_config *cfg, const struct form *q)
{
	const char *user = form_text(q, "USER"), *pwd = form_text(q, "PWD");
	struct crypt_data cd = { 0 };
	const char *hash;
	bool ok;

	if (!user && !pwd)
		return 0;
	if (!cfg->url_user[0]) {
		error_answer("credentials in the URL are refused: use the web server's authentication");
		return -1;
	}
	hash = user && pwd ? crypt_r(pwd, cfg->url_hash, &cd) : NULL;
	ok = hash && strlen(hash) == strlen(cfg->url_hash) &&
	     !CRYPTO_memcmp(hash, cfg->url_hash, strlen(hash)) && !strcmp(user, cfg->url_user);
	OPENSSL_cleanse(&cd, sizeof(cd));
	if (!ok) {
		out_text_answer(NULL, "ERROR: not authorized");
		return -1;
	}
	return 1;
}

/* Exactly one command, no unknown or repeated parameter. */
static int check_params(const struct form *q, const char **command)
{
	static const char *const known[] = { "HTTPS_CER", "HTTPS_CER_SAVE", "USER", "PWD" };
	size_t n;

	*command = NULL;
	for (size_t i = 0; i < q->n; i++) {
		bool found = false;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			found |= !strcmp(q->f[i].name, known[k]);
		if (!found)
			return error_answer("unknown parameter"), -1;
		form_get(q, q->f[i].name, &n);
		if (n > 1)
			return error_answer("a parameter is repeated"), -1;
		if (!strncmp(q->f[i].name, "HTTPS_CER", 9)) {
			if (*command)
				return error_answer("one command at a time"), -1;
			*command = q->f[i].name;
		}
	}
	if (!*command)
		return error_answer("no command"), -1;
	return 0;
}

int camera_main(const struct cgi_config *cfg)
{
	struct form q = { 0 };
	struct store s;
	const char *command, *value, *method = env("REQUEST_METHOD");
	int creds, r = 0;

	if (form_parse_query(&q, env("QUERY_STRING"))) {
		error_answer(q.error);
		goto out;
	}
	if (check_params(&q, &command) || (creds = url_credentials(cfg, &q)) < 0)
		goto out;
	if (!creds && cfg->require_remote_user && !*env("REMOTE_USER")) {
		out_text_answer(NULL, "ERROR: not authorized");
		goto out;
	}
	value = form_text(&q, command);
	if (store_open(&s, cfg)) {
		error_answer(s.err.msg);
		goto out;
	}
	if (!strcmp(command, "HTTPS_CER_SAVE"))
		r = strcmp(method, "POST") ? error_answer("HTTPS_CER_SAVE takes a POST") :
		    *value ? error_answer("HTTPS_CER_SAVE takes no value") : save(&s, cfg);
	else if (strcmp(method, "GET"))
		r = error_answer("HTTPS_CER takes a GET");
	else if (!*value)
		r = query(&s, cfg);
	else if (!strcmp(value, "remove"))
		r = remove_cert(&s, cfg);
	else if (!strcmp(value, "upload"))
		r = upload_form();
	else
		r = error_answer("HTTPS_CER is remove, upload or nothing");
	store_close(&s);
out:
	form_free(&q);
	return r;
}
