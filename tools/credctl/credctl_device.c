/* credctl device add | reset-fingerprint | reset-secret | promote |
 * drop-sub | disable-sub | enable-sub | remove | show | list */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "credctl.h"
#include "fingerprint.h"

struct device_opts {
	const char *fingerprint, *cert, *secret, *secret_file;
	bool generate, master;
};

static int parse_device_opts(struct ctl *c, int argc, char **argv, struct device_opts *o)
{
	static const struct option opts[] = {
		{ "fingerprint", required_argument, NULL, 'f' },
		{ "cert", required_argument, NULL, 'c' },
		{ "secret", required_argument, NULL, 's' },
		{ "secret-file", required_argument, NULL, 'S' },
		{ "generate", no_argument, NULL, 'g' },
		{ "master", no_argument, NULL, 'm' },
		{ 0 }
	};
	int ch;

	(void)c;
	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': o->fingerprint = optarg; break;
		case 'c': o->cert = optarg; break;
		case 's': o->secret = optarg; break;
		case 'S': o->secret_file = optarg; break;
		case 'g': o->generate = true; break;
		case 'm': o->master = true; break;
		default: return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static int put_id(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *id = positional(argc, argv);

	if (!id)
		return ctl_usage(c, "give the device id");
	return ctl_put_string(c, msg, CREDSTORE_A_DEVICE_ID, id);
}

static int put_fingerprint(struct ctl *c, const struct device_opts *o, struct nl_msg *msg)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	int rc = parse_fingerprint_arg(c, o->fingerprint, o->cert, fp);

	return rc ? rc : ctl_put(c, nla_put(msg, CREDSTORE_A_FINGERPRINT, sizeof(fp), fp));
}

static int put_secret(struct ctl *c, const struct device_opts *o, struct nl_msg *msg)
{
	char buf[CREDSTORE_SECRET_MAX + 2];
	const char *secret = o->secret;
	int rc = EXIT_OK;

	if (o->generate)
		return (secret || o->secret_file) ? ctl_usage(c, "--generate or a secret, not both")
			: ctl_put(c, nla_put_flag(msg, CREDSTORE_A_ADMIN_GENERATE));
	if (o->secret_file) {
		rc = get_passphrase(c, NULL, o->secret_file, buf, sizeof(buf));
		secret = rc ? NULL : buf;
	}
	if (!rc && secret && (!secret[0] || strlen(secret) > CREDSTORE_SECRET_MAX))
		rc = ctl_usage(c, "a secret has 1 to %d bytes", CREDSTORE_SECRET_MAX);
	else if (!rc && secret)
		rc = ctl_put(c, nla_put(msg, CREDSTORE_A_SECRET, (int)strlen(secret), secret));
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static int build_add(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct device_opts o;
	int rc = parse_device_opts(c, argc, argv, &o);

	if (!rc)
		rc = put_id(c, argc, argv, msg);
	if (!rc && (o.fingerprint || o.cert))
		rc = put_fingerprint(c, &o, msg);
	if (!rc)
		rc = put_secret(c, &o, msg);
	return rc;
}

static int build_reset_fingerprint(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct device_opts o;
	int rc = parse_device_opts(c, argc, argv, &o);

	if (!rc)
		rc = put_id(c, argc, argv, msg);
	if (!rc)
		rc = put_fingerprint(c, &o, msg);
	if (!rc && o.master)
		rc = ctl_put(c, nla_put_flag(msg, CREDSTORE_A_ADMIN_MASTER));
	return rc;
}

static int build_reset_secret(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct device_opts o;
	int rc = parse_device_opts(c, argc, argv, &o);

	if (!rc)
		rc = put_id(c, argc, argv, msg);
	if (!rc && !o.generate && !o.secret && !o.secret_file)
		rc = ctl_usage(c, "give --secret S, --secret-file F or --generate");
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

static int build_flags(struct ctl *c, int argc, char **argv, struct nl_msg *msg, bool clear)
{
	int rc = put_id(c, argc, argv, msg);

	if (!rc)
		rc = ctl_put(c, nla_put_u32(msg, CREDSTORE_A_FLAGS, CREDSTORE_DEVICE_F_SUB_DISABLED) ||
				(clear && nla_put_flag(msg, CREDSTORE_A_ADMIN_CLEAR)));
	return rc;
}

static int build_disable_sub(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	return build_flags(c, argc, argv, msg, false);
}

static int build_enable_sub(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	return build_flags(c, argc, argv, msg, true);
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
	out_fp(c, "master_fingerprint", tb[CREDSTORE_A_MASTER_FP]);
	out_fp(c, "sub_fingerprint", tb[CREDSTORE_A_SUB_FP]);
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

/* Fingerprints and flags; whether secrets are set (never their value). */
static int run_show(struct ctl *c, int argc, char **argv)
{
	const char *id = positional(argc, argv);
	int rc;

	if (!id)
		return ctl_usage(c, "device show ID");
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
	long limit, shown;
};

static int list_entry(struct nlattr **tb, void *arg)
{
	struct list_filter *f = arg;
	const char *id = nla_get_string(tb[CREDSTORE_A_DEVICE_ID]);

	if (f->prefix && strncmp(id, f->prefix, strlen(f->prefix)))
		return 0;
	if (f->limit >= 0 && f->shown >= f->limit)
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
	struct list_filter f = { .c = c, .limit = -1 };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': f.prefix = optarg; break;
		case 'l': f.limit = atol(optarg); break;
		default: return EXIT_USAGE;
		}
	}
	rc = ctl_connect(c);
	if (rc)
		return rc;
	out_begin(c);
	out_list_begin(c, "devices");
	rc = ctl_dump(c, CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, list_entry, &f);
	out_list_end(c);
	if (!rc)
		out_u64(c, "count", (uint64_t)f.shown);
	out_end(c);
	return rc;
}

#define ID_CMD(name, cmd, build) { "device", name, "ID", cmd, build, NULL, NULL }

const struct subcmd device_cmds[] = {
	{ "device", "add", "ID [--fingerprint HEX | --cert FILE] [--secret S | --secret-file F | --generate]",
	  CREDSTORE_ADMIN_CMD_DEVICE_ADD, build_add, print_secret, NULL },
	{ "device", "reset-fingerprint", "ID (--fingerprint HEX | --cert FILE) [--master]",
	  CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT, build_reset_fingerprint, NULL, NULL },
	{ "device", "reset-secret", "ID (--secret S | --secret-file F | --generate) [--master]",
	  CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET, build_reset_secret, print_secret, NULL },
	ID_CMD("promote", CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE, build_id_only),
	ID_CMD("drop-sub", CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB, build_id_only),
	ID_CMD("disable-sub", CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_disable_sub),
	ID_CMD("enable-sub", CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, build_enable_sub),
	ID_CMD("remove", CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, build_id_only),
	{ "device", "show", "ID", 0, NULL, NULL, run_show },
	{ "device", "list", "[--prefix P] [--limit N]", 0, NULL, NULL, run_list },
	{ 0 }
};
