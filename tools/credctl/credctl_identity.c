/* credctl identity csr | install | show | export | remove */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "credctl.h"
#include "pki.h"

#define DEFAULT_IDENTITY "default"

static const char *identity_name(int argc, char **argv)
{
	const char *name = positional(argc, argv);

	return name ? name : DEFAULT_IDENTITY;
}

static int build_csr(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	static const struct option opts[] = {
		{ "key-type", required_argument, NULL, 't' },
		{ "subject", required_argument, NULL, 's' },
		{ "san", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *type = NULL, *subject = NULL, *san = NULL;
	int ch, rc;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 't': type = optarg; break;
		case 's': subject = optarg; break;
		case 'a': san = optarg; break;
		case 'o': c->out_path = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	rc = ctl_put_string(c, msg, CREDSTORE_A_NAME, identity_name(argc, argv));
	if (!rc)
		rc = no_more_args(c, argc, argv);
	if (!rc && type)
		rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_KEY_TYPE, type);
	if (!rc && subject)
		rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_SUBJECT, subject);
	if (!rc && san)
		rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_SAN, san);
	return rc;
}

static void print_csr(struct ctl *c, struct nlattr **tb, const char *subject)
{
	(void)subject;
	if (tb[CREDSTORE_A_ADMIN_CSR])
		out_pem(c, "csr", nla_data(tb[CREDSTORE_A_ADMIN_CSR]),
			(size_t)nla_len(tb[CREDSTORE_A_ADMIN_CSR]));
}

struct install_opts {
	const char *chain, *key, *pkcs12, *password, *password_file, *anchor;
	bool no_anchor_check;
};

static int parse_install(struct ctl *c, int argc, char **argv, struct install_opts *o)
{
	static const struct option opts[] = {
		{ "chain", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "pkcs12", required_argument, NULL, '1' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "anchor", required_argument, NULL, 'a' },
		{ "no-anchor-check", no_argument, NULL, 'n' },
		{ 0 }
	};
	int ch, rc;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'c': o->chain = optarg; break;
		case 'k': o->key = optarg; break;
		case '1': o->pkcs12 = optarg; break;
		case 'p': o->password = optarg; break;
		case 'P': o->password_file = optarg; break;
		case 'a': o->anchor = optarg; break;
		case 'n': o->no_anchor_check = true; break;
		default: return EXIT_USAGE;
		}
	}
	rc = ctl_exclusive(c, "--password", o->password, "--password-file", o->password_file);
	if (!rc)
		rc = ctl_exclusive(c, "--pkcs12", o->pkcs12, "--chain", o->chain);
	if (!rc)
		rc = ctl_exclusive(c, "--pkcs12", o->pkcs12, "--key", o->key);
	if (!rc)
		rc = ctl_exclusive(c, "--anchor", o->anchor, "--no-anchor-check",
				   o->no_anchor_check ? "" : NULL);
	if (!rc && !o->chain && !o->pkcs12)
		rc = ctl_usage(c, "give the certificate chain with --chain FILE (or --pkcs12 FILE)");
	return rc;
}

static int build_install(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	struct install_opts o = { 0 };
	char pass[1024];
	int rc = parse_install(c, argc, argv, &o);

	if (!rc)
		rc = ctl_put_string(c, msg, CREDSTORE_A_NAME, identity_name(argc, argv));
	if (!rc)
		rc = no_more_args(c, argc, argv);
	if (!rc && o.chain)
		rc = put_file(c, msg, CREDSTORE_A_ADMIN_PEM, o.chain);
	if (!rc && o.key)
		rc = put_file(c, msg, CREDSTORE_A_ADMIN_KEY_PEM, o.key);
	if (!rc && o.pkcs12)
		rc = put_file(c, msg, CREDSTORE_A_ADMIN_PKCS12, o.pkcs12);
	if (!rc && (o.password || o.password_file)) {
		rc = get_passphrase(c, o.password, o.password_file, pass, sizeof(pass));
		if (!rc)
			rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_PASSWORD, pass);
		OPENSSL_cleanse(pass, sizeof(pass));
	}
	if (!rc && o.anchor)
		rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_ANCHOR, o.anchor);
	if (!rc && o.no_anchor_check)
		rc = ctl_put(c, nla_put_flag(msg, CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK));
	return rc;
}

static int build_remove(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	int rc = ctl_put_string(c, msg, CREDSTORE_A_NAME, identity_name(argc, argv));

	return rc ? rc : no_more_args(c, argc, argv);
}

struct chain_copy {
	uint8_t *der;
	size_t len;
};

static int copy_chain(struct nlattr **tb, void *arg)
{
	struct chain_copy *cc = arg;

	if (!tb[CREDSTORE_A_CHAIN])
		return -EPROTO;
	cc->len = (size_t)nla_len(tb[CREDSTORE_A_CHAIN]);
	cc->der = malloc(cc->len);
	if (!cc->der)
		return -ENOMEM;
	memcpy(cc->der, nla_data(tb[CREDSTORE_A_CHAIN]), cc->len);
	return 0;
}

