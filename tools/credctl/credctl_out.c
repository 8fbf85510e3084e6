/* credctl's output: answers on stdout, as "key: value" lines or one JSON
 * object, and usage errors on stderr.  JSON is written by hand: the project has no JSON
 * library among its dependencies and credctl only ever writes flat
 * objects and lists of them, so an escaper and a comma tracker suffice.
 * A JSON answer is gathered in memory and printed whole at out_end(), so
 * that a failure half-way prints the error object alone, never a torn
 * one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credctl.h"
#include "pki.h"

#define DEPTH_MAX 8

static bool first[DEPTH_MAX];
static int depth;
static FILE *json_out;		/* the answer being gathered */
static char *json_buf;
static size_t json_len;

/* The length of the valid UTF-8 sequence at s (at most left bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] >= 0xf5 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;	/* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* Always valid JSON: control bytes escaped, bytes that are not UTF-8
 * replaced by U+FFFD (certificate fields may hold anything). */
static void json_string(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	fputc('"', json_out);
	for (size_t i = 0; i < len; i++) {
		size_t n;

		if (u[i] == '"' || u[i] == '\\')
			fprintf(json_out, "\\%c", u[i]);
		else if (u[i] == '\n')
			fputs("\\n", json_out);
		else if (u[i] < 0x20 || u[i] == 0x7f)
			fprintf(json_out, "\\u%04x", u[i]);
		else if (u[i] < 0x80)
			fputc(u[i], json_out);
		else if ((n = utf8_len(u + i, len - i))) {
			fwrite(u + i, 1, n, json_out);
			i += n - 1;
		} else {
			fputs("\\ufffd", json_out);
		}
	}
	fputc('"', json_out);
}

static void json_open(char bracket)
{
	fputc(bracket, json_out);
	if (depth < DEPTH_MAX - 1)
		first[++depth] = true;
}

static void json_close(char bracket)
{
	fputc(bracket, json_out);
	if (depth > 0)
		depth--;
}

/* The comma (when not first) and the key of a member. */
static void json_member(const char *key)
{
	if (!json_out)
		json_out = stdout;
	if (!first[depth])
		fputc(',', json_out);
	first[depth] = false;
	if (key) {
		json_string(key, strlen(key));
		fputc(':', json_out);
	}
}

static void json_discard(void)
{
	if (json_out)
		fclose(json_out);
	free(json_buf);
	json_out = NULL;
	json_buf = NULL;
}

void out_begin(struct ctl *c)
{
	if (!c->json)
		return;
	json_discard();
	json_out = open_memstream(&json_buf, &json_len);
	if (!json_out)
		json_out = stdout;
	depth = 0;
	first[0] = true;
	json_open('{');
}

void out_end(struct ctl *c)
{
	if (!c->json || !json_out)
		return;
	json_close('}');
	fputc('\n', json_out);
	if (json_out != stdout) {
		fclose(json_out);
		fwrite(json_buf, 1, json_len, stdout);
		free(json_buf);
	}
	json_out = NULL;
	json_buf = NULL;
	fflush(stdout);
}

void out_error(struct ctl *c, const char *msg, int code)
{
	if (!c->json)
		return;
	if (json_out != stdout)
		json_discard();
	json_out = stdout;
	depth = 0;
	first[0] = true;
	json_open('{');
	json_member("error");
	json_string(msg, strlen(msg));
	json_member("code");
	printf("%d", code);
	json_close('}');
	putchar('\n');
	json_out = NULL;
}

/* The message on stderr (and as JSON with -j), and where to read more. */
static int report(struct ctl *c, int rc, const char *fmt, va_list ap)
{
	char msg[CREDSTORE_MESSAGE_MAX + 128], title[64];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "credctl: %s\n", msg);
	if (rc == EXIT_USAGE && !c->in_batch && c->sc) {
		ctl_subcmd_title(c->sc, title, sizeof(title));
		fprintf(stderr, "Try 'credctl %s --help'.\n", title);
	} else if (rc == EXIT_USAGE && !c->in_batch) {
		fprintf(stderr, "Try 'credctl --help'.\n");
	}
	out_error(c, msg, rc);
	return rc;
}

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = report(c, EXIT_USAGE, fmt, ap);
	va_end(ap);
	return rc;
}

int ctl_error(struct ctl *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = report(c, rc, fmt, ap);
	va_end(ap);
	return rc;
}

void ctl_subcmd_title(const struct subcmd *sc, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", sc->group, sc->name[0] ? " " : "", sc->name);
}

