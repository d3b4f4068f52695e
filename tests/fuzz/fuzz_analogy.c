/*
 * Fuzzes the analogy set parser (ks_analogy_set_read in src/eval.c) and
 * answers the parsed questions with a small fixed vector set.
 *
 * The first input byte: bit 0 gzips the rest; bit 1 chooses 3CosMul over
 * 3CosAdd; bits 2-4 are the restrict count (0 = all rows).
 *
 * Checked: sections tile the questions in order, every question has four
 * non-empty words without whitespace, answers are valid rows or -1/-2, the
 * tallies add up.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_eval_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_set(const struct ks_analogy_set *set)
{
	size_t i, next = 0;

	if (set->n_questions == 0)
		fuzz_fail("an empty set accepted");
	for (i = 0; i < 4 * set->n_questions; i++) {
		const char *w = set->words[i];

		if (w[0] == '\0' || strpbrk(w, " \t\r\n") != NULL)
			fuzz_fail("empty word or whitespace in a word");
	}
	for (i = 0; i < set->n_sections; i++) {
		if (set->sections[i].first != next)
			fuzz_fail("sections do not tile the questions");
		next += set->sections[i].count;
	}
	if (next != set->n_questions)
		fuzz_fail("sections do not cover the questions");
	if (set->n_named > set->n_sections)
		fuzz_fail("more named sections than sections");
	if ((set->skipped == 0) != (set->first_skipped == 0))
		fuzz_fail("skipped and first_skipped disagree");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ks_eval_vectors *ev;
	struct ks_analogy_set *set;
	struct ks_analogy_opts opts;
	struct ks_analogy_result res;
	struct ks_err err;
	size_t i, n_rows, covered = 0, correct = 0;
	int rc;

	if (size < 1)
		return 0;
	if (ev == NULL)
		ev = fuzz_eval_vectors();
	n_rows = ks_eval_vectors_set(ev)->n_words;
	fuzz_write_maybe_gzip(data + 1, size - 1, data[0] & 1);
	rc = ks_analogy_set_read(&set, fuzz_path(), &err);
	if (rc != KS_OK) {
		if (rc != KS_ERR_FORMAT && rc != KS_ERR_READ && rc != KS_ERR_LIMIT)
			fuzz_fail("unexpected status");
		return 0;
	}
	check_set(set);

	memset(&opts, 0, sizeof(opts));
	memset(&res, 0, sizeof(res));
	opts.method = (data[0] & 2) ? KS_EVAL_MUL : KS_EVAL_ADD;
	opts.restrict_n = (data[0] >> 2) & 7;
	opts.threads = 1;
	if (ks_analogy_eval(ev, set, &opts, &res, &err) != KS_OK)
		fuzz_fail("ks_analogy_eval failed");
	if (res.n_sections != set->n_sections || res.total.questions != set->n_questions)
		fuzz_fail("result shape");
	for (i = 0; i < set->n_questions; i++) {
		long a = res.answers[i];

		if (a < -2 || a >= (long)n_rows || (opts.restrict_n && a >= (long)opts.restrict_n))
			fuzz_fail("answer out of range");
		if (a != -1)
			covered++;
		if (a >= 0 && ks_eval_lookup(ev, set->words[4 * i + 3], strlen(set->words[4 * i + 3]),
					     opts.restrict_n) == a)
			correct++;
	}
	if (covered != res.total.covered || res.total.correct > res.total.covered ||
	    res.total.covered > res.total.questions)
		fuzz_fail("tallies");
	(void)correct;
	ks_analogy_result_free(&res);
	ks_analogy_set_destroy(set);
	return 0;
}
