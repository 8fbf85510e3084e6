/* csnl: command and attribute names, printing replies, building requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/credstore.h>
#include "csnl.h"

static const char *const cmd_names[] = {
	[CREDSTORE_CMD_GET_STATUS] = "status",
	[CREDSTORE_CMD_GET_IDENTITY] = "identity",
	[CREDSTORE_CMD_GET_ANCHOR] = "anchor",
	[CREDSTORE_CMD_GET_DEVICE] = "device",
	[CREDSTORE_CMD_VERIFY_FINGERPRINT] = "verify-fp",
	[CREDSTORE_CMD_VERIFY_SECRET] = "verify-secret",
	[CREDSTORE_CMD_GET_DEVICE_SECRETS] = "secrets",
	[CREDSTORE_CMD_PUBLISH_BEGIN] = "begin",
	[CREDSTORE_CMD_PUBLISH_RECORDS] = "records",
	[CREDSTORE_CMD_PUBLISH_COMMIT] = "commit",
	[CREDSTORE_CMD_PUBLISH_ABORT] = "abort",
	[CREDSTORE_CMD_PUBLISH_UPDATE] = "update",
	[CREDSTORE_CMD_RETRACT] = "retract",
	[CREDSTORE_CMD_NOTIFY] = "notify",
	[CREDSTORE_CMD_VERIFY_HMAC] = "verify-hmac",
};

enum fmt { F_NONE, F_U8, F_U32, F_U64, F_STR, F_HEX, F_NEST, F_KIND, F_MATCH };

static const struct {
	const char *name;
	enum fmt fmt;
} attr_names[CREDSTORE_A_MAX + 1] = {
	[CREDSTORE_A_PAD] = { "pad", F_NONE },
	[CREDSTORE_A_GENERATION] = { "generation", F_U64 },
	[CREDSTORE_A_KIND] = { "kind", F_KIND },
	[CREDSTORE_A_NAME] = { "name", F_STR },
	[CREDSTORE_A_DEVICE_ID] = { "id", F_STR },
	[CREDSTORE_A_FINGERPRINT] = { "fp", F_HEX },
	[CREDSTORE_A_SECRET] = { "secret", F_HEX },
	[CREDSTORE_A_MATCH] = { "match", F_MATCH },
	[CREDSTORE_A_CHAIN] = { "chain", F_HEX },
	[CREDSTORE_A_KEY] = { "key", F_HEX },
	[CREDSTORE_A_MASTER_FP] = { "mfp", F_HEX },
	[CREDSTORE_A_SUB_FP] = { "sfp", F_HEX },
	[CREDSTORE_A_MASTER_SECRET] = { "msec", F_HEX },
	[CREDSTORE_A_SUB_SECRET] = { "ssec", F_HEX },
	[CREDSTORE_A_FLAGS] = { "flags", F_U32 },
	[CREDSTORE_A_RECORDS] = { "records", F_NEST },
	[CREDSTORE_A_RECORD] = { "record", F_NEST },
	[CREDSTORE_A_STATUS_IDENTITIES] = { "identities", F_U32 },
	[CREDSTORE_A_STATUS_ANCHORS] = { "anchors", F_U32 },
	[CREDSTORE_A_STATUS_DEVICES] = { "devices", F_U32 },
	[CREDSTORE_A_STATUS_PUBLISHER] = { "publisher", F_U8 },
	[CREDSTORE_A_STATUS_MAX_ENTRIES] = { "max_entries", F_U32 },
	[CREDSTORE_A_STATUS_MAX_BYTES] = { "max_bytes", F_U32 },
	[CREDSTORE_A_STATUS_BYTES] = { "bytes", F_U32 },
	[CREDSTORE_A_HMAC_MESSAGE] = { "hmac_message", F_HEX },
	[CREDSTORE_A_HMAC] = { "hmac", F_HEX },
	[CREDSTORE_A_EVENT] = { "event", F_U8 },
	[CREDSTORE_A_NOT_AFTER] = { "not_after", F_U64 },
};

static const char *const kind_names[] = {
	[CREDSTORE_KIND_IDENTITY] = "identity",
	[CREDSTORE_KIND_ANCHOR] = "anchor",
	[CREDSTORE_KIND_DEVICE] = "device",
	[CREDSTORE_KIND_SNAPSHOT] = "snapshot",
};

static const char *const match_names[] = {
	[CREDSTORE_MATCH_NONE] = "none",
	[CREDSTORE_MATCH_MASTER] = "master",
	[CREDSTORE_MATCH_SUB] = "sub",
};

static int lookup(const char *const *names, int n, const char *name)
{
	char *end;
	long v;

	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	v = strtol(name, &end, 0);
	return *name && !*end && v >= 0 && v < 256 ? (int)v : -1;
}

int csnl_cmd_number(const char *name)
{
	return lookup(cmd_names, sizeof(cmd_names) / sizeof(cmd_names[0]), name);
}

static int attr_number(const char *name)
{
	for (int i = 0; i <= CREDSTORE_A_MAX; i++)
		if (attr_names[i].name && !strcmp(attr_names[i].name, name))
			return i;
	return lookup(NULL, 0, name);
}

static int kind_number(const char *name)
{
	return lookup(kind_names, sizeof(kind_names) / sizeof(kind_names[0]),
		      name);
}

static void print_hex(const uint8_t *p, int len)
{
	for (int i = 0; i < len; i++)
		printf("%02x", p[i]);
}

static void print_named(const char *const *names, int n, unsigned int v)
{
	if (v < (unsigned int)n && names[v])
		printf("%s", names[v]);
	else
		printf("%u", v);
}

/* One line: name=value for every attribute, nests flattened. */
static void print_attr(const struct nlattr *a)
{
	int type = nla_type(a);
	enum fmt fmt = type <= CREDSTORE_A_MAX ? attr_names[type].fmt : F_HEX;

	if (fmt == F_NONE)
		return;
	if (fmt == F_NEST) {
		csnl_print_attrs(nla_data(a), nla_len(a));
		return;
	}
	if (type <= CREDSTORE_A_MAX && attr_names[type].name)
		printf("%s=", attr_names[type].name);
	else
		printf("attr%d=", type);
	switch (fmt) {
	case F_U8:
		printf("%u", nla_get_u8((struct nlattr *)a));
		break;
	case F_U32:
		printf("%u", nla_get_u32((struct nlattr *)a));
		break;
	case F_U64:
		printf("%llu", (unsigned long long)nla_get_u64((struct nlattr *)a));
		break;
	case F_STR:
		printf("%.*s", nla_len(a), (const char *)nla_data(a));
		break;
	case F_KIND:
		print_named(kind_names, sizeof(kind_names) / sizeof(kind_names[0]),
			    nla_get_u8((struct nlattr *)a));
		break;
	case F_MATCH:
		print_named(match_names,
			    sizeof(match_names) / sizeof(match_names[0]),
			    nla_get_u8((struct nlattr *)a));
		break;
	default:
		print_hex(nla_data(a), nla_len(a));
	}
	printf(" ");
}

