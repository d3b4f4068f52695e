/*
 * Fuzzes the word-vector file reader (src/vecfile.c): text, binary,
 * header-less text, plain or gzip.
 *
 * The first input byte: bit 0 gzips the rest; bits 1-2 choose max_words
 * (all, 1, 2, 5); bit 3 asks for duplicates to be rejected; bit 4 writes
 * what was read in both formats and reads it back, told the format and
 * detecting it, which must give the same words and the same float bits
 * (the writer's "%.9g" is exact), but for the documented ambiguity of a
 * binary file that also reads as text; bits 5-6 name the format to read
 * (0 and 3 detect it, 1 text, 2 binary).
 *
 * Checked: every word is non-empty and finds its own row, every value is
 * finite, the counts in the report agree with the set.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vecfile.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_set(const struct ks_vecset *vs)
{
	size_t i;

	if (vs->dim == 0 || vs->dim > KS_VECFILE_MAX_DIM)
		fuzz_fail("dimension out of range");
	for (i = 0; i < vs->n_words; i++) {
		size_t len = strlen(vs->words[i]);

		if (len == 0)
			fuzz_fail("empty word");
		if (ks_vecset_find(vs, vs->words[i], len) != (long)i)
			fuzz_fail("a word does not find its own row");
	}
	for (i = 0; i < vs->n_words * vs->dim; i++)
		if (!isfinite(vs->vecs[i]))
			fuzz_fail("a value is not finite");
}

/* Reads path back with the given format choice and compares it with vs. */
static int
read_back(const struct ks_vecset *vs, const char *path, enum ks_vecfile_read_format format,
	  enum ks_vecfile_format *found)
{
	struct ks_vecfile_read_opts opts;
	struct ks_vecfile_info info;
	struct ks_vecset *back;
	struct ks_err err;
	size_t i;
	int same;

	memset(&opts, 0, sizeof(opts));
	opts.format = format;
	if (ks_vecfile_read_opts(&back, path, &opts, &info, &err) != KS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		fuzz_fail("cannot read back a file the writer wrote");
	}
	*found = info.format;
	same = back->n_words == vs->n_words && back->dim == vs->dim;
	for (i = 0; same && i < vs->n_words; i++)
		same = strcmp(back->words[i], vs->words[i]) == 0;
	same = same && memcmp(back->vecs, vs->vecs, vs->n_words * vs->dim * sizeof(float)) == 0;
	ks_vecset_destroy(back);
	return same;
}

/*
 * Writes vs in format and reads it back: told the format, the copy must be
 * exact; left to detect it, the reader must take it for what was written,
 * except a binary file that also reads whole as text, which it documents
 * taking for text (src/vecfile.c).
 */
static void
round_trip(const struct ks_vecset *vs, enum ks_vecfile_format format)
{
	char path[4200];
	enum ks_vecfile_format found;
	struct ks_err err;

	snprintf(path, sizeof(path), "%s.%s", fuzz_path(), format == KS_VECFILE_TEXT ? "txt" : "bin");
	if (ks_vecfile_write(path, format, (const char *const *)vs->words, vs->vecs, vs->n_words,
			     vs->dim, &err) != KS_OK)
		return;	/* words with whitespace cannot be written; that is documented */
	if (!read_back(vs, path, format == KS_VECFILE_TEXT ? KS_VECFILE_READ_TEXT : KS_VECFILE_READ_BINARY,
		       &found))
		fuzz_fail("round trip with the format named changes the set");
	if (!read_back(vs, path, KS_VECFILE_READ_AUTO, &found) &&
	    !(format == KS_VECFILE_BINARY && found == KS_VECFILE_TEXT))
		fuzz_fail("round trip with the format detected changes the set");
	if (format == KS_VECFILE_TEXT && found != KS_VECFILE_TEXT)
		fuzz_fail("a text file the writer wrote is taken for binary");
	remove(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t max_words[4] = { 0, 1, 2, 5 };
	struct ks_vecfile_read_opts opts;
	struct ks_vecfile_info info;
	struct ks_vecset *vs;
	struct ks_err err;
	int rc;

	if (size < 1)
		return 0;
	memset(&opts, 0, sizeof(opts));
	opts.max_words = max_words[(data[0] >> 1) & 3];
	opts.reject_duplicates = (data[0] >> 3) & 1;
	opts.format = (data[0] >> 5) & 3;
	if (opts.format == 3)
		opts.format = KS_VECFILE_READ_AUTO;
	fuzz_write_maybe_gzip(data + 1, size - 1, data[0] & 1);
	rc = ks_vecfile_read_opts(&vs, fuzz_path(), &opts, &info, &err);
	if (rc != KS_OK) {
		if (rc != KS_ERR_FORMAT && rc != KS_ERR_READ && rc != KS_ERR_LIMIT && rc != KS_ERR_EMPTY)
			fuzz_fail("unexpected status");
		return 0;
	}
	check_set(vs);
	if (opts.max_words && vs->n_words > opts.max_words)
		fuzz_fail("more words than max_words");
	if (info.records != vs->n_words + info.duplicates)
		fuzz_fail("records != words + duplicates");
	if (opts.reject_duplicates && info.duplicates != 0)
		fuzz_fail("duplicates kept although rejected");
	if ((data[0] & 16) && vs->n_words > 0) {
		round_trip(vs, KS_VECFILE_TEXT);
		round_trip(vs, KS_VECFILE_BINARY);
	}
	ks_vecset_destroy(vs);
	return 0;
}
