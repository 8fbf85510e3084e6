/* credctl identity csr | install | show | export | export-ref | remove */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "credctl.h"
#include "pki.h"
#include "provider/provider.h"

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

/* --signers GROUP: a group name or number, resolved here. */
static int put_signers(struct ctl *c, struct nl_msg *msg, const char *group)
{
	struct group *gr = getgrnam(group);
	char *end;
	unsigned long gid = gr ? gr->gr_gid : strtoul(group, &end, 10);

	if (!gr && (!*group || *end || gid > UINT32_MAX - 1))
		return ctl_usage(c, "--signers: no group '%s'", group);
	return ctl_put(c, nla_put_u32(msg, CREDSTORE_A_SIGNERS, (uint32_t)gid));
}

struct install_opts {
	const char *chain, *key, *pkcs12, *password, *password_file, *anchor, *signers;
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
		{ "signers", required_argument, NULL, 'g' },
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
		case 'g': o->signers = optarg; break;
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
	if (!rc && o.signers)
		rc = put_signers(c, msg, o.signers);
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
	bool has_signers;
	uint32_t signers;
};

static int copy_chain(struct nlattr **tb, void *arg)
{
	struct chain_copy *cc = arg;

	if (!tb[CREDSTORE_A_CHAIN])
		return -EPROTO;
	cc->has_signers = tb[CREDSTORE_A_SIGNERS] != NULL;
	if (cc->has_signers)
		cc->signers = nla_get_u32(tb[CREDSTORE_A_SIGNERS]);
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

/* The identity's certificates; a message when there is none. */
static int fetch_certs(struct ctl *c, const char *name, STACK_OF(X509) **certs)
{
	struct chain_copy cc = { 0 };
	int rc = fetch_chain(c, name, &cc);

	*certs = NULL;
	if (rc == EXIT_NOT_FOUND)
		ctl_error(c, rc, "no identity '%s'", name);
	if (!rc && !(*certs = cs_pki_parse_certs(cc.der, cc.len, &c->err)))
		rc = ctl_usage(c, "the stored chain is unreadable: %s", c->err.msg);
	free(cc.der);
	return rc;
}

/* Who may sign with the key: root, and the signer group if there is one. */
static void out_signers(struct ctl *c, const struct chain_copy *cc)
{
	struct group *gr = cc->has_signers ? getgrgid((gid_t)cc->signers) : NULL;
	char number[16];

	snprintf(number, sizeof(number), "%u", cc->signers);
	out_str(c, "signers", !cc->has_signers ? "root only" : gr ? gr->gr_name : number);
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
	if (rc == EXIT_NOT_FOUND) {
		out_str(c, "identity", "none");
	} else {
		out_cert(c, cc.der, cc.len);
		out_signers(c, &cc);
	}
	out_end(c);
	free(cc.der);
	return EXIT_OK;
}

static int copy_key(struct nlattr **tb, void *arg)
{
	struct chain_copy *key = arg;

	if (!tb[CREDSTORE_A_KEY])
		return -EPROTO;
	key->len = (size_t)nla_len(tb[CREDSTORE_A_KEY]);
	key->der = OPENSSL_memdup(nla_data(tb[CREDSTORE_A_KEY]), key->len);
	return key->der ? 0 : -ENOMEM;
}

/* The administrator's backup of a private key: an admin command that
 * credstored logs, written as PKCS#8 PEM readable by the caller only. */
static int export_key(struct ctl *c, const char *name, const char *path)
{
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_IDENTITY_EXPORT_KEY, 0);
	struct chain_copy key = { 0 };
	EVP_PKEY *pkey = NULL;
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int rc = req && mem ? ctl_put_string(c, req, CREDSTORE_A_NAME, name) : ctl_usage(c, "out of memory");

	if (!rc) {
		rc = ctl_transact(c, req, copy_key, &key);
		req = NULL;
	}
	if (!rc && (!(pkey = cs_pki_parse_key(key.der, key.len, NULL, &c->err)) ||
		    !PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL)))
		rc = ctl_usage(c, "the stored key is unreadable");
	if (!rc) {
		len = BIO_get_mem_data(mem, &pem);
		rc = out_file_atomic(c, path, pem, (size_t)len, 0600);
	}
	nlmsg_free(req);
	EVP_PKEY_free(pkey);
	if (mem && (len = BIO_get_mem_data(mem, &pem)) > 0)
		OPENSSL_cleanse(pem, (size_t)len);	/* BIO_free does not wipe */
	BIO_free(mem);
	if (key.der)
		OPENSSL_clear_free(key.der, key.len);
	return rc;
}

