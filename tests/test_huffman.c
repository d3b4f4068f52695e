/*
 * The Huffman tree (huffman.c): a tree worked out by hand with
 * word2vec.c's rules, the prefix and Kraft properties on a larger one,
 * and a skewed vocabulary whose deepest path is V - 1 long.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "huffman.h"
#include "suites.h"

/*
 * Counts 5 3 2 1. Joins: (1, 2) -> a (3, codes 0 1); then a and the leaf
 * 3 tie, and the inner node goes first: (a, 3) -> b (6, codes 0 1); then
 * (5, b) -> the root (codes 0 1). Inner ids are made order: a 0, b 1, root 2.
 */
START_TEST(test_hand_tree)
{
	const uint64_t counts[4] = { 5, 3, 2, 1 };
	const uint32_t nodes[4][3] = { { 2 }, { 2, 1 }, { 2, 1, 0 }, { 2, 1, 0 } };
	const uint8_t codes[4][3] = { { 0 }, { 1, 1 }, { 1, 0, 1 }, { 1, 0, 0 } };
	const size_t len[4] = { 1, 2, 3, 3 };
	struct ks_huffman *h;
	struct ks_err err;
	uint32_t w;
	size_t i;

	ck_assert_int_eq(ks_huffman_create(&h, counts, 4, &err), KS_OK);
	ck_assert_uint_eq(h->max_depth, 3);
	for (w = 0; w < 4; w++) {
		struct ks_hs_path p = ks_huffman_path(h, w);

		ck_assert_uint_eq(p.len, len[w]);
		for (i = 0; i < p.len; i++) {
			ck_assert_uint_eq(p.nodes[i], nodes[w][i]);
			ck_assert_uint_eq(p.codes[i], codes[w][i]);
		}
	}
	ks_huffman_destroy(h);
	ks_huffman_destroy(NULL);
}
END_TEST

/*
 * A Zipf-like vocabulary: every path starts at the root (V - 2), no code
 * is a prefix of another, the code lengths meet Kraft's equality (a full
 * binary tree), a more frequent word is never deeper, and the weighted
 * length is within one bit per word of the entropy.
 */
START_TEST(test_zipf_tree)
{
	enum { V = 500 };
	uint64_t counts[V];
	struct ks_huffman *h;
	struct ks_err err;
	double kraft = 0.0, total = 0.0, bits = 0.0, entropy = 0.0;
	size_t w, v, i, prev = 0;

	for (w = 0; w < V; w++) {
		counts[w] = 100000 / (w + 1);
		total += (double)counts[w];
	}
	ck_assert_int_eq(ks_huffman_create(&h, counts, V, &err), KS_OK);
	for (w = 0; w < V; w++) {
		struct ks_hs_path p = ks_huffman_path(h, (uint32_t)w);
		double q = (double)counts[w] / total;

		ck_assert_uint_ge(p.len, 1);
		ck_assert_uint_eq(p.nodes[0], V - 2);
		for (i = 0; i < p.len; i++)
			ck_assert_uint_lt(p.nodes[i], V - 1);
		ck_assert_msg(p.len >= prev, "word %zu is shallower than a rarer one", w);
		prev = p.len;
		kraft += 1.0 / (double)(1ull << (p.len < 63 ? p.len : 63));
		bits += q * (double)p.len;
		entropy -= q * log2(q);
		for (v = 0; v < w; v++) {
			struct ks_hs_path o = ks_huffman_path(h, (uint32_t)v);
			size_t n = o.len < p.len ? o.len : p.len;

			/* Prefix-free: two codes differ within the shorter one's length. */
			ck_assert_msg(memcmp(o.codes, p.codes, n) != 0,
				      "the code of word %zu is a prefix of word %zu's", v, w);
		}
	}
	ck_assert_msg(fabs(kraft - 1.0) < 1e-9, "Kraft sum %.12f", kraft);
	ck_assert_msg(bits >= entropy && bits < entropy + 1.0, "%.3f bits, entropy %.3f", bits,
		      entropy);
	ks_huffman_destroy(h);
}
END_TEST

/* Counts halving at each rank make a chain: the rarest words are V - 1 deep. */
START_TEST(test_skewed_tree_has_no_depth_limit)
{
	enum { V = 60 };
	uint64_t counts[V];
	struct ks_huffman *h;
	struct ks_err err;
	size_t w;

	for (w = 0; w < V; w++)
		counts[w] = w + 1 < V ? 1ull << (V - 2 - w) : 1;
	ck_assert_int_eq(ks_huffman_create(&h, counts, V, &err), KS_OK);
	ck_assert_uint_eq(h->max_depth, V - 1);
	ck_assert_uint_eq(ks_huffman_path(h, V - 1).len, V - 1);
	ck_assert_uint_eq(ks_huffman_path(h, 0).len, 1);
	ks_huffman_destroy(h);
}
END_TEST

START_TEST(test_refusals)
{
	const uint64_t one[1] = { 3 }, unsorted[3] = { 1, 5, 2 };
	struct ks_huffman *h = (struct ks_huffman *)1;
	struct ks_err err;

	ck_assert_int_eq(ks_huffman_create(&h, one, 1, &err), KS_ERR_USAGE);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(ks_huffman_create(&h, unsorted, 3, &err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "sorted"));
}
END_TEST

Suite *
ks_suite_huffman(void)
{
	Suite *s = suite_create("huffman");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, test_hand_tree);
	tcase_add_test(tc, test_zipf_tree);
	tcase_add_test(tc, test_skewed_tree_has_no_depth_limit);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	return s;
}