/* The identity's chain; EXIT_NOT_FOUND quietly when there is none. */
static int fetch_chain(struct ctl *c, const char *name, struct chain_copy *cc)
{
	struct nl_msg *req = cs_client_request(CREDSTORE_CMD_GET_IDENTITY, 0);
	int rc = ctl_connect(c);

	if (!rc && (!req || nla_put_string(req, CREDSTORE_A_NAME, name)))
		rc = ctl_usage(c, "out of memory");
	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	if (cs_client_transact(&c->client, req, copy_chain, cc, &c->err) == 0)
		return EXIT_OK;
	if (c->err.code == ENOENT)
		return EXIT_NOT_FOUND;
	return ctl_failed(c);
}

static int run_show(struct ctl *c, int argc, char **argv)
{
	const char *name = identity_name(argc, argv);
	struct chain_copy cc = { 0 };
	int rc = no_more_args(c, argc, argv);

	if (!rc)
		rc = fetch_chain(c, name, &cc);

	if (rc && rc != EXIT_NOT_FOUND)
		return rc;
	out_begin(c);
	out_str(c, "name", name);
	if (rc == EXIT_NOT_FOUND)
		out_str(c, "identity", "none");
	else
		out_cert(c, cc.der, cc.len);
	out_end(c);
	free(cc.der);
	return EXIT_OK;
}

static int run_export(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = { { "out", required_argument, NULL, 'o' }, { 0 } };
	struct chain_copy cc = { 0 };
	STACK_OF(X509) *certs;
	char *pem = NULL;
	size_t len = 0;
	const char *name;
	int ch, rc;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == 'o')
			c->out_path = optarg;
		else
			return EXIT_USAGE;
	name = identity_name(argc, argv);
	rc = no_more_args(c, argc, argv);
	if (!rc)
		rc = fetch_chain(c, name, &cc);
	if (rc == EXIT_NOT_FOUND)
		ctl_error(c, rc, "no identity '%s'", name);
	if (rc)
		return rc;
	certs = cs_pki_parse_certs(cc.der, cc.len, &c->err);
	if (!certs || cs_pki_certs_to_pem(certs, &pem, &len, &c->err))
		rc = ctl_usage(c, "the stored chain is unreadable: %s", c->err.msg);
	if (!rc) {
		out_begin(c);
		rc = out_pem(c, "chain", pem, len);
		out_end(c);
	}
	cs_pki_free_certs(certs);
	free(pem);
	free(cc.der);
	return rc;
}

static int list_entry(struct nlattr **tb, void *arg)
{
	struct ctl *c = arg;

	out_item_begin(c);
	out_str(c, "name", nla_get_string(tb[CREDSTORE_A_NAME]));
	if (tb[CREDSTORE_A_CHAIN])
		out_cert(c, nla_data(tb[CREDSTORE_A_CHAIN]), (size_t)nla_len(tb[CREDSTORE_A_CHAIN]));
	out_item_end(c);
	return 0;
}

static int run_list(struct ctl *c, int argc, char **argv)
{
	int rc = no_more_args(c, argc, argv);

	return rc ? rc : ctl_list(c, "identities", CREDSTORE_CMD_GET_IDENTITY, CREDSTORE_A_NAME, list_entry);
}

const struct subcmd identity_cmds[] = {
	{ "identity", "csr", "[NAME] [--key-type ec-p256|rsa2048|rsa3072] [--subject /CN=...] "
	  "[--san DNS:name,IP:addr,...] [--out FILE]",
	  "credstored makes a key (kept in the store, never shown) and prints a CSR for it, with\n"
	  "the subject (default /CN=NAME) and subjectAltNames asked for.  Have a CA sign it, then\n"
	  "`identity install NAME --chain CERT`.",
	  CREDSTORE_ADMIN_CMD_IDENTITY_CSR, build_csr, print_csr, NULL },
	{ "identity", "install", "[NAME] (--chain FILE [--key FILE] | --pkcs12 FILE) "
	  "[--password P | --password-file F] [--anchor NAME | --no-anchor-check]",
	  "Install a server certificate chain (leaf first, then each issuer; PEM or DER) with\n"
	  "its key: the one given, the last CSR's, or the current one.  --pkcs12 takes both\n"
	  "from a PKCS#12 file.  The leaf must allow TLS server use and not be a CA; RSA keys\n"
	  "under 2048 bits and SHA-1 signatures are refused (credstored's policy).  The chain\n"
	  "must lead to a stored trust anchor (--anchor: that one) unless --no-anchor-check.\n"
	  "A certificate expiring within credstored's --expiry-warning days is installed with\n"
	  "a warning.",
	  CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, build_install, NULL, NULL },
	{ "identity", "show", "[NAME]",
	  "The identity's certificate: subject, issuer, serial, dates, days left, fingerprint\n"
	  "('identity: none' when there is none; exit 0).", 0, NULL, NULL, run_show },
	{ "identity", "list", "", "Every identity, as `show`.", 0, NULL, NULL, run_list },
	{ "identity", "export", "[NAME] [--out FILE]", "The identity's chain as PEM.",
	  0, NULL, NULL, run_export },
	{ "identity", "remove", "[NAME]",
	  "Remove the identity and its key (OK when absent).  Front ends stop serving it.",
	  CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, build_remove, NULL, NULL },
	{ 0 }
};
