/* Errors that reach a person: a negative errno for the code and a sentence
 * for the message (credctl prints the daemon's sentence as it is). */
#ifndef CREDSTORE_ERROR_H
#define CREDSTORE_ERROR_H

#include "credstore_admin.h"

struct cs_err {
	int code;				/* positive errno, 0 when none */
	char msg[CREDSTORE_MESSAGE_MAX];
};

/* Record an error (the first one wins: it is the cause) and return -code,
 * so that `return cs_err_set(err, EINVAL, "...")` reads naturally.
 * err may be NULL. */
__attribute__((format(printf, 3, 4)))
int cs_err_set(struct cs_err *err, int code, const char *fmt, ...);

void cs_err_clear(struct cs_err *err);

#endif
