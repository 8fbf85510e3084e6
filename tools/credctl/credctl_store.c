/* credctl store status | accept-rollback | factory-reset | reset-devices |
 * export | import | batch */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "backup_format.h"
#include "batch_file.h"

static const struct {
	int attr;
	const char *key;
	bool u64;
} status_fields[] = {
	{ CREDSTORE_A_STORE_GENERATION, "generation", true },
	{ CREDSTORE_A_STORE_IDENTITIES, "identities", false },
	{ CREDSTORE_A_STORE_ANCHORS, "anchors", false },
	{ CREDSTORE_A_STORE_DEVICES, "devices", false },
	{ CREDSTORE_A_STORE_MAX_IDENTITIES, "max_identities", false },
	{ CREDSTORE_A_STORE_MAX_ANCHORS, "max_anchors", false },
	{ CREDSTORE_A_STORE_MAX_DEVICES, "max_devices", false },
	{ CREDSTORE_A_STORE_LIVE_BYTES, "live_bytes", true },
	{ CREDSTORE_A_STORE_FREE_BYTES, "free_bytes", true },
	{ CREDSTORE_A_STORE_BLOCKS, "eraseblocks", false },
	{ CREDSTORE_A_STORE_BLOCK_SIZE, "eraseblock_size", false },
	{ CREDSTORE_A_STORE_BAD_BLOCKS, "bad_blocks", false },
	{ CREDSTORE_A_STORE_ERASE_MIN, "erase_count_min", false },
	{ CREDSTORE_A_STORE_ERASE_MAX, "erase_count_max", false },
	{ CREDSTORE_A_STORE_SCRUBS, "scrubs", true },
	{ CREDSTORE_A_STORE_RELOCATIONS, "relocations", true },
	{ CREDSTORE_A_STORE_LOST_COMMITS, "lost_commits", true },
	{ CREDSTORE_A_STORE_TAMPERED, "tampered", true },
	{ CREDSTORE_A_STORE_COUNTER, "counter", true },
	{ CREDSTORE_A_STORE_COUNTER_EXPECTED, "counter_expected", true },
	{ CREDSTORE_A_STORE_REMOUNTS, "remounts", false },
};

static const char *const rollback_names[] = {
	[CREDSTORE_ROLLBACK_OFF] = "off",
	[CREDSTORE_ROLLBACK_OK] = "ok",
	[CREDSTORE_ROLLBACK_DETECTED] = "detected",
	[CREDSTORE_ROLLBACK_UNBOUND] = "unbound",
	[CREDSTORE_ROLLBACK_UNAVAILABLE] = "unavailable",
	[CREDSTORE_ROLLBACK_LAGGING] = "lagging",
};

/* The rollback counter's state, and why changes are refused. */
static void print_rollback(struct ctl *c, struct nlattr **st)
{
	uint8_t state = st[CREDSTORE_A_STORE_ROLLBACK] ?
			nla_get_u8(st[CREDSTORE_A_STORE_ROLLBACK]) : CREDSTORE_ROLLBACK_OFF;

	out_str(c, "rollback", state <= CREDSTORE_ROLLBACK_MAX ? rollback_names[state] : "?");
	if (st[CREDSTORE_A_STORE_ROLLBACK_REASON])
		out_str(c, "rollback_reason", nla_get_string(st[CREDSTORE_A_STORE_ROLLBACK_REASON]));
}

static const char *const publisher_states[] = { "none", "publishing", "behind" };
static const char *const kind_names[] = {
	[CREDSTORE_KIND_IDENTITY] = "identity",
	[CREDSTORE_KIND_ANCHOR] = "anchor",
	[CREDSTORE_KIND_DEVICE] = "device",
};

