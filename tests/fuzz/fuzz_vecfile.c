/*
 * Fuzzes the word-vector file reader (src/vecfile.c): text, binary,
 * header-less text, plain or gzip.
 *
 * The first input byte: bit 0 gzips the rest; bits 1-2 choose max_words
 * (all, 1, 2, 5); bit 3 asks for duplicates to be rejected; bit 4 writes
 * what was read in both formats and reads it back, which must give the
 * same words and the same float bits (the writer's "%.9g" is exact).
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

static void
round_trip(const struct ks_vecset *vs, enum ks_vecfile_format format)
{
	char path[4200];
	struct ks_vecset *back;
	struct ks_err err;
	size_t i;

	snprintf(path, sizeof(path), "%s.%s", fuzz_path(), format == KS_VECFILE_TEXT ? "txt" : "bin");
	if (ks_vecfile_write(path, format, (const char *const *)vs->words, vs->vecs, vs->n_words,
			     vs->dim, &err) != KS_OK)
		return;	/* words with whitespace cannot be written; that is documented */
	/*
	 * A lone binary record whose float bytes spell a text line is read as
	 * text; that ambiguity is documented in src/vecfile.c.
	 */
	if (format == KS_VECFILE_BINARY && vs->n_words == 1) {
		remove(path);
		return;
	}
	if (ks_vecfile_read(&back, path, &err) != KS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		fuzz_fail("cannot read back a file the writer wrote");
	}
	remove(path);
	if (back->n_words != vs->n_words || back->dim != vs->dim)
		fuzz_fail("round trip changes the shape");
	for (i = 0; i < vs->n_words; i++)
		if (strcmp(back->words[i], vs->words[i]) != 0)
			fuzz_fail("round trip changes a word");
	if (memcmp(back->vecs, vs->vecs, vs->n_words * vs->dim * sizeof(float)) != 0)
		fuzz_fail("round trip changes a value");
	ks_vecset_destroy(back);
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
