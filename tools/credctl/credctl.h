/* credctl: the administrator's tool for credstored.  Each subcommand
 * builds one admin request (so that `store batch` can gather several into
 * one transaction) or runs its own queries, and prints the answer for a
 * person or, with -j, as JSON. */
#ifndef CREDCTL_H
#define CREDCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <openssl/x509.h>

#include "usersock.h"

/* Exit codes. */
enum {
	EXIT_OK = 0,		/* done */
	EXIT_REFUSED = 1,	/* the daemon refused (its message is printed) */
	EXIT_USAGE = 2,		/* bad command line or unreadable input file */
	EXIT_UNREACHABLE = 3,	/* credstored is not running or does not answer */
	EXIT_NOT_FOUND = 4,	/* no such identity, anchor or device */
	EXIT_DENIED = 5,	/* the caller is not root or in the admin group */
	EXIT_EXPIRING = 6,	/* `expiring`: something expires within the window */
	EXIT_READ_ONLY = 7,	/* the store refuses changes: a rollback (store status) */
	EXIT_UNKNOWN = 8,	/* outcome unknown: the change may or may not be stored */
};

struct subcmd;

struct ctl {
	struct cs_client client;
	bool json;
	const char *runtime_dir;	/* NULL: $CREDSTORE_RUNTIME_DIR or the default */
	uid_t daemon_uid;
	int timeout_ms;
	struct cs_err err;
	bool connected;
	const char *out_path;	/* --out FILE: PEM output goes there */
	const struct subcmd *sc;	/* the command line's subcommand */
	const char *base_dir;	/* relative input files are read from here */
	bool in_batch;		/* building a batch line: no usage hints */
	/* The subcommands it knows, ctl_groups: given at run time, since one
	 * of them, `store batch`, runs the others. */
	const struct subcmd *const *groups;
};

/* A subcommand: either `build` (an admin request, batchable) with
 * `print` for its answer, or `run` (does its own talking).  A group with
 * one command has name "" (`credctl expiring ...`). */
struct subcmd {
	const char *group, *name, *args, *help;
	uint8_t cmd;
	int (*build)(struct ctl *c, int argc, char **argv, struct nl_msg *msg);
	void (*print)(struct ctl *c, struct nlattr **tb, const char *subject);
	int (*run)(struct ctl *c, int argc, char **argv);
};

extern const struct subcmd identity_cmds[], anchor_cmds[], device_cmds[], store_cmds[],
	expiring_cmds[], watch_cmds[];
/* Every table above, NULL-terminated (credctl_groups.c). */
extern const struct subcmd *const ctl_groups[];
/* GROUP NAME in c->groups (name NULL or ignored for a one-command group),
 * or NULL. */
const struct subcmd *ctl_find_subcmd(const struct ctl *c, const char *group, const char *name);
/* "device add", "expiring" (credctl_out.c). */
void ctl_subcmd_title(const struct subcmd *sc, char *out, size_t size);
/* credctl watch --identity NAME ... (credctl_watch.c). */
int ctl_watch(struct ctl *c, int argc, char **argv);
/* An identity's chain and key reference as files, replaced atomically
 * (either path may be NULL); *changed tells whether either file's
 * content is new. */
int identity_write_files(struct ctl *c, const char *name, STACK_OF(X509) *chain,
			 const char *chain_out, const char *ref_out, bool *changed);

/* Talking to the daemon.  Return an exit code. */
int ctl_connect(struct ctl *c);
/* Print the daemon's message (c->err) and return its exit code. */
int ctl_failed(struct ctl *c);
int ctl_transact(struct ctl *c, struct nl_msg *req, cs_reply_fn fn, void *arg);
int ctl_dump(struct ctl *c, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg);
/* Print a whole dump of cmd as the list key, one item a reply (fn's arg
 * is c). */
int ctl_list(struct ctl *c, const char *key, uint8_t cmd, int cursor_attr, cs_reply_fn fn);
/* Send a change and print its answer (with sc->print, if sc). */
int ctl_send_change(struct ctl *c, struct nl_msg *req, const struct subcmd *sc);
/* Build with sc->build, send, print with sc->print. */
int ctl_simple(struct ctl *c, const struct subcmd *sc, int argc, char **argv);
/* What every change answers: result, the command's own keys (sc->print,
 * when sc), a warning if the daemon gave one, and the generation. */
