/* credctl's input: files, fingerprints, passphrases. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "credctl.h"
#include "pki.h"

#define INPUT_MAX (CS_USERSOCK_BUFSIZE / 2)

/* 0, -ENOMEM, or -EFBIG (what was read is wiped: it may be a key). */
static int read_stream(FILE *f, uint8_t **data, size_t *len)
{
	size_t n = 0;

	*data = malloc(INPUT_MAX);
	if (!*data)
		return -ENOMEM;
	n = fread(*data, 1, INPUT_MAX, f);
	if (n == INPUT_MAX) {
		OPENSSL_clear_free(*data, n);
		*data = NULL;
		return -EFBIG;
	}
	*len = n;
	return 0;
}

int read_file(struct ctl *c, const char *path, uint8_t **data, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	int r;

	if (!f)
		return ctl_usage(c, "cannot read %s: %s", path, strerror(errno));
	r = read_stream(f, data, len);
	if (f != stdin)
		fclose(f);
	if (r == -EFBIG)
		return ctl_usage(c, "%s is too large", path);
	return r ? ctl_usage(c, "out of memory") : EXIT_OK;
}

int read_file_quiet(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int r;

	*data = NULL;
	if (!f)
		return -errno;
	r = read_stream(f, data, len);
	fclose(f);
	return r;
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

int parse_fingerprint_arg(struct ctl *c, const char *hex, const char *cert_path,
			  uint8_t fp[CREDSTORE_FINGERPRINT_LEN])
{
	STACK_OF(X509) *certs;
	uint8_t *data;
	size_t len;
	int r;

	if (hex && cert_path)
		return ctl_usage(c, "give --fingerprint or --cert, not both");
	if (hex)
		return cs_fingerprint_parse(hex, fp) ? ctl_usage(c, "'%s' is not a SHA-256 fingerprint "
								 "(64 hex digits)", hex) : EXIT_OK;
	if (!cert_path)
		return ctl_usage(c, "give --fingerprint HEX or --cert FILE");
	r = read_file(c, cert_path, &data, &len);
	if (r)
		return r;
	certs = cs_pki_parse_certs(data, len, &c->err);
	free(data);
	if (!certs)
		return ctl_usage(c, "%s: %s", cert_path, c->err.msg);
	r = cs_fingerprint_of_cert(sk_X509_value(certs, 0), fp) ? ctl_usage(c, "%s: no fingerprint", cert_path)
								 : EXIT_OK;
	cs_pki_free_certs(certs);
	return r;
}

/* --passphrase, --passphrase-file, or $CREDCTL_PASSPHRASE. */
int get_passphrase(struct ctl *c, const char *given, const char *file, char *out, size_t size)
{
	const char *env = getenv("CREDCTL_PASSPHRASE");

	if (file) {
		FILE *f = fopen(file, "r");

		if (!f || !fgets(out, (int)size, f)) {
			if (f)
				fclose(f);
			return ctl_usage(c, "cannot read a passphrase from %s", file);
		}
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
