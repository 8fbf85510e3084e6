/* libFuzzer: the queries credstored answers in userspace mode (no
 * module), and its own SIGN, parsed from a real datagram on its admin
 * socket, against a store holding devices and an identity. */
#include <string.h>

#include "harness.h"

#define FIRST_QUERY	CREDSTORE_CMD_GET_STATUS
#define N_QUERIES	(CREDSTORE_CMD_GET_DEVICE_SECRETS - FIRST_QUERY + 1)
#define IDX(cmd)	((uint8_t)((cmd) - FIRST_QUERY))
/* The slot after the module's queries is credstored's SIGN. */
#define SIGN_IDX	N_QUERIES

static struct fuzz_daemon daemon_state;

static const uint8_t fp1[CREDSTORE_FINGERPRINT_LEN] = { 1, 2, 3, 4, 5 };
static const uint8_t fp2[CREDSTORE_FINGERPRINT_LEN] = { 9, 8, 7, 6, 5 };

static void add_device(const char *id, const uint8_t *fp, const char *secret)
{
	struct nl_msg *m = fuzz_named(CREDSTORE_A_DEVICE_ID, id);

	nla_put(m, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp);
	nla_put(m, CREDSTORE_A_SECRET, (int)strlen(secret), secret);
	fuzz_daemon_setup(&daemon_state, CREDSTORE_ADMIN_CMD_DEVICE_ADD, m);
}

static void write_seeds(void)
{
	struct nl_msg *m;

	fuzz_attrs_seed("status", IDX(CREDSTORE_CMD_GET_STATUS), 0, fuzz_attrs_new());
	fuzz_attrs_seed("device-dump", IDX(CREDSTORE_CMD_GET_DEVICE), 1, fuzz_attrs_new());
	fuzz_attrs_seed("device", IDX(CREDSTORE_CMD_GET_DEVICE), 0,
			fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-1"));
	m = fuzz_attrs_new();
	nla_put_string(m, CREDSTORE_A_DEVICE_ID, "dev-1");
	nla_put(m, CREDSTORE_A_SECRET, 6, "secret");
	fuzz_attrs_seed("verify-secret", IDX(CREDSTORE_CMD_VERIFY_SECRET), 0, m);
	m = fuzz_attrs_new();
	nla_put(m, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp2);
	fuzz_attrs_seed("verify-fp", IDX(CREDSTORE_CMD_VERIFY_FINGERPRINT), 0, m);
	fuzz_attrs_seed("identity", IDX(CREDSTORE_CMD_GET_IDENTITY), 0,
			fuzz_named(CREDSTORE_A_NAME, "web"));
	m = fuzz_named(CREDSTORE_A_NAME, "web");
	nla_put(m, CREDSTORE_A_SIGN_KEY_ID, CREDSTORE_FINGERPRINT_LEN, fp1);
	nla_put_u8(m, CREDSTORE_A_SIGN_SCHEME, CREDSTORE_SIGN_ECDSA);
	nla_put_string(m, CREDSTORE_A_SIGN_DIGEST, "SHA256");
	nla_put(m, CREDSTORE_A_SIGN_DATA, CREDSTORE_FINGERPRINT_LEN, fp2);
	fuzz_attrs_seed("sign", SIGN_IDX, 0, m);
	fuzz_attrs_seed("device-secrets", IDX(CREDSTORE_CMD_GET_DEVICE_SECRETS), 0,
			fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-2"));
	fuzz_attrs_seed("device-dump-after", IDX(CREDSTORE_CMD_GET_DEVICE), 1,
			fuzz_named(CREDSTORE_A_DEVICE_ID, "dev-1"));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(struct fuzz_daemon *fd)
{
	fuzz_daemon_setup(fd, CREDSTORE_ADMIN_CMD_IDENTITY_CSR, fuzz_named(CREDSTORE_A_NAME, "web"));
	add_device("dev-1", fp1, "secret");
	add_device("dev-2", fp2, "other");
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
	/* SIGN changes nothing on flash: no remount to watch for. */
	if (size >= 2 && data[0] % (N_QUERIES + 1) == SIGN_IDX)
		fuzz_daemon_request(&daemon_state, CREDSTORE_DAEMON_CMD_SIGN, 0, data + 2, size - 2);
	else
		fuzz_daemon_input(&daemon_state, FIRST_QUERY, N_QUERIES, data, size);
	return 0;
}
