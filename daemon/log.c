#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static bool use_stderr;

void log_open(bool to_stderr)
{
	use_stderr = to_stderr;
	if (!use_stderr)
		openlog("credstored", LOG_PID, LOG_DAEMON);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (use_stderr) {
		fputs("credstored: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}

bool log_sample(unsigned long *count)
{
	unsigned long n = ++*count;

	while (n % 10 == 0)
		n /= 10;
	return n == 1;
}
