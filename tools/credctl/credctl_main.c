/* credctl's command line: global options, then GROUP COMMAND [ARGS]. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "credctl.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: credctl [-j] [--runtime-dir DIR] [--daemon-uid UID] [--timeout SECONDS]\n"
		     "               GROUP COMMAND [ARGS]\n\n");
	for (const struct subcmd *const *g = ctl_groups; *g; g++)
		for (const struct subcmd *sc = *g; sc->name; sc++)
			fprintf(out, "  %s %s %s\n", sc->group, sc->name, sc->args);
	fprintf(out, "  watch --identity NAME [--chain-out FILE] [--key-ref-out FILE] [--exec CMD]\n");
	fprintf(out, "\nThe daemon's admin socket is DIR/admin, DIR from --runtime-dir, else\n"
		     "$" CS_RUNTIME_DIR_ENV ", else " CS_RUNTIME_DIR_DEFAULT ".\n");
	fprintf(out, "\nexit status: 0 done, 1 refused by credstored, 2 usage or unreadable input,\n"
		     "3 credstored unreachable, 4 not found, 5 permission denied,\n"
		     "6 outcome unknown (the change may or may not be stored)\n");
}

static int parse_global(struct ctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "daemon-uid", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': c->json = true; break;
		case 'r': c->runtime_dir = optarg; break;
		case 'u': c->daemon_uid = (uid_t)strtoul(optarg, NULL, 10); break;
		case 't': c->timeout_ms = atoi(optarg) * 1000; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		default: return -1;
		}
	}
	return c->timeout_ms > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct ctl c = { .timeout_ms = 30000, .groups = ctl_groups };
	const struct subcmd *sc;
	int rc;

	if (parse_global(&c, argc, argv) || argc - optind < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "watch") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return ctl_watch(&c, argc, argv);
	}
	if (argc - optind < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sc = ctl_find_subcmd(&c, argv[optind], argv[optind + 1]);
	if (!sc) {
		fprintf(stderr, "credctl: unknown command '%s %s'\n", argv[optind], argv[optind + 1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	argc -= optind + 1;
	argv += optind + 1;
	optind = 0;
	rc = sc->run ? sc->run(&c, argc, argv) : ctl_simple(&c, sc, argc, argv);
	if (c.connected)
		cs_client_close(&c.client);
	return rc;
}
