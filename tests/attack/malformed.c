/* The malformed payloads of malformed.h. */
#include <string.h>

#include "malformed.h"
#include "seal.h"
#include "store.h"
#include "store_layout.h"

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* A put of MALFORMED_KEY whose header declares a value and a "sealed"
 * secret of the given sizes (filler bytes follow), cut at room; the op
 * header is written by hand, as FORMAT.md lays it out. */
static uint32_t put(uint8_t *out, uint32_t room, uint8_t type, uint8_t flags,
		    uint16_t value_len, uint16_t secret_len)
{
	const uint8_t key_len = sizeof(MALFORMED_KEY) - 1;
	uint8_t op[OP_HEADER_SIZE + sizeof(MALFORMED_KEY)] = {
		OP_PUT, type, key_len, flags, (uint8_t)value_len, (uint8_t)(value_len >> 8),
		(uint8_t)secret_len, (uint8_t)(secret_len >> 8),
	};
	uint32_t size = min32(OP_HEADER_SIZE + key_len + value_len + secret_len, room);

	memcpy(op + OP_HEADER_SIZE, MALFORMED_KEY, key_len);
	memset(out, 0x41, size);
	memcpy(out, op, min32(size, OP_HEADER_SIZE + key_len));
	return size;
}

static uint32_t value_too_long(uint8_t *out, uint32_t room, uint16_t *ops)
{
	*ops = 1;
	return put(out, room, STORE_REC_DEVICE, 0, STORE_VALUE_MAX + 1, 0);
}

static uint32_t secret_too_long(uint8_t *out, uint32_t room, uint16_t *ops)
{
	*ops = 1;
	return put(out, room, STORE_REC_DEVICE, OP_FLAG_SEALED, 16, 60000);
}

static uint32_t seal_too_short(uint8_t *out, uint32_t room, uint16_t *ops)
{
	*ops = 1;
	return put(out, room, STORE_REC_DEVICE, OP_FLAG_SEALED, 16, SEAL_OVERHEAD - 1);
}

static uint32_t unknown_type(uint8_t *out, uint32_t room, uint16_t *ops)
{
	*ops = 1;
	return put(out, room, STORE_REC_TYPE_MAX + 1, 0, 16, 0);
}

static uint32_t unknown_flag(uint8_t *out, uint32_t room, uint16_t *ops)
{
	*ops = 1;
	return put(out, room, STORE_REC_DEVICE, 0x80, 16, 0);
}

static uint32_t op_count_high(uint8_t *out, uint32_t room, uint16_t *ops)
{
	*ops = 2;
	return put(out, room, STORE_REC_DEVICE, 0, 16, 0);
}

/* A good put, then one cut short: the good one must not be applied. */
static uint32_t second_op_cut(uint8_t *out, uint32_t room, uint16_t *ops)
{
	uint32_t n = put(out, room, STORE_REC_DEVICE, 0, 16, 0);

	*ops = 2;
	return n + put(out + n, room - n, STORE_REC_DEVICE, 0, 16, 0) - 1;
}

static uint32_t marker_parts(uint8_t *out, uint32_t room, uint16_t *ops)
{
	uint8_t value[PART_MARKER_LEN] = { 0, 0, 0, 0, 5, 0, 0, 0 };	/* index 0 of 5 */
	struct op op = { .kind = OP_PART, .value_len = PART_MARKER_LEN, .gen = 99,
			 .has_gen = true, .key = value, .value = value, .secret = value };
	uint32_t n = (uint32_t)op_encode(&op, out);

	*ops = 2;
	return n + put(out + n, room - n, STORE_REC_DEVICE, 0, 16, 0);
}

const struct malformed malformed_payloads[] = {
	{ "bound-value", "a value one byte past STORE_VALUE_MAX", value_too_long },
	{ "bound-secret", "a sealed secret of 60000 bytes (past STORE_SECRET_MAX)",
	  secret_too_long },
	{ "bound-seal", "a sealed secret shorter than the seal's overhead", seal_too_short },
	{ "bound-type", "a record type the store does not know", unknown_type },
	{ "bound-flag", "an op flag the store does not know", unknown_flag },
	{ "bound-count", "an op count above the ops in the payload", op_count_high },
	{ "bound-cut", "a good op followed by one cut short", second_op_cut },
	{ "bound-marker", "a part marker of part 0 claiming 5 parts", marker_parts },
};

const size_t malformed_count = sizeof(malformed_payloads) / sizeof(malformed_payloads[0]);
