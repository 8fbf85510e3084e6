/* credctl's input: options, numbers, files, fingerprints, passphrases. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "credctl.h"
#include "number.h"
#include "pki.h"

#define INPUT_MAX (CS_USERSOCK_BUFSIZE / 2)

int ctl_getopt(struct ctl *c, int argc, char **argv, const char *shorts,
	       const struct option *opts)
{
	char optstring[32];
	int ch;

	/* A leading ':' has getopt report a missing value apart (':'). */
	snprintf(optstring, sizeof(optstring), "%s:%s", shorts[0] == '+' ? "+" : "",
		 shorts[0] == '+' ? shorts + 1 : shorts);
	opterr = 0;
	ch = getopt_long(argc, argv, optstring, opts, NULL);
	if (ch == '?' && optopt)
		ctl_usage(c, "unknown option '-%c'", optopt);
	else if (ch == '?')
		ctl_usage(c, "unknown option '%s'", argv[optind - 1]);
	else if (ch == ':')
		ctl_usage(c, "option '%s' needs a value", argv[optind - 1]);
	return ch == ':' ? '?' : ch;
}

int ctl_exclusive(struct ctl *c, const char *name_a, const void *a, const char *name_b,
		  const void *b)
{
	return a && b ? ctl_usage(c, "give %s or %s, not both", name_a, name_b) : EXIT_OK;
}

int ctl_number(struct ctl *c, const char *name, const char *text, unsigned long min,
	       unsigned long max, unsigned long *out)
{
	if (cs_parse_uint(text, min, max, out) == 0)
		return EXIT_OK;
	return ctl_usage(c, "%s %s: want a whole number from %lu to %lu", name, text, min, max);
}

/* path, or base_dir/path for a relative one inside a batch. */
static FILE *open_input(struct ctl *c, const char *path, const char *mode)
{
	char full[4096];

	if (!strcmp(path, "-"))
		return stdin;
	if (!c->base_dir || path[0] == '/')
		return fopen(path, mode);
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", c->base_dir, path) >= sizeof(full)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(full, mode);
}

/* 0, -ENOMEM, or -EFBIG past max bytes (what was read is wiped: it may
 * be a key). */
static int read_stream(FILE *f, size_t max, uint8_t **data, size_t *len)
{
	size_t n;

	*data = malloc(max + 1);
	if (!*data)
		return -ENOMEM;
	n = fread(*data, 1, max + 1, f);
	if (n > max) {
		OPENSSL_clear_free(*data, n);
		*data = NULL;
		return -EFBIG;
	}
	*len = n;
	return 0;
}

int read_file_max(struct ctl *c, const char *path, size_t max, uint8_t **data, size_t *len)
{
	FILE *f = open_input(c, path, "rb");
	int r;

	if (!f)
		return ctl_usage(c, "cannot read %s: %s", path, strerror(errno));
	r = read_stream(f, max, data, len);
	if (f != stdin)
		fclose(f);
	if (r == -EFBIG)
		return ctl_usage(c, "%s is too large (more than %zu bytes)", path, max);
	return r ? ctl_usage(c, "out of memory") : EXIT_OK;
}

int read_file_quiet(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int r;

	*data = NULL;
	if (!f)
		return -errno;
	r = read_stream(f, INPUT_MAX, data, len);
	fclose(f);
	return r;
}

int read_file(struct ctl *c, const char *path, uint8_t **data, size_t *len)
{
	return read_file_max(c, path, INPUT_MAX, data, len);
}

int put_file(struct ctl *c, struct nl_msg *msg, int attr, const char *path)
{
	uint8_t *data;
	size_t len;
	int r = read_file(c, path, &data, &len);

	if (r)
		return r;
	if (len > CS_USERSOCK_ATTR_MAX)
		r = ctl_usage(c, "%s is too large (%zu bytes; at most %d)", path, len, CS_USERSOCK_ATTR_MAX);
	else
		r = ctl_put(c, nla_put(msg, attr, (int)len, data));
	OPENSSL_clear_free(data, len);
	return r;
}

int parse_fingerprint_arg(struct ctl *c, const char *hex, uint8_t fp[CREDSTORE_FINGERPRINT_LEN])
{
	return cs_fingerprint_parse(hex, fp) ? ctl_usage(c, "'%s' is not a SHA-256 fingerprint "
							 "(64 hex digits)", hex) : EXIT_OK;
}

/* --passphrase, --passphrase-file (its first line), or $CREDCTL_PASSPHRASE. */
int get_passphrase(struct ctl *c, const char *given, const char *file, char *out, size_t size)
{
	const char *env = getenv("CREDCTL_PASSPHRASE");
	int rc = ctl_exclusive(c, "a passphrase", given, "a passphrase file", file);

	if (rc)
		return rc;
	if (file) {
		FILE *f = open_input(c, file, "r");

		if (!f || !fgets(out, (int)size, f)) {
			if (f && f != stdin)
				fclose(f);
			return ctl_usage(c, "cannot read a passphrase from %s", file);
		}
		if (f != stdin)
			fclose(f);
		out[strcspn(out, "\r\n")] = '\0';
	} else if (given || env) {
		snprintf(out, size, "%s", given ? given : env);
	} else {
		return ctl_usage(c, "give a passphrase (--passphrase-file FILE, --passphrase, or $CREDCTL_PASSPHRASE)");
	}
	return EXIT_OK;
}

const char *positional(int argc, char **argv)
{
	if (optind == 0)	/* no getopt_long() ran: argv[0] is the command */
		optind = 1;
	return optind < argc ? argv[optind++] : NULL;
}

int no_more_args(struct ctl *c, int argc, char **argv)
{
	const char *extra = positional(argc, argv);

	return extra ? ctl_usage(c, "unexpected argument '%s'", extra) : EXIT_OK;
}
