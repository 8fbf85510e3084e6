/* Monotonic counters off the flash partition.  A counter only grows; the
 * store binds its generation to one (store/FORMAT.md, "Rollback"), so
 * that an image written back from an older time reads as older than the
 * counter.  Two backends: a file on another medium (counter_file.c) and a
 * TPM 2.0 NV counter (counter_tpm.c, libtss2-esys).  Neither knows the
 * store: a value is a number that never goes down. */
#ifndef CREDSTORE_COUNTER_H
#define CREDSTORE_COUNTER_H

#include <stdint.h>

#include "error.h"

struct counter;

struct counter_ops {
	/* The value; 0 if the counter was never advanced (a file that does
	 * not exist, an NV index not yet written). */
	int (*read)(struct counter *c, uint64_t *value, struct cs_err *err);
	/* Raises the counter to target at least, durably before it returns
	 * (never lowers it).  -ERANGE: the backend cannot get there in
	 * reasonable time (a TPM counter moves by one per command). */
	int (*advance)(struct counter *c, uint64_t target, struct cs_err *err);
	void (*close)(struct counter *c);
};

struct counter {
	const struct counter_ops *ops;
	char name[160];			/* "counter file PATH", "TPM NV counter 0x..." */
};

/* The counter in a file of two slots, one rewritten in place per advance
 * (counter_file.c); its directory must exist.  Nothing is read or
 * created here. */
struct counter *counter_file_open(const char *path, struct cs_err *err);

/* The TPM 2.0 NV counter at nv_index (0x01000000..0x01ffffff), defined
 * with the owner hierarchy's empty password if it does not exist yet;
 * tcti: a TCTI configuration ("device:/dev/tpmrm0", "swtpm:path=SOCK"),
 * NULL for libtss2's default. */
#define COUNTER_TPM_INCREMENTS_MAX	64	/* per advance */
struct counter *counter_tpm_open(uint32_t nv_index, const char *tcti, struct cs_err *err);

static inline int counter_read(struct counter *c, uint64_t *value, struct cs_err *err)
{
	return c->ops->read(c, value, err);
}

static inline int counter_advance(struct counter *c, uint64_t target, struct cs_err *err)
{
	return c->ops->advance(c, target, err);
}

static inline void counter_close(struct counter *c)
{
	if (c)
		c->ops->close(c);
}

#endif
