/*
 * Fuzzes the word-pair similarity set parser (ks_simset_read in
 * src/eval.c) and scores the parsed pairs with a small fixed vector set.
 *
 * The first input byte: bit 0 gzips the rest; bits 1-3 are the restrict
 * count (0 = all rows).
 *
 * Checked: every pair has two non-empty words and a finite score, the
 * cosines are in [-1, 1] or NaN exactly for pairs not found, the
 * correlations are in [-1, 1] when defined.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_eval_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ks_eval_vectors *ev;
	struct ks_simset *set;
	struct ks_similarity_result res;
	struct ks_err err;
	size_t i, found = 0, restrict_n;
	int rc;

	if (size < 1)
		return 0;
	if (ev == NULL)
		ev = fuzz_eval_vectors();
	fuzz_write_maybe_gzip(data + 1, size - 1, data[0] & 1);
	rc = ks_simset_read(&set, fuzz_path(), &err);
	if (rc != KS_OK) {
		if (rc != KS_ERR_FORMAT && rc != KS_ERR_READ && rc != KS_ERR_LIMIT)
			fuzz_fail("unexpected status");
		return 0;
	}
	if (set->n_pairs == 0)
		fuzz_fail("an empty set accepted");
	for (i = 0; i < set->n_pairs; i++) {
		if (set->words[2 * i][0] == '\0' || set->words[2 * i + 1][0] == '\0')
			fuzz_fail("empty word");
		if (!isfinite(set->gold[i]))
			fuzz_fail("score not finite");
	}
	if ((set->skipped == 0) != (set->first_skipped == 0))
		fuzz_fail("skipped and first_skipped disagree");

	restrict_n = (data[0] >> 1) & 7;
	memset(&res, 0, sizeof(res));
	if (ks_similarity_eval(ev, set, restrict_n, &res, &err) != KS_OK)
		fuzz_fail("ks_similarity_eval failed");
	if (res.pairs != set->n_pairs)
		fuzz_fail("result shape");
	for (i = 0; i < set->n_pairs; i++) {
		double c = res.cosines[i];

		if (isnan(c))
			continue;
		found++;
		if (c < -1.0001 || c > 1.0001)
			fuzz_fail("cosine out of range");
	}
	if (found != res.found)
		fuzz_fail("found disagrees with the cosines");
	if (res.defined && (!(fabs(res.spearman) <= 1.0000001) || !(fabs(res.pearson) <= 1.0000001)))
		fuzz_fail("correlation out of range");
	ks_similarity_result_free(&res);
	ks_simset_destroy(set);
	return 0;
}
