/*
 * A small fixed vector set for the analogy and similarity harnesses, so
 * that the words a fuzzed set names are also looked up and scored, not only
 * parsed. Its words differ in case and include a repeated folded spelling.
 */
#ifndef KS_FUZZ_EVAL_COMMON_H
#define KS_FUZZ_EVAL_COMMON_H

#include <string.h>

#include "eval.h"
#include "fuzz_util.h"

static inline struct ks_eval_vectors *
fuzz_eval_vectors(void)
{
	static const char *const words[] = {
		"a", "b", "c", "d", "King", "queen", "man", "woman", "king", "x", "0"
	};
	enum { N = sizeof(words) / sizeof(words[0]), DIM = 3 };
	struct ks_vecset *vs;
	struct ks_eval_vectors *ev;
	struct ks_err err;
	float vec[DIM];
	size_t i, k;

	if (ks_vecset_create(&vs, DIM, &err) != KS_OK)
		fuzz_fail("ks_vecset_create");
	for (i = 0; i < N; i++) {
		for (k = 0; k < DIM; k++)
			vec[k] = (float)((i * 7 + k * 3) % 5) - 2.0f;
		if (i == N - 1)
			memset(vec, 0, sizeof(vec));	/* a zero vector stays zero */
		if (ks_vecset_add(vs, words[i], strlen(words[i]), vec, NULL, &err) != KS_OK)
			fuzz_fail("ks_vecset_add");
	}
	if (ks_eval_vectors_create(&ev, vs, &err) != KS_OK)
		fuzz_fail("ks_eval_vectors_create");
	return ev;
}

#endif
