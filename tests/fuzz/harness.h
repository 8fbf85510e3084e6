/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): seeds written
 * by the targets themselves, and a credstored whose event loop turns
 * until it answered each input, sent as a real datagram on its admin
 * socket. */
#ifndef CREDSTORE_FUZZ_HARNESS_H
#define CREDSTORE_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* The targets regenerate their seed corpus when this names a directory:
 *   CREDSTORE_FUZZ_SEEDS=tests/fuzz/corpus/mount build/fuzz/fuzz_mount -runs=0 */
const char *fuzz_seed_dir(void);
void fuzz_write_seed(const char *name, const void *data, size_t len);

/* The emulated NAND of the targets, and the store key. */
struct flash *fuzz_flash(void);
struct store_options fuzz_store_options(void);

/* A credstored on an in-memory store, reset to the same state before each
 * input, with its sockets in a directory of its own and a client to send
 * from (connected again after the daemon closed it). */
struct fuzz_daemon {
	struct daemon d;
	struct flash *flash, *base;	/* the live image, the state it restarts from */
	char dir[64];
	struct listeners listeners;
	struct loop *loop;
	int client;
};

/* A target's LLVMFuzzerInitialize: init, setup() fills the store, which
 * becomes the state each input starts from; write_seeds() runs when
 * CREDSTORE_FUZZ_SEEDS asks. */
void fuzz_daemon_start(struct fuzz_daemon *fd, void (*setup)(struct fuzz_daemon *fd),
		       void (*write_seeds)(void));
/* Send one request from root: cmd, NLM_F_REQUEST | flags, attrs as given
 * (any bytes), let the daemon answer it and read the answer.  The store
 * keeps what the request changed. */
void fuzz_daemon_request(struct fuzz_daemon *fd, uint8_t cmd, uint16_t flags,
			 const void *attrs, size_t len);
/* An input of a socket target: [command index, flags (bit 0: a dump),
 * attributes...]; the index picks among n_cmds commands from first_cmd.
 * Then the store goes back to the state setup() left. */
void fuzz_daemon_input(struct fuzz_daemon *fd, uint8_t first_cmd, uint8_t n_cmds,
		       const uint8_t *data, size_t size);
/* Send a set-up request built with libnl (freed). */
void fuzz_daemon_setup(struct fuzz_daemon *fd, uint8_t cmd, struct nl_msg *attrs);
/* A request's attributes built with libnl, for seeds and set-up; one
 * with a string attribute. */
struct nl_msg *fuzz_attrs_new(void);
struct nl_msg *fuzz_named(int attr, const char *value);
void fuzz_attrs_seed(const char *name, uint8_t index, uint16_t flags, struct nl_msg *attrs);

#endif
