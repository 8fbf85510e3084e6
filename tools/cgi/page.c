/* The management page, plain HTML: what terminals download, the
 * appliance's upload, the camera's HTTPS certificate, and the devices.
 * Administrators only: the web server authenticates them (REMOTE_USER),
 * and a form posted from another site is refused (Origin). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "actions.h"

static const char *self(void)
{
	return env("SCRIPT_NAME");
}

static void show_result(const struct result *res)
{
	if (!res->text[0])
		return;
	printf("<p class=\"%s\" id=\"result\">", res->failed ? "error" : "ok");
	html_escape(res->text);
	printf("</p>\n");
	if (res->secret[0]) {
		printf("<p>The new secret (shown once), in hex: <code id=\"secret\">%s</code></p>\n",
		       res->secret);
	}
	if (res->csr[0]) {
		printf("<pre id=\"csr\">");
		html_escape(res->csr);
		printf("</pre>\n<form method=\"post\" action=\"");
		html_escape(self());
		printf("/manage\"><input type=\"hidden\" name=\"action\" value=\"csr-download\">"
		       "<input type=\"hidden\" name=\"csr\" value=\"");
		html_escape(res->csr);
		printf("\"><button>Download certreqSrv.pem</button></form>\n");
	}
}

/* ---- the overview ---- */

static int show_anchor(struct nlattr **tb, void *arg)
{
	(void)arg;
	if (!tb[CREDSTORE_A_NAME] || !tb[CREDSTORE_A_CHAIN])
		return 0;
	printf("<h3>Anchor ");
	html_escape(nla_get_string(tb[CREDSTORE_A_NAME]));
	printf("</h3>\n");
	html_cert_summary(nla_data(tb[CREDSTORE_A_CHAIN]), (size_t)nla_len(tb[CREDSTORE_A_CHAIN]));
	return 0;
}

static int show_device_row(struct nlattr **tb, void *arg)
{
	const char *id = tb[CREDSTORE_A_DEVICE_ID] ? nla_get_string(tb[CREDSTORE_A_DEVICE_ID]) : "?";
	uint32_t flags = tb[CREDSTORE_A_FLAGS] ? nla_get_u32(tb[CREDSTORE_A_FLAGS]) : 0;

	(void)arg;
	printf("<tr><td><a href=\"");
	html_escape(self());
	printf("/manage/device?id=");
	url_component(id);
	printf("\">");
	html_escape(id);
	printf("</a></td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
	       tb[CREDSTORE_A_MASTER_FP] ? "yes" : "no", tb[CREDSTORE_A_SUB_FP] ? "yes" : "no",
	       flags & CREDSTORE_DEVICE_F_SUB_DISABLED ? "sub disabled" : "");
	return 0;
}

static void show_overview(struct store *s, const struct cgi_config *cfg)
{
	uint8_t *chain = NULL;
	size_t len;
	int r;

	printf("<h2>What terminals download</h2>\n<p>The trust bundle: <a href=\"");
	html_escape(self());
	printf("/anchors.pem\"><code>");
	html_escape(self());
	printf("/anchors.pem</code></a>; the server certificate: <a href=\"");
	html_escape(self());
	printf("/server.pem\"><code>");
	html_escape(self());
	printf("/server.pem</code></a>.</p>\n");
	if (store_dump(s, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, show_anchor, NULL))
		printf("<p class=\"error\">Cannot read the anchors: %s</p>\n", s->err.msg);
	r = store_identity_chain(s, cfg->identity, &chain, &len);
	printf("<h3>Server certificate (identity ");
	html_escape(cfg->identity);
	printf(")</h3>\n");
	if (!r)
		html_cert_summary(chain, len);
	else
		printf("<p id=\"https-status\">none installed</p>\n");
	free(chain);

	printf("<h2>Appliance: replace the root and server certificates</h2>\n"
	       "<form method=\"post\" enctype=\"multipart/form-data\" action=\"");
	html_escape(self());
	printf("/manage\"><input type=\"hidden\" name=\"action\" value=\"appliance\">\n"
	       "<label>Root certificate <input type=\"file\" name=\"root\" id=\"root\"></label>\n"
	       "<label>Server certificate <input type=\"file\" name=\"server\" id=\"server\"></label>\n"
	       "<label>Server key <input type=\"file\" name=\"key\" id=\"key\"></label>\n"
	       "<label>Key password <input type=\"password\" name=\"password\" id=\"password\" "
	       "autocomplete=\"off\"></label>\n"
	       "<button id=\"appliance-submit\">Install all four together</button></form>\n");

	printf("<h2>Camera: HTTPS certificate</h2>\n<p>Status: <span id=\"camera-status\">%s</span></p>\n",
	       r ? "none" : "certSrv.pem");
	printf("<form method=\"post\" action=\"");
	html_escape(self());
	printf("/manage\"><input type=\"hidden\" name=\"action\" value=\"csr\">"
	       "<label>Common name <input name=\"cn\" id=\"cn\"></label>"
	       "<button id=\"csr-submit\">Make a new key and its signing request</button></form>\n"
	       "<form method=\"post\" enctype=\"multipart/form-data\" action=\"");
	html_escape(self());
	printf("/manage\"><input type=\"hidden\" name=\"action\" value=\"camera-upload\">"
	       "<label>Signed certificate <input type=\"file\" name=\"cert\" id=\"cert\"></label>"
	       "<button id=\"camera-upload-submit\">Upload</button></form>\n"
	       "<form method=\"post\" action=\"");
	html_escape(self());
	printf("/manage\"><input type=\"hidden\" name=\"action\" value=\"camera-remove\">"
	       "<button id=\"camera-remove-submit\">Remove the HTTPS certificate</button></form>\n");

	printf("<h2>Devices</h2>\n<table id=\"devices\"><tr><th>device</th><th>master</th>"
	       "<th>sub</th><th>flags</th></tr>\n");
	if (store_dump(s, CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, show_device_row, NULL))
		printf("</table><p class=\"error\">Cannot list the devices: %s</p>\n", s->err.msg);
	else
		printf("</table>\n");
}

