/* Request parameters: the query string, and bodies that are
 * application/x-www-form-urlencoded or multipart/form-data (RFC 7578).
 * Debian has no C library for CGI form parsing that is kept up, so this
 * is by hand, strict and bounded: a limited body read whole, at most
 * CGI_FIELDS_MAX fields, and anything that does not parse is refused. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "cgi.h"

__attribute__((format(printf, 2, 3)))
static int fail(struct form *form, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(form->error, sizeof(form->error), fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Percent-decode s[0..len) ('+' is a space); NULL when malformed or when
 * it decodes to a NUL byte. */
static char *url_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				goto bad;
			*o = (char)(hi << 4 | lo);
			if (!*o)
				goto bad;
			o++;
			i += 2;
		} else {
			*o++ = s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static struct field *add_field(struct form *form, const char *name, size_t name_len)
{
	struct field *f;

	if (form->n == CGI_FIELDS_MAX) {
		fail(form, "more than %d parameters", CGI_FIELDS_MAX);
		return NULL;
	}
	if (name_len == 0 || name_len >= sizeof(f->name)) {
		fail(form, "a parameter name is empty or longer than %zu characters", sizeof(f->name) - 1);
		return NULL;
	}
	f = &form->f[form->n++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, name, name_len);
	return f;
}

/* "a=1&b&c=%41": names and values percent-decoded. */
static int parse_urlencoded(struct form *form, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s)), *eq;
		size_t n = (size_t)((amp ? amp : end) - s);
		char *name;
		struct field *f;

		eq = memchr(s, '=', n);
		name = url_decode(s, eq ? (size_t)(eq - s) : n);
		if (!name)
			return fail(form, "a parameter is not properly encoded");
		f = add_field(form, name, strlen(name));
		free(name);
		if (!f)
			return -1;
		f->text = eq ? url_decode(eq + 1, n - (size_t)(eq + 1 - s)) : strdup("");
		if (!f->text)
			return fail(form, "parameter %s is not properly encoded", f->name);
		f->data = (const uint8_t *)f->text;
		f->len = strlen(f->text);
		s += n + (amp != NULL);
	}
	return 0;
}

int form_parse_query(struct form *form, const char *query)
{
	return parse_urlencoded(form, query, strlen(query));
}

/* name="..." in a Content-Disposition header, into out. */
static bool disposition_param(const char *header, size_t len, const char *param, char *out,
			      size_t size, bool *present)
{
	char key[24];
	const char *p, *end = header + len, *close;

	*present = false;
	snprintf(key, sizeof(key), "; %s=\"", param);
	for (p = header; p + strlen(key) <= end; p++) {
		if (strncasecmp(p, key, strlen(key)))
			continue;
		p += strlen(key);
		close = memchr(p, '"', (size_t)(end - p));
		if (!close || (size_t)(close - p) >= size)
			return false;
		memcpy(out, p, (size_t)(close - p));
		out[close - p] = '\0';
		*present = true;
		return true;
	}
	return true;
}

/* The headers of one part: its field name, and whether it is a file. */
static int part_headers(struct form *form, const char *h, size_t len, char *name, bool *is_file)
{
	char filename[256];
	bool has_name = false;

	while (len) {
		const char *eol = memmem(h, len, "\r\n", 2);
		size_t n = eol ? (size_t)(eol - h) : len;

		if (n > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
			if (!disposition_param(h, n, "name", name, 64, &has_name) ||
			    !disposition_param(h, n, "filename", filename, sizeof(filename), is_file))
				return fail(form, "a part's Content-Disposition is malformed");
		}
		if (!eol)
			break;
		len -= n + 2;
		h = eol + 2;
	}
	return has_name ? 0 : fail(form, "a part has no field name");
}

