/* Status names, messages and error reports (see status.h). */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
ks_status_name(int status)
{
	switch (status) {
#define KS_STATUS_NAME(name, value, msg) case value: return "KS_" #name;
	KS_STATUS_LIST(KS_STATUS_NAME)
#undef KS_STATUS_NAME
	}
	return "KS_UNKNOWN";
}

const char *
ks_status_str(int status)
{
	switch (status) {
#define KS_STATUS_MSG(name, value, msg) case value: return msg;
	KS_STATUS_LIST(KS_STATUS_MSG)
#undef KS_STATUS_MSG
	}
	return "unknown status";
}

int
ks_status_exit_code(int status)
{
	if (status >= 0)
		return 0;
	if (status < -125)
		return 1;
	return -status;
}

void
ks_err_clear(struct ks_err *err)
{
	if (err == NULL)
		return;
	err->status = KS_OK;
	err->msg[0] = '\0';
}

int
ks_err_set(struct ks_err *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

int
ks_err_errno(struct ks_err *err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (err == NULL)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", strerror(errnum));
	return status;
}