static int run_export(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "key-out", required_argument, NULL, 'k' },
		{ 0 }
	};
	STACK_OF(X509) *certs;
	const char *key_out = NULL;
	char *pem = NULL;
	size_t len = 0;
	const char *name;
	int ch, rc;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == 'o')
			c->out_path = optarg;
		else if (ch == 'k')
			key_out = optarg;
		else
			return EXIT_USAGE;
	name = identity_name(argc, argv);
	rc = no_more_args(c, argc, argv);
	if (!rc && key_out)
		rc = export_key(c, name, key_out);
	if (!rc)
		rc = fetch_certs(c, name, &certs);
	if (rc)
		return rc;
	if (cs_pki_certs_to_pem(certs, &pem, &len, &c->err))
		rc = ctl_usage(c, "the stored chain is unreadable: %s", c->err.msg);
	if (!rc) {
		out_begin(c);
		rc = out_pem(c, "chain", pem, len);
		out_end(c);
	}
	cs_pki_free_certs(certs);
	free(pem);
	return rc;
}

int identity_write_files(struct ctl *c, const char *name, STACK_OF(X509) *chain,
			 const char *chain_out, const char *ref_out, bool *changed)
{
	const char *paths[2] = { chain_out, ref_out };
	BIO *mem[2] = { BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()) };
	int rc = mem[0] && mem[1] ? EXIT_OK : ctl_usage(c, "out of memory");

	*changed = false;
	for (int i = 0; i < sk_X509_num(chain) && !rc; i++)
		if (!PEM_write_bio_X509(mem[0], sk_X509_value(chain, i)))
			rc = ctl_usage(c, "out of memory");
	if (!rc && cs_keyref_write_pem(mem[1], name, X509_get0_pubkey(sk_X509_value(chain, 0))) < 0)
		rc = ctl_usage(c, "identity '%s': its certificate has no usable public key", name);
	for (int i = 0; i < 2 && !rc; i++) {
		uint8_t *old = NULL;
		size_t old_len = 0;
		char *data;
		long len = BIO_get_mem_data(mem[i], &data);

		if (!paths[i])
			continue;
		if (read_file_quiet(paths[i], &old, &old_len) == 0 && old_len == (size_t)len &&
		    !memcmp(old, data, old_len)) {
			free(old);
			continue;
		}
		free(old);
		rc = out_file_atomic(c, paths[i], data, (size_t)len, 0644);
		*changed = *changed || !rc;
	}
	BIO_free(mem[0]);
	BIO_free(mem[1]);
	return rc;
}

/* identity export-ref NAME FILE: the key reference a server loads as its
 * key file (credstore-provider(7)); made from the public chain alone. */
static int run_export_ref(struct ctl *c, int argc, char **argv)
{
	STACK_OF(X509) *certs;
	const char *name, *path;
	bool changed;
	int rc;

	if (argc != 3)
		return ctl_usage(c, "identity export-ref NAME FILE");
	name = argv[1];
	path = argv[2];
	rc = fetch_certs(c, name, &certs);
	if (!rc)
		rc = identity_write_files(c, name, certs, NULL, path, &changed);
	if (!rc) {
		out_begin(c);
		out_str(c, "written", path);
		out_end(c);
	}
	cs_pki_free_certs(certs);
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
	  "[--password P | --password-file F] [--anchor NAME | --no-anchor-check] "
	  "[--signers GROUP]",
	  "Install a server certificate chain (leaf first, then each issuer; PEM or DER) with\n"
	  "its key: the one given, the last CSR's, or the current one.  --pkcs12 takes both\n"
	  "from a PKCS#12 file.  The leaf must allow TLS server use and not be a CA; RSA keys\n"
	  "under 2048 bits and SHA-1 signatures are refused (credstored's policy).  The chain\n"
	  "must lead to a stored trust anchor (--anchor: that one) unless --no-anchor-check.\n"
	  "A certificate expiring within credstored's --expiry-warning days is installed with\n"
	  "a warning.  --signers GROUP: that group's processes may have credstored sign with\n"
	  "the key (besides root).",
	  CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, build_install, NULL, NULL },
	{ "identity", "show", "[NAME]",
	  "The identity's certificate: subject, issuer, serial, dates, days left, fingerprint,\n"
	  "signers ('identity: none' when there is none; exit 0).", 0, NULL, NULL, run_show },
	{ "identity", "list", "", "Every identity, as `show`.", 0, NULL, NULL, run_list },
	{ "identity", "export", "[NAME] [--out FILE] [--key-out FILE]",
	  "The identity's chain as PEM.  --key-out also writes the private key (mode 0600; root\n"
	  "and the admin group only, logged by credstored).", 0, NULL, NULL, run_export },
	{ "identity", "export-ref", "NAME FILE",
	  "Write the identity's key reference (its name and public key, no secret): a server\n"
	  "given it as its key file signs through credstored (credstore-provider(7)).",
	  0, NULL, NULL, run_export_ref },
	{ "identity", "remove", "[NAME]",
	  "Remove the identity and its key (OK when absent).  Front ends stop serving it.",
	  CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, build_remove, NULL, NULL },
	{ 0 }
};
