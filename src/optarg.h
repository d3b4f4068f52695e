/*
 * Checked parsing of numeric option values, shared by the tools' command
 * lines (kensho's config.c, kensho-phrases), so that every tool refuses the
 * same malformed numbers with the same words.
 */
#ifndef KS_OPTARG_H
#define KS_OPTARG_H

#include "status.h"

/*
 * Parses val, the value of option -name, as a decimal integer in
 * [min, max] into *out. Trailing bytes, overflow and values out of range
 * give KS_ERR_USAGE with a message naming the option; *out is then
 * unchanged.
 */
int ks_optarg_long(const char *name, const char *val, long min, long max, long *out,
		   struct ks_err *err);

/*
 * As ks_optarg_long for a finite floating-point number in [min, max];
 * NaN and infinities are refused.
 */
int ks_optarg_double(const char *name, const char *val, double min, double max, double *out,
		     struct ks_err *err);

#endif
