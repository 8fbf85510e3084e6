/* credctl: the administrator's tool for credstored.  Each subcommand
 * builds one admin request (so that `store batch` can gather several into
 * one transaction) or runs its own queries, and prints the answer for a
 * person or, with -j, as JSON. */
#ifndef CREDCTL_H
#define CREDCTL_H

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
	/* 6 is lifecycle's `expiring` (COORD.md, 08:10): each code means one
	 * thing. */
	EXIT_READ_ONLY = 7,	/* the store refuses changes: a rollback (store status) */
	EXIT_UNKNOWN = 8,	/* outcome unknown: the change may or may not be stored */
};

struct ctl {
	struct cs_client client;
	bool json;
	const char *runtime_dir;	/* NULL: $CREDSTORE_RUNTIME_DIR or the default */
	uid_t daemon_uid;
	int timeout_ms;
	struct cs_err err;
	bool connected;
	const char *out_path;	/* --out FILE: PEM output goes there */
	/* The subcommands it knows, ctl_groups: given at run time, since one
	 * of them, `store batch`, runs the others. */
	const struct subcmd *const *groups;
};

/* A subcommand: either `build` (an admin request, batchable) with
 * `print` for its answer, or `run` (does its own talking). */
struct subcmd {
	const char *group, *name, *args;
	uint8_t cmd;
	int (*build)(struct ctl *c, int argc, char **argv, struct nl_msg *msg);
	void (*print)(struct ctl *c, struct nlattr **tb, const char *subject);
	int (*run)(struct ctl *c, int argc, char **argv);
};

extern const struct subcmd identity_cmds[], anchor_cmds[], device_cmds[], store_cmds[];
/* All four, NULL-terminated (credctl_groups.c). */
extern const struct subcmd *const ctl_groups[];
/* GROUP NAME in c->groups, or NULL. */
const struct subcmd *ctl_find_subcmd(const struct ctl *c, const char *group, const char *name);
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
/* Build with sc->build, send, print with sc->print. */
int ctl_simple(struct ctl *c, const struct subcmd *sc, int argc, char **argv);

/* Usage errors: print and return EXIT_USAGE (credctl_out.c). */
__attribute__((format(printf, 2, 3)))
int ctl_usage(struct ctl *c, const char *fmt, ...);
/* nla_put result into an exit code. */
int ctl_put(struct ctl *c, int ret);
/* A string attribute, within credstored's limit for it. */
int ctl_put_string(struct ctl *c, struct nl_msg *msg, int attr, const char *value);

/* Input (credctl_input.c). */
int read_file(struct ctl *c, const char *path, uint8_t **data, size_t *len);
int put_file(struct ctl *c, struct nl_msg *msg, int attr, const char *path);
/* A file's content, no message: 0 or a negative errno. */
int read_file_quiet(const char *path, uint8_t **data, size_t *len);
int parse_fingerprint_arg(struct ctl *c, const char *hex, const char *cert_path,
			  uint8_t fp[CREDSTORE_FINGERPRINT_LEN]);
int get_passphrase(struct ctl *c, const char *given, const char *file, char *out, size_t size);
/* The positional argument after options, or NULL. */
const char *positional(int argc, char **argv);

/* Output (credctl_out.c): "key: value" lines, or one JSON object. */
void out_begin(struct ctl *c);
void out_end(struct ctl *c);
void out_str(struct ctl *c, const char *key, const char *value);
void out_u64(struct ctl *c, const char *key, uint64_t value);
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

#endif
