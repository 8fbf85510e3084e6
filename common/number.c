#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "number.h"

static int digits(const char *text, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned long d = (unsigned long)(text[i] - '0');

		if (!isdigit((unsigned char)text[i]) || v > (ULONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int cs_parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;

	if (digits(text, strlen(text), max, &v) < 0 || v < min)
		return -1;
	*out = v;
	return 0;
}

int cs_parse_duration(const char *text, char default_unit, unsigned long max,
		      unsigned long *seconds)
{
	static const struct { char unit; unsigned long seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	size_t n = strlen(text);
	char unit = n && isalpha((unsigned char)text[n - 1]) ? text[n - 1] : default_unit;
	unsigned long v;

	if (n && isalpha((unsigned char)text[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == unit && digits(text, n, max / units[i].seconds, &v) == 0) {
			*seconds = v * units[i].seconds;
			return 0;
		}
	return -1;
}
