/*
 * Phrases: the score, and whole runs over small corpora whose counts, and
 * so the phrases expected, are worked out by hand in each test's comment.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phrases.h"
#include "vocab.h"
#include "suites.h"

/* A directory for one test with an input and an output in it. */
struct run {
	char dir[256];
	char in[512];
	char out[512];
	struct ks_phrases_config cfg;
	const char *train[1];
	struct ks_phrases_stats st;
	struct ks_err err;
};

static void
run_init(struct run *r, uint64_t min_count, double threshold)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s", ks_test_tmpdir());
	snprintf(r->in, sizeof(r->in), "%s/in.txt", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/out.txt", r->dir);
	ks_phrases_defaults(&r->cfg);
	r->cfg.min_count = min_count;
	r->cfg.threshold = threshold;
	r->train[0] = r->in;
	r->cfg.train = r->train;
	r->cfg.n_train = 1;
	r->cfg.output = r->out;
	r->cfg.read_ahead = 0;
}

static void
run_done(struct run *r)
{
	unlink(r->in);
	unlink(r->out);
	ck_assert_int_eq(rmdir(r->dir), 0);
}

/* Runs over text and returns the output (free() it); fails the test on an error. */
static char *
run_text(struct run *r, const char *text)
{
	size_t len;
	int rc;

	ks_test_write_file(r->in, text, strlen(text));
	rc = ks_phrases_run(&r->cfg, NULL, &r->st, &r->err);
	ck_assert_msg(rc == KS_OK, "ks_phrases_run: %d %s", rc, r->err.msg);
	return ks_test_slurp(r->out, &len);
}

/* A growable string for building corpora and expected outputs. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert_ptr_nonnull(b->s);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void
buf_repeat(struct buf *b, const char *s, int times)
{
	int i;

	for (i = 0; i < times; i++)
		buf_add(b, s);
}

/* Adds n distinct filler words f<first>.., ten a line: each counted once. */
static void
buf_fillers(struct buf *b, int first, int n)
{
	char w[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "f%d%s", first + i, i % 10 == 9 || i == n - 1 ? "\n" : " ");
		buf_add(b, w);
	}
}

START_TEST(test_score_formula)
{
	/* (7 - 5) / 4 / 4 * 40 = 5, exactly representable at every step. */
	ck_assert(ks_phrases_score(7, 4, 4, 40, 5) == 5.0);
	ck_assert(ks_phrases_score(5, 4, 4, 40, 5) == 0.0);
	ck_assert(fabs(ks_phrases_score(10, 20, 10, 5060, 5) - 126.5) < 1e-9);
	ck_assert(ks_phrases_score(3, 2, 3, 12, 0) == 6.0);
}
END_TEST

/*
 * With the defaults (min-count 5, threshold 100): 10 lines "new york", 10
 * "new car", 20 "car" and 5000 distinct fillers give N = 5060, c(new) 20,
 * c(york) 10, c(car) 30, c(new york) = c(new car) = 10. new york scores
 * (10 - 5) / 20 / 10 * 5060 = 126.5 and is joined; new car scores
 * 5 / 20 / 30 * 5060 = 42.2 and is not; the fillers (count 1) never are.
 */
START_TEST(test_new_york)
{
	struct buf in = { 0 }, want = { 0 };
	struct run r;
	char *out;

	run_init(&r, 5, 100);
	buf_repeat(&in, "new york\n", 10);
	buf_repeat(&in, "new car\n", 10);
	buf_repeat(&in, "car\n", 20);
	buf_fillers(&in, 0, 5000);
	buf_repeat(&want, "new_york\n", 10);
	buf_repeat(&want, "new car\n", 10);
	buf_repeat(&want, "car\n", 20);
	buf_fillers(&want, 0, 5000);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, want.s);
	ck_assert_uint_eq(r.st.words, 5060);
	ck_assert_uint_eq(r.st.sentences, 540);
	ck_assert_uint_eq(r.st.joined, 10);
	/* Kept: new, york, car and the two pairs. */
	ck_assert_uint_eq(r.st.entries, 5);
	ck_assert_uint_eq(r.st.prunes, 0);
	ck_assert_int_eq(r.st.spooled, 0);
	free(out);
	/* At threshold 42 the pair new car (42.17) is joined too. */
	r.cfg.threshold = 42;
	out = run_text(&r, in.s);
	ck_assert_uint_eq(r.st.joined, 20);
	ck_assert_ptr_nonnull(strstr(out, "new_car\n"));
	free(out);
	free(in.s);
	free(want.s);
	run_done(&r);
}
END_TEST

