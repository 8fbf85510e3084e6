/* credctl anchor add | replace | remove | crl | list */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "credctl.h"
#include "pki.h"

/* A CRL file may be PEM, a third larger than the DER that is sent. */
#define CRL_FILE_MAX	(2 * CS_USERSOCK_REQUEST_MAX)

static int build_add(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *name = positional(argc, argv), *file = positional(argc, argv);
	int rc = name && file ? no_more_args(c, argc, argv)
			      : ctl_usage(c, "give the anchor's NAME and certificate FILE");

	if (!rc)
		rc = ctl_put_string(c, msg, CREDSTORE_A_NAME, name);
	return rc ? rc : put_file(c, msg, CREDSTORE_A_ADMIN_PEM, file);
}

static int build_remove(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *name = positional(argc, argv);
	int rc = name ? no_more_args(c, argc, argv) : ctl_usage(c, "give the anchor's NAME");

	return rc ? rc : ctl_put_string(c, msg, CREDSTORE_A_NAME, name);
}

/* The CRL as DER, in attributes of at most CS_USERSOCK_ATTR_MAX bytes. */
static int put_crl(struct ctl *c, struct nl_msg *msg, const char *path)
{
	uint8_t *data = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	X509_CRL *crl = NULL;
	int n = 0, rc = read_file_max(c, path, CRL_FILE_MAX, &data, &len);

	if (!rc && !(crl = cs_pki_parse_crl(data, len, &c->err)))
		rc = ctl_usage(c, "%s: %s", path, c->err.msg);
	if (!rc && (n = i2d_X509_CRL(crl, &der)) <= 0)
		rc = ctl_usage(c, "%s: cannot encode the CRL as DER", path);
	for (int off = 0; !rc && off < n; off += CS_USERSOCK_ATTR_MAX) {
		int part = n - off < CS_USERSOCK_ATTR_MAX ? n - off : CS_USERSOCK_ATTR_MAX;

		if (nla_put(msg, CREDSTORE_A_ADMIN_BLOB, part, der + off) < 0)
			rc = ctl_usage(c, "%s: the CRL is %d bytes of DER, more than one request "
				       "holds (%d MiB)", path, n, CS_USERSOCK_REQUEST_MAX >> 20);
	}
	OPENSSL_free(der);
	X509_CRL_free(crl);
	free(data);
	return rc;
}

static int run_crl(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = { { "remove", no_argument, NULL, 'r' }, { 0 } };
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_ANCHOR_CRL, 0);
	const char *name, *file;
	bool remove = false;
	int ch, rc = req ? EXIT_OK : ctl_usage(c, "out of memory");

	while (!rc && (ch = ctl_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == 'r')
			remove = true;
		else
			rc = EXIT_USAGE;
	name = rc ? NULL : positional(argc, argv);
	file = name ? positional(argc, argv) : NULL;
	if (!rc && (!name || !file == !remove))
		rc = ctl_usage(c, "give the anchor's NAME and a CRL FILE, or NAME --remove");
	if (!rc)
		rc = no_more_args(c, argc, argv);
	if (!rc)
		rc = ctl_put_string(c, req, CREDSTORE_A_NAME, name);
	if (!rc && file)
		rc = put_crl(c, req, file);
	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return ctl_send_change(c, req, NULL);
}

static int print_anchor(struct nlattr **tb, void *arg)
{
	struct ctl *c = arg;

	out_item_begin(c);
	out_str(c, "name", nla_get_string(tb[CREDSTORE_A_NAME]));
	if (tb[CREDSTORE_A_CHAIN])
		out_cert(c, nla_data(tb[CREDSTORE_A_CHAIN]), (size_t)nla_len(tb[CREDSTORE_A_CHAIN]));
	out_bool(c, "crl", tb[CREDSTORE_A_CRL_LEN] != NULL);
	if (tb[CREDSTORE_A_CRL_LEN])
		out_u64(c, "crl_bytes", nla_get_u32(tb[CREDSTORE_A_CRL_LEN]));
	if (tb[CREDSTORE_A_CRL_ENTRIES])
		out_u64(c, "crl_revoked", nla_get_u32(tb[CREDSTORE_A_CRL_ENTRIES]));
	if (tb[CREDSTORE_A_CRL_NEXT_UPDATE]) {
		uint64_t next = nla_get_u64(tb[CREDSTORE_A_CRL_NEXT_UPDATE]);
		char date[32];

		cs_format_time(next, date);
		out_str(c, "crl_next_update", date);
		out_i64(c, "crl_days_left", cs_days_until(next));
	}
	out_item_end(c);
	return 0;
}

static int run_list(struct ctl *c, int argc, char **argv)
{
	int rc = no_more_args(c, argc, argv);

	return rc ? rc : ctl_list(c, "anchors", CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, print_anchor);
}

const struct subcmd anchor_cmds[] = {
	{ "anchor", "add", "NAME FILE",
	  "Add a trust anchor: the CA certificate (PEM or DER) that devices' certificates and\n"
	  "server chains lead to.  It must be a CA; a name that exists is refused (see replace).",
	  CREDSTORE_ADMIN_CMD_ANCHOR_ADD, build_add, NULL, NULL },
	{ "anchor", "replace", "NAME FILE",
	  "Replace an anchor's certificate (the name must exist).  Its CRL stays if the new\n"
	  "certificate signed it, and is dropped otherwise.",
	  CREDSTORE_ADMIN_CMD_ANCHOR_REPLACE, build_add, NULL, NULL },
	{ "anchor", "crl", "NAME (FILE | --remove)",
	  "Install the anchor's certificate revocation list (PEM or DER, up to about 4 MiB of\n"
	  "DER), replacing the one it had at once; the CRL must be signed by the anchor and be\n"
	  "no older than the one it replaces.  Front ends refuse certificates it lists at their\n"
	  "next handshake.  --remove drops it.",
	  0, NULL, NULL, run_crl },
	{ "anchor", "remove", "NAME", "Remove an anchor and its CRL.",
	  CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE, build_remove, NULL, NULL },
	{ "anchor", "list", "",
	  "Every anchor: its certificate, days left, and its CRL (size, entries, nextUpdate).",
	  0, NULL, NULL, run_list },
	{ 0 }
};
