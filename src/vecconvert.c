/*
 * Vector file conversion (see vecconvert.h): the reader's set handed to
 * the writer, with the output checked first so that a bad output name
 * costs no read of a large input.
 */
#include "vecconvert.h"

#include <string.h>
#include <unistd.h>

#include "outfile.h"

/* The bytes of word to show in a message: at most 60, not cutting a UTF-8 character. */
static int
convert_disp_len(const char *word)
{
	size_t n = strlen(word);

	if (n > 60) {
		n = 60;
		while (n > 0 && ((unsigned char)word[n] & 0xc0) == 0x80)
			n--;
	}
	return (int)n;
}

/* The formatting threads for a request of want (0 = one per online processor). */
static size_t
convert_threads(size_t want)
{
	long n;

	if (want > 0)
		return want;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (size_t)n : 1;
}

int
ks_vecconvert(const char *in_path, const char *out_path, const struct ks_vecconvert_opts *opts,
	      struct ks_vecconvert_report *report, struct ks_err *err)
{
	static const struct ks_vecconvert_opts defaults;
	struct ks_vecfile_write_opts wo;
	struct ks_vecconvert_report rep;
	struct ks_vecset *vs = NULL;
	int rc;

	if (opts == NULL)
		opts = &defaults;
	memset(&rep, 0, sizeof(rep));
	if (report != NULL)
		*report = rep;
	if (opts->no_header && opts->to == KS_VECCONVERT_BINARY)
		return ks_err_set(err, KS_ERR_USAGE, "%s: a binary vector file cannot go without its "
				  "header", out_path);
	rc = ks_outfile_check(out_path, err);
	if (rc != KS_OK)
		return rc;
	rc = ks_vecfile_read_opts(&vs, in_path, &opts->read, &rep.in, err);
	if (rc != KS_OK)
		return rc;
	if (rep.in.duplicates > 0)
		ks_log(opts->log, KS_LOG_WARN, "%s: %zu repeated word%s ignored (first: '%.*s' again "
		       "at %s %zu)", in_path, rep.in.duplicates, rep.in.duplicates == 1 ? "" : "s",
		       convert_disp_len(vs->words[rep.in.first_duplicate_row]),
		       vs->words[rep.in.first_duplicate_row],
		       rep.in.format == KS_VECFILE_BINARY ? "record" : "line",
		       rep.in.first_duplicate_at);
	if (vs->n_words == 0) {
		ks_vecset_destroy(vs);
		return ks_err_set(err, KS_ERR_FORMAT, "%s: the file holds no vectors", in_path);
	}
	memset(&wo, 0, sizeof(wo));
	if (opts->to == KS_VECCONVERT_TEXT || opts->no_header)
		wo.format = KS_VECFILE_TEXT;
	else if (opts->to == KS_VECCONVERT_BINARY)
		wo.format = KS_VECFILE_BINARY;
	else
		wo.format = rep.in.format == KS_VECFILE_TEXT ? KS_VECFILE_BINARY : KS_VECFILE_TEXT;
	wo.no_header = opts->no_header;
	wo.threads = convert_threads(opts->threads);
	rc = ks_vecfile_write_opts(out_path, &wo, (const char *const *)vs->words, vs->vecs,
				   vs->n_words, vs->dim, err);
	rep.out_format = wo.format;
	rep.out_header = !wo.no_header;
	rep.out_gzip = ks_outfile_wants_gzip(out_path);
	rep.n_words = vs->n_words;
	rep.dim = vs->dim;
	ks_vecset_destroy(vs);
	if (rc == KS_OK && report != NULL)
		*report = rep;
	return rc;
}
