#include <stdarg.h>
#include <stdio.h>

#include "proxy.h"

void proxy_log(const char *fmt, ...)
{
	va_list ap;

	fputs("credstore-tlsproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