/* ---- one device ---- */

struct device_view {
	bool found;
};

static void fp_cell(struct nlattr *a)
{
	if (!a) {
		printf("none");
		return;
	}
	printf("<code>");
	for (int i = 0; i < nla_len(a); i++)
		printf("%02x", ((const uint8_t *)nla_data(a))[i]);
	printf("</code>");
}

static int show_device(struct nlattr **tb, void *arg)
{
	struct device_view *v = arg;
	uint32_t flags = tb[CREDSTORE_A_FLAGS] ? nla_get_u32(tb[CREDSTORE_A_FLAGS]) : 0;

	v->found = true;
	printf("<table id=\"device\"><tr><th>master fingerprint</th><td id=\"master-fp\">");
	fp_cell(tb[CREDSTORE_A_MASTER_FP]);
	printf("</td></tr><tr><th>sub fingerprint</th><td id=\"sub-fp\">");
	fp_cell(tb[CREDSTORE_A_SUB_FP]);
	printf("</td></tr><tr><th>sub</th><td>%s</td></tr></table>\n",
	       flags & CREDSTORE_DEVICE_F_SUB_DISABLED ? "disabled" : "usable");
	return 0;
}

static void device_form(const char *id, const char *action, const char *label, const char *extra,
			bool multipart)
{
	printf("<form method=\"post\"%s action=\"", multipart ? " enctype=\"multipart/form-data\"" : "");
	html_escape(self());
	printf("/manage/device?id=");
	url_component(id);
	printf("\"><input type=\"hidden\" name=\"action\" value=\"%s\">%s"
	       "<button id=\"%s-submit\">%s</button></form>\n", action, extra, action, label);
}

#define SLOT_CHOICE "<label><input type=\"radio\" name=\"slot\" value=\"sub\" checked> sub</label>" \
		    "<label><input type=\"radio\" name=\"slot\" value=\"master\"> master</label>"

static void show_device_page(struct store *s, const char *id)
{
	struct device_view v = { 0 };
	int r = store_transact(s, store_request(CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, id),
			       show_device, &v);

	if (r || !v.found) {
		printf("<p class=\"error\">No device ");
		html_escape(id);
		printf(": ");
		html_escape(s->err.msg);
		printf("</p>\n");
		return;
	}
	printf("<h2>Reset a secret</h2>\n");
	device_form(id, "reset-secret", "Reset the secret",
		    SLOT_CHOICE "<label>New secret (empty: credstored makes one) "
		    "<input type=\"password\" name=\"secret\" id=\"secret-input\" autocomplete=\"off\">"
		    "</label>", false);
	printf("<h2>Reset a fingerprint</h2>\n");
	device_form(id, "reset-fingerprint", "Reset the fingerprint",
		    SLOT_CHOICE "<label>Device certificate <input type=\"file\" name=\"cert\" "
		    "id=\"device-cert\"></label><label>or its SHA-256 fingerprint "
		    "<input name=\"fingerprint\" size=\"70\"></label>", true);
	printf("<h2>Rotate</h2>\n");
	device_form(id, "promote", "Promote the sub to master", "", false);
	device_form(id, "drop-sub", "Drop the sub", "", false);
	printf("<p><a href=\"");
	html_escape(self());
	printf("/manage\">All devices</a></p>\n");
}

