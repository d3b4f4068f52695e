/*
 * Continued training (model.c, and the base vocabulary of vocab.c): how a
 * model's vocabulary merges with a corpus's counts under both policies and
 * a cap, and how the inner-node vectors follow a tree that the new counts
 * reshape, checked by the one thing that matters: every word keeps the
 * probability hierarchical softmax gave it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "huffman.h"
#include "mem.h"
#include "model.h"
#include "suites.h"
#include "vocab.h"

static const char *const base_words[3] = { "a", "b", "c" };
static const uint64_t base_counts[3] = { 5, 3, 2 };

/* A vocabulary that counted "c c d d d d d e" and has the base a 5, b 3, c 2. */
static struct ks_vocab *
model_merged(int grow, uint64_t max_vocab)
{
	const char *corpus[8] = { "c", "c", "d", "d", "d", "d", "d", "e" };
	struct ks_vocab *v;
	struct ks_err err;
	uint32_t sid;
	size_t i;

	ck_assert_int_eq(ks_vocab_create(&v, 0, &err), KS_OK);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(ks_vocab_add(v, corpus[i], 1, &sid, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_set_base(v, base_words, base_counts, 3, grow, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_finalize(v, 2, max_vocab, &err), KS_OK);
	return v;
}

static void
model_expect(const struct ks_vocab *v, const char *const *words, const uint64_t *counts,
	     const uint32_t *base, size_t n)
{
	size_t i;

	ck_assert_uint_eq(ks_vocab_size(v), n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(ks_vocab_word(v, (uint32_t)i), words[i]);
		ck_assert_uint_eq(ks_vocab_count(v, (uint32_t)i), counts[i]);
		ck_assert_uint_eq(ks_vocab_base_id(v, (uint32_t)i), base[i]);
	}
}

/* grow: d (5 in the corpus) joins, e (1) stays out; a and d tie at 5, in byte order. */
START_TEST(test_base_grow)
{
	const char *words[4] = { "a", "d", "c", "b" };
	const uint64_t counts[4] = { 5, 5, 4, 3 };
	const uint32_t base[4] = { 0, KS_NO_WORD, 2, 1 };
	struct ks_vocab *v = model_merged(1, 0);

	model_expect(v, words, counts, base, 4);
	ck_assert_uint_eq(ks_vocab_total(v), 17);
	/* Only the corpus's occurrences are trained: c twice, d five times. */
	ck_assert_uint_eq(ks_vocab_corpus_total(v), 7);
	ks_vocab_destroy(v);
}
END_TEST

/* keep: only the model's words, b kept though the corpus never has it. */
START_TEST(test_base_keep)
{
	const char *words[3] = { "a", "c", "b" };
	const uint64_t counts[3] = { 5, 4, 3 };
	const uint32_t base[3] = { 0, 2, 1 };
	struct ks_vocab *v = model_merged(0, 0);

	model_expect(v, words, counts, base, 3);
	ck_assert_uint_eq(ks_vocab_corpus_total(v), 2);
	ks_vocab_destroy(v);
}
END_TEST

/* -max-vocab counts the model's words: 4 leaves room for d, 3 for none, 2 still keeps all three. */
START_TEST(test_base_cap)
{
	struct ks_vocab *v = model_merged(1, 4);

	ck_assert_uint_eq(ks_vocab_size(v), 4);
	ks_vocab_destroy(v);
	v = model_merged(1, 3);
	ck_assert_uint_eq(ks_vocab_size(v), 3);
	ck_assert_uint_eq(ks_vocab_base_id(v, 1), 2);	/* c, not d */
	ks_vocab_destroy(v);
	v = model_merged(1, 2);
	ck_assert_uint_eq(ks_vocab_size(v), 3);
	ks_vocab_destroy(v);
}
END_TEST

START_TEST(test_base_duplicate)
{
	const char *const words[3] = { "a", "b", "a" };
	struct ks_vocab *v;
	struct ks_err err;
	uint32_t sid;

	ck_assert_int_eq(ks_vocab_create(&v, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_add(v, "a", 1, &sid, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_set_base(v, words, base_counts, 3, 1, &err), KS_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"a\" twice"));
	ks_vocab_destroy(v);
}
END_TEST

/* Hierarchical softmax's probability of word w given h: the product over its path. */
static double
model_hs_prob(const struct ks_huffman *tree, const float *rows, size_t stride, uint32_t w,
	      const float *h, size_t dim)
{
	struct ks_hs_path p = ks_huffman_path(tree, w);
	double prob = 1.0;
	size_t i, j;

	for (i = 0; i < p.len; i++) {
		double dot = 0.0;

		for (j = 0; j < dim; j++)
			dot += (double)rows[p.nodes[i] * stride + j] * (double)h[j];
		prob *= 1.0 / (1.0 + exp(-(p.codes[i] ? -dot : dot)));
	}
	return prob;
}

/*
 * The model's counts a 5, b 3, c 2 give the tree (c, b) then (that, a);
 * the corpus adds c 2, so the new counts a 5, c 4, b 3 build the same
 * shape with b and c swapped under the lower node: its vector must be
 * negated for b and c to keep their probabilities, and the root's taken as
 * it is. Any h gives each word the probability the model gave it.
 */
START_TEST(test_tree_follows_counts)
{
	const size_t dim = 3, stride = ks_row_stride(3);
	const float h[3] = { 0.7f, -1.1f, 0.4f };
	struct ks_huffman *old_tree, *new_tree;
	struct ks_model_target t;
	struct ks_ckpt m;
	struct ks_vocab *v = model_merged(0, 0);
	struct ks_err err;
	float *old_hs = ks_aligned_calloc(2 * stride, sizeof(float));
	float *new_hs = ks_aligned_calloc(2 * stride, sizeof(float));
	float *in = ks_aligned_calloc(3 * stride, sizeof(float));
	float *out = ks_aligned_calloc(3 * stride, sizeof(float));
	float *new_in = ks_aligned_calloc(3 * stride, sizeof(float));
	float *new_out = ks_aligned_calloc(3 * stride, sizeof(float));
	const char *words[3] = { "a", "b", "c" };
	uint64_t new_counts[3], counts[3] = { 5, 3, 2 };
	size_t i, j;

	ck_assert_ptr_nonnull(old_hs);
	ck_assert_ptr_nonnull(new_hs);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(new_in);
	ck_assert_ptr_nonnull(new_out);
	for (i = 0; i < 2; i++)
		for (j = 0; j < dim; j++)
			old_hs[i * stride + j] = (float)(0.3 * (double)(i + 1) - 0.2 * (double)j);
	for (i = 0; i < 3; i++)
		for (j = 0; j < dim; j++)
			in[i * stride + j] = (float)(i * 10 + j);
	memset(&m, 0, sizeof(m));
	m.set.hs = 1;
	m.n_words = 3;
	m.dim = dim;
	m.stride = stride;
	m.words = words;
	m.counts = counts;
	m.in_vecs = in;
	m.out_vecs = out;
	m.n_hs = 2;
	m.hs_vecs = old_hs;
	ck_assert_int_eq(ks_huffman_create(&old_tree, base_counts, 3, &err), KS_OK);
	for (i = 0; i < 3; i++)
		new_counts[i] = ks_vocab_count(v, (uint32_t)i);
	ck_assert_int_eq(ks_huffman_create(&new_tree, new_counts, 3, &err), KS_OK);
	memset(&t, 0, sizeof(t));
	t.vocab = v;
	t.dim = dim;
	t.stride = stride;
	t.in_vecs = new_in;
	t.out_vecs = new_out;
	t.tree = new_tree;
	t.hs_vecs = new_hs;
	ck_assert_int_eq(ks_model_apply(&m, "model", &t, NULL, &err), KS_OK);
	for (i = 0; i < 3; i++) {
		uint32_t b = ks_vocab_base_id(v, (uint32_t)i);
		double then = model_hs_prob(old_tree, old_hs, stride, b, h, dim);
		double now = model_hs_prob(new_tree, new_hs, stride, (uint32_t)i, h, dim);

		ck_assert_double_eq_tol(now, then, 1e-12);
		/* The word's own rows moved with it. */
		ck_assert_float_eq(new_in[i * stride + 1], in[b * stride + 1]);
	}
	/* The swap really happened: the lower node's vector was negated. */
	ck_assert_float_eq(new_hs[0], -old_hs[0]);
	ks_huffman_destroy(old_tree);
	ks_huffman_destroy(new_tree);
	ks_vocab_destroy(v);
	free(old_hs);
	free(new_hs);
	free(in);
	free(out);
	free(new_in);
	free(new_out);
}
END_TEST

Suite *
ks_suite_model(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_base_grow);
	tcase_add_test(tc, test_base_keep);
	tcase_add_test(tc, test_base_cap);
	tcase_add_test(tc, test_base_duplicate);
	tcase_add_test(tc, test_tree_follows_counts);
	suite_add_tcase(s, tc);
	return s;
}
