/*
 * The Huffman tree of hierarchical softmax (-hs 1): every word is a leaf,
 * its code the left/right turns from the root, and its path the inner
 * nodes it passes, whose vectors (one row per inner node, V - 1 rows) the
 * kernels train instead of (or besides) the negative-sampling output rows
 * (Morin and Bengio, "Hierarchical Probabilistic Neural Network Language
 * Model", AISTATS 2005; Mikolov et al., "Distributed Representations of
 * Words and Phrases and their Compositionality", NIPS 2013).
 *
 * The tree is word2vec.c's: the counts come sorted (most frequent first),
 * so the two least frequent nodes are always at the heads of two queues
 * (the leaves, rarest first, and the inner nodes in the order they were
 * made), and the tree is built in linear time. A tie prefers the inner
 * node, as word2vec.c does, so the codes are the same as word2vec.c's. Codes and
 * paths are stored packed, one after another, with an offset per word: a
 * skewed vocabulary can make a path as long as V - 1 without any fixed
 * limit.
 */
#ifndef KS_HUFFMAN_H
#define KS_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct ks_huffman {
	size_t n_words;		/* leaves; n_words - 1 inner nodes */
	size_t *start;		/* n_words + 1: word w's path is [start[w], start[w + 1]) */
	uint32_t *nodes;	/* inner node ids 0 .. n_words - 2, root first */
	uint8_t *codes;		/* the turn taken at each: 0 or 1 */
	size_t max_depth;
};

/* One word's path, for the kernels. */
struct ks_hs_path {
	const uint32_t *nodes;
	const uint8_t *codes;
	size_t len;
};

/*
 * Builds the tree of n_words >= 2 words with counts sorted from the most
 * frequent (ties in any order). On success *out owns it
 * (ks_huffman_destroy); on failure (KS_ERR_NOMEM, KS_ERR_USAGE for fewer
 * than two words or unsorted counts) *out is NULL.
 */
int ks_huffman_create(struct ks_huffman **out, const uint64_t *counts, size_t n_words,
		      struct ks_err *err);

/* Frees the tree. Accepts NULL. */
void ks_huffman_destroy(struct ks_huffman *h);

/* Word w's path. */
static inline struct ks_hs_path
ks_huffman_path(const struct ks_huffman *h, uint32_t w)
{
	struct ks_hs_path p;

	p.nodes = h->nodes + h->start[w];
	p.codes = h->codes + h->start[w];
	p.len = h->start[w + 1] - h->start[w];
	return p;
}

#endif