static int parse_multipart(struct form *form, const char *content_type, size_t len)
{
	char delim[80];
	const char *b = strcasestr(content_type, "boundary="), *p, *end;
	size_t blen;

	if (!b)
		return fail(form, "the multipart upload has no boundary");
	b += 9;
	if (*b == '"')
		b++;
	blen = strcspn(b, "\";");
	if (blen < 1 || blen > 70)
		return fail(form, "the multipart boundary is malformed");
	snprintf(delim, sizeof(delim), "--%.*s", (int)blen, b);
	blen += 2;
	p = (const char *)form->body;
	end = p + len;
	/* The first delimiter opens the body (a preamble is not expected). */
	if (len < blen || memcmp(p, delim, blen))
		return fail(form, "the upload does not start with its boundary");
	p += blen;
	for (;;) {
		const char *headers_end, *next;
		char name[64];
		bool is_file = false;
		struct field *f;

		if (end - p >= 2 && !memcmp(p, "--", 2))
			return 0;	/* the closing delimiter */
		if (end - p < 2 || memcmp(p, "\r\n", 2))
			return fail(form, "the upload is truncated or malformed");
		p += 2;
		headers_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!headers_end)
			return fail(form, "the upload is truncated (a part's headers do not end)");
		if (part_headers(form, p, (size_t)(headers_end - p), name, &is_file))
			return -1;
		p = headers_end + 4;
		next = memmem(p, (size_t)(end - p), "\r\n", 2);
		while (next && ((size_t)(end - next) < 2 + blen || memcmp(next + 2, delim, blen)))
			next = memmem(next + 2, (size_t)(end - next - 2), "\r\n", 2);
		if (!next)
			return fail(form, "the upload is truncated (no closing boundary)");
		f = add_field(form, name, strlen(name));
		if (!f)
			return -1;
		f->data = (const uint8_t *)p;
		f->len = (size_t)(next - p);
		f->is_file = is_file;
		if (!is_file && !(f->text = strndup(p, f->len)))
			return fail(form, "out of memory");
		if (!is_file && strlen(f->text) != f->len)
			return fail(form, "field %s holds a NUL byte", f->name);
		p = next + 2 + blen;
	}
}

int form_parse_body(struct form *form, size_t limit)
{
	const char *type = env("CONTENT_TYPE"), *length = env("CONTENT_LENGTH");
	char *end;
	size_t want, got = 0;
	unsigned long long n;

	errno = 0;
	n = strtoull(length, &end, 10);
	if (!*length || *end || errno || length[0] == '-')
		return fail(form, "the request has no valid Content-Length");
	if (n > limit)
		return fail(form, "the upload is %llu bytes, larger than the limit of %zu", n, limit);
	want = (size_t)n;
	form->body_len = want;
	form->body = malloc(want + 1);
	if (!form->body)
		return fail(form, "out of memory");
	while (got < want) {
		ssize_t r = read(STDIN_FILENO, form->body + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return fail(form, "the upload is truncated (%zu of %zu bytes)", got, want);
		got += (size_t)r;
	}
	form->body[want] = '\0';
	if (!strncasecmp(type, "application/x-www-form-urlencoded", 33))
		return parse_urlencoded(form, (const char *)form->body, want);
	if (!strncasecmp(type, "multipart/form-data", 19))
		return parse_multipart(form, type, want);
	return fail(form, "unexpected content type '%.40s'", type);
}

void form_free(struct form *form)
{
	for (size_t i = 0; i < form->n; i++) {
		if (form->f[i].text) {
			OPENSSL_cleanse(form->f[i].text, strlen(form->f[i].text));
			free(form->f[i].text);
		}
	}
	if (form->body) {
		OPENSSL_cleanse(form->body, form->body_len);
		free(form->body);
	}
	memset(form, 0, sizeof(*form));
}

const struct field *form_get(const struct form *form, const char *name, size_t *count)
{
	const struct field *found = NULL;
	size_t n = 0;

	for (size_t i = 0; i < form->n; i++) {
		if (!strcmp(form->f[i].name, name)) {
			if (!found)
				found = &form->f[i];
			n++;
		}
	}
	if (count)
		*count = n;
	return found;
}

const char *form_text(const struct form *form, const char *name)
{
	const struct field *f = form_get(form, name, NULL);

	return f && f->text ? f->text : NULL;
}
