#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "credctl.h"

#define BATCH_MAX_ARGS	32

static void usage(FILE *out)
{
	const struct subcmd *groups[] = { identity_cmds, anchor_cmds, device_cmds, store_cmds };

	fprintf(out, "usage: credctl [-j] [--daemon-uid UID] [--timeout SECONDS] GROUP COMMAND [ARGS]\n\n");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct subcmd *sc = groups[g]; sc->name; sc++)
			fprintf(out, "  %s %s %s\n", sc->group, sc->name, sc->args);
	fprintf(out, "\nexit status: 0 done, 1 refused by credstored, 2 usage or unreadable input,\n"
		     "3 credstored unreachable, 4 not found, 5 permission denied\n");
}

int ctl_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	fputs("credctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int ctl_put(struct ctl *c, int ret)
{
	return ret < 0 ? ctl_usage(c, "the request is larger than the %d MiB one admin message holds",
				   CS_USERSOCK_REQUEST_MAX >> 20) : EXIT_OK;
}

static int exit_code_of(int code)
{
	switch (code) {
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EIO:
		return EXIT_UNREACHABLE;
	case ENOENT:
		return EXIT_NOT_FOUND;
	case EPERM:
		return EXIT_DENIED;
	default:
		return EXIT_REFUSED;
	}
}

/* The daemon's message on stderr (and in the JSON answer). */
int ctl_failed(struct ctl *c)
{
	int rc = exit_code_of(c->err.code);

	fprintf(stderr, "credctl: %s\n", c->err.msg);
	if (c->json)
		printf("{\"error\":\"%s\",\"errno\":%d,\"exit\":%d}\n",
		       strerror(c->err.code), c->err.code, rc);
	return rc;
}

int ctl_connect(struct ctl *c)
{
	if (c->connected)
		return EXIT_OK;
	if (cs_client_open(&c->client, c->daemon_uid, c->timeout_ms, &c->err))
		return ctl_failed(c);
	c->connected = true;
	return EXIT_OK;
}

int ctl_transact(struct ctl *c, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	int rc = ctl_connect(c);

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return cs_client_transact(&c->client, req, fn, arg, &c->err) ? ctl_failed(c) : EXIT_OK;
}

int ctl_dump(struct ctl *c, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg)
{
	int rc = ctl_connect(c);

	if (rc)
		return rc;
	return cs_client_dump(&c->client, cmd, cursor_attr, fn, arg, &c->err) ? ctl_failed(c) : EXIT_OK;
}

struct print_arg {
	struct ctl *c;
	const struct subcmd *sc;
	const char *subject;
};

static int print_reply(struct nlattr **tb, void *arg)
{
	struct print_arg *p = arg;

	out_begin(p->c);
	if (p->sc->print)
		p->sc->print(p->c, tb, p->subject);
	else
		out_str(p->c, "result", "done");
	if (tb[CREDSTORE_A_GENERATION] && (!p->c->json || !p->sc->print))
		out_u64(p->c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
	out_end(p->c);
	return 0;
}

int ctl_simple(struct ctl *c, const struct subcmd *sc, int argc, char **argv)
{
	struct nl_msg *req = cs_client_request(sc->cmd, 0);
	struct print_arg p = { .c = c, .sc = sc, .subject = argc > 1 ? argv[argc - 1] : "" };
	int rc = req ? sc->build(c, argc, argv, req) : ctl_usage(c, "out of memory");

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return ctl_transact(c, req, print_reply, &p);
}

static const struct subcmd *find_subcmd(const char *group, const char *name)
{
	const struct subcmd *groups[] = { identity_cmds, anchor_cmds, device_cmds, store_cmds };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct subcmd *sc = groups[g]; sc->name; sc++)
			if (!strcmp(sc->group, group) && name && !strcmp(sc->name, name))
				return sc;
	return NULL;
}

/* Split a batch line into words; "double quotes" group words. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;

	for (char *p = line; *p && n < max;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			words[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
		} else {
			words[n++] = p;
			p += strcspn(p, " \t");
		}
		if (*p)
			*p++ = '\0';
	}
	return n;
}

struct batch_print {
	struct ctl *c;
	int n, printed;
};

static const struct subcmd *find_by_cmd(uint8_t cmd)
{
	const struct subcmd *groups[] = { identity_cmds, anchor_cmds, device_cmds, store_cmds };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct subcmd *sc = groups[g]; sc->name; sc++)
			if (sc->build && sc->cmd == cmd)
				return sc;
	return NULL;
}

/* One part per operation (with CREDSTORE_A_ADMIN_CMD), then the reply
 * with the generation. */
static int print_batch(struct nlattr **tb, void *arg)
{
	struct batch_print *b = arg;
	const struct subcmd *sc;
	char what[64];

	if (b->printed++ == 0) {
		out_begin(b->c);
		out_list_begin(b->c, "results");
	}
	if (tb[CREDSTORE_A_ADMIN_CMD]) {
		sc = find_by_cmd(nla_get_u8(tb[CREDSTORE_A_ADMIN_CMD]));
		out_item_begin(b->c);
		snprintf(what, sizeof(what), "%s %s", sc ? sc->group : "?", sc ? sc->name : "?");
		out_str(b->c, "operation", what);
		if (sc && sc->print)
			sc->print(b->c, tb, "");
		out_item_end(b->c);
		return 0;
	}
	out_list_end(b->c);
	out_u64(b->c, "operations", (uint64_t)b->n);
	if (tb[CREDSTORE_A_GENERATION])
		out_u64(b->c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
	out_end(b->c);
	return 0;
}

int ctl_batch(struct ctl *c, const char *path)
{
	struct batch_print b = { .c = c };
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_BATCH, 0);
	char line[4096];
	FILE *f = fopen(path, "r");
	int rc = f && req ? EXIT_OK : ctl_usage(c, "cannot read %s: %s", path, strerror(errno));

	for (int lineno = 1; !rc && fgets(line, sizeof(line), f); lineno++) {
		char *words[BATCH_MAX_ARGS + 1];
		int n;
		const struct subcmd *sc;
		struct nlattr *nest;

		line[strcspn(line, "\r\n")] = '\0';
		n = split_words(line, words, BATCH_MAX_ARGS);
		if (n == 0)
			continue;
		sc = n < 0 ? NULL : find_subcmd(words[0], n > 1 ? words[1] : NULL);
		if (!sc || !sc->build) {
			rc = ctl_usage(c, "%s:%d: not a command a batch can hold", path, lineno);
			break;
		}
		words[n] = NULL;
		nest = nla_nest_start(req, CREDSTORE_A_ADMIN_REQUEST);
		rc = nest ? ctl_put(c, nla_put_u8(req, CREDSTORE_A_ADMIN_CMD, sc->cmd)) : ctl_put(c, -1);
		optind = 0;
		if (!rc)
			rc = sc->build(c, n - 1, words + 1, req);
		if (rc)
			fprintf(stderr, "credctl: %s:%d: in this line\n", path, lineno);
		else
			nla_nest_end(req, nest);
		b.n++;
	}
	if (f)
		fclose(f);
	if (!rc && b.n == 0)
		rc = ctl_usage(c, "%s holds no command", path);
	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return ctl_transact(c, req, print_batch, &b);
}

static int parse_global(struct ctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "daemon-uid", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': c->json = true; break;
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
	struct ctl c = { .timeout_ms = 30000 };
	const struct subcmd *sc;
	int rc;

	if (parse_global(&c, argc, argv) || argc - optind < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sc = find_subcmd(argv[optind], argv[optind + 1]);
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