void ctl_print_change(struct ctl *c, const struct subcmd *sc, struct nlattr **tb);

/* Usage errors (credctl_out.c): one line naming the problem (an {"error",
 * "code"} object with -j), a hint where to read more; return EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int ctl_usage(struct ctl *c, const char *fmt, ...);
/* An error of exit code rc with this message, printed the same way. */
__attribute__((format(printf, 3, 4)))
int ctl_error(struct ctl *c, int rc, const char *fmt, ...);
/* nla_put result into an exit code. */
int ctl_put(struct ctl *c, int ret);
/* A string attribute, within credstored's limit for it. */
int ctl_put_string(struct ctl *c, struct nl_msg *msg, int attr, const char *value);

/* Options (credctl_input.c).  ctl_getopt is getopt_long (shorts as its
 * optstring, "" for long options only) that reports a bad option itself:
 * it returns '?' after printing the usage error. */
int ctl_getopt(struct ctl *c, int argc, char **argv, const char *shorts,
	       const struct option *opts);
/* "--a and --b, not both" unless at most one is given (non-NULL). */
int ctl_exclusive(struct ctl *c, const char *name_a, const void *a, const char *name_b,
		  const void *b);
/* A whole number option, strictly. */
int ctl_number(struct ctl *c, const char *name, const char *text, unsigned long min,
	       unsigned long max, unsigned long *out);

/* Input (credctl_input.c).  Paths are relative to c->base_dir (a batch
 * file's directory) when it is set. */
int read_file(struct ctl *c, const char *path, uint8_t **data, size_t *len);
int read_file_max(struct ctl *c, const char *path, size_t max, uint8_t **data, size_t *len);
int put_file(struct ctl *c, struct nl_msg *msg, int attr, const char *path);
/* A file's content, no message: 0 or a negative errno. */
int read_file_quiet(const char *path, uint8_t **data, size_t *len);
int parse_fingerprint_arg(struct ctl *c, const char *hex, uint8_t fp[CREDSTORE_FINGERPRINT_LEN]);
int get_passphrase(struct ctl *c, const char *given, const char *file, char *out, size_t size);
/* The positional argument after options, or NULL. */
const char *positional(int argc, char **argv);
/* No positional argument left (else a usage error naming it). */
int no_more_args(struct ctl *c, int argc, char **argv);

/* Output (credctl_out.c): "key: value" lines, or one JSON object. */
void out_begin(struct ctl *c);
void out_end(struct ctl *c);
void out_str(struct ctl *c, const char *key, const char *value);
void out_u64(struct ctl *c, const char *key, uint64_t value);
void out_i64(struct ctl *c, const char *key, int64_t value);
void out_bool(struct ctl *c, const char *key, bool value);
void out_list_begin(struct ctl *c, const char *key);
void out_list_end(struct ctl *c);
void out_item_begin(struct ctl *c);
void out_item_end(struct ctl *c);
/* Text printed as is by humans (PEM), a string in JSON. */
void out_text(struct ctl *c, const char *key, const char *text, size_t len);
/* PEM to --out FILE, or to stdout (a JSON string with -j). */
int out_pem(struct ctl *c, const char *key, const char *pem, size_t len);
/* Replace path with data: a reader sees the old file or the new one,
 * whole (a temporary file in the same directory, renamed over it). */
int out_file_atomic(struct ctl *c, const char *path, const void *data, size_t len, mode_t mode);
/* Certificate fields of the first certificate in DER. */
void out_cert(struct ctl *c, const uint8_t *der, size_t len);
/* KEY_not_after (ISO 8601) and KEY_days_left of a Unix time; "not_after"
 * and "days_left" when prefix is NULL. */
void out_expiry(struct ctl *c, const char *prefix, uint64_t not_after);
/* A JSON error object (-j) on stdout. */
void out_error(struct ctl *c, const char *msg, int code);

#endif