void csnl_print_attrs(struct nlattr *attrs, int len)
{
	static int depth;
	struct nlattr *a;
	int rem;

	depth++;
	nla_for_each_attr(a, attrs, len, rem)
		print_attr(a);
	if (--depth == 0)
		printf("\n");
}

int csnl_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	if (strlen(hex) % 2 || n > max)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return (int)n;
}

static int put_hex(struct nl_msg *msg, int type, const char *hex)
{
	static uint8_t buf[1 << 16];
	int n = csnl_hex(hex, buf, sizeof(buf));

	return n < 0 ? -EINVAL : nla_put(msg, type, n, buf);
}

static int put_zeros(struct nl_msg *msg, int type, const char *len)
{
	size_t n = strtoul(len, NULL, 0);
	void *buf = calloc(1, n + 1);
	int err = buf ? nla_put(msg, type, n, buf) : -ENOMEM;

	free(buf);
	return err;
}

/* TYPE:FORMAT[:VALUE]; TYPE:nest is followed by { ATTR... }. */
static int put_raw_attr(struct nl_msg *msg, char **tok, int n, int *used)
{
	char spec[256], *type_s, *fmt, *val;
	struct nlattr *nest;
	int type, err, inner;

	snprintf(spec, sizeof(spec), "%s", tok[0]);
	*used = 1;
	type_s = strtok(spec, ":");
	fmt = strtok(NULL, ":");
	val = strtok(NULL, "");
	type = type_s ? attr_number(type_s) : -1;
	if (type < 0 || !fmt)
		return -EINVAL;
	if (!strcmp(fmt, "nest")) {
		if (n < 2 || strcmp(tok[1], "{"))
			return -EINVAL;
		nest = nla_nest_start(msg, type);
		err = csnl_put_raw_attrs(msg, tok + 2, n - 2, &inner);
		if (err || 2 + inner >= n || strcmp(tok[2 + inner], "}"))
			return err ?: -EINVAL;
		nla_nest_end(msg, nest);
		*used = 3 + inner;
		return 0;
	}
	if (!strcmp(fmt, "flag"))
		return nla_put_flag(msg, type);
	if (!val)
		return -EINVAL;
	if (!strcmp(fmt, "u8"))
		return nla_put_u8(msg, type, strtoul(val, NULL, 0));
	if (!strcmp(fmt, "u16"))
		return nla_put_u16(msg, type, strtoul(val, NULL, 0));
	if (!strcmp(fmt, "u32"))
		return nla_put_u32(msg, type, strtoul(val, NULL, 0));
	if (!strcmp(fmt, "u64"))
		return nla_put_u64(msg, type, strtoull(val, NULL, 0));
	if (!strcmp(fmt, "kind"))
		return nla_put_u8(msg, type, kind_number(val));
	if (!strcmp(fmt, "str"))
		return nla_put_string(msg, type, val);
	if (!strcmp(fmt, "bytes"))
		return nla_put(msg, type, strlen(val), val);
	if (!strcmp(fmt, "hex"))
		return put_hex(msg, type, val);
	if (!strcmp(fmt, "zero"))
		return put_zeros(msg, type, val);
	return -EINVAL;
}