/* The records credstore.ko refused: kind, name or id, and its words. */
static void print_refused(struct ctl *c, struct nlattr *store)
{
	struct nlattr *pos;
	uint64_t n = 0;
	int rem;

	nla_for_each_nested(pos, store, rem)
		n += nla_type(pos) == CREDSTORE_A_STORE_REFUSED;
	out_u64(c, "refused_records", n);
	out_list_begin(c, "refused");
	nla_for_each_nested(pos, store, rem) {
		struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
		struct nlattr *key;
		uint8_t kind;

		if (nla_type(pos) != CREDSTORE_A_STORE_REFUSED ||
		    nla_parse_nested(tb, CREDSTORE_ADMIN_A_MAX, pos, cs_usersock_policy) < 0 ||
		    !tb[CREDSTORE_A_KIND] || !tb[CREDSTORE_A_MESSAGE])
			continue;
		kind = nla_get_u8(tb[CREDSTORE_A_KIND]);
		key = tb[CREDSTORE_A_NAME] ? tb[CREDSTORE_A_NAME] : tb[CREDSTORE_A_DEVICE_ID];
		out_item_begin(c);
		out_str(c, "kind", kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind]
				   ? kind_names[kind] : "?");
		out_str(c, "key", key ? nla_get_string(key) : "");
		out_str(c, "reason", nla_get_string(tb[CREDSTORE_A_MESSAGE]));
		out_item_end(c);
	}
	out_list_end(c);
}

static int print_status(struct nlattr **tb, void *arg)
{
	struct ctl *c = arg;
	struct nlattr *st[CREDSTORE_A_STORE_MAX + 1];

	if (!tb[CREDSTORE_A_ADMIN_STORE] ||
	    nla_parse_nested(st, CREDSTORE_A_STORE_MAX, tb[CREDSTORE_A_ADMIN_STORE], NULL) < 0)
		return -EPROTO;
	out_begin(c);
	for (size_t i = 0; i < sizeof(status_fields) / sizeof(status_fields[0]); i++) {
		struct nlattr *a = st[status_fields[i].attr];

		if (a)
			out_u64(c, status_fields[i].key,
				status_fields[i].u64 ? nla_get_u64(a) : nla_get_u32(a));
	}
	if (st[CREDSTORE_A_STORE_IO_ERROR])
		out_str(c, "last_io_error", nla_get_string(st[CREDSTORE_A_STORE_IO_ERROR]));
	if (st[CREDSTORE_A_STORE_PUBLISHER]) {
		uint8_t p = nla_get_u8(st[CREDSTORE_A_STORE_PUBLISHER]);

		out_bool(c, "publishing_to_module", p != 0);
		out_str(c, "publisher", p < 3 ? publisher_states[p] : "?");
	}
	print_rollback(c, st);
	print_refused(c, tb[CREDSTORE_A_ADMIN_STORE]);
	out_end(c);
	return 0;
}

static int run_status(struct ctl *c, int argc, char **argv)
{
	int rc = no_more_args(c, argc, argv);

	return rc ? rc : ctl_transact(c, cs_client_request(CREDSTORE_ADMIN_CMD_STORE_STATUS, 0),
				      print_status, c);
}

/* --yes, or a usage error saying what the command does. */
static int need_yes(struct ctl *c, int argc, char **argv, const char *what)
{
	static const struct option opts[] = { { "yes", no_argument, NULL, 'y' }, { 0 } };
	bool yes = false;
	int ch;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == 'y')
			yes = true;
		else
			return EXIT_USAGE;
	if (no_more_args(c, argc, argv))
		return EXIT_USAGE;
	return yes ? EXIT_OK : ctl_usage(c, "%s %s: confirm with --yes", argv[0], what);
}

/* Erasing everything needs --yes, also inside a batch. */
static int build_confirmed(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	(void)msg;
	return need_yes(c, argc, argv, "erases credentials");
}

static int build_accept(struct ctl *c, int argc, char **argv, struct nl_msg *msg)
{
	(void)msg;
	return need_yes(c, argc, argv, "keeps the store as it is, older than its rollback "
			"counter says");
}

