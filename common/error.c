#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int cs_err_set(struct cs_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && !err->code) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

void cs_err_clear(struct cs_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}
