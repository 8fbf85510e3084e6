/* Every command the usersock port answers, with who may run it. */
#include <stddef.h>

#include "server.h"

#define QUERY(c, n, run, dump)	{ c, n, ACCESS_QUERY, false, false, run, dump }
#define PRIV(c, n, run)		{ c, n, ACCESS_PRIVILEGED, false, false, run, NULL }
#define CHANGE(c, n, run)	{ c, n, ACCESS_ADMIN, true, true, run, NULL }

static const struct command commands[] = {
	QUERY(CREDSTORE_CMD_GET_STATUS, "status", query_status, NULL),
	QUERY(CREDSTORE_CMD_GET_IDENTITY, "get identity", query_identity, query_identity_dump),
	QUERY(CREDSTORE_CMD_GET_ANCHOR, "get anchor", query_anchor, query_anchor_dump),
	QUERY(CREDSTORE_CMD_GET_DEVICE, "get device", query_device, query_device_dump),
	QUERY(CREDSTORE_CMD_VERIFY_FINGERPRINT, "verify fingerprint", query_verify_fingerprint, NULL),
	QUERY(CREDSTORE_CMD_VERIFY_SECRET, "verify secret", query_verify_secret, NULL),
	PRIV(CREDSTORE_CMD_GET_IDENTITY_KEY, "get identity key", query_identity_key),
	PRIV(CREDSTORE_CMD_GET_DEVICE_SECRETS, "get device secrets", query_device_secrets),

	CHANGE(CREDSTORE_ADMIN_CMD_IDENTITY_CSR, "identity csr", admin_identity_csr),
	CHANGE(CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL, "identity install", admin_identity_install),
	CHANGE(CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE, "identity remove", admin_identity_remove),
	CHANGE(CREDSTORE_ADMIN_CMD_ANCHOR_ADD, "anchor add", admin_anchor_add),
	CHANGE(CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE, "anchor remove", admin_anchor_remove),
	CHANGE(CREDSTORE_ADMIN_CMD_ANCHOR_REPLACE, "anchor replace", admin_anchor_replace),
	/* Its CRL may be MiB: more than a batch's nest (64 KiB) holds. */
	{ CREDSTORE_ADMIN_CMD_ANCHOR_CRL, "anchor crl", ACCESS_ADMIN, true, false,
	  admin_anchor_crl, NULL },
	QUERY(CREDSTORE_ADMIN_CMD_GET_CRL, "get crl", query_crl, NULL),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_ADD, "device add", admin_device_add),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT, "device reset-fingerprint",
	       admin_device_reset_fingerprint),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET, "device reset-secret",
	       admin_device_reset_secret),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE, "device promote", admin_device_promote),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB, "device drop-sub", admin_device_drop_sub),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS, "device set-flags", admin_device_set_flags),
	CHANGE(CREDSTORE_ADMIN_CMD_DEVICE_REMOVE, "device remove", admin_device_remove),
	CHANGE(CREDSTORE_ADMIN_CMD_FACTORY_RESET, "factory-reset", admin_factory_reset),
	CHANGE(CREDSTORE_ADMIN_CMD_RESET_DEVICES, "reset-devices", admin_reset_devices),
	{ CREDSTORE_ADMIN_CMD_STORE_STATUS, "store status", ACCESS_ADMIN, false, false,
	  admin_store_status, NULL },
	{ CREDSTORE_ADMIN_CMD_EXPORT, "export", ACCESS_ADMIN, false, false, NULL, admin_export },
	{ CREDSTORE_ADMIN_CMD_IMPORT_BEGIN, "import begin", ACCESS_ADMIN, false, false,
	  admin_import_begin, NULL },
	{ CREDSTORE_ADMIN_CMD_IMPORT_CHUNK, "import chunk", ACCESS_ADMIN, false, false,
	  admin_import_chunk, NULL },
	{ CREDSTORE_ADMIN_CMD_IMPORT, "import", ACCESS_ADMIN, true, false, admin_import, NULL },
	{ CREDSTORE_ADMIN_CMD_BATCH, "batch", ACCESS_ADMIN, true, false, admin_batch, NULL },
};

const struct command *command_find(uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return &commands[i];
	return NULL;
}
