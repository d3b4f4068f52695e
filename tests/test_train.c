/*
 * The token stream and whole trainings run in-process: every word reaches
 * the workers once per epoch, batches are cut only where chunks may start,
 * runs are reproducible and independent (no global state), and divergence
 * is caught before anything is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "config.h"
#include "mem.h"
#include "stream.h"
#include "suites.h"
#include "train.h"

static void
check_stream(const char *path, size_t cache_bytes, size_t max_sentence, uint64_t expect_words)
{
	const char *paths[1] = { path };
	struct ks_stream_opts o = { paths, 1, cache_bytes, 0, 1, 0, max_sentence, NULL };
	struct ks_stream *s;
	const struct ks_vocab *v;
	struct ks_stream_info info;
	struct ks_batch b;
	struct ks_err err;
	uint64_t words = 0, batches = 0;
	int rc;

	ck_assert_int_eq(ks_stream_load(&s, &o, NULL, &err), KS_OK);
	ks_stream_info(s, &info);
	v = ks_stream_vocab(s);
	ck_assert_int_eq(info.cached, cache_bytes > 0);
	/* Served from the cache, the stream has no use for lookups: the index is freed. */
	ck_assert_uint_eq(ks_vocab_find(v, ks_vocab_word(v, 0), ks_vocab_word_len(v, 0)),
			  info.cached ? KS_NO_WORD : 0);
	ck_assert_uint_eq(info.corpus_words, expect_words);
	ck_assert_uint_eq(info.train_words, expect_words);
	ck_assert_int_eq(ks_stream_start(s, 3, &err), KS_OK);
	while ((rc = ks_stream_next(s, &b)) == 1) {
		size_t i, run = 0;

		ck_assert_uint_gt(b.n, 0);
		for (i = 0; i < b.n; i++) {
			if (b.ids[i] == KS_EOS) {
				run = 0;
				continue;
			}
			ck_assert_uint_lt(b.ids[i], ks_vocab_size(v));
			run++;
			words++;
		}
		/* A batch ends at a sentence end or a whole number of chunks in. */
		ck_assert(b.ids[b.n - 1] == KS_EOS || run % max_sentence == 0);
		batches++;
		ks_stream_release(s, &b);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(ks_stream_stop(s, &err), KS_OK);
	ck_assert_uint_eq(words, 3 * expect_words);
	ck_assert_uint_gt(batches, 3);
	ks_stream_destroy(s);
}

START_TEST(test_stream_serves_every_word)
{
	char path[512];
	const char *dir = ks_test_tmpdir();

	/* Short lines, then one long line that must be cut into chunks. */
	snprintf(path, sizeof(path), "%s/lines.txt", dir);
	ks_test_write_corpus(path, 3000, 12, 50);
	check_stream(path, 64 << 20, 1000, 36000);
	check_stream(path, 0, 1000, 36000);
	/* A budget beyond the address space: no reservation, the cache grows by realloc. */
	check_stream(path, (size_t)1 << 60, 1000, 36000);
	snprintf(path, sizeof(path), "%s/one.txt", dir);
	ks_test_write_corpus(path, 1, 45001, 50);
	check_stream(path, 64 << 20, 1000, 45001);
	check_stream(path, 0, 1000, 45001);
	check_stream(path, 64 << 20, 777, 45001);
}
END_TEST

START_TEST(test_reserve_grows_in_place)
{
	size_t bytes = (size_t)64 << 20, huge = (size_t)2 << 20, keep;
	unsigned char *p = ks_reserve(bytes);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % huge, 0);
	p[0] = 1;
	p[huge - 1] = 2;
	p[bytes - 1] = 3;
	/* The first 2 MiB stay with what they hold; the rest is unmapped. */
	keep = ks_release_tail(p, huge - 1, bytes);
	ck_assert_uint_eq(keep, huge);
	ck_assert_int_eq(p[0], 1);
	ck_assert_int_eq(p[huge - 1], 2);
	ck_assert_int_eq(msync(p, 4096, MS_ASYNC), 0);
	errno = 0;
	ck_assert_int_eq(msync(p + huge, 4096, MS_ASYNC), -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_uint_eq(ks_release_tail(p, huge, keep), keep);
	ks_release(p, keep);
	ck_assert_int_eq(msync(p, 4096, MS_ASYNC), -1);
	ks_release(NULL, bytes);
	/* Sizes that overflow or exceed the address space are refused, not wrapped. */
	ck_assert_ptr_null(ks_reserve(SIZE_MAX));
	ck_assert_ptr_null(ks_reserve((size_t)1 << 60));
}
END_TEST

