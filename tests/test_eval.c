/*
 * Evaluation: hand-made vectors whose answers are known (an analogy that
 * must be right, one that must be wrong, a spelling of a question word that
 * must not be the answer, words missing from the vocabulary or beyond
 * -restrict), the MSR format with its header line, CRLF, Spearman with
 * ties, and the fast analogy solver against a brute-force reference in
 * double precision on random vectors, with any number of threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "eval.h"
#include "suites.h"

#define FAIL_IF(cond, ...) \
	do { \
		if (cond) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* The path of a fixture under tests/data/eval (valid until the next call). */
static const char *
fixture(const char *name)
{
	static char path[1024];
	const char *src = getenv("KS_SRCDIR");

	snprintf(path, sizeof(path), "%s/tests/data/eval/%s", src && *src ? src : ".", name);
	return path;
}

static struct ks_eval_vectors *
load_fixture_vectors(void)
{
	struct ks_eval_vectors *ev;
	struct ks_vecset *vs;
	struct ks_err err;

	ck_assert_msg(ks_vecfile_read(&vs, fixture("vectors.txt"), &err) == KS_OK, "%s", err.msg);
	ck_assert_int_eq(ks_eval_vectors_create(&ev, vs, &err), KS_OK);
	return ev;
}

static void
check_tally(const struct ks_analogy_tally *t, size_t questions, size_t covered, size_t correct)
{
	ck_assert_uint_eq(t->questions, questions);
	ck_assert_uint_eq(t->covered, covered);
	ck_assert_uint_eq(t->correct, correct);
}

START_TEST(test_lookup_case_folded_first_row)
{
	struct ks_eval_vectors *ev = load_fixture_vectors();

	/* "woman" (row 4) comes before "WOMAN" (row 10). */
	ck_assert_int_eq(ks_eval_lookup(ev, "WOMAN", 5, 0), 4);
	ck_assert_int_eq(ks_eval_lookup(ev, "Woman", 5, 0), 4);
	ck_assert_int_eq(ks_eval_lookup(ev, "woman", 5, 4), -1);
	ck_assert_int_eq(ks_eval_lookup(ev, "woman", 5, 5), 4);
	ck_assert_int_eq(ks_eval_lookup(ev, "womanly", 7, 0), -1);
	ck_assert_int_eq(ks_eval_lookup(ev, "wom", 3, 0), -1);
	ck_assert_int_eq(ks_eval_lookup_exact(ev, "WOMAN", 5), 10);
	ck_assert_int_eq(ks_eval_lookup_exact(ev, "Queen", 5), 11);
	ck_assert_int_eq(ks_eval_lookup_exact(ev, "QUEEN", 5), 2);
	ks_eval_vectors_destroy(ev);
}
END_TEST

START_TEST(test_analogy_known_answers)
{
	struct ks_eval_vectors *ev = load_fixture_vectors();
	struct ks_analogy_opts o = { 30000, KS_EVAL_ADD, 2 };
	struct ks_analogy_result res;
	struct ks_analogy_set *set;
	struct ks_err err;
	int m;

	/* CRLF line ends, two sections, mixed case, a word nobody knows. */
	ck_assert_int_eq(ks_analogy_set_read(&set, fixture("questions.txt"), &err), KS_OK);
	ck_assert_uint_eq(set->n_questions, 5);
	ck_assert_uint_eq(set->n_sections, 2);
	ck_assert_str_eq(set->sections[0].name, "royal");
	ck_assert_str_eq(set->sections[1].name, "capital");
	ck_assert_str_eq(set->words[4 * 4 + 3], "england");
	ck_assert_uint_eq(set->lines[3], 7);
	ck_assert_uint_eq(set->skipped, 0);
	for (m = 0; m < 2; m++) {
		o.method = m ? KS_EVAL_MUL : KS_EVAL_ADD;
		o.restrict_n = 30000;
		ck_assert_int_eq(ks_analogy_eval(ev, set, &o, &res, &err), KS_OK);
		ck_assert_uint_eq(res.restrict_n, 12);
		/*
		 * man:king :: woman:queen is right although WOMAN, a spelling
		 * of a question word, scores higher; so is its upper-case copy;
		 * man:king :: woman:apple must be wrong; london is unknown.
		 */
		ck_assert_int_eq(res.answers[0], 2);
		ck_assert_int_eq(res.answers[1], 2);
		ck_assert_int_eq(res.answers[2], 2);
		ck_assert_int_eq(res.answers[3], 8);
		ck_assert_int_eq(res.answers[4], -1);
		check_tally(&res.sections[0], 3, 3, 2);
		check_tally(&res.sections[1], 2, 1, 1);
		check_tally(&res.total, 5, 4, 3);
		ck_assert_int_eq(res.has_split, 0);
		ks_analogy_result_free(&res);

		/* Only the first nine rows: apple and WOMAN are out of reach. */
		o.restrict_n = 9;
		ck_assert_int_eq(ks_analogy_eval(ev, set, &o, &res, &err), KS_OK);
		ck_assert_uint_eq(res.restrict_n, 9);
		ck_assert_int_eq(res.answers[2], -1);
		check_tally(&res.sections[0], 3, 2, 2);
		check_tally(&res.total, 5, 3, 3);
		ks_analogy_result_free(&res);
	}
	ks_analogy_set_destroy(set);
	ks_eval_vectors_destroy(ev);
}
END_TEST

