/*
 * Conversion of vector files between word2vec's text and binary formats,
 * as kensho-eval(1)'s convert command does it.
 *
 * The input is read by the vector file reader (vecfile.h: either format,
 * gzip or not, header-less text, "-" for standard input) and written by
 * its writer through an outfile (atomic, gzip when the output's name ends
 * in ".gz", "-" for standard output). Text values are written with "%.9g",
 * which brings every float32 back bit for bit, so binary -> text -> binary
 * gives the same bytes as the first binary file (apart from what the
 * reader drops: repeated words, and the rows after a limit).
 *
 * The whole input is held in memory between the two, so an input may also
 * be its own output: the output replaces it only once it is complete.
 */
#ifndef KS_VECCONVERT_H
#define KS_VECCONVERT_H

#include <stddef.h>

#include "log.h"
#include "status.h"
#include "vecfile.h"

/* The format to write. */
enum ks_vecconvert_to {
	KS_VECCONVERT_OTHER = 0,	/* the other one than the input's (text unless no_header) */
	KS_VECCONVERT_TEXT,
	KS_VECCONVERT_BINARY
};

/* How to convert. Zero-initialised means the defaults. */
struct ks_vecconvert_opts {
	struct ks_vecfile_read_opts read; /* read.max_words: write only the first N rows */
	enum ks_vecconvert_to to;
	int no_header;		/* text without the `V D` line; with KS_VECCONVERT_OTHER it
				 * means text whatever the input; with KS_VECCONVERT_BINARY
				 * it is KS_ERR_USAGE */
	size_t threads;		/* text formatting threads; 0 = one per online processor */
	const struct ks_log *log; /* receives the warning about repeated words; may be NULL */
};

/* What a conversion read and wrote. */
struct ks_vecconvert_report {
	struct ks_vecfile_info in;	/* what the reader found in the input */
	enum ks_vecfile_format out_format;
	int out_header;			/* the output has its `V D` line */
	int out_gzip;			/* the output is gzip-compressed */
	size_t n_words, dim;		/* the rows and dimension written */
};

/*
 * Converts the vector file in_path into out_path as opts says (NULL for
 * the defaults) and, if report is not NULL, fills it in. The output is
 * checked for writability (ks_outfile_check) before the input is read.
 * Errors name the file at fault: KS_ERR_OPEN, KS_ERR_READ, KS_ERR_FORMAT
 * (a malformed input, or one without any vector) and KS_ERR_LIMIT from
 * the reader, KS_ERR_OPEN and KS_ERR_WRITE from the writer, KS_ERR_USAGE
 * for opts that contradict each other. After a failure nothing is left
 * under out_path but what was there before.
 */
int ks_vecconvert(const char *in_path, const char *out_path, const struct ks_vecconvert_opts *opts,
		  struct ks_vecconvert_report *report, struct ks_err *err);

#endif