/*
 * 4 lines "a b" and one line of 32 fillers: N = 40, c(a) = c(b) = c(ab) = 4;
 * with min-count 2 the score is (4 - 2) / 4 / 4 * 40 = 5 exactly. A score
 * must be above the threshold: at 5 nothing is joined, just below it is.
 * Blank lines and runs of blanks are dropped from the output.
 */
START_TEST(test_threshold_boundary)
{
	struct buf in = { 0 }, want = { 0 };
	struct run r;
	char *out;

	run_init(&r, 2, 5.0);
	buf_repeat(&in, "  a\tb \r\n\n", 4);
	buf_fillers(&in, 0, 32);
	out = run_text(&r, in.s);
	buf_repeat(&want, "a b\n", 4);
	buf_fillers(&want, 0, 32);
	ck_assert_str_eq(out, want.s);
	ck_assert_uint_eq(r.st.joined, 0);
	free(out);
	r.cfg.threshold = nextafter(5.0, 0.0);
	out = run_text(&r, in.s);
	free(want.s);
	want.s = NULL;
	want.len = want.cap = 0;
	buf_repeat(&want, "a_b\n", 4);
	buf_fillers(&want, 0, 32);
	ck_assert_str_eq(out, want.s);
	ck_assert_uint_eq(r.st.joined, 4);
	free(out);
	free(in.s);
	free(want.s);
	run_done(&r);
}
END_TEST

/*
 * 3 lines "a b", 10 "a", 10 "b": c(a) = c(b) = 13, c(ab) = 3, N = 26, and
 * threshold 0. min-count 4 drops the pair; min-count 3 keeps it but it
 * scores (3 - 3) / 13 / 13 * 26 = 0, not above 0; min-count 2 scores
 * 1 / 169 * 26 > 0 and joins it. min-count 14 drops the words themselves.
 */
START_TEST(test_min_count)
{
	struct buf in = { 0 };
	struct run r;
	char *out;

	buf_repeat(&in, "a b\n", 3);
	buf_repeat(&in, "a\n", 10);
	buf_repeat(&in, "b\n", 10);
	run_init(&r, 4, 0);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, in.s);
	ck_assert_uint_eq(r.st.entries, 2);
	free(out);
	r.cfg.min_count = 3;
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, in.s);
	ck_assert_uint_eq(r.st.entries, 3);
	free(out);
	r.cfg.min_count = 2;
	out = run_text(&r, in.s);
	ck_assert(strncmp(out, "a_b\na_b\na_b\na\n", 14) == 0);
	ck_assert_uint_eq(r.st.joined, 3);
	free(out);
	/* Nothing reaches min-count: the text is copied unchanged. */
	r.cfg.min_count = 14;
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, in.s);
	ck_assert_uint_eq(r.st.entries, 0);
	ck_assert_uint_eq(r.st.joined, 0);
	free(out);
	free(in.s);
	run_done(&r);
}
END_TEST

/*
 * "p x" then "y q" on the next line, 10 times, and 5 times "p x </s> y q"
 * on one line: x and y are never in one sentence, so the pair x y is never
 * counted or joined, while p x and y q (15 each) are, with threshold 0.
 * "</s>" ends a sentence and comes out as a line break.
 */
START_TEST(test_no_join_across_sentences)
{
	struct buf in = { 0 }, want = { 0 };
	struct run r;
	char *out;

	run_init(&r, 1, 0);
	buf_repeat(&in, "p x\ny q\n", 10);
	buf_repeat(&in, "p x </s> y q\n", 5);
	buf_repeat(&want, "p_x\ny_q\n", 15);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, want.s);
	ck_assert_ptr_null(strstr(out, "x_y"));
	ck_assert_ptr_null(strstr(out, "</s>"));
	/* p, x, y, q and the pairs p x, y q. */
	ck_assert_uint_eq(r.st.entries, 6);
	free(out);
	free(in.s);
	free(want.s);
	run_done(&r);
}
END_TEST

