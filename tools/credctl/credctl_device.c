/* credctl device add | reset-fingerprint | reset-secret | promote |
 * drop-sub | disable-sub | enable-sub | revoke | reinstate | set-profile |
 * remove | show | list */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "credctl.h"
#include "fingerprint.h"

struct device_opts {
	const char *fingerprint, *cert, *profile;
	const char *secret, *secret_file, *secret_hex, *secret_base64;
	bool generate, master;
};

static int parse_device_opts(struct ctl *c, int argc, char **argv, struct device_opts *o)
{
	static const struct option opts[] = {
		{ "fingerprint", required_argument, NULL, 'f' },
		{ "cert", required_argument, NULL, 'c' },
		{ "secret", required_argument, NULL, 's' },
		{ "secret-file", required_argument, NULL, 'S' },
		{ "secret-hex", required_argument, NULL, 'x' },
		{ "secret-base64", required_argument, NULL, 'b' },
		{ "generate", no_argument, NULL, 'g' },
		{ "master", no_argument, NULL, 'm' },
		{ "profile", required_argument, NULL, 'p' },
		{ 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'f': o->fingerprint = optarg; break;
		case 'c': o->cert = optarg; break;
		case 's': o->secret = optarg; break;
		case 'S': o->secret_file = optarg; break;
		case 'x': o->secret_hex = optarg; break;
		case 'b': o->secret_base64 = optarg; break;
		case 'g': o->generate = true; break;
		case 'm': o->master = true; break;
		case 'p': o->profile = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	return ctl_exclusive(c, "--fingerprint", o->fingerprint, "--cert", o->cert);
}

static int put_id(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *id = positional(argc, argv);
	int rc = id ? no_more_args(c, argc, argv) : ctl_usage(c, "give the device id");

	return rc ? rc : ctl_put_string(c, msg, CREDSTORE_A_DEVICE_ID, id);
}

/* --fingerprint sends the fingerprint; --cert the certificate, from which
 * credstored takes the fingerprint and the expiry date. */
static int put_credential(struct ctl *c, const struct device_opts *o, struct nl_msg *msg)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	int rc;

	if (o->cert)
		return put_file(c, msg, CREDSTORE_A_ADMIN_PEM, o->cert);
	rc = parse_fingerprint_arg(c, o->fingerprint, fp);
	return rc ? rc : ctl_put(c, nla_put(msg, CREDSTORE_A_FINGERPRINT, sizeof(fp), fp));
}

static int hex_secret(struct ctl *c, const char *hex, uint8_t *out, size_t *len)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > CREDSTORE_SECRET_MAX)
		return ctl_usage(c, "--secret-hex: an even number of hex digits, at most %d",
				 2 * CREDSTORE_SECRET_MAX);
	for (size_t i = 0; i < n; i += 2) {
		char pair[3] = { hex[i], hex[i + 1], 0 };

		if (!isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]))
			return ctl_usage(c, "--secret-hex: '%s' is not hex", pair);
		out[i / 2] = (uint8_t)strtoul(pair, NULL, 16);
	}
	*len = n / 2;
	return EXIT_OK;
}

static int base64_secret(struct ctl *c, const char *text, uint8_t *out, size_t *len)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char buf[3 * 4 * CREDSTORE_SECRET_MAX / 4 + 64];
	int n = 0, tail = 0, ok = 0;
	size_t in = strlen(text);

	if (ctx && in <= 4 * ((CREDSTORE_SECRET_MAX + 2) / 3)) {
		EVP_DecodeInit(ctx);
		ok = EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)text, (int)in) >= 0 &&
		     EVP_DecodeFinal(ctx, buf + n, &tail) == 1;
	}
	EVP_ENCODE_CTX_free(ctx);
	n += tail;
	if (ok && n > CREDSTORE_SECRET_MAX)
		ok = 0;
	if (ok)
		memcpy(out, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok)
		return ctl_usage(c, "--secret-base64: not base64 of at most %d bytes",
				 CREDSTORE_SECRET_MAX);
	*len = (size_t)n;
	return EXIT_OK;
}

/* The file's bytes as they are: a newline or NUL is part of the secret. */
static int file_secret(struct ctl *c, const char *path, uint8_t *out, size_t *len)
{
	uint8_t *data;
	size_t n;
	int rc = read_file(c, path, &data, &n);

	if (rc)
		return rc;
	if (n > CREDSTORE_SECRET_MAX)
		rc = ctl_usage(c, "%s holds %zu bytes: a secret has at most %d", path, n,
			       CREDSTORE_SECRET_MAX);
	else
		memcpy(out, data, n);
	OPENSSL_clear_free(data, n);
	*len = n;
	return rc;
}

