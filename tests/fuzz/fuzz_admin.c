/* libFuzzer: credstored's admin commands (batches included), parsed from
 * a real datagram sent by root to its admin socket; every input starts
 * from the same store, holding a device and a pending identity key. */
#include "harness.h"

#define FIRST_ADMIN	CREDSTORE_ADMIN_CMD_IDENTITY_CSR
#define N_ADMIN		(CREDSTORE_ADMIN_CMD_MAX - FIRST_ADMIN + 1)
#define IDX(cmd)	((uint8_t)((cmd) - FIRST_ADMIN))

static struct fuzz_daemon daemon_state;

static const uint8_t fp[CREDSTORE_FINGERPRINT_LEN] = { 0xaa, 0xbb };

static void device_add(struct nl_msg *m, const char *id)
{
	nla_put_string(m, CREDSTORE_A_DEVICE_ID, id);
	nla_put(m, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp);
	nla_put(m, CREDSTORE_A_SECRET, 4, "abcd");
}

static void write_seeds(void)
{
	struct nl_msg *m = fuzz_attrs_new();
	struct nlattr *op;

	device_add(m, "dev-new");
	fuzz_attrs_seed("device-add", IDX(CREDSTORE_ADMIN_CMD_DEVICE_ADD), 0, m);
	m = fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-1");
	nla_put_flag(m, CREDSTORE_A_ADMIN_GENERATE);
	fuzz_attrs_seed("reset-secret", IDX(CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET), 0, m);
	m = fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-1");
	nla_put(m, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp);
	nla_put_flag(m, CREDSTORE_A_ADMIN_MASTER);
	fuzz_attrs_seed("reset-fp", IDX(CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT), 0, m);
	fuzz_attrs_seed("promote", IDX(CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE), 0,
			fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-1"));
	fuzz_attrs_seed("remove", IDX(CREDSTORE_ADMIN_CMD_DEVICE_REMOVE), 0,
			fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-1"));
	fuzz_attrs_seed("identity-remove", IDX(CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE), 0,
			fuzz_named(CREDSTORE_A_NAME, "web"));
	m = fuzz_named(CREDSTORE_A_NAME, "web");
	nla_put_string(m, CREDSTORE_A_ADMIN_PEM, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	fuzz_attrs_seed("identity-install", IDX(CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL), 0, m);
	fuzz_attrs_seed("status", IDX(CREDSTORE_ADMIN_CMD_STORE_STATUS), 0, fuzz_attrs_new());
	fuzz_attrs_seed("reset-devices", IDX(CREDSTORE_ADMIN_CMD_RESET_DEVICES), 0, fuzz_attrs_new());
	fuzz_attrs_seed("accept-rollback", IDX(CREDSTORE_ADMIN_CMD_STORE_ACCEPT_ROLLBACK), 0,
			fuzz_attrs_new());
	fuzz_attrs_seed("export", IDX(CREDSTORE_ADMIN_CMD_EXPORT), 0,
			fuzz_named(CREDSTORE_A_ADMIN_PASSWORD, "pw"));
	m = fuzz_named(CREDSTORE_A_ADMIN_PASSWORD, "pw");
	nla_put(m, CREDSTORE_A_ADMIN_BLOB, 16, "0123456789abcdef");
	fuzz_attrs_seed("import", IDX(CREDSTORE_ADMIN_CMD_IMPORT), 0, m);
	m = fuzz_attrs_new();
	op = nla_nest_start(m, CREDSTORE_A_ADMIN_REQUEST);
	nla_put_u8(m, CREDSTORE_A_ADMIN_CMD, CREDSTORE_ADMIN_CMD_DEVICE_ADD);
	device_add(m, "dev-b");
	nla_nest_end(m, op);
	op = nla_nest_start(m, CREDSTORE_A_ADMIN_REQUEST);
	nla_put_u8(m, CREDSTORE_A_ADMIN_CMD, CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE);
	nla_put_string(m, CREDSTORE_A_DEVICE_ID, "dev-b");
	nla_nest_end(m, op);
	fuzz_attrs_seed("batch", IDX(CREDSTORE_ADMIN_CMD_BATCH), 0, m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(struct fuzz_daemon *fd)
{
	struct nl_msg *m = fuzz_attrs_new();

	device_add(m, "dev-1");
	fuzz_daemon_setup(fd, CREDSTORE_ADMIN_CMD_DEVICE_ADD, m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_daemon_start(&daemon_state, setup, write_seeds);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_daemon_input(&daemon_state, FIRST_ADMIN, N_ADMIN, data, size);
	return 0;
}
