/*
 * csnl: drive every command of credstore.ko over one generic netlink
 * socket, for the VM tests and the query benchmark.
 *
 *   csnl COMMAND [ARGS] [';' COMMAND [ARGS]]...
 *   csnl -                    commands from stdin, one per line
 *
 * Queries: status; identity|anchor|device [KEY] (no key: dump);
 *   verify-fp FPHEX [ID]; verify-secret ID SECRETHEX; verify-hmac ID MSGHEX MACHEX;
 *   secrets ID (command 7, GET_IDENTITY_KEY, is retired: raw 7 sends it)
 * Publisher: begin GEN; records [gen=N] REC [, REC]...; commit [GEN]; abort;
 *   update GEN REC [, REC]...; retract GEN KIND KEY;
 *   gen-devices PREFIX COUNT [BATCH [MTAG STAG]]  (PUBLISH_RECORDS of
 *   generated devices; fingerprints start with the tag characters)
 *   REC: identity NAME CHAINFILE | anchor NAME CHAINFILE |
 *        device ID [mfp=HEX] [sfp=HEX] [msec=HEX] [ssec=HEX] [flags=N]
 * Others: raw [dump] CMD [TYPE:FMT:VALUE | TYPE:nest { ... }]...;
 *   ctrl-family NAME (nlctrl CTRL_CMD_GETFAMILY); rate SECONDS COMMAND...;
 *   listen COUNT TIMEOUT [READYFILE]; fp-of m|s INDEX;
 *   echo TEXT...; wait-file PATH (until it exists); setuid UID GID (keeps the socket);
 *   dump-stall identity|anchor|device READY RELEASE (a dump whose reader
 *   stops after its first socket buffer: creates READY, reads on once
 *   RELEASE exists);
 *   load KO [PARAM...]; unload MODULE; reconnect (a new socket, the family
 *   resolved again: the load/unload leak test runs in one process)
 *
 * Replies print as name=value lines, and a dump with NLM_F_DUMP_INTR a line
 * "dump-intr" among them; an error prints the kernel's extended
 * ACK message and makes csnl exit 1 after the failing command.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/genetlink.h>
#include <linux/credstore.h>
#include "csnl.h"

#define MAX_TOKENS 4096

static struct nl_msg *dump_or_get(struct csnl *c, uint8_t cmd, int key_attr,
				  char **tok, int n)
{
	struct nl_msg *msg = csnl_request(c, 0, cmd, n ? 0 : NLM_F_DUMP);

	if (msg && n && nla_put_string(msg, key_attr, tok[0])) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int put_hex_attr(struct nl_msg *msg, int type, const char *hex)
{
	uint8_t buf[256];
	int len = csnl_hex(hex, buf, sizeof(buf));

	return len < 0 ? -1 : nla_put(msg, type, len, buf);
}

static int put_u64_arg(struct nl_msg *msg, int type, const char *s)
{
	return nla_put_u64(msg, type, strtoull(s, NULL, 0));
}

/* The request message of a command, or NULL (message printed). */
static struct nl_msg *build(struct csnl *c, char **tok, int n)
{
	const char *cmd = tok[0];
	struct nl_msg *msg = NULL;
	int args = n - 1, err = 0, used;
	char **arg = tok + 1;