/*
 * "a b c" 10 times: ab and bc both score (10 - 1) / 10 / 10 * 30 = 2.7 > 0,
 * but a joined pair is consumed, so only a_b is written and c stays alone;
 * in "a b c d" (then b c has no chance either) c d is the next pair.
 */
START_TEST(test_consumption)
{
	struct buf in = { 0 }, want = { 0 };
	struct run r;
	char *out;

	run_init(&r, 1, 0);
	buf_repeat(&in, "a b c\n", 10);
	buf_repeat(&want, "a_b c\n", 10);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, want.s);
	ck_assert_uint_eq(r.st.joined, 10);
	free(out);
	free(in.s);
	free(want.s);
	in.s = want.s = NULL;
	in.len = in.cap = want.len = want.cap = 0;
	buf_repeat(&in, "a b c d\n", 10);
	buf_repeat(&want, "a_b c_d\n", 10);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, want.s);
	ck_assert_uint_eq(r.st.joined, 20);
	free(out);
	free(in.s);
	free(want.s);
	run_done(&r);
}
END_TEST

/*
 * The pair a b is seen once, the token a_b ten times, a and b five more
 * times each. With min-count 2 the pair (1) is dropped: a literal a_b in
 * the text is a word of its own and must not count for the pair.
 */
START_TEST(test_literal_joined_token)
{
	struct buf in = { 0 };
	struct run r;
	char *out;

	run_init(&r, 2, 0);
	buf_add(&in, "a b\n");
	buf_repeat(&in, "a_b\n", 10);
	buf_repeat(&in, "a\nb\n", 5);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, in.s);
	ck_assert_uint_eq(r.st.joined, 0);
	free(out);
	free(in.s);
	run_done(&r);
}
END_TEST

/*
 * 50 lines "new york" first, then 30000 distinct fillers: the fillers and
 * their pairs overflow the smallest budget, so the table is pruned, but
 * the frequent entries (50 each) survive: score (50 - 5) / 50 / 50 * 30100
 * = 541.8, joined.
 */
START_TEST(test_prune_keeps_frequent)
{
	struct buf in = { 0 }, want = { 0 };
	struct run r;
	char *out;

	run_init(&r, 5, 100);
	r.cfg.budget_bytes = KS_VOCAB_MIN_BUDGET;
	buf_repeat(&in, "new york\n", 50);
	buf_fillers(&in, 0, 30000);
	buf_repeat(&want, "new_york\n", 50);
	buf_fillers(&want, 0, 30000);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, want.s);
	ck_assert_uint_gt(r.st.prunes, 0);
	ck_assert_uint_gt(r.st.pruned_entries, 1000);
	ck_assert_uint_ge(r.st.prune_min_count, 2);
	ck_assert_uint_eq(r.st.words, 30100);
	free(out);
	free(in.s);
	free(want.s);
	run_done(&r);
}
END_TEST

/* A run over two inputs reads them as one corpus; a joined word may join again on a second run. */
START_TEST(test_two_inputs_and_second_pass)
{
	struct buf in = { 0 };
	struct run r;
	char second[600], out2[600];
	const char *train[2];
	size_t len;
	char *out;

	run_init(&r, 1, 0);
	buf_repeat(&in, "new york city\n", 10);
	out = run_text(&r, in.s);
	ck_assert_str_eq(out, "new_york city\nnew_york city\nnew_york city\nnew_york city\n"
			 "new_york city\nnew_york city\nnew_york city\nnew_york city\n"
			 "new_york city\nnew_york city\n");
	free(out);
	/* The output, read with the input, as a second pass: new_york city joins. */
	snprintf(second, sizeof(second), "%s/p1.txt", r.dir);
	snprintf(out2, sizeof(out2), "%s/p2.txt", r.dir);
	ck_assert_int_eq(rename(r.out, second), 0);
	train[0] = second;
	train[1] = second;
	r.cfg.train = train;
	r.cfg.n_train = 2;
	r.cfg.output = out2;
	ck_assert_int_eq(ks_phrases_run(&r.cfg, NULL, &r.st, &r.err), KS_OK);
	ck_assert_uint_eq(r.st.words, 40);
	ck_assert_uint_eq(r.st.joined, 20);
	out = ks_test_slurp(out2, &len);
	ck_assert(strncmp(out, "new_york_city\nnew_york_city\n", 28) == 0);
	ck_assert_uint_eq(len, 20 * strlen("new_york_city\n"));
	free(out);
	unlink(second);
	unlink(out2);
	free(in.s);
	run_done(&r);
}
END_TEST

