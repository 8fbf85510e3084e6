/* libFuzzer: credctl's batch files (`store batch FILE`), split and built
 * into one admin request by the real subcommand builders, which read the
 * files a line names (the seeds name the PEM files of the pki corpus).
 * What credctl accepts must be a request credstored's policy accepts:
 * one nested request per command, each with its command. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "batch_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* a line may name "-" (stdin) or /dev/tty as its file: neither may
	 * wait for a person */
	int tty = open("/dev/tty", O_RDONLY);

	(void)argc;
	(void)argv;
	if (tty >= 0) {
		ioctl(tty, TIOCNOTTY);
		close(tty);
	}
	if (!freopen("/dev/null", "r", stdin))
		abort();
	unsetenv("CREDCTL_PASSPHRASE");
	return 0;
}

/* The request as credstored parses it; the number of commands in it. */
static int parse_as_daemon(struct nl_msg *req)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1], *op[CREDSTORE_ADMIN_A_MAX + 1], *pos;
	int n = 0, rem;

	if (genlmsg_parse(nlmsg_hdr(req), 0, tb, CREDSTORE_ADMIN_A_MAX, cs_usersock_policy) < 0)
		abort();
	nlmsg_for_each_attr(pos, nlmsg_hdr(req), GENL_HDRLEN, rem) {
		if (nla_type(pos) != CREDSTORE_A_ADMIN_REQUEST ||
		    nla_parse_nested(op, CREDSTORE_ADMIN_A_MAX, pos, cs_usersock_policy) < 0 ||
		    !op[CREDSTORE_A_ADMIN_CMD])
			abort();
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl c = { .timeout_ms = 1000, .groups = ctl_groups };
	struct batch_file b = { 0 };
	/* smaller than credctl's (cs_client_request): a too large batch is
	 * refused the same way, and the fuzzer runs many times faster */
	struct nl_msg *req = nlmsg_alloc_size(1 << 18);
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");

	if (!req || !f || !genlmsg_put(req, NL_AUTO_PORT, NL_AUTO_SEQ, CREDSTORE_USERSOCK_TYPE, 0, 0,
				       CREDSTORE_ADMIN_CMD_BATCH, CREDSTORE_GENL_VERSION))
		abort();
	if (batch_file_build(&c, f, "input", req, &b) == EXIT_OK && parse_as_daemon(req) != b.n_ops)
		abort();
	batch_file_release(&b);
	fclose(f);
	nlmsg_free(req);
	return 0;
}
