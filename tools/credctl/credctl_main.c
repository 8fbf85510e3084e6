/* credctl's command line: global options, then GROUP COMMAND [ARGS]. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "credctl.h"
#include "version.h"

static void usage(FILE *out)
{
	char title[64];

	fprintf(out, "usage: credctl [-j] [--runtime-dir DIR] [--daemon-uid UID] [--timeout SECONDS]\n"
		     "               GROUP COMMAND [ARGS]\n"
		     "       credctl GROUP COMMAND --help     what one command does\n\n");
	for (const struct subcmd *const *g = ctl_groups; *g; g++)
		for (const struct subcmd *sc = *g; sc->name; sc++) {
			ctl_subcmd_title(sc, title, sizeof(title));
			fprintf(out, "  %s %s\n", title, sc->args);
		}
	fprintf(out, "\nThe daemon's admin socket is DIR/admin, DIR from --runtime-dir, else\n"
		     "$" CS_RUNTIME_DIR_ENV ", else " CS_RUNTIME_DIR_DEFAULT ".\n");
	fprintf(out, "\nexit status: 0 done, 1 refused by credstored, 2 usage or unreadable input,\n"
		     "3 credstored unreachable (or no answer to a query), 4 not found, 5 permission\n"
		     "denied, 6 (expiring) something expires within the window, 7 the store refuses\n"
		     "changes (a rollback: see store status), 8 outcome unknown (the change may or\n"
		     "may not be stored)\n");
}

static void subcmd_help(const struct subcmd *sc)
{
	char title[64];

	ctl_subcmd_title(sc, title, sizeof(title));
	printf("usage: credctl [-j] %s %s\n\n%s\n", title, sc->args, sc->help);
	if (sc->build)
		printf("\nIt changes the store: a `store batch` file can hold it.\n");
}

static int parse_global(struct ctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "daemon-uid", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	unsigned long n;
	int ch;

	/* Only what precedes GROUP: options after it are the command's. */
	while ((ch = ctl_getopt(c, argc, argv, "+jhV", longopts)) != -1) {
		switch (ch) {
		case 'j': c->json = true; break;
		case 'r': c->runtime_dir = optarg; break;
		case 'u':
			if (ctl_number(c, "--daemon-uid", optarg, 0, (uid_t)-2, &n))
				return EXIT_USAGE;
			c->daemon_uid = (uid_t)n;
			break;
		case 't':
			if (ctl_number(c, "--timeout", optarg, 1, 3600, &n))
				return EXIT_USAGE;
			c->timeout_ms = (int)n * 1000;
			break;
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V': printf("credctl %s\n", CREDSTORE_VERSION); exit(EXIT_OK);
		default: return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static bool known_group(const char *group)
{
	for (const struct subcmd *const *g = ctl_groups; *g; g++)
		if (!strcmp((*g)->group, group))
			return true;
	return false;
}

static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct ctl c = { .timeout_ms = 30000, .groups = ctl_groups };
	const struct subcmd *sc;
	int rc = parse_global(&c, argc, argv);

	if (rc)
		return rc;
	if (optind >= argc)
		return ctl_usage(&c, "give a command (GROUP COMMAND)");
	sc = ctl_find_subcmd(&c, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL);
	if (!sc && !known_group(argv[optind]))
		return ctl_usage(&c, "unknown command '%s'", argv[optind]);
	if (!sc && optind + 1 >= argc)
		return ctl_usage(&c, "'%s' needs a command", argv[optind]);
	if (!sc)
		return ctl_usage(&c, "unknown command '%s %s'", argv[optind], argv[optind + 1]);
	c.sc = sc;
	/* argv[0] is the command's name, then its arguments. */
	argc -= optind + (sc->name[0] ? 1 : 0);
	argv += optind + (sc->name[0] ? 1 : 0);
	if (asks_help(argc, argv)) {
		subcmd_help(sc);
		return EXIT_OK;
	}
	optind = 0;
	rc = sc->run ? sc->run(&c, argc, argv) : ctl_simple(&c, sc, argc, argv);
	if (c.connected)
		cs_client_close(&c.client);
	return rc;
}
