/*
 * Checked parsing of numeric option values (see optarg.h).
 */
#include "optarg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int
ks_optarg_long(const char *name, const char *val, long min, long max, long *out,
	       struct ks_err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (end == val || *end != '\0')
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' is not an integer", name, val);
	if (errno == ERANGE || v < min || v > max)
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: %s is out of range [%ld, %ld]",
				  name, val, min, max);
	*out = v;
	return KS_OK;
}

int
ks_optarg_double(const char *name, const char *val, double min, double max, double *out,
		 struct ks_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (end == val || *end != '\0')
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' is not a number", name, val);
	if (!isfinite(v))
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' is not a finite number",
				  name, val);
	if (errno == ERANGE || v < min || v > max)
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: %s is out of range [%g, %g]",
				  name, val, min, max);
	*out = v;
	return KS_OK;
}
