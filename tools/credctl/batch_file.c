/* Batch files: lines of words; "double quotes" group words (no escapes),
 * # starts a comment, blank lines are skipped.  The whole file is read
 * first (bounded), so that a line has no length limit of its own and the
 * words stay valid while the request is sent. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "batch_file.h"

#define BATCH_MAX_ARGS	32
/* What credctl reads of a file.  Text takes more room than its encoding
 * (hex fingerprints, option names), so this is above the request limit,
 * which is what decides and is named, with the line that crosses it. */
#define BATCH_FILE_MAX	(4 * CS_USERSOCK_REQUEST_MAX)

/* Split a line into at most max words in place; -1: an unterminated
 * quote or too many words. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
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

static int read_text(struct ctl *c, FILE *f, const char *path, struct batch_file *b)
{
	size_t size = 0;
	char *bigger;

	do {
		size = size ? 2 * size : 4096;
		bigger = size <= 2 * BATCH_FILE_MAX ? malloc(size + 1) : NULL;
		if (!bigger)
			return ctl_usage(c, "out of memory");
		if (b->text)
			memcpy(bigger, b->text, b->len);
		batch_file_release(b);
		b->text = bigger;
		b->len += fread(b->text + b->len, 1, size - b->len, f);
	} while (b->len == size && b->len <= BATCH_FILE_MAX);
	if (ferror(f))
		return ctl_usage(c, "cannot read %s: %s", path, strerror(errno));
	if (b->len > BATCH_FILE_MAX)
		return ctl_usage(c, "%s is too large (at most %d bytes)", path, BATCH_FILE_MAX);
	b->text[b->len] = '\0';
	return EXIT_OK;
}

/* One line's command as a nested request; *added when it held one. */
static int add_line(struct ctl *c, char *line, struct nl_msg *req, const char *path, int lineno,
		    bool *added)
{
	char *words[BATCH_MAX_ARGS + 1];
	int n = split_words(line, words, BATCH_MAX_ARGS), rc;
	const struct subcmd *sc;
	struct nlattr *nest;

	*added = n > 0;
	if (n < 0)
		return ctl_usage(c, "%s:%d: an unterminated quote or more than %d words", path, lineno,
				 BATCH_MAX_ARGS);
	if (n == 0)
		return EXIT_OK;
	sc = ctl_find_subcmd(c, words[0], n > 1 ? words[1] : NULL);
	if (!sc || !sc->build)
		return ctl_usage(c, "%s:%d: not a command a batch can hold", path, lineno);
	words[n] = NULL;
	nest = nla_nest_start(req, CREDSTORE_A_ADMIN_REQUEST);
	rc = nest ? ctl_put(c, nla_put_u8(req, CREDSTORE_A_ADMIN_CMD, sc->cmd)) : ctl_put(c, -1);
	optind = 0;
	c->in_batch = true;
	if (!rc)
		rc = sc->build(c, n - 1, words + 1, req);
	c->in_batch = false;
	if (rc)
		fprintf(stderr, "credctl: %s:%d: in this line\n", path, lineno);
	else
		nla_nest_end(req, nest);
	return rc;
}

int batch_file_build(struct ctl *c, FILE *f, const char *path, struct nl_msg *req,
		     struct batch_file *b)
{
	int rc = read_text(c, f, path, b);
	char *end, *next;
	bool added;

	if (rc)
		return rc;
	end = b->text + b->len;
	next = b->text;
	for (int lineno = 1; !rc && next < end; lineno++) {
		char *line = next, *nl = memchr(line, '\n', (size_t)(end - line));

		next = nl ? nl + 1 : end;
		if (nl)
			*nl = '\0';
		line[strcspn(line, "\r")] = '\0';
		rc = add_line(c, line, req, path, lineno, &added);
		b->n_ops += added;
	}
	if (!rc && b->n_ops == 0)
		rc = ctl_usage(c, "%s holds no command", path);
	return rc;
}

void batch_file_release(struct batch_file *b)
{
	if (b->text)
		OPENSSL_clear_free(b->text, b->len);
	b->text = NULL;
}

struct batch_print {
	struct ctl *c;
	int n, printed;
};

static const struct subcmd *find_by_cmd(const struct ctl *c, uint8_t cmd)
{
	for (const struct subcmd *const *g = c->groups; *g; g++)
		for (const struct subcmd *sc = *g; sc->name; sc++)
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
		sc = find_by_cmd(b->c, nla_get_u8(tb[CREDSTORE_A_ADMIN_CMD]));
		out_item_begin(b->c);
		snprintf(what, sizeof(what), "%s %s", sc ? sc->group : "?", sc ? sc->name : "?");
		out_str(b->c, "operation", what);
		if (sc && sc->print)
			sc->print(b->c, tb, "");
		if (tb[CREDSTORE_A_ADMIN_WARNING])
			out_str(b->c, "warning", nla_get_string(tb[CREDSTORE_A_ADMIN_WARNING]));
		out_item_end(b->c);
		return 0;
	}
	out_list_end(b->c);
	out_u64(b->c, "operations", (uint64_t)b->n);
	ctl_print_change(b->c, NULL, tb);
	out_end(b->c);
	return 0;
}

/* Files a batch names are found next to it, wherever credctl runs. */
static int batch_dir(struct ctl *c, const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');

	*dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!*dir)
		return ctl_usage(c, "out of memory");
	c->base_dir = *dir;
	return EXIT_OK;
}

int batch_file_run(struct ctl *c, const char *path)
{
	struct batch_print p = { .c = c };
	struct batch_file b = { 0 };
	struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_BATCH, 0);
	FILE *f = fopen(path, "r");
	char *dir = NULL;
	int rc = f && req ? batch_dir(c, path, &dir)
			  : ctl_usage(c, "cannot read %s: %s", path, strerror(errno));

	if (!rc)
		rc = batch_file_build(c, f, path, req, &b);
	c->base_dir = NULL;
	free(dir);
	if (f)
		fclose(f);
	p.n = b.n_ops;
	if (rc)
		nlmsg_free(req);
	else
		rc = ctl_transact(c, req, print_batch, &p);
	batch_file_release(&b);
	return rc;
}