/* Attributes up to the end of @tok or a "}"; *@used: tokens taken. */
int csnl_put_raw_attrs(struct nl_msg *msg, char **tok, int n, int *used)
{
	int i = 0, k, err;

	while (i < n && strcmp(tok[i], "}")) {
		err = put_raw_attr(msg, tok + i, n - i, &k);
		if (err) {
			fprintf(stderr, "csnl: bad attribute '%s'\n", tok[i]);
			return err;
		}
		i += k;
	}
	*used = i;
	return 0;
}

static int put_file(struct nl_msg *msg, int type, const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "csnl: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return nla_put(msg, type, n, buf);
}

static const struct {
	const char *key;
	int type;
} device_fields[] = {
	{ "mfp", CREDSTORE_A_MASTER_FP },
	{ "sfp", CREDSTORE_A_SUB_FP },
	{ "msec", CREDSTORE_A_MASTER_SECRET },
	{ "ssec", CREDSTORE_A_SUB_SECRET },
};

static int put_device_field(struct nl_msg *msg, const char *field)
{
	const char *eq = strchr(field, '=');
	size_t klen = eq ? (size_t)(eq - field) : 0;

	if (!eq)
		return -EINVAL;
	if (!strncmp(field, "flags", klen) && klen == 5)
		return nla_put_u32(msg, CREDSTORE_A_FLAGS,
				   strtoul(eq + 1, NULL, 0));
	for (size_t i = 0; i < sizeof(device_fields) / sizeof(device_fields[0]); i++)
		if (strlen(device_fields[i].key) == klen &&
		    !strncmp(field, device_fields[i].key, klen))
			return put_hex(msg, device_fields[i].type, eq + 1);
	return -EINVAL;
}

