/* credctl anchor add | remove | list */
#include <getopt.h>

#include "credctl.h"

static int build_add(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *name = positional(argc, argv), *file = positional(argc, argv);

	if (!name || !file)
		return ctl_usage(c, "anchor add NAME FILE");
	return ctl_put_string(c, msg, CREDSTORE_A_NAME, name) ||
	       put_file(c, msg, CREDSTORE_A_ADMIN_PEM, file) ? EXIT_USAGE : EXIT_OK;
}

static int build_remove(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	const char *name = positional(argc, argv);

	if (!name)
		return ctl_usage(c, "anchor remove NAME");
	return ctl_put_string(c, msg, CREDSTORE_A_NAME, name);
}

static int print_anchor(struct nlattr **tb, void *arg)
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
	int rc;

	(void)argc;
	(void)argv;
	rc = ctl_connect(c);
	if (rc)
		return rc;
	out_begin(c);
	out_list_begin(c, "anchors");
	rc = ctl_dump(c, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, print_anchor, c);
	out_list_end(c);
	out_end(c);
	return rc;
}

const struct subcmd anchor_cmds[] = {
	{ "anchor", "add", "NAME FILE", CREDSTORE_ADMIN_CMD_ANCHOR_ADD, build_add, NULL, NULL },
	{ "anchor", "remove", "NAME", CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE, build_remove, NULL, NULL },
	{ "anchor", "list", "", 0, NULL, NULL, run_list },
	{ 0 }
};
