/*
 * Status codes and error reports shared by the whole library.
 *
 * Every fallible function returns an int: KS_OK (0) or a negative status
 * from the list below, and fills a struct ks_err with a message that names
 * the file, line or option at fault. The numbers never change: the tools
 * exit with -status, and man/kensho.1 lists them, so scripts may rely on
 * them. Names and messages are generated from the one list so they cannot
 * drift apart.
 */
#ifndef KS_STATUS_H
#define KS_STATUS_H

#include <stddef.h>

/* X(name, value, message) */
#define KS_STATUS_LIST(X) \
	X(OK,              0, "success") \
	X(ERR_INTERNAL,   -1, "internal error") \
	X(ERR_USAGE,      -2, "invalid command line") \
	X(ERR_NOMEM,      -3, "out of memory") \
	X(ERR_OPEN,       -4, "cannot open file") \
	X(ERR_READ,       -5, "read error") \
	X(ERR_WRITE,      -6, "write error") \
	X(ERR_FORMAT,     -7, "malformed input") \
	X(ERR_EMPTY,      -8, "nothing to train on") \
	X(ERR_THREAD,     -9, "cannot start thread") \
	X(ERR_DIVERGED,  -10, "training diverged") \
	X(ERR_INTERRUPTED, -11, "interrupted") \
	X(ERR_NOT_FOUND, -12, "not found") \
	X(ERR_LIMIT,     -13, "limit exceeded")

enum ks_status {
#define KS_STATUS_ENUM(name, value, msg) KS_##name = value,
	KS_STATUS_LIST(KS_STATUS_ENUM)
#undef KS_STATUS_ENUM
};

/* The symbolic name of a status ("KS_ERR_OPEN"), or "KS_UNKNOWN". */
const char *ks_status_name(int status);

/* A short English description of a status. */
const char *ks_status_str(int status);

/* The process exit code for a status: 0 for KS_OK, -status otherwise. */
int ks_status_exit_code(int status);

#define KS_ERR_MSG_MAX 1024

/* An error report: the status and a message naming what went wrong. */
struct ks_err {
	int status;
	char msg[KS_ERR_MSG_MAX];
};

/* Clears an error report. */
void ks_err_clear(struct ks_err *err);

/*
 * Records status and a printf-style message in err (which may be NULL) and
 * returns status, so callers can write `return ks_err_set(err, ...)`.
 */
int ks_err_set(struct ks_err *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As ks_err_set, appending ": strerror(errnum)" to the message. */
int ks_err_errno(struct ks_err *err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
