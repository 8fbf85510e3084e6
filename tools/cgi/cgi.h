/* credstore-cgi: a CGI program for any web server.  Installed as
 * `update` it speaks a camera's HTTPS_CER protocol (camera.c); under any
 * other name it serves the trust bundle and the server certificate to
 * terminals (PATH_INFO /anchors.pem, /server.pem: public) and a plain
 * HTML management page (PATH_INFO /manage: administrators only).  Every
 * change goes to credstored as an admin command; private keys stay there. */
#ifndef CREDSTORE_CGI_H
#define CREDSTORE_CGI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "usersock.h"

#define CGI_UPLOAD_DEFAULT	65536
#define CGI_UPLOAD_MAX		(1 << 20)
#define CGI_FIELDS_MAX		16

/* /etc/credstore/cgi.conf (or $CREDSTORE_CGI_CONFIG): "key = value". */
struct cgi_config {
	char identity[CREDSTORE_NAME_MAX];	/* the HTTPS / server identity */
	char anchor[CREDSTORE_NAME_MAX];	/* the appliance's root certificate */
	uid_t daemon_uid;
	/* credstored's runtime directory ("": $CREDSTORE_RUNTIME_DIR, else
	 * the default): a web server passes its CGIs no environment of its own. */
	char runtime_dir[108];
	size_t upload_limit;			/* bytes of a request body */
	bool require_remote_user;		/* the web server must have authenticated */
	/* Compatibility switch: accept USER= and PWD= in the camera's URL,
	 * checked against this user and crypt(3) hash ("" : refused). */
	char url_user[64];
	char url_hash[256];
};

/* Defaults, then the file; -1 with a message on stderr when it is bad. */
int config_load(struct cgi_config *cfg);

/* One parameter of a query string or a form: a file part keeps its
 * bytes in the request body (data is not NUL-terminated then). */
struct field {
	char name[64];
	const uint8_t *data;
	size_t len;
	bool is_file;
	char *text;		/* a NUL-terminated copy (not for files) */
};

struct form {
	struct field f[CGI_FIELDS_MAX];
	size_t n;
	uint8_t *body;		/* the request body, owned */
	size_t body_len;
	char error[160];	/* why parsing failed */
};

/* The query string (QUERY_STRING): -1 when it is malformed or has more
 * fields than CGI_FIELDS_MAX.  A name without '=' has an empty value. */
int form_parse_query(struct form *form, const char *query);
/* The request body (CONTENT_TYPE urlencoded or multipart/form-data, at
 * most limit bytes): -1 with form->error set. */
int form_parse_body(struct form *form, size_t limit);
void form_free(struct form *form);
/* The field of that name, NULL when absent; *count says how many. */
const struct field *form_get(const struct form *form, const char *name, size_t *count);
const char *form_text(const struct form *form, const char *name);

/* The store (credstored's admin socket, through common/usersock). */
struct store {
	struct cs_client client;
	bool open;
	struct cs_err err;
};

int store_open(struct store *s, const struct cgi_config *cfg);
void store_close(struct store *s);
/* Send req (freed) and give each reply to fn (may be NULL). */
int store_transact(struct store *s, struct nl_msg *req, cs_reply_fn fn, void *arg);
int store_dump(struct store *s, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg);
/* The DER chain of an identity (malloc'd); -ENOENT when it has none. */
int store_identity_chain(struct store *s, const char *name, uint8_t **der, size_t *len);
/* A request naming one key (NAME or DEVICE_ID). */
struct nl_msg *store_request(uint8_t cmd, int key_attr, const char *key);

/* Output. */
void out_text_answer(const char *status, const char *body);
void html_begin(const char *title);
void html_end(void);
/* Text with &, <, >, " and ' escaped. */
void html_escape(const char *text);
void html_escape_n(const char *text, size_t len);
/* Percent-encoded for a URL's query (and so safe in HTML too). */
void url_component(const char *text);
/* Certificates (DER, concatenated) as PEM on stdout. */
int print_pem_chain(const uint8_t *der, size_t len);
/* One line per certificate: subject, expiry, SHA-256 fingerprint. */
void html_cert_summary(const uint8_t *der, size_t len);

/* The three front doors. */
int camera_main(const struct cgi_config *cfg);
int page_main(const struct cgi_config *cfg, const char *path);
int downloads_main(const struct cgi_config *cfg, const char *path);

/* Environment helpers: getenv, "" when unset. */
const char *env(const char *name);

#endif