/* Rows are padded to a 64-byte line where it costs at most 1/10, else to 32 bytes where it costs at most 1/16. */
START_TEST(test_row_stride)
{
	static const size_t cases[][2] = {
		{ 100, 104 },	/* 112 would add 12%: 32-byte boundaries, 4% */
		{ 200, 208 },	/* 64-byte lines for 4% */
		{ 300, 304 },	/* 64-byte lines for 1.3% */
		{ 128, 128 }, { 16, 16 }, { 8, 8 },	/* already on lines */
		{ 150, 160 },	/* 10 more floats, within 150 / 10 (152 would not be on lines) */
		{ 241, 256 },	/* 15 more floats, within 241 / 10 */
		{ 140, 144 },	/* 4 more, within 140 / 10 */
		{ 110, 112 },	/* 2 more */
		{ 90, 96 },	/* 6 more, within 90 / 10 */
		{ 70, 72 },	/* 10 more would be over 70 / 10; 2 more is within 70 / 16 */
		{ 120, 128 },	/* 8 more, within 120 / 10 */
		{ 50, 50 }, { 17, 17 }, { 1, 1 },	/* either would cost too much */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(ks_row_stride(cases[i][0]) == cases[i][1], "dim %zu: stride %zu, expected %zu",
			      cases[i][0], ks_row_stride(cases[i][0]), cases[i][1]);
}
END_TEST

static void
base_config(struct ks_config *cfg, char **train, const char *out)
{
	ks_config_defaults(cfg);
	cfg->train = train;
	cfg->n_train = 1;
	cfg->output = out;
	cfg->size = 10;
	cfg->iter = 2;
	cfg->threads = 1;
	cfg->min_count = 1;
	cfg->debug = 0;
}

START_TEST(test_train_reproducible_and_modes_differ)
{
	const char *dir = ks_test_tmpdir();
	char corpus[512], a[512], b[512], c[512], d[512];
	char *train[1] = { corpus };
	struct ks_config cfg;
	struct ks_train_report rep;
	struct ks_err err;
	char *x, *y;
	size_t nx, ny;

	snprintf(corpus, sizeof(corpus), "%s/c.txt", dir);
	snprintf(a, sizeof(a), "%s/a.vec", dir);
	snprintf(b, sizeof(b), "%s/b.vec", dir);
	snprintf(c, sizeof(c), "%s/c.vec", dir);
	snprintf(d, sizeof(d), "%s/d.vec", dir);
	ks_test_write_corpus(corpus, 2000, 10, 60);

	base_config(&cfg, train, a);
	ck_assert_int_eq(ks_config_finish(&cfg, &err), KS_OK);
	ck_assert_int_eq(ks_train(&cfg, NULL, &rep, &err), KS_OK);
	ck_assert_uint_eq(rep.corpus_words, 20000);
	ck_assert_uint_eq(rep.vocab_size, 60);
	ck_assert_uint_eq(rep.words_done, 40000);
	ck_assert(rep.cached);
	ck_assert(rep.final_loss > 0 && rep.final_loss < 10);

	cfg.output = b;
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_OK);
	x = ks_test_slurp(a, &nx);
	y = ks_test_slurp(b, &ny);
	ck_assert_uint_eq(nx, ny);
	ck_assert(memcmp(x, y, nx) == 0);
	free(y);

	/* The word2vec update and another seed give other vectors. */
	base_config(&cfg, train, c);
	cfg.cbow_update = KS_CBOW_WORD2VEC;
	ck_assert_int_eq(ks_config_finish(&cfg, &err), KS_OK);
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_OK);
	y = ks_test_slurp(c, &ny);
	ck_assert(nx != ny || memcmp(x, y, nx) != 0);
	free(y);
	base_config(&cfg, train, d);
	cfg.seed = 2;
	ck_assert_int_eq(ks_config_finish(&cfg, &err), KS_OK);
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_OK);
	y = ks_test_slurp(d, &ny);
	ck_assert(nx != ny || memcmp(x, y, nx) != 0);
	free(y);
	free(x);
}
END_TEST

START_TEST(test_train_divergence_writes_nothing)
{
	const char *dir = ks_test_tmpdir();
	char corpus[512], out[512];
	char *train[1] = { corpus };
	struct ks_config cfg;
	struct ks_err err;
	struct stat st;

	snprintf(corpus, sizeof(corpus), "%s/c.txt", dir);
	snprintf(out, sizeof(out), "%s/v.vec", dir);
	ks_test_write_corpus(corpus, 2000, 10, 60);
	base_config(&cfg, train, out);
	cfg.alpha = 1e6;
	ck_assert_int_eq(ks_config_finish(&cfg, &err), KS_OK);
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_ERR_DIVERGED);
	ck_assert_ptr_nonnull(strstr(err.msg, "-alpha"));
	ck_assert_int_ne(stat(out, &st), 0);
}
END_TEST

Suite *
ks_suite_train(void)
{
	Suite *s = suite_create("train");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stream_serves_every_word);
	tcase_add_test(tc, test_reserve_grows_in_place);
	tcase_add_test(tc, test_row_stride);
	tcase_add_test(tc, test_train_reproducible_and_modes_differ);
	tcase_add_test(tc, test_train_divergence_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