/* identity NAME CHAINFILE | anchor NAME CHAINFILE |
 * device ID [mfp=HEX] [sfp=HEX] [msec=HEX] [ssec=HEX] [flags=N] */
static int put_record(struct nl_msg *msg, char **tok, int n)
{
	struct nlattr *rec = nla_nest_start(msg, CREDSTORE_A_RECORD);
	int kind = n ? kind_number(tok[0]) : -1, err = -EINVAL;

	if ((kind == CREDSTORE_KIND_IDENTITY || kind == CREDSTORE_KIND_ANCHOR) &&
	    n == 3)
		err = nla_put_u8(msg, CREDSTORE_A_KIND, kind) ?:
		      nla_put_string(msg, CREDSTORE_A_NAME, tok[1]) ?:
		      put_file(msg, CREDSTORE_A_CHAIN, tok[2]);
	else if (kind == CREDSTORE_KIND_DEVICE && n >= 2) {
		err = nla_put_u8(msg, CREDSTORE_A_KIND, kind) ?:
		      nla_put_string(msg, CREDSTORE_A_DEVICE_ID, tok[1]);
		for (int i = 2; i < n && !err; i++)
			err = put_device_field(msg, tok[i]);
	}
	if (err) {
		fprintf(stderr, "csnl: bad record '%s ...'\n", n ? tok[0] : "");
		return err;
	}
	nla_nest_end(msg, rec);
	return 0;
}

/* RECORDS of records separated by ",". */
int csnl_put_records(struct nl_msg *msg, char **tok, int n)
{
	struct nlattr *records = nla_nest_start(msg, CREDSTORE_A_RECORDS);
	int start = 0, err;

	for (int i = 0; i <= n; i++) {
		if (i < n && strcmp(tok[i], ","))
			continue;
		err = put_record(msg, tok + start, i - start);
		if (err)
			return err;
		start = i + 1;
	}
	nla_nest_end(msg, records);
	return 0;
}

/* The fingerprints of generated device @i: 'm'aster or 's'ub. */
void csnl_device_fp(char which, unsigned long i, uint8_t fp[32])
{
	for (int k = 0; k < 32; k++)
		fp[k] = (uint8_t)(0xa5 ^ (k * 7));
	fp[0] = (uint8_t)which;
	for (int k = 0; k < 8; k++)
		fp[1 + k] = (uint8_t)(i >> (8 * k));
}

/* Devices PREFIX<from>..PREFIX<to - 1> with generated fingerprints and
 * secrets, in one RECORDS nest. */
int csnl_put_generated_devices(struct nl_msg *msg, const char *prefix,
			       char mtag, char stag, unsigned long from,
			       unsigned long to)
{
	struct nlattr *records = nla_nest_start(msg, CREDSTORE_A_RECORDS);
	uint8_t fp[32];
	char id[CREDSTORE_DEVICE_ID_MAX];

	for (unsigned long i = from; i < to; i++) {
		struct nlattr *rec = nla_nest_start(msg, CREDSTORE_A_RECORD);

		snprintf(id, sizeof(id), "%s%lu", prefix, i);
		if (!rec || nla_put_u8(msg, CREDSTORE_A_KIND, CREDSTORE_KIND_DEVICE) ||
		    nla_put_string(msg, CREDSTORE_A_DEVICE_ID, id))
			return -EMSGSIZE;
		csnl_device_fp(mtag, i, fp);
		if (nla_put(msg, CREDSTORE_A_MASTER_FP, 32, fp) ||
		    nla_put(msg, CREDSTORE_A_MASTER_SECRET, 16, fp))
			return -EMSGSIZE;
		csnl_device_fp(stag, i, fp);
		if (nla_put(msg, CREDSTORE_A_SUB_FP, 32, fp) ||
		    nla_put(msg, CREDSTORE_A_SUB_SECRET, 16, fp))
			return -EMSGSIZE;
		nla_nest_end(msg, rec);
	}
	nla_nest_end(msg, records);
	return 0;
}