static const char *indent(void)
{
	return depth > 0 ? "  " : "";
}

void out_str(struct ctl *c, const char *key, const char *value)
{
	if (c->json) {
		json_member(key);
		json_string(value, strlen(value));
	} else {
		printf("%s%s: %s\n", indent(), key, value);
	}
}

/* A number: bare in JSON. */
static void out_number(struct ctl *c, const char *key, const char *text)
{
	if (c->json) {
		json_member(key);
		fputs(text, json_out);
	} else {
		printf("%s%s: %s\n", indent(), key, text);
	}
}

void out_u64(struct ctl *c, const char *key, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	out_number(c, key, text);
}

void out_i64(struct ctl *c, const char *key, int64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, value);
	out_number(c, key, text);
}

void out_bool(struct ctl *c, const char *key, bool value)
{
	if (c->json) {
		json_member(key);
		fputs(value ? "true" : "false", json_out);
	} else {
		printf("%s%s: %s\n", indent(), key, value ? "yes" : "no");
	}
}

void out_list_begin(struct ctl *c, const char *key)
{
	if (c->json) {
		json_member(key);
		json_open('[');
	} else {
		depth++;
	}
}

void out_list_end(struct ctl *c)
{
	if (c->json)
		json_close(']');
	else
		depth--;
}

void out_item_begin(struct ctl *c)
{
	if (c->json) {
		json_member(NULL);
		json_open('{');
	}
}

void out_item_end(struct ctl *c)
{
	if (c->json)
		json_close('}');
	else
		putchar('\n');
}

void out_text(struct ctl *c, const char *key, const char *text, size_t len)
{
	if (c->json) {
		json_member(key);
		json_string(text, len);
	} else {
		fwrite(text, 1, len, stdout);
	}
}

void out_expiry(struct ctl *c, const char *prefix, uint64_t not_after)
{
	char key[48], date[32];

	cs_format_time(not_after, date);
	snprintf(key, sizeof(key), "%s%snot_after", prefix ? prefix : "", prefix ? "_" : "");
	out_str(c, key, date);
	snprintf(key, sizeof(key), "%s%sdays_left", prefix ? prefix : "", prefix ? "_" : "");
	out_i64(c, key, cs_days_until(not_after));
}

void out_cert(struct ctl *c, const uint8_t *der, size_t len)
{
	STACK_OF(X509) *certs = cs_pki_parse_certs(der, len, NULL);
	struct cs_cert_info info;

	if (!certs || cs_pki_describe(sk_X509_value(certs, 0), &info) < 0) {
		out_str(c, "certificate", "unreadable");
	} else {
		out_str(c, "subject", info.subject);
		out_str(c, "issuer", info.issuer);
		out_str(c, "serial", info.serial);
		out_str(c, "not_before", info.not_before);
		out_expiry(c, NULL, info.not_after_time);
		out_str(c, "fingerprint", info.fingerprint);
		out_u64(c, "certificates", (uint64_t)sk_X509_num(certs));
	}
	cs_pki_free_certs(certs);
}

int out_pem(struct ctl *c, const char *key, const char *pem, size_t len)
{
	FILE *f;

	if (!c->out_path) {
		out_text(c, key, pem, len);
		return EXIT_OK;
	}
	f = fopen(c->out_path, "w");
	if (!f || fwrite(pem, 1, len, f) != len) {
		if (f)
			fclose(f);
		return ctl_usage(c, "cannot write %s", c->out_path);
	}
	fclose(f);
	out_str(c, "written", c->out_path);
	return EXIT_OK;
}

int out_file_atomic(struct ctl *c, const char *path, const void *data, size_t len, mode_t mode)
{
	size_t tmp_len = strlen(path) + sizeof(".tmpXXXXXX");
	char *tmp = malloc(tmp_len);
	int fd = -1, saved;
	bool ok;

	if (!tmp)
		return ctl_usage(c, "out of memory");
	snprintf(tmp, tmp_len, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	ok = fd >= 0 && fchmod(fd, mode) == 0 && write(fd, data, len) == (ssize_t)len &&
	     fsync(fd) == 0;
	saved = errno;
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	if (ok && rename(tmp, path) == 0) {
		free(tmp);
		return EXIT_OK;
	}
	saved = errno ? errno : saved;
	if (fd >= 0)
		unlink(tmp);
	free(tmp);
	return ctl_usage(c, "cannot write %s: %s", path, strerror(saved));
}