	if (!strcmp(cmd, "status") && !args) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_GET_STATUS, 0);
	} else if (!strcmp(cmd, "identity") && args <= 1) {
		msg = dump_or_get(c, CREDSTORE_CMD_GET_IDENTITY, CREDSTORE_A_NAME, arg, args);
	} else if (!strcmp(cmd, "anchor") && args <= 1) {
		msg = dump_or_get(c, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, arg, args);
	} else if (!strcmp(cmd, "device") && args <= 1) {
		msg = dump_or_get(c, CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, arg, args);
	} else if (!strcmp(cmd, "secrets") && args == 1) {
		msg = dump_or_get(c, CREDSTORE_CMD_GET_DEVICE_SECRETS, CREDSTORE_A_DEVICE_ID, arg, 1);
	} else if (!strcmp(cmd, "verify-fp") && (args == 1 || args == 2)) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_VERIFY_FINGERPRINT, 0);
		err = msg ? put_hex_attr(msg, CREDSTORE_A_FINGERPRINT, arg[0]) : 0;
		if (!err && msg && args == 2)
			err = nla_put_string(msg, CREDSTORE_A_DEVICE_ID, arg[1]);
	} else if (!strcmp(cmd, "verify-secret") && args == 2) {
		msg = dump_or_get(c, CREDSTORE_CMD_VERIFY_SECRET, CREDSTORE_A_DEVICE_ID, arg, 1);
		err = msg ? put_hex_attr(msg, CREDSTORE_A_SECRET, arg[1]) : 0;
	} else if (!strcmp(cmd, "verify-hmac") && args == 3) {
		msg = dump_or_get(c, CREDSTORE_CMD_VERIFY_HMAC, CREDSTORE_A_DEVICE_ID, arg, 1);
		err = msg ? put_hex_attr(msg, CREDSTORE_A_HMAC_MESSAGE, arg[1]) ?:
			    put_hex_attr(msg, CREDSTORE_A_HMAC, arg[2]) : 0;
	} else if (!strcmp(cmd, "begin") && args == 1) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_PUBLISH_BEGIN, 0);
		err = msg ? put_u64_arg(msg, CREDSTORE_A_GENERATION, arg[0]) : 0;
	} else if (!strcmp(cmd, "records") && args >= 1) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_PUBLISH_RECORDS, 0);
		if (msg && !strncmp(arg[0], "gen=", 4)) {
			err = put_u64_arg(msg, CREDSTORE_A_GENERATION, arg[0] + 4);
			arg++;
			args--;
		}
		err = err ?: (msg ? csnl_put_records(msg, arg, args) : 0);
	} else if (!strcmp(cmd, "commit") && args <= 1) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_PUBLISH_COMMIT, 0);
		if (msg && args)
			err = put_u64_arg(msg, CREDSTORE_A_GENERATION, arg[0]);
	} else if (!strcmp(cmd, "abort") && !args) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_PUBLISH_ABORT, 0);
	} else if (!strcmp(cmd, "update") && args >= 2) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_PUBLISH_UPDATE, 0);
		err = msg ? put_u64_arg(msg, CREDSTORE_A_GENERATION, arg[0]) ?:
			    csnl_put_records(msg, arg + 1, args - 1) : 0;
	} else if (!strcmp(cmd, "retract") && args == 3) {
		int kind = !strcmp(arg[1], "device") ? CREDSTORE_KIND_DEVICE :
			   !strcmp(arg[1], "anchor") ? CREDSTORE_KIND_ANCHOR :
						       CREDSTORE_KIND_IDENTITY;

		msg = csnl_request(c, 0, CREDSTORE_CMD_RETRACT, 0);
		err = msg ? put_u64_arg(msg, CREDSTORE_A_GENERATION, arg[0]) ?:
			    nla_put_u8(msg, CREDSTORE_A_KIND, kind) ?:
			    nla_put_string(msg, kind == CREDSTORE_KIND_DEVICE ?
					   CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME,
					   arg[2]) : 0;
	} else if (!strcmp(cmd, "ctrl-family") && args == 1) {
		msg = csnl_request(c, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
		err = msg ? nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, arg[0]) : 0;
	} else if (!strcmp(cmd, "raw") && args >= 1) {
		int dump = !strcmp(arg[0], "dump");
		int number = csnl_cmd_number(arg[dump]);

		if (number < 0 || args < 1 + dump) {
			fprintf(stderr, "csnl: raw: unknown command\n");
			return NULL;
		}
		msg = csnl_request(c, 0, number, dump ? NLM_F_DUMP : 0);
		err = msg ? csnl_put_raw_attrs(msg, arg + 1 + dump,
					       args - 1 - dump, &used) : 0;
		if (!err && msg && used != args - 1 - dump)
			err = -1;
	} else {
		fprintf(stderr, "csnl: unknown command or arguments: %s\n", cmd);
		return NULL;
	}
	if (!msg || err) {
		fprintf(stderr, "csnl: %s: cannot build the request\n", cmd);
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int gen_devices(struct csnl *c, char **arg, int args)
{
	unsigned long count, batch, i;
	struct nl_msg *msg;
	char mtag = 'm', stag = 's';

	if (args < 2)
		return -1;
	count = strtoul(arg[1], NULL, 0);
	batch = args > 2 ? strtoul(arg[2], NULL, 0) : 250;
	if (args > 4) {
		mtag = arg[3][0];
		stag = arg[4][0];
	}
	for (i = 0; i < count; i += batch) {
		msg = csnl_request(c, 0, CREDSTORE_CMD_PUBLISH_RECORDS, 0);
		if (!msg || csnl_put_generated_devices(msg, arg[0], mtag, stag, i,
						       i + batch < count ? i + batch : count)) {
			fprintf(stderr, "csnl: gen-devices: cannot build\n");
			nlmsg_free(msg);
			return -1;
		}
		if (csnl_transact(c, msg, "gen-devices"))
			return -1;
	}
	return 0;
}

static int fp_of(char **arg, int args)
{
	uint8_t fp[32];

	if (args != 2)
		return -1;
	csnl_device_fp(arg[0][0], strtoul(arg[1], NULL, 0), fp);
	for (int i = 0; i < 32; i++)
		printf("%02x", fp[i]);
	printf("\n");
	return 0;
}

static int wait_file(const char *path)
{
	struct stat st;

	for (int i = 0; i < 6000; i++) {
		if (!stat(path, &st))
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "csnl: wait-file: %s never appeared\n", path);
	return -1;
}

static int touch(const char *path)
{
	FILE *f = fopen(path, "w");

	return f ? fclose(f) : -1;
}

/* Print one socket buffer of a dump; 1 at its end, -1 on an error. */
static int print_dump_part(unsigned char *buf, int n, bool *interrupted)
{
	struct nlmsghdr *hdr = (struct nlmsghdr *)buf;
	struct nlmsgerr *e;

	for (; nlmsg_ok(hdr, n); hdr = nlmsg_next(hdr, &n)) {
		if ((hdr->nlmsg_flags & NLM_F_DUMP_INTR) && !*interrupted) {
			printf("dump-intr\n");
			*interrupted = true;
		}
		if (hdr->nlmsg_type == NLMSG_DONE)
			return 1;
		if (hdr->nlmsg_type == NLMSG_ERROR) {
			e = nlmsg_data(hdr);
			fprintf(stderr, "csnl: dump-stall: %s\n", strerror(-e->error));
			return -1;
		}
		csnl_print_attrs(genlmsg_attrdata(nlmsg_data(hdr), 0),
				 genlmsg_attrlen(nlmsg_data(hdr), 0));
	}
	return 0;
}

/* A dump read one socket buffer at a time, stalled after the first. */
static int dump_stalled(struct csnl *c, char **arg, int args)
{
	uint8_t cmd = !strcmp(arg[0], "identity") ? CREDSTORE_CMD_GET_IDENTITY :
		      !strcmp(arg[0], "anchor") ? CREDSTORE_CMD_GET_ANCHOR :
						  CREDSTORE_CMD_GET_DEVICE;
	struct nl_msg *msg = csnl_request(c, 0, cmd, NLM_F_DUMP);
	bool interrupted = false, first = true;
	struct sockaddr_nl who;
	unsigned char *buf;
	int n, end = 0;

	if (args != 3 || !msg || nl_send_auto(c->sk, msg) < 0) {
		fprintf(stderr, "csnl: dump-stall: cannot send\n");
		nlmsg_free(msg);
		return -1;
	}
	nlmsg_free(msg);
	while (!end) {
		n = nl_recv(c->sk, &who, &buf, NULL);
		if (n <= 0) {
			fprintf(stderr, "csnl: dump-stall: %s\n", nl_geterror(n));
			return -1;
		}
		end = print_dump_part(buf, n, &interrupted);
		free(buf);
		fflush(stdout);
		if (first && !end && (touch(arg[1]) || wait_file(arg[2])))
			return -1;
		first = false;
	}
	return end < 0 ? -1 : 0;
}

/* Drop to another user; the socket keeps its opener's credentials. */
static int set_user(char **arg, int args)
{
	if (args != 2 || setgroups(0, NULL) || setgid(atoi(arg[1])) ||
	    setuid(atoi(arg[0]))) {
		perror("csnl: setuid");
		return -1;
	}
	return 0;
}

static int load_module(char **arg, int args)
{
	char params[1024] = "";
	int fd, err;

	for (int i = 1; i < args; i++) {
		strncat(params, arg[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}
	fd = open(arg[0], O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -1 : (int)syscall(SYS_finit_module, fd, params, 0);
	if (err)
		perror("csnl: load");
	if (fd >= 0)
		close(fd);
	return err;
}

static int unload_module(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		perror("csnl: unload");
		return -1;
	}
	return 0;
}

static int run(struct csnl *c, char **tok, int n)
{
	struct nl_msg *msg;

	if (!strcmp(tok[0], "echo")) {
		for (int i = 1; i < n; i++)
			printf("%s%s", tok[i], i + 1 < n ? " " : "");
		printf("\n");
		return 0;
	}
	if (!strcmp(tok[0], "wait-file") && n == 2)
		return wait_file(tok[1]);
	if (!strcmp(tok[0], "setuid"))
		return set_user(tok + 1, n - 1);
	if (!strcmp(tok[0], "load") && n >= 2)
		return load_module(tok + 1, n - 1);
	if (!strcmp(tok[0], "unload") && n == 2)
		return unload_module(tok[1]);
	if (!strcmp(tok[0], "reconnect") && n == 1) {
		csnl_close(c);
		return csnl_open(c);
	}
	if (!strcmp(tok[0], "fp-of"))
		return fp_of(tok + 1, n - 1);
	if (!strcmp(tok[0], "gen-devices"))
		return gen_devices(c, tok + 1, n - 1);
	if (!strcmp(tok[0], "dump-stall"))
		return dump_stalled(c, tok + 1, n - 1);
	if (!strcmp(tok[0], "listen") && (n == 3 || n == 4))
		return csnl_listen(c, strtoul(tok[1], NULL, 0), atoi(tok[2]),
				   n == 4 ? tok[3] : NULL);
	if (!strcmp(tok[0], "rate") && n >= 3) {
		msg = build(c, tok + 2, n - 2);
		return msg ? csnl_rate(c, msg, strtod(tok[1], NULL)) : -1;
	}
	msg = build(c, tok, n);
	return msg ? csnl_transact(c, msg, tok[0]) : -1;
}

/* Run each ';'-separated command of @tok; stop at the first failure. */
static int run_all(struct csnl *c, char **tok, int n)
{
	int start = 0;

	for (int i = 0; i <= n; i++) {
		if (i < n && strcmp(tok[i], ";"))
			continue;
		if (i > start && run(c, tok + start, i - start))
			return -1;
		fflush(stdout);
		start = i + 1;
	}
	return 0;
}

static int run_stdin(struct csnl *c)
{
	static char *tok[MAX_TOKENS];
	char line[1 << 16];
	int n;

	while (fgets(line, sizeof(line), stdin)) {
		n = 0;
		for (char *t = strtok(line, " \t\n"); t && n < MAX_TOKENS;
		     t = strtok(NULL, " \t\n"))
			tok[n++] = t;
		if (n && tok[0][0] != '#' && run_all(c, tok, n))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct csnl c = { 0 };
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: csnl COMMAND [ARGS] [';' COMMAND...] | csnl -\n");
		return 2;
	}
	if (!strcmp(argv[1], "fp-of"))
		return fp_of(argv + 2, argc - 2) ? 2 : 0;
	if (csnl_open(&c) && strcmp(argv[1], "-"))
		return 1;
	if (!strcmp(argv[1], "-"))
		err = run_stdin(&c);
	else
		err = run_all(&c, argv + 1, argc - 1);
	csnl_close(&c);
	return err ? 1 : 0;
}
