/* Formatting front end of the logging callback (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void
ks_log(const struct ks_log *log, enum ks_log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (log == NULL || log->fn == NULL || (int)level > log->max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log->fn(log->ctx, level, buf);
}
