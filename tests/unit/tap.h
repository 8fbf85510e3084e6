/* Minimal TAP output for the unit tests: tests/run counts the lines. */
#ifndef CREDSTORE_TAP_H
#define CREDSTORE_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_failures;
static int tap_count;

/* ok(condition, "description %s", ...): one TAP line; returns condition. */
__attribute__((format(printf, 2, 3)))
static inline int ok(int condition, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", condition ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!condition)
		tap_failures++;
	return condition;
}

/* The exit status of a test program. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