static void print_accepted(struct ctl *c, struct nlattr **tb, const char *subject)
{
	(void)subject;
	out_begin(c);
	out_str(c, "result", "rollback accepted");
	if (tb[CREDSTORE_A_GENERATION])
		out_u64(c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
	out_end(c);
}

struct passphrase_opts {
	const char *given, *file;
	bool force;
};

static int parse_passphrase_opts(struct ctl *c, int argc, char **argv, struct passphrase_opts *o,
				 bool export)
{
	static const struct option opts[] = {
		{ "passphrase", required_argument, NULL, 'p' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 }
	};
	int ch;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'p': o->given = optarg; break;
		case 'P': o->file = optarg; break;
		case 'f':
			if (!export)
				return ctl_usage(c, "--force is for store export");
			o->force = true;
			break;
		default: return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static struct nl_msg *passphrase_request(struct ctl *c, uint8_t cmd, int argc, char **argv,
					 struct passphrase_opts *o, const char **file, int *rc)
{
	char pass[1024];
	struct nl_msg *req = NULL;

	*rc = parse_passphrase_opts(c, argc, argv, o, cmd == CREDSTORE_ADMIN_CMD_EXPORT);
	*file = *rc ? NULL : positional(argc, argv);
	if (!*rc && !*file)
		*rc = ctl_usage(c, "give the backup FILE");
	if (!*rc)
		*rc = no_more_args(c, argc, argv);
	if (!*rc)
		*rc = get_passphrase(c, o->given, o->file, pass, sizeof(pass));
	if (!*rc) {
		req = cs_client_request(cmd, 0);
		*rc = ctl_put(c, req ? nla_put_string(req, CREDSTORE_A_ADMIN_PASSWORD, pass) : -1);
	}
	OPENSSL_cleanse(pass, sizeof(pass));
	if (*rc) {
		nlmsg_free(req);
		req = NULL;
	}
	return req;
}

static int write_piece(struct nlattr **tb, void *arg)
{
	FILE *f = arg;
	struct nlattr *a = tb[CREDSTORE_A_ADMIN_BLOB];

	if (a && fwrite(nla_data(a), 1, (size_t)nla_len(a), f) != (size_t)nla_len(a))
		return -EIO;
	return 0;
}

static int run_export(struct ctl *c, int argc, char **argv)
{
	struct passphrase_opts o = { 0 };
	const char *file;
	int rc, fd;
	struct nl_msg *req = passphrase_request(c, CREDSTORE_ADMIN_CMD_EXPORT, argc, argv, &o,
						&file, &rc);
	FILE *f;

	if (rc)
		return rc;
	/* The daemon streams the backup as a dump: header, then chunks. */
	nlmsg_hdr(req)->nlmsg_flags |= NLM_F_DUMP;
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | (o.force ? O_TRUNC : O_EXCL), 0600);
	f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		nlmsg_free(req);
		if (fd >= 0)
			close(fd);
		if (errno == EEXIST)
			return ctl_usage(c, "%s exists: give --force to overwrite it", file);
		return ctl_usage(c, "cannot write %s: %s", file, strerror(errno));
	}
	rc = ctl_transact(c, req, write_piece, f);
	if (fclose(f) && !rc)
		rc = ctl_usage(c, "cannot write %s", file);
	if (rc) {
		unlink(file);
		return rc;
	}
	out_begin(c);
	out_str(c, "exported", file);
	out_end(c);
	return EXIT_OK;
}

static int print_generation(struct nlattr **tb, void *arg)
{
	struct ctl *c = arg;

	out_begin(c);
	out_str(c, "result", "done");
	if (tb[CREDSTORE_A_GENERATION])
		out_u64(c, "generation", nla_get_u64(tb[CREDSTORE_A_GENERATION]));
	out_end(c);
	return 0;
}

/* Read the next chunk of f into buf; 0 at a clean end of the file. */
static size_t read_chunk(FILE *f, uint8_t *buf, int *last)
{
	size_t body;

	if (fread(buf, 1, 4, f) != 4)
		return 0;
	body = backup_chunk_size(buf, BACKUP_CHUNK_PLAIN_MAX + BACKUP_CHUNK_OVERHEAD, last);
	if (!body || fread(buf + 4, 1, body - 4, f) != body - 4)
		return 0;
	return body;
}

static int send_request(struct ctl *c, uint8_t cmd, const uint8_t *blob, size_t len)
{
	struct nl_msg *req = cs_client_request(cmd, 0);
	int rc = ctl_put(c, req ? nla_put(req, CREDSTORE_A_ADMIN_BLOB, (int)len, blob) : -1);

	if (rc) {
		nlmsg_free(req);
		return rc;
	}
	return ctl_transact(c, req, NULL, NULL);
}

/* One chunk a request: each is opened and staged by the daemon, and the
 * last request commits them all in one transaction. */
