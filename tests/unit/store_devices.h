/* Device records as bench/flash and the store's capacity tests write
 * them, the credential workload at its hardest: a random 64-byte id (the
 * key) and 72 random bytes standing for two SHA-256 fingerprints and
 * flags (the value), nothing a compressor can shrink. */
#ifndef CREDSTORE_TEST_STORE_DEVICES_H
#define CREDSTORE_TEST_STORE_DEVICES_H

#include <stdlib.h>

#include "store.h"

#define DEV_ID_LEN	64
#define DEV_VALUE_LEN	72

static inline void dev_random_bytes(uint64_t seed, uint8_t *out, size_t len)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (uint8_t)(x >> 56);
	}
}

/* Stages version `version` of device i, its value value_len bytes long
 * (at most DEV_VALUE_LEN + 64); aborts if the store refuses to stage it. */
static inline void dev_put(struct store_txn *t, uint32_t i, uint32_t version, size_t value_len)
{
	uint8_t id[DEV_ID_LEN], value[DEV_VALUE_LEN + 64];
	struct store_record r = { STORE_REC_DEVICE, id, DEV_ID_LEN, value, value_len, NULL, 0 };

	dev_random_bytes(i, id, DEV_ID_LEN);
	dev_random_bytes((uint64_t)i << 32 | version, value, value_len);
	if (store_txn_put(t, &r, NULL))
		abort();
}

/* The store's capacity a device takes. */
static inline size_t dev_size(size_t value_len)
{
	struct store_record r = { STORE_REC_DEVICE, "", DEV_ID_LEN, "", value_len, NULL, 0 };

	return store_record_size(&r);
}

#endif
