/* What the CGI prints: text answers, HTML pages and PEM. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cgi.h"
#include "fingerprint.h"

const char *env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

void out_text_answer(const char *status, const char *body)
{
	if (status)
		printf("Status: %s\r\n", status);
	printf("Content-type: text/plain\r\n\r\n%s\n", body);
}

void html_escape_n(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (text[i]) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		case '\'': fputs("&#39;", stdout); break;
		default: putchar(text[i]);
		}
	}
}

void html_escape(const char *text)
{
	html_escape_n(text, strlen(text));
}

/* No script, no external style sheet, no image: one page that any
 * browser shows and any HTML parser reads. */
void html_begin(const char *title)
{
	printf("Content-type: text/html; charset=utf-8\r\n"
	       "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
	       "form-action 'self'; frame-ancestors 'none'\r\n"
	       "X-Content-Type-Options: nosniff\r\n"
	       "Cache-Control: no-store\r\n\r\n");
	printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
	html_escape(title);
	printf("</title>\n<style>\n"
	       "body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em}\n"
	       "h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #888}\n"
	       "table{border-collapse:collapse}td,th{padding:.2em .6em;border:1px solid #ccc;"
	       "text-align:left;vertical-align:top}\n"
	       ".ok{background:#dfd;padding:.5em}.error{background:#fdd;padding:.5em}\n"
	       "code{word-break:break-all}label{display:block;margin:.3em 0}\n"
	       "</style></head><body>\n<h1>");
	html_escape(title);
	printf("</h1>\n");
}

void html_end(void)
{
	printf("</body></html>\n");
}

void url_component(const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (isalnum(*c) || strchr("-._~", *c))
			putchar(*c);
		else
			printf("%%%02X", *c);
	}
}

int print_pem_chain(const uint8_t *der, size_t len)
{
	const unsigned char *p = der, *end = der + len;

	while (p < end) {
		X509 *cert = d2i_X509(NULL, &p, end - p);

		if (!cert || !PEM_write_X509(stdout, cert)) {
			X509_free(cert);
			return -1;
		}
		X509_free(cert);
	}
	return 0;
}

static void print_time(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (ASN1_TIME_to_tm(t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm))
		fputs(buf, stdout);
	else
		fputs("?", stdout);
}

void html_cert_summary(const uint8_t *der, size_t len)
{
	const unsigned char *p = der, *end = der + len;

	printf("<table><tr><th>subject</th><th>issuer</th><th>expires</th>"
	       "<th>SHA-256 fingerprint</th></tr>\n");
	while (p < end) {
		X509 *cert = d2i_X509(NULL, &p, end - p);
		uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
		char hex[CS_FINGERPRINT_HEX_LEN + 1], *name;

		if (!cert)
			break;
		printf("<tr><td>");
		name = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
		html_escape(name ? name : "?");
		OPENSSL_free(name);
		printf("</td><td>");
		name = X509_NAME_oneline(X509_get_issuer_name(cert), NULL, 0);
		html_escape(name ? name : "?");
		OPENSSL_free(name);
		printf("</td><td>");
		print_time(X509_get0_notAfter(cert));
		printf("</td><td><code>");
		if (!cs_fingerprint_of_cert(cert, fp)) {
			cs_fingerprint_format(fp, hex);
			fputs(hex, stdout);
		}
		printf("</code></td></tr>\n");
		X509_free(cert);
	}
	printf("</table>\n");
}
