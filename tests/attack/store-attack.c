/* store-attack: edits a credstored image file (flash_emu.h) like an
 * attacker without the store key, for the tests (attack.h).  Run it on an
 * image no daemon has open.
 *
 * usage: store-attack IMAGE COMMAND [ARGS]
 *   list                       every commit a mount could read
 *   add TYPE KEY VALUE         a forged put (VALUE as text)
 *   add-device ID FINGERPRINT  a forged fingerprint-only device, encoded as
 *                              credstored encodes devices (64 hex digits)
 *   flip TYPE KEY INDEX MASK   byte INDEX of the newest value xor MASK
 *   drop-delete TYPE KEY       the newest delete of KEY made to miss (another key)
 *   replay TYPE KEY            the oldest commit that puts KEY copied to the head
 *   swap A B                   eraseblocks A and B exchanged
 * TYPE: meta, identity, anchor or device.  Exit 0: done; 1: nothing to
 * attack (no such record, no room); 2: usage or an unreadable image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "flash_emu.h"
#include "model.h"

static int usage(void)
{
	fprintf(stderr, "usage: store-attack IMAGE list | add TYPE KEY VALUE | add-device ID FP |\n"
		"       flip TYPE KEY INDEX MASK | drop-delete TYPE KEY | replay TYPE KEY | swap A B\n");
	return 2;
}

static int record_type(const char *name)
{
	static const char *const names[] = { "meta", "identity", "anchor", "device" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(name, names[i]))
			return STORE_REC_META + i;
	return -1;
}

static int list(struct flash *f)
{
	struct attack_log log;
	int rc = attack_scan(f, &log);

	for (size_t i = 0; !rc && i < log.n; i++) {
		const struct attack_commit *c = &log.c[i];

		printf("seq %llu block %u offset %u: generation %llu, %u ops, %u bytes%s\n",
		       (unsigned long long)c->seq, c->block[0], c->offset,
		       (unsigned long long)c->h.generation, c->h.op_count, c->h.raw_len,
		       c->h.flags & COMMIT_FLAG_LZ4 ? " (LZ4)" : "");
	}
	attack_log_free(&log);
	return rc;
}

static int parse_hex(const char *hex, uint8_t *out, size_t len)
{
	if (strlen(hex) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -EINVAL;
	return 0;
}

static int add_device(struct flash *f, const char *id, const char *fp)
{
	struct model_device d = { .has_fp = { true } };
	struct store_record r = { 0 };
	int rc;

	snprintf(d.id, sizeof(d.id), "%s", id);
	if (parse_hex(fp, d.fp[SLOT_MASTER], CREDSTORE_FINGERPRINT_LEN))
		return -EINVAL;
	rc = model_device_encode(&d, &r, NULL);
	if (!rc)
		rc = attack_add_record(f, STORE_REC_DEVICE, r.key, r.key_len, r.value, r.value_len);
	model_record_release(&r);
	return rc;
}

static int run(struct flash *f, int argc, char **argv)
{
	const char *cmd = argv[0];
	int type = argc > 1 ? record_type(argv[1]) : -1;

	if (!strcmp(cmd, "list") && argc == 1)
		return list(f);
	if (!strcmp(cmd, "add-device") && argc == 3)
		return add_device(f, argv[1], argv[2]);
	if (!strcmp(cmd, "swap") && argc == 3)
		return attack_swap(f, (uint32_t)strtoul(argv[1], NULL, 0),
				   (uint32_t)strtoul(argv[2], NULL, 0));
	if (type < 0)
		return -EINVAL;
	if (!strcmp(cmd, "add") && argc == 4)
		return attack_add_record(f, (uint8_t)type, argv[2], strlen(argv[2]), argv[3],
					 strlen(argv[3]));
	if (!strcmp(cmd, "flip") && argc == 5)
		return attack_flip(f, (uint8_t)type, argv[2], strlen(argv[2]),
				   strtoul(argv[3], NULL, 0), (uint8_t)strtoul(argv[4], NULL, 0));
	if (!strcmp(cmd, "drop-delete") && argc == 3)
		return attack_drop_delete(f, (uint8_t)type, argv[2], strlen(argv[2]));
	if (!strcmp(cmd, "replay") && argc == 3)
		return attack_replay(f, (uint8_t)type, argv[2], strlen(argv[2]));
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct cs_err err = { 0 };
	struct flash_geometry geo = { 0 };
	struct flash *f;
	int rc;

	if (argc < 3)
		return usage();
	f = flash_emu_open(argv[1], &geo, NULL, &err);
	if (!f) {
		fprintf(stderr, "store-attack: %s\n", err.msg);
		return 2;
	}
	rc = run(f, argc - 2, argv + 2);
	flash_close(f);
	if (rc == -EINVAL)
		return usage();
	if (rc)
		fprintf(stderr, "store-attack: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}