/* Errors name the file or option, and leave no output behind. */
START_TEST(test_errors)
{
	struct run r;
	char missing[600], bad_out[600];
	int rc;

	run_init(&r, 5, 100);
	ks_test_write_file(r.in, "a b\n", 4);
	snprintf(missing, sizeof(missing), "%s/missing.txt", r.dir);
	r.train[0] = missing;
	rc = ks_phrases_run(&r.cfg, NULL, &r.st, &r.err);
	ck_assert_int_eq(rc, KS_ERR_OPEN);
	ck_assert_ptr_nonnull(strstr(r.err.msg, missing));
	ck_assert_int_ne(access(r.out, F_OK), 0);
	r.train[0] = r.in;

	snprintf(bad_out, sizeof(bad_out), "%s/no/such/dir/out.txt", r.dir);
	r.cfg.output = bad_out;
	rc = ks_phrases_run(&r.cfg, NULL, &r.st, &r.err);
	ck_assert_int_lt(rc, 0);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "no/such/dir"));
	r.cfg.output = r.out;

	/* The output may not be an input. */
	r.cfg.output = r.in;
	ck_assert_int_eq(ks_phrases_run(&r.cfg, NULL, &r.st, &r.err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "-output"));
	r.cfg.output = r.out;

	r.cfg.threshold = -1;
	ck_assert_int_eq(ks_phrases_check(&r.cfg, &r.err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "-threshold"));
	r.cfg.threshold = NAN;
	ck_assert_int_eq(ks_phrases_run(&r.cfg, NULL, &r.st, &r.err), KS_ERR_USAGE);
	r.cfg.threshold = 100;
	r.cfg.budget_bytes = 1000;
	ck_assert_int_eq(ks_phrases_check(&r.cfg, &r.err), KS_ERR_USAGE);
	r.cfg.budget_bytes = 0;
	r.cfg.n_train = 0;
	ck_assert_int_eq(ks_phrases_check(&r.cfg, &r.err), KS_ERR_USAGE);
	r.cfg.n_train = 1;
	r.cfg.output = NULL;
	ck_assert_int_eq(ks_phrases_check(&r.cfg, &r.err), KS_ERR_USAGE);
	r.cfg.output = r.out;
	ck_assert_int_ne(access(r.out, F_OK), 0);
	ck_assert_int_eq(ks_phrases_run(&r.cfg, NULL, &r.st, &r.err), KS_OK);
	ck_assert_int_eq(access(r.out, F_OK), 0);
	run_done(&r);
}
END_TEST

/* A raised interrupt flag stops the run with nothing written. */
START_TEST(test_interrupt)
{
	atomic_int stop = 1;
	struct run r;

	run_init(&r, 5, 100);
	ks_test_write_file(r.in, "a b\n", 4);
	r.cfg.interrupt = &stop;
	ck_assert_int_eq(ks_phrases_run(&r.cfg, NULL, &r.st, &r.err), KS_ERR_INTERRUPTED);
	ck_assert_int_ne(access(r.out, F_OK), 0);
	run_done(&r);
}
END_TEST

Suite *
ks_suite_phrases(void)
{
	Suite *s = suite_create("phrases");
	TCase *tc = tcase_create("phrases");

	tcase_add_test(tc, test_score_formula);
	tcase_add_test(tc, test_new_york);
	tcase_add_test(tc, test_threshold_boundary);
	tcase_add_test(tc, test_min_count);
	tcase_add_test(tc, test_no_join_across_sentences);
	tcase_add_test(tc, test_consumption);
	tcase_add_test(tc, test_literal_joined_token);
	tcase_add_test(tc, test_prune_keeps_frequent);
	tcase_add_test(tc, test_two_inputs_and_second_pass);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_interrupt);
	suite_add_tcase(s, tc);
	return s;
}