/* ---- requests ---- */

/* A form posted from another site (cross-site request forgery) carries
 * its Origin: it must be this server. */
static bool same_origin(void)
{
	const char *origin = env("HTTP_ORIGIN"), *host = env("HTTP_HOST"), *p;

	if (!*origin)
		return true;	/* not a browser's cross-site form */
	p = strstr(origin, "://");
	return p && *host && !strcmp(p + 3, host);
}

static void csr_download(const struct form *f)
{
	const char *csr = form_text(f, "csr");

	if (!csr || strncmp(csr, "-----BEGIN CERTIFICATE REQUEST-----", 35) || strlen(csr) > 16384) {
		out_text_answer("400 Bad Request", "not a certificate signing request");
		return;
	}
	printf("Content-type: application/pkcs10\r\n"
	       "Content-Disposition: attachment; filename=\"certreqSrv.pem\"\r\n\r\n%s", csr);
}

static int post(struct store *s, const struct cgi_config *cfg, const char *device,
		struct form *f, struct result *res)
{
	const char *action;

	if (form_parse_body(f, cfg->upload_limit))
		return snprintf(res->text, sizeof(res->text), "Nothing was changed: %s", f->error),
		       res->failed = true, 0;
	action = form_text(f, "action");
	if (!action)
		return snprintf(res->text, sizeof(res->text), "Nothing was changed: no action"),
		       res->failed = true, 0;
	if (!strcmp(action, "csr-download")) {
		csr_download(f);
		return 1;
	}
	if (device)
		action_device(s, device, action, f, res);
	else if (!strcmp(action, "appliance"))
		action_appliance(s, cfg, f, res);
	else if (!strcmp(action, "csr"))
		action_csr(s, cfg, f, res);
	else if (!strcmp(action, "camera-upload"))
		action_camera_upload(s, cfg, f, res);
	else if (!strcmp(action, "camera-remove"))
		action_camera_remove(s, cfg, res);
	else
		snprintf(res->text, sizeof(res->text), "Nothing was changed: unknown action"),
		res->failed = true;
	return 0;
}

int page_main(const struct cgi_config *cfg, const char *path)
{
	static struct result res;
	struct form q = { 0 }, body = { 0 };
	const char *method = env("REQUEST_METHOD"), *device = NULL;
	struct store s;

	if (cfg->require_remote_user && !*env("REMOTE_USER")) {
		out_text_answer("403 Forbidden", "The management page needs the web server's "
				"authentication (see credstore-cgi(8)).");
		return 0;
	}
	if (!strcmp(path, "/manage/device")) {
		size_t n;
		const struct field *id;

		if (form_parse_query(&q, env("QUERY_STRING")) || !(id = form_get(&q, "id", &n)) ||
		    n != 1 || q.n != 1 || !*id->text) {
			form_free(&q);
			out_text_answer("400 Bad Request", "The device page takes one parameter, id.");
			return 0;
		}
		device = id->text;
	} else if (*env("QUERY_STRING")) {
		out_text_answer("400 Bad Request", "The management page takes no parameter.");
		return 0;
	}
	if (strcmp(method, "GET") && strcmp(method, "POST")) {
		out_text_answer("405 Method Not Allowed", "GET or POST");
		goto out;
	}
	if (!strcmp(method, "POST") && !same_origin()) {
		out_text_answer("403 Forbidden", "A form from another site is refused.");
		goto out;
	}
	if (store_open(&s, cfg)) {
		html_begin("credstore");
		printf("<p class=\"error\">The store is not reachable: ");
		html_escape(s.err.msg);
		printf("</p>\n");
		html_end();
		goto out;
	}
	if (!strcmp(method, "POST") && post(&s, cfg, device, &body, &res)) {
		store_close(&s);
		goto out;
	}
	if (device) {
		char title[CREDSTORE_DEVICE_ID_MAX + 16];

		snprintf(title, sizeof(title), "Device %s", device);
		html_begin(title);
		show_result(&res);
		show_device_page(&s, device);
	} else {
		html_begin("credstore: certificates and devices");
		show_result(&res);
		show_overview(&s, cfg);
	}
	html_end();
	store_close(&s);
out:
	OPENSSL_cleanse(&res, sizeof(res));
	form_free(&body);
	form_free(&q);
	return 0;
}
