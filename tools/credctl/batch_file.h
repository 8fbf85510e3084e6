/* credctl's batch files (`store batch FILE`): one admin command a line,
 * written as on the command line, all gathered into one
 * CREDSTORE_ADMIN_CMD_BATCH request that credstored commits as one
 * transaction. */
#ifndef CREDCTL_BATCH_FILE_H
#define CREDCTL_BATCH_FILE_H

#include "credctl.h"

/* The file's text: the builders' options (credctl identity csr --out)
 * point into it until the answer is printed, and it may hold secrets. */
struct batch_file {
	char *text;
	size_t len;
	int n_ops;
};

/* Read the batch file f (named path in messages) and append one
 * CREDSTORE_A_ADMIN_REQUEST per command to req.  Returns an exit code;
 * release b in any case. */
int batch_file_build(struct ctl *c, FILE *f, const char *path, struct nl_msg *req,
		     struct batch_file *b);
/* Wipe and free the text. */
void batch_file_release(struct batch_file *b);
/* `store batch FILE`: build, send, print each operation's answer.
 * Returns an exit code. */
int batch_file_run(struct ctl *c, const char *path);

#endif
