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
	sc = ctl_find_subcmd(words[0], n > 1 ? words[1] : NULL);
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