START_TEST(test_analogy_msr_format)
{
	struct ks_eval_vectors *ev = load_fixture_vectors();
	struct ks_analogy_opts o = { 0, KS_EVAL_ADD, 1 };
	struct ks_analogy_result res;
	struct ks_analogy_set *set;
	struct ks_err err;

	/* A column header (five words) and a three-word line are skipped and counted. */
	ck_assert_int_eq(ks_analogy_set_read(&set, fixture("msr.txt"), &err), KS_OK);
	ck_assert_uint_eq(set->n_questions, 2);
	ck_assert_uint_eq(set->skipped, 2);
	ck_assert_uint_eq(set->first_skipped, 1);
	ck_assert_uint_eq(set->n_sections, 1);
	ck_assert_uint_eq(set->n_named, 0);
	ck_assert_str_eq(set->sections[0].name, "");
	ck_assert_str_eq(set->words[4], "paris");
	ck_assert_int_eq(ks_analogy_eval(ev, set, &o, &res, &err), KS_OK);
	check_tally(&res.total, 2, 2, 2);
	ks_analogy_result_free(&res);
	ks_analogy_set_destroy(set);
	ks_eval_vectors_destroy(ev);
}
END_TEST

START_TEST(test_analogy_semantic_split_and_files)
{
	struct ks_eval_vectors *ev = load_fixture_vectors();
	struct ks_analogy_opts o = { 0, KS_EVAL_ADD, 0 };
	struct ks_analogy_result res;
	struct ks_analogy_set *set;
	struct ks_err err;
	char path[600];
	const char *dir = ks_test_tmpdir();
	gzFile gz;
	FILE *f;
	int i;

	/*
	 * Seven sections, gzip-compressed: those named "gram..." (Google's
	 * syntactic ones) are syntactic, the others semantic, wherever they
	 * stand.
	 */
	snprintf(path, sizeof(path), "%s/q.txt.gz", dir);
	gz = gzopen(path, "wb");
	ck_assert_ptr_nonnull(gz);
	for (i = 0; i < 7; i++)
		gzprintf(gz, ": %s%d\nparis france berlin germany\n%s", i == 1 || i > 4 ? "gram" : "s",
			 i, i == 1 || i > 4 ? "man king woman apple\n" : "");
	ck_assert_int_eq(gzclose(gz), Z_OK);
	ck_assert_int_eq(ks_analogy_set_read(&set, path, &err), KS_OK);
	ck_assert_uint_eq(set->n_named, 7);
	ck_assert_int_eq(ks_analogy_eval(ev, set, &o, &res, &err), KS_OK);
	ck_assert_int_eq(res.has_split, 1);
	check_tally(&res.semantic, 4, 4, 4);
	check_tally(&res.syntactic, 6, 6, 3);
	check_tally(&res.total, 10, 10, 7);
	ks_analogy_result_free(&res);
	ks_analogy_set_destroy(set);
	unlink(path);

	/*
	 * Six (or any number of) sections that are not Google's, like the
	 * planted set's: no split, whatever their count (issue 14, item 17).
	 * Nor is there one when every section is "gram...".
	 */
	for (i = 0; i < 2; i++) {
		int k;

		snprintf(path, sizeof(path), "%s/planted.txt", dir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		for (k = 0; k < 6; k++)
			fprintf(f, ": %srole%d-role%d\nparis france berlin germany\n", i ? "gram" : "", k,
				k + 1);
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(ks_analogy_set_read(&set, path, &err), KS_OK);
		ck_assert_uint_eq(set->n_named, 6);
		ck_assert_int_eq(ks_analogy_eval(ev, set, &o, &res, &err), KS_OK);
		ck_assert_int_eq(res.has_split, 0);
		check_tally(&res.semantic, 0, 0, 0);
		check_tally(&res.syntactic, 0, 0, 0);
		check_tally(&res.total, 6, 6, 6);
		ks_analogy_result_free(&res);
		ks_analogy_set_destroy(set);
		unlink(path);
	}

	/* No questions, no file. */
	snprintf(path, sizeof(path), "%s/empty.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(": only a section\nthree words here\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(ks_analogy_set_read(&set, path, &err), KS_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing.txt", dir);
	ck_assert_int_eq(ks_analogy_set_read(&set, path, &err), KS_ERR_OPEN);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_int_eq(rmdir(dir), 0);
	ks_eval_vectors_destroy(ev);
}
END_TEST

/* xorshift64* */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int
fold_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The first row whose word folds to word's, below limit, or -1: by brute force. */
static long
ref_lookup(const struct ks_vecset *vs, const char *word, size_t limit)
{
	size_t i;

	for (i = 0; i < vs->n_words; i++)
		if (fold_eq(vs->words[i], word))
			return i < limit ? (long)i : -1;
	return -1;
}

static double
ref_cos(const struct ks_vecset *vs, size_t a, size_t b)
{
	double s = 0, na = 0, nb = 0;
	size_t d;

	for (d = 0; d < vs->dim; d++) {
		double x = vs->vecs[a * vs->dim + d], y = vs->vecs[b * vs->dim + d];

		s += x * y;
		na += x * x;
		nb += y * y;
	}
	return na > 0 && nb > 0 ? s / sqrt(na * nb) : 0;
}

static double
ref_score(const struct ks_vecset *vs, enum ks_eval_method m, size_t x, const long *q)
{
	double ca = ref_cos(vs, x, (size_t)q[0]), cb = ref_cos(vs, x, (size_t)q[1]);
	double cc = ref_cos(vs, x, (size_t)q[2]);

	if (m == KS_EVAL_MUL)
		return ((cb + 1) / 2) * ((cc + 1) / 2) / ((ca + 1) / 2 + 0.001);
	return cb - ca + cc;
}

/* gensim's answer in double precision: the rule of eval.h, by brute force. */
static long
ref_answer(const struct ks_vecset *vs, enum ks_eval_method m, size_t limit, const long *q)
{
	long best[5];
	double bs[5];
	int n = 0, i, j;
	size_t x;

	for (x = 0; x < limit; x++) {
		double s;

		if ((long)x == q[0] || (long)x == q[1] || (long)x == q[2])
			continue;
		s = ref_score(vs, m, x, q);
		if (n == 5 && s <= bs[4])
			continue;
		i = n < 5 ? n++ : 4;
		while (i > 0 && s > bs[i - 1]) {
			bs[i] = bs[i - 1];
			best[i] = best[i - 1];
			i--;
		}
		bs[i] = s;
		best[i] = (long)x;
	}
	for (i = 0; i < n; i++) {
		long canon = ref_lookup(vs, vs->words[best[i]], vs->n_words);

		for (j = 0; j < 3; j++)
			if (canon == q[j])
				break;
		if (j == 3)
			return best[i];
	}
	return n > 0 ? best[n - 1] : -2;
}

START_TEST(test_analogy_matches_brute_force)
{
	const size_t n = 420, dim = 37, n_q = 300, limit = 350;
	uint64_t seed = ((uint64_t)time(NULL) << 1) | 1, s = seed;
	struct ks_analogy_set set;
	char sec_name[] = "random";
	struct ks_analogy_section sec = { sec_name, 0, 300 };
	struct ks_eval_vectors *ev;
	const struct ks_vecset *cvs;
	struct ks_vecset *vs;
	struct ks_err err;
	char **qwords, *names;
	float *v;
	size_t i, d;
	int m;
	unsigned th;

	/* Words w0..; every ninth is an upper-case spelling of an earlier word. */
	names = malloc(n * 16);
	v = malloc(dim * sizeof(*v));
	ck_assert_ptr_nonnull(names);
	ck_assert_int_eq(ks_vecset_create(&vs, dim, &err), KS_OK);
	for (i = 0; i < n; i++) {
		char *w = names + i * 16;
		size_t twin = i - 1 - rnd(&s) % 8;	/* never a spelling itself */

		if (i % 9 == 8)
			snprintf(w, 16, "W%zu", twin);
		else
			snprintf(w, 16, "w%zu", i);
		for (d = 0; d < dim; d++)
			v[d] = (float)((double)(rnd(&s) >> 11) / 9007199254740992.0 - 0.5);
		if (i % 9 == 8)	/* close to its twin, so it often scores high */
			for (d = 0; d < dim; d++)
				v[d] = vs->vecs[twin * dim + d] + v[d] * 0.2f;
		if (i == 5)
			memset(v, 0, dim * sizeof(*v));	/* a zero vector */
		ck_assert_int_eq(ks_vecset_add(vs, w, strlen(w), v, NULL, &err), KS_OK);
	}
	ck_assert_uint_eq(vs->n_words, n);
	ck_assert_int_eq(ks_eval_vectors_create(&ev, vs, &err), KS_OK);
	cvs = ks_eval_vectors_set(ev);

	/* Questions over the first 380 rows (some beyond the limit), upper-cased now and then. */
	qwords = malloc(4 * n_q * sizeof(*qwords));
	ck_assert_ptr_nonnull(qwords);
	for (i = 0; i < 4 * n_q; i++) {
		char *w = malloc(16);
		size_t r = rnd(&s) % 380;

		snprintf(w, 16, "%s", cvs->words[r]);
		if (rnd(&s) % 4 == 0)
			w[0] = (char)(w[0] == 'w' ? 'W' : 'w');
		qwords[i] = w;
	}
	memset(&set, 0, sizeof(set));
	set.n_questions = n_q;
	set.words = qwords;
	set.n_sections = 1;
	set.sections = &sec;
	for (m = 0; m < 2; m++) {
		long *first = NULL;

		for (th = 1; th <= 3; th++) {
			struct ks_analogy_opts o = { limit, m ? KS_EVAL_MUL : KS_EVAL_ADD, th };
			struct ks_analogy_result res;
			size_t covered = 0;

			ck_assert_int_eq(ks_analogy_eval(ev, &set, &o, &res, &err), KS_OK);
			for (i = 0; i < n_q; i++) {
				long q[4], want;
				int k, ok = 1;

				for (k = 0; k < 4; k++) {
					q[k] = ref_lookup(cvs, qwords[4 * i + k], limit);
					ok &= q[k] >= 0;
				}
				if (!ok) {
					FAIL_IF(res.answers[i] != -1, "question %zu is not covered (seed %llu)",
						i, (unsigned long long)seed);
					continue;
				}
				covered++;
				want = ref_answer(cvs, o.method, limit, q);
				/* Floats may order a near-tie differently from doubles. */
				FAIL_IF(res.answers[i] != want &&
					(res.answers[i] < 0 ||
					 fabs(ref_score(cvs, o.method, (size_t)res.answers[i], q) -
					      ref_score(cvs, o.method, (size_t)want, q)) > 1e-5),
					"method %d question %zu: answer %ld, reference %ld (seed %llu)", m, i,
					res.answers[i], want, (unsigned long long)seed);
			}
			ck_assert_uint_eq(res.total.covered, covered);
			ck_assert_uint_gt(covered, 100);
			/* The number of threads changes nothing. */
			if (first == NULL) {
				first = malloc(n_q * sizeof(*first));
				ck_assert_ptr_nonnull(first);
				memcpy(first, res.answers, n_q * sizeof(*first));
			} else {
				ck_assert_int_eq(memcmp(first, res.answers, n_q * sizeof(*first)), 0);
			}
			ks_analogy_result_free(&res);
		}
		free(first);
	}
	for (i = 0; i < 4 * n_q; i++)
		free(qwords[i]);
	free(qwords);
	free(names);
	free(v);
	ks_eval_vectors_destroy(ev);
}
END_TEST

START_TEST(test_spearman_and_pearson)
{
	static const double x[] = { 1, 2, 2, 3 }, y[] = { 1, 3, 2, 4 };
	static const double a[] = { 1, 2, 3 }, b[] = { 2, 4, 7 }, c[] = { 5, 5, 5 };
	static const double up[] = { 10, 20, 30, 40, 50 }, curve[] = { 1, 8, 27, 64, 125 };

	/* Ties take their average rank (2.5, 2.5), as scipy.stats.spearmanr does. */
	ck_assert_double_eq_tol(ks_eval_spearman(x, y, 4), 0.9486832980505139, 1e-12);
	ck_assert_double_eq_tol(ks_eval_spearman(up, curve, 5), 1.0, 1e-12);
	ck_assert_double_eq_tol(ks_eval_pearson(a, b, 3), 5.0 / sqrt(2.0 * 38.0 / 3.0), 1e-12);
	ck_assert(isnan(ks_eval_spearman(x, y, 1)));
	ck_assert(isnan(ks_eval_spearman(a, c, 3)));
	ck_assert(isnan(ks_eval_pearson(c, a, 3)));
}
END_TEST

START_TEST(test_similarity_fixture)
{
	struct ks_eval_vectors *ev = load_fixture_vectors();
	struct ks_similarity_result res;
	struct ks_simset *set;
	struct ks_err err;

	/*
	 * A comment, a column header, tabs and spaces, CRLF, a blank line, an
	 * unknown word, no final newline; ties on both sides.
	 */
	ck_assert_int_eq(ks_simset_read(&set, fixture("pairs.txt"), &err), KS_OK);
	ck_assert_uint_eq(set->n_pairs, 7);
	ck_assert_uint_eq(set->skipped, 1);
	ck_assert_uint_eq(set->first_skipped, 2);
	ck_assert_str_eq(set->words[2], "man");
	ck_assert_str_eq(set->words[3], "woman");
	ck_assert_str_eq(set->words[12], "QUEEN");
	ck_assert_double_eq(set->gold[6], 8.5);
	ck_assert_uint_eq(set->lines[6], 10);
	ck_assert_int_eq(ks_similarity_eval(ev, set, 0, &res, &err), KS_OK);
	ck_assert_uint_eq(res.pairs, 7);
	ck_assert_uint_eq(res.found, 6);
	ck_assert_int_eq(res.defined, 1);
	/* scipy.stats.spearmanr and pearsonr on the same numbers. */
	ck_assert_double_eq_tol(res.spearman, -0.40042671736190333, 1e-9);
	ck_assert_double_eq_tol(res.pearson, -0.24391794319112337, 1e-6);
	ck_assert_double_eq_tol(res.cosines[1], -0.923076923076923, 1e-7);
	ck_assert(isnan(res.cosines[5]));
	ks_similarity_result_free(&res);

	/* Five rows: pairs with paris, apple, france or germany drop out. */
	ck_assert_int_eq(ks_similarity_eval(ev, set, 5, &res, &err), KS_OK);
	ck_assert_uint_eq(res.found, 4);
	ks_similarity_result_free(&res);
	ks_simset_destroy(set);
	ks_eval_vectors_destroy(ev);
}
END_TEST

START_TEST(test_similarity_parsing)
{
	const char *dir = ks_test_tmpdir();
	struct ks_simset *set;
	struct ks_err err;
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/p.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	/* A tab line keeps spaces inside its fields, as gensim reads it. */
	fputs("new york\t city \t6.5\na b nan\na b c\na\tb\na b 1 2\n  # indented comment\n"
	      "x y -2e-1", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(ks_simset_read(&set, path, &err), KS_OK);
	ck_assert_uint_eq(set->n_pairs, 2);
	ck_assert_str_eq(set->words[0], "new york");
	ck_assert_str_eq(set->words[1], "city");
	ck_assert_double_eq(set->gold[0], 6.5);
	ck_assert_double_eq_tol(set->gold[1], -0.2, 1e-15);
	ck_assert_uint_eq(set->skipped, 4);
	ck_assert_uint_eq(set->first_skipped, 2);
	ks_simset_destroy(set);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# nothing\n\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(ks_simset_read(&set, path, &err), KS_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no word pairs"));
	unlink(path);
	ck_assert_int_eq(ks_simset_read(&set, path, &err), KS_ERR_OPEN);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * A line holding a NUL byte is skipped and counted: words are C strings, so
 * it would otherwise give an empty or cut word that stands for another (the
 * analogy case was found by tests/fuzz/fuzz_analogy).
 */
START_TEST(test_sets_skip_lines_with_nul)
{
	static const char analogy[] = "\0\0\0A b c d\n: se\0ction\na b c d\nx\0y b c d\n";
	static const char pairs[] = "a\0b c 1\nx y 2\n# a comment \0 is ignored\nc d 1\0junk\n";
	const char *dir = ks_test_tmpdir();
	struct ks_analogy_set *aset;
	struct ks_simset *sset;
	struct ks_err err;
	char path[600];

	snprintf(path, sizeof(path), "%s/nul.txt", dir);
	ks_test_write_file(path, analogy, sizeof(analogy) - 1);
	ck_assert_int_eq(ks_analogy_set_read(&aset, path, &err), KS_OK);
	ck_assert_uint_eq(aset->n_questions, 1);
	ck_assert_str_eq(aset->words[0], "a");
	ck_assert_uint_eq(aset->lines[0], 3);
	ck_assert_uint_eq(aset->n_named, 0);
	ck_assert_uint_eq(aset->skipped, 3);
	ck_assert_uint_eq(aset->first_skipped, 1);
	ks_analogy_set_destroy(aset);

	ks_test_write_file(path, pairs, sizeof(pairs) - 1);
	ck_assert_int_eq(ks_simset_read(&sset, path, &err), KS_OK);
	ck_assert_uint_eq(sset->n_pairs, 1);
	ck_assert_str_eq(sset->words[0], "x");
	ck_assert_uint_eq(sset->skipped, 2);
	ck_assert_uint_eq(sset->first_skipped, 1);
	ks_simset_destroy(sset);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * A leading UTF-8 byte-order mark is skipped: it would glue itself to the
 * first word, and in a pair file lose the first pair (issue 14, item 10).
 */
START_TEST(test_sets_skip_byte_order_mark)
{
	static const char analogy[] = "\xef\xbb\xbf: capital\nathens greece baghdad iraq\n";
	static const char msr[] = "\xef\xbb\xbf" "a b c d\nx y z w\n";
	static const char pairs[] = "\xef\xbb\xbf" "cat dog 7.5\nx y 2\n";
	const char *dir = ks_test_tmpdir();
	struct ks_analogy_set *aset;
	struct ks_simset *sset;
	struct ks_err err;
	char path[600];

	snprintf(path, sizeof(path), "%s/bom.txt", dir);
	ks_test_write_file(path, analogy, sizeof(analogy) - 1);
	ck_assert_int_eq(ks_analogy_set_read(&aset, path, &err), KS_OK);
	ck_assert_uint_eq(aset->n_named, 1);
	ck_assert_str_eq(aset->sections[0].name, "capital");
	ck_assert_uint_eq(aset->n_questions, 1);
	ck_assert_uint_eq(aset->lines[0], 2);
	ks_analogy_set_destroy(aset);

	ks_test_write_file(path, msr, sizeof(msr) - 1);
	ck_assert_int_eq(ks_analogy_set_read(&aset, path, &err), KS_OK);
	ck_assert_uint_eq(aset->n_questions, 2);
	ck_assert_str_eq(aset->words[0], "a");
	ks_analogy_set_destroy(aset);

	ks_test_write_file(path, pairs, sizeof(pairs) - 1);
	ck_assert_int_eq(ks_simset_read(&sset, path, &err), KS_OK);
	ck_assert_uint_eq(sset->n_pairs, 2);
	ck_assert_str_eq(sset->words[0], "cat");
	ck_assert_uint_eq(sset->skipped, 0);
	ks_simset_destroy(sset);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_neighbors)
{
	struct ks_eval_vectors *ev = load_fixture_vectors();
	const char *king[] = { "king" }, *analogy[] = { "man", "king", "woman" };
	const char *missing[] = { "king", "nowhere" };
	struct ks_neighbor nb[20];
	struct ks_err err;
	size_t n;

	ck_assert_int_eq(ks_eval_neighbors(ev, king, 1, KS_EVAL_ADD, 0, 3, nb, &n, &err), KS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(nb[0].row, 3);	/* man */
	ck_assert_double_eq_tol(nb[0].score, 0.6933752452815363, 1e-6);
	ck_assert_uint_eq(nb[1].row, 0);	/* the */
	ck_assert_uint_eq(nb[2].row, 2);	/* queen: the first of the rows at 0 */
	/* The analogy query: a spelling of a question word may appear here. */
	ck_assert_int_eq(ks_eval_neighbors(ev, analogy, 3, KS_EVAL_ADD, 0, 2, nb, &n, &err), KS_OK);
	ck_assert_uint_eq(nb[0].row, 10);	/* WOMAN */
	ck_assert_uint_eq(nb[1].row, 2);	/* queen */
	ck_assert_double_eq_tol(nb[1].score, 0.9632412195205688, 1e-6);
	ck_assert_int_eq(ks_eval_neighbors(ev, analogy, 3, KS_EVAL_MUL, 0, 2, nb, &n, &err), KS_OK);
	ck_assert_uint_eq(nb[1].row, 2);
	/* More than there are: every other row, best first. */
	ck_assert_int_eq(ks_eval_neighbors(ev, king, 1, KS_EVAL_ADD, 0, 20, nb, &n, &err), KS_OK);
	ck_assert_uint_eq(n, 11);
	ck_assert(nb[9].score >= nb[10].score);
	/* Restricted to the first four rows. */
	ck_assert_int_eq(ks_eval_neighbors(ev, king, 1, KS_EVAL_ADD, 4, 20, nb, &n, &err), KS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ks_eval_neighbors(ev, missing, 2, KS_EVAL_ADD, 0, 5, nb, &n, &err),
			 KS_ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "'nowhere'"));
	ks_eval_vectors_destroy(ev);
}
END_TEST

START_TEST(test_empty_and_zero_vectors)
{
	static const float zero[] = { 0, 0 }, one[] = { 3, 4 };
	const char *q[] = { "z" };
	struct ks_eval_vectors *ev;
	struct ks_neighbor nb[2];
	struct ks_vecset *vs;
	struct ks_err err;
	size_t n;

	ck_assert_int_eq(ks_vecset_create(&vs, 2, &err), KS_OK);
	ck_assert_int_eq(ks_eval_vectors_create(&ev, vs, &err), KS_ERR_FORMAT);
	ck_assert_int_eq(ks_vecset_create(&vs, 2, &err), KS_OK);
	ck_assert_int_eq(ks_vecset_add(vs, "z", 1, zero, NULL, &err), KS_OK);
	ck_assert_int_eq(ks_vecset_add(vs, "o", 1, one, NULL, &err), KS_OK);
	ck_assert_int_eq(ks_eval_vectors_create(&ev, vs, &err), KS_OK);
	ck_assert(ks_eval_vectors_set(ev)->vecs[2] == 0.6f);
	ck_assert_int_eq(ks_eval_neighbors(ev, q, 1, KS_EVAL_ADD, 0, 2, nb, &n, &err), KS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_double_eq(nb[0].score, 0.0);
	ks_eval_vectors_destroy(ev);
	ks_eval_vectors_destroy(NULL);
}
END_TEST

Suite *
ks_suite_eval(void)
{
	Suite *s = suite_create("eval");
	TCase *tc = tcase_create("eval");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lookup_case_folded_first_row);
	tcase_add_test(tc, test_analogy_known_answers);
	tcase_add_test(tc, test_analogy_msr_format);
	tcase_add_test(tc, test_analogy_semantic_split_and_files);
	tcase_add_test(tc, test_analogy_matches_brute_force);
	tcase_add_test(tc, test_spearman_and_pearson);
	tcase_add_test(tc, test_similarity_fixture);
	tcase_add_test(tc, test_similarity_parsing);
	tcase_add_test(tc, test_sets_skip_lines_with_nul);
	tcase_add_test(tc, test_sets_skip_byte_order_mark);
	tcase_add_test(tc, test_neighbors);
	tcase_add_test(tc, test_empty_and_zero_vectors);
	suite_add_tcase(s, tc);
	return s;
}
