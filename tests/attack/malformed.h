/* Test-only: commit payloads whose every op is shaped like one but breaks
 * a limit of the format (store/FORMAT.md, "Operations"): what a buggy or
 * hostile writer could put behind a valid CRC.  Each must be refused
 * whole at mount (tests/unit/test_store_bounds.c); each is a libFuzzer
 * seed too (tests/fuzz/fuzz_mount.c). */
#ifndef CREDSTORE_TEST_MALFORMED_H
#define CREDSTORE_TEST_MALFORMED_H

#include <stddef.h>
#include <stdint.h>

/* The key of the record each payload tries to put. */
#define MALFORMED_KEY	"forged"

struct malformed {
	const char *name;		/* of its fuzz seed */
	const char *what;
	/* Writes the payload at out (at most room bytes: an op that does not
	 * fit is cut there, its header unchanged); returns its length and
	 * sets *ops to the op count its commit header claims. */
	uint32_t (*craft)(uint8_t *out, uint32_t room, uint16_t *ops);
};

extern const struct malformed malformed_payloads[];
extern const size_t malformed_count;

#endif