static int count_given(const struct device_opts *o)
{
	return !!o->secret + !!o->secret_file + !!o->secret_hex + !!o->secret_base64 + o->generate;
}

static int put_secret(struct ctl *c, const struct device_opts *o, struct nl_msg *msg)
{
	uint8_t secret[CREDSTORE_SECRET_MAX];
	size_t len = 0;
	int rc = EXIT_OK;

	if (count_given(o) > 1)
		return ctl_usage(c, "give one of --secret, --secret-file, --secret-hex, "
				 "--secret-base64 and --generate");
	if (o->generate)
		return ctl_put(c, nla_put_flag(msg, CREDSTORE_A_ADMIN_GENERATE));
	if (o->secret && strlen(o->secret) > CREDSTORE_SECRET_MAX)
		rc = ctl_usage(c, "a secret has at most %d bytes", CREDSTORE_SECRET_MAX);
	else if (o->secret)
		memcpy(secret, o->secret, len = strlen(o->secret));
	else if (o->secret_file)
		rc = file_secret(c, o->secret_file, secret, &len);
	else if (o->secret_hex)
		rc = hex_secret(c, o->secret_hex, secret, &len);
	else if (o->secret_base64)
		rc = base64_secret(c, o->secret_base64, secret, &len);
	if (!rc && count_given(o) && !len)
		rc = ctl_usage(c, "the secret is empty");
	if (!rc && len)
		rc = ctl_put(c, nla_put(msg, CREDSTORE_A_SECRET, (int)len, secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

/* dual (the default: a master and a sub) or no-sub. */
static int profile_flags(struct ctl *c, const char *profile, uint32_t *no_sub)
{
	if (!strcmp(profile, "no-sub"))
		*no_sub = CREDSTORE_DEVICE_F_NO_SUB;
	else if (!strcmp(profile, "dual"))
		*no_sub = 0;
	else
		return ctl_usage(c, "unknown profile '%s': dual or no-sub", profile);
	return EXIT_OK;
}

static int build_add(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct device_opts o;
	uint32_t no_sub = 0;
	int rc = parse_device_opts(c, argc, argv, &o);

	if (!rc && o.master)
		rc = ctl_usage(c, "--master is for reset-fingerprint and reset-secret");
	if (!rc && o.profile)
		rc = profile_flags(c, o.profile, &no_sub);
	if (!rc)
		rc = put_id(c, argc, argv, msg);
	if (!rc && (o.fingerprint || o.cert))
		rc = put_credential(c, &o, msg);
	if (!rc)
		rc = put_secret(c, &o, msg);
	if (!rc && no_sub)
		rc = ctl_put(c, nla_put_u32(msg, CREDSTORE_A_FLAGS, no_sub));
	return rc;
}

static int build_reset_fingerprint(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct device_opts o;
	int rc = parse_device_opts(c, argc, argv, &o);

	if (!rc && (count_given(&o) || o.profile))
		rc = ctl_usage(c, "reset-fingerprint takes --fingerprint or --cert, and --master");
	if (!rc && !o.fingerprint && !o.cert)
		rc = ctl_usage(c, "give --fingerprint HEX or --cert FILE");
	if (!rc)
		rc = put_id(c, argc, argv, msg);
	if (!rc)
		rc = put_credential(c, &o, msg);
	if (!rc && o.master)
		rc = ctl_put(c, nla_put_flag(msg, CREDSTORE_A_ADMIN_MASTER));
	return rc;
}

static int build_reset_secret(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct device_opts o;
	int rc = parse_device_opts(c, argc, argv, &o);

	if (!rc && (o.fingerprint || o.cert || o.profile))
		rc = ctl_usage(c, "reset-secret takes a secret option and --master");
	if (!rc && !count_given(&o))
		rc = ctl_usage(c, "give --secret S, --secret-file F, --secret-hex H, "
			       "--secret-base64 B or --generate");
	if (!rc)
		rc = put_id(c, argc, argv, msg);
	if (!rc)
		rc = put_secret(c, &o, msg);
	if (!rc && o.master)
		rc = ctl_put(c, nla_put_flag(msg, CREDSTORE_A_ADMIN_MASTER));
	return rc;
}

static int build_id_only(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	return put_id(c, argc, argv, msg);
}

static int put_flags(struct ctl *c, struct nl_msg *msg, uint32_t bits, bool clear)
{
	return ctl_put(c, nla_put_u32(msg, CREDSTORE_A_FLAGS, bits) ||
			  (clear && nla_put_flag(msg, CREDSTORE_A_ADMIN_CLEAR)));
}

#define FLAG_BUILDER(fn, bits, clear)						\
static int fn(struct ctl *c, int argc, char **argv, struct nl_msg *msg)	\
{										\
	int rc = put_id(c, argc, argv, msg);					\
										\
	return rc ? rc : put_flags(c, msg, bits, clear);			\
}
FLAG_BUILDER(build_disable_sub, CREDSTORE_DEVICE_F_SUB_DISABLED, false)
FLAG_BUILDER(build_enable_sub, CREDSTORE_DEVICE_F_SUB_DISABLED, true)
FLAG_BUILDER(build_revoke, CREDSTORE_DEVICE_F_REVOKED, false)
FLAG_BUILDER(build_reinstate, CREDSTORE_DEVICE_F_REVOKED, true)

static int build_set_profile(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *id = positional(argc, argv), *profile = positional(argc, argv);
	uint32_t no_sub = 0;
	int rc = id && profile ? no_more_args(c, argc, argv)
			       : ctl_usage(c, "device set-profile ID dual|no-sub");

	if (!rc)
		rc = profile_flags(c, profile, &no_sub);
	if (!rc)
		rc = ctl_put_string(c, msg, CREDSTORE_A_DEVICE_ID, id);
	return rc ? rc : put_flags(c, msg, CREDSTORE_DEVICE_F_NO_SUB, !no_sub);
}

/* A generated secret is shown once, here. */
static void print_secret(struct ctl *c, struct nlattr **tb, const char *subject)
{
	(void)subject;
	if (tb[CREDSTORE_A_SECRET])
		out_text(c, "secret", nla_data(tb[CREDSTORE_A_SECRET]), (size_t)nla_len(tb[CREDSTORE_A_SECRET]));
	if (tb[CREDSTORE_A_SECRET] && !c->json)
		putchar('\n');
}

static void out_fp(struct ctl *c, const char *key, struct nlattr *a)
{
	char hex[CS_FINGERPRINT_HEX_LEN + 1];

	if (a && nla_len(a) == CREDSTORE_FINGERPRINT_LEN)
		cs_fingerprint_format(nla_data(a), hex);
	else
		snprintf(hex, sizeof(hex), "none");
	out_str(c, key, hex);
}

static void out_device(struct ctl *c, struct nlattr **tb)
{
	uint32_t flags = tb[CREDSTORE_A_FLAGS] ? nla_get_u32(tb[CREDSTORE_A_FLAGS]) : 0;

	out_str(c, "id", nla_get_string(tb[CREDSTORE_A_DEVICE_ID]));
	out_str(c, "profile", flags & CREDSTORE_DEVICE_F_NO_SUB ? "no-sub" : "dual");
	out_bool(c, "revoked", flags & CREDSTORE_DEVICE_F_REVOKED);
	out_fp(c, "master_fingerprint", tb[CREDSTORE_A_MASTER_FP]);
	if (tb[CREDSTORE_A_MASTER_NOT_AFTER])
		out_expiry(c, "master", nla_get_u64(tb[CREDSTORE_A_MASTER_NOT_AFTER]));
	out_fp(c, "sub_fingerprint", tb[CREDSTORE_A_SUB_FP]);
	if (tb[CREDSTORE_A_SUB_NOT_AFTER])
		out_expiry(c, "sub", nla_get_u64(tb[CREDSTORE_A_SUB_NOT_AFTER]));
	out_bool(c, "sub_disabled", flags & CREDSTORE_DEVICE_F_SUB_DISABLED);
}

static int device_reply(struct nlattr **tb, void *arg)
{
	out_device(arg, tb);
	return 0;
}

static int secrets_reply(struct nlattr **tb, void *arg)
{
	out_bool(arg, "master_secret", tb[CREDSTORE_A_MASTER_SECRET] != NULL);
	out_bool(arg, "sub_secret", tb[CREDSTORE_A_SUB_SECRET] != NULL);
	return 0;
}

static struct nl_msg *id_request(uint8_t cmd, const char *id)
{
	struct nl_msg *req = cs_client_request(cmd, 0);

	if (req && nla_put_string(req, CREDSTORE_A_DEVICE_ID, id)) {
		nlmsg_free(req);
		return NULL;
	}
	return req;
}

/* Fingerprints, expiry and flags; whether secrets are set (never their
 * value). */
static int run_show(struct ctl *c, int argc, char **argv)
{
	const char *id = positional(argc, argv);
	int rc = id ? no_more_args(c, argc, argv) : ctl_usage(c, "give the device id");

	if (!rc)
		rc = ctl_connect(c);
	if (rc)
		return rc;
	out_begin(c);
	rc = ctl_transact(c, id_request(CREDSTORE_CMD_GET_DEVICE, id), device_reply, c);
	if (!rc)
		rc = ctl_transact(c, id_request(CREDSTORE_CMD_GET_DEVICE_SECRETS, id), secrets_reply, c);
	if (!rc)
		out_end(c);
	return rc;
}

struct list_filter {
	struct ctl *c;
	const char *prefix;
	unsigned long limit, shown;
	bool limited;
};

static int list_entry(struct nlattr **tb, void *arg)
{
	struct list_filter *f = arg;
	const char *id = nla_get_string(tb[CREDSTORE_A_DEVICE_ID]);

	if (f->prefix && strncmp(id, f->prefix, strlen(f->prefix)))
		return 0;
	if (f->limited && f->shown >= f->limit)
		return 0;
	f->shown++;
	out_item_begin(f->c);
	out_device(f->c, tb);
	out_item_end(f->c);
	return 0;
}

static int run_list(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'l' },
		{ 0 }
	};
	struct list_filter f = { .c = c };
	int ch, rc = EXIT_OK;

	while (!rc && (ch = ctl_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'p': f.prefix = optarg; break;
		case 'l':
			rc = ctl_number(c, "--limit", optarg, 0, 100000000, &f.limit);
			f.limited = true;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (!rc)
		rc = no_more_args(c, argc, argv);
	if (!rc)
		rc = ctl_connect(c);
	if (rc)
		return rc;
	out_begin(c);
	out_list_begin(c, "devices");
	rc = ctl_dump(c, CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, list_entry, &f);
	out_list_end(c);
	if (!rc) {
		out_u64(c, "count", (uint64_t)f.shown);
		out_end(c);
	}
	return rc;
}

#define ID_CMD(name, cmd, build, help) { "device", name, "ID", help, cmd, build, NULL, NULL }

const struct subcmd device_cmds[] = {
	{ "device", "add", "ID [--fingerprint HEX | --cert FILE] [--secret S | --secret-file F | "
	  "--secret-hex H | --secret-base64 B | --generate] [--profile dual|no-sub]",
	  "Add a device with its master credential: a certificate (--cert: credstored keeps its\n"
	  "fingerprint and expiry date) or its SHA-256 fingerprint, and/or a secret of at least\n"
	  "credstored's --min-secret-length bytes (16 by default).  --secret-file reads the file's\n"
	  "bytes as they are (a trailing newline is part of the secret).  --generate has credstored\n"
	  "make a random secret, printed once.  --profile no-sub: the device never has a sub\n"
	  "credential (protocols such as CoAP); reset commands then replace the master.",
	  CREDSTORE_ADMIN_CMD_DEVICE_ADD, build_add, print_secret, NULL },
	{ "device", "reset-fingerprint", "ID (--fingerprint HEX | --cert FILE) [--master]",
	  "Give the device a new certificate: it becomes the sub (the master keeps working\n"
	  "until `promote`), or the master with --master, or under the no-sub profile.\n"
	  "Refused while the sub is disabled, unless --master.",
	  CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT, build_reset_fingerprint, NULL, NULL },
	{ "device", "reset-secret", "ID (--secret S | --secret-file F | --secret-hex H | "
	  "--secret-base64 B | --generate) [--master]",
	  "Give the device a new secret, as reset-fingerprint does a certificate.",
	  CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET, build_reset_secret, print_secret, NULL },
	ID_CMD("promote", CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE, build_id_only,
	       "Make the sub credentials the master ones; the old master stops working."),
	ID_CMD("drop-sub", CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB, build_id_only,
	       "Forget the sub credentials (abandon a rotation)."),
	ID_CMD("disable-sub", CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_disable_sub,
	       "The sub credentials stop matching (they stay stored); nothing new is written\n"
	       "into the sub until enable-sub."),
	ID_CMD("enable-sub", CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_enable_sub,
	       "The sub credentials match again."),
	ID_CMD("revoke", CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_revoke,
	       "Revoke the device: it matches nothing, front ends close its open sessions, and\n"
	       "it stays in the store (unlike remove) until reinstated."),
	ID_CMD("reinstate", CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_reinstate,
	       "Undo a revocation."),
	{ "device", "set-profile", "ID dual|no-sub",
	  "dual: a master and a sub credential (rotation without interruption); no-sub: the\n"
	  "master only.  no-sub is refused while the device has a sub.",
	  CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_set_profile, NULL, NULL },
	ID_CMD("remove", CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, build_id_only,
	       "Remove the device and its credentials."),
	{ "device", "show", "ID",
	  "The device's profile, state, fingerprints with their expiry (where a certificate was\n"
	  "given) and whether it has secrets (never their value).",
	  0, NULL, NULL, run_show },
	{ "device", "list", "[--prefix P] [--limit N]",
	  "Devices in id order, as `show` without the secrets.", 0, NULL, NULL, run_list },
	{ 0 }
};
