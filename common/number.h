/* Strict number parsing for command lines: all digits, in range, nothing
 * after ("10x", "", "-1" and "0x10" are refused, not read as something). */
#ifndef CREDSTORE_NUMBER_H
#define CREDSTORE_NUMBER_H

/* 0 and *out in [min, max], or -1. */
int cs_parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out);

/* A duration: a number with an optional unit s, m, h or d (days when
 * default_unit is 'd' and none is given); seconds in [0, max]. */
int cs_parse_duration(const char *text, char default_unit, unsigned long max,
		      unsigned long *seconds);

#endif
