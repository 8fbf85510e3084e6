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
		{ "out", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *type = NULL, *subject = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': type = optarg; break;
		case 's': subject = optarg; break;
		case 'o': c->out_path = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (ctl_put_string(c, msg, CREDSTORE_A_NAME, identity_name(argc, argv)) ||
	    (type && ctl_put_string(c, msg, CREDSTORE_A_ADMIN_KEY_TYPE, type)) ||
	    (subject && ctl_put_string(c, msg, CREDSTORE_A_ADMIN_SUBJECT, subject)))
		return EXIT_USAGE;
	return EXIT_OK;
}

static void print_csr(struct ctl *c, struct nlattr **tb, const char *subject)
{
	(void)subject;
	if (tb[CREDSTORE_A_ADMIN_CSR])
		out_pem(c, "csr", nla_data(tb[CREDSTORE_A_ADMIN_CSR]),
			(size_t)nla_len(tb[CREDSTORE_A_ADMIN_CSR]));
}

static int build_install(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	static const struct option opts[] = {
		{ "chain", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "anchor", required_argument, NULL, 'a' },
		{ 0 }
	};
	const char *chain = NULL, *key = NULL, *password = NULL, *password_file = NULL, *anchor = NULL;
	char pass[1024];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': chain = optarg; break;
		case 'k': key = optarg; break;
		case 'p': password = optarg; break;
		case 'P': password_file = optarg; break;
		case 'a': anchor = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (!chain)
		return ctl_usage(c, "identity install: give the certificate chain with --chain FILE");
	rc = ctl_put_string(c, msg, CREDSTORE_A_NAME, identity_name(argc, argv));
	if (!rc)
		rc = put_file(c, msg, CREDSTORE_A_ADMIN_PEM, chain);
	if (!rc && key)
		rc = put_file(c, msg, CREDSTORE_A_ADMIN_KEY_PEM, key);
	if (!rc && (password || password_file)) {
		rc = get_passphrase(c, password, password_file, pass, sizeof(pass));
		if (!rc)
			rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_PASSWORD, pass);
		OPENSSL_cleanse(pass, sizeof(pass));
	}
	if (!rc && anchor)
		rc = ctl_put_string(c, msg, CREDSTORE_A_ADMIN_ANCHOR, anchor);
	return rc;
}

static int build_remove(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	(void)argc;
	return ctl_put_string(c, msg, CREDSTORE_A_NAME, identity_name(argc, argv));
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
	int rc = fetch_chain(c, name, &cc);

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

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (ch == 'o')
			c->out_path = optarg;
		else
			return EXIT_USAGE;
	name = identity_name(argc, argv);
	rc = fetch_chain(c, name, &cc);
	if (rc == EXIT_NOT_FOUND)
		fprintf(stderr, "credctl: no identity '%s'\n", name);
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

const struct subcmd identity_cmds[] = {
	{ "identity", "csr", "[NAME] [--key-type ec-p256|rsa2048|rsa3072] [--subject /CN=...] [--out FILE]",
	  CREDSTORE_ADMIN_CMD_IDENTITY_CSR, build_csr, print_csr, NULL },
	{ "identity", "install", "[NAME] --chain FILE [--key FILE [--password P | --password-file F]] [--anchor NAME]",
	  CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, build_install, NULL, NULL },
	{ "identity", "show", "[NAME]", 0, NULL, NULL, run_show },
	{ "identity", "export", "[NAME] [--out FILE]", 0, NULL, NULL, run_export },
	{ "identity", "remove", "[NAME]", CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, build_remove, NULL, NULL },
	{ 0 }
};