static int send_chunks(struct ctl *c, const char *file, FILE *f)
{
	uint8_t *buf = malloc(BACKUP_CHUNK_PLAIN_MAX + BACKUP_CHUNK_OVERHEAD);
	int last = 0, rc = buf ? EXIT_OK : ctl_usage(c, "out of memory");

	for (uint32_t i = 0; !rc && !last; i++) {
		size_t n = read_chunk(f, buf, &last);

		rc = n ? send_request(c, CREDSTORE_ADMIN_CMD_IMPORT_CHUNK, buf, n)
		       : ctl_usage(c, "%s is damaged or cut short (in chunk %u)", file, i);
	}
	if (!rc && fgetc(f) != EOF)
		rc = ctl_usage(c, "%s goes on after the backup's last chunk", file);
	free(buf);
	return rc;
}

static int run_import(struct ctl *c, int argc, char **argv)
{
	const char *file;
	uint8_t header[BACKUP_HEADER_LEN];
	struct passphrase_opts o = { 0 };
	int rc;
	struct nl_msg *req = passphrase_request(c, CREDSTORE_ADMIN_CMD_IMPORT_BEGIN, argc, argv,
						&o, &file, &rc);
	FILE *f = NULL;

	if (!rc) {
		f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
		if (!f)
			rc = ctl_usage(c, "cannot read %s: %s", file, strerror(errno));
	}
	if (!rc && fread(header, 1, sizeof(header), f) != sizeof(header))
		rc = ctl_usage(c, "%s is not a credstore backup", file);
	if (!rc)
		rc = ctl_put(c, nla_put(req, CREDSTORE_A_ADMIN_BLOB, sizeof(header), header));
	if (rc)
		nlmsg_free(req);
	else
		rc = ctl_transact(c, req, NULL, NULL);
	if (!rc)
		rc = send_chunks(c, file, f);
	if (f && f != stdin)
		fclose(f);
	if (!rc)
		rc = ctl_transact(c, cs_client_request(CREDSTORE_ADMIN_CMD_IMPORT, 0), print_generation, c);
	return rc;
}

static int run_batch(struct ctl *c, int argc, char **argv)
{
	const char *file = positional(argc, argv);
	int rc = file ? no_more_args(c, argc, argv) : ctl_usage(c, "give the batch FILE");

	return rc ? rc : batch_file_run(c, file);
}

const struct subcmd store_cmds[] = {
	{ "store", "status", "",
	  "The store's figures: generation, counts and limits, live and free bytes (free_bytes\n"
	  "is what adds can still use), eraseblocks, erase counts, flash events.",
	  0, NULL, NULL, run_status },
	{ "store", "accept-rollback", "--yes",
	  "After a rollback was detected (changes refused: `store status` says why), keep the\n"
	  "store as it is, older than its rollback counter says, and take changes again.",
	  CREDSTORE_ADMIN_CMD_STORE_ACCEPT_ROLLBACK, build_accept, print_accepted, NULL },
	{ "store", "factory-reset", "--yes", "Erase every identity, anchor and device.",
	  CREDSTORE_ADMIN_CMD_FACTORY_RESET, build_confirmed, NULL, NULL },
	{ "store", "reset-devices", "--yes", "Erase every device (identities and anchors stay).",
	  CREDSTORE_ADMIN_CMD_RESET_DEVICES, build_confirmed, NULL, NULL },
	{ "store", "export", "FILE [--passphrase P | --passphrase-file F] [--force]",
	  "Write a sealed backup of every credential (keys and secrets included) to FILE, which\n"
	  "must not exist unless --force.  The passphrase (8 characters or more) may also come\n"
	  "from $CREDCTL_PASSPHRASE.",
	  0, NULL, NULL, run_export },
	{ "store", "import", "FILE [--passphrase P | --passphrase-file F]",
	  "Replace every credential with a backup's, in one transaction.", 0, NULL, NULL, run_import },
	{ "store", "batch", "FILE",
	  "Run the file's commands (one a line, as on the command line without `credctl`) in\n"
	  "one transaction: all or nothing.  Files a line names are found relative to the batch\n"
	  "file's directory.", 0, NULL, NULL, run_batch },
	{ 0 }
};
