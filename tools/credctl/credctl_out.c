/* credctl's output: answers on stdout, as "key: value" lines or one JSON
 * object, and usage errors on stderr.  JSON is written by hand: the project has no JSON
 * library among its dependencies and credctl only ever writes flat
 * objects and lists of them, so an escaper and a comma tracker suffice. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credctl.h"
#include "pki.h"

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	fputs("credctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

#define DEPTH_MAX 8

static bool first[DEPTH_MAX];
static int depth;

static void json_string(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_open(char bracket)
{
	putchar(bracket);
	if (depth < DEPTH_MAX - 1)
		first[++depth] = true;
}

static void json_close(char bracket)
{
	putchar(bracket);
	if (depth > 0)
		depth--;
}

/* The comma (when not first) and the key of a member. */
static void json_member(const char *key)
{
	if (!first[depth])
		putchar(',');
	first[depth] = false;
	if (key) {
		json_string(key, strlen(key));
		putchar(':');
	}
}

void out_begin(struct ctl *c)
{
	if (c->json) {
		depth = 0;
		first[0] = true;
		json_open('{');
	}
}

void out_end(struct ctl *c)
{
	if (c->json) {
		json_close('}');
		putchar('\n');
	}
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

void out_u64(struct ctl *c, const char *key, uint64_t value)
{
	if (c->json) {
		json_member(key);
		printf("%" PRIu64, value);
	} else {
		printf("%s%s: %" PRIu64 "\n", indent(), key, value);
	}
}

void out_bool(struct ctl *c, const char *key, bool value)
{
	if (c->json) {
		json_member(key);
		fputs(value ? "true" : "false", stdout);
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
		out_str(c, "not_after", info.not_after);
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
