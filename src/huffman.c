/*
 * The Huffman tree of hierarchical softmax (see huffman.h).
 */
#include "huffman.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void
ks_huffman_destroy(struct ks_huffman *h)
{
	if (h == NULL)
		return;
	free(h->start);
	free(h->nodes);
	free(h->codes);
	free(h);
}

int
ks_huffman_create(struct ks_huffman **out, const uint64_t *counts, size_t n_words,
		  struct ks_err *err)
{
	struct ks_huffman *h = NULL;
	uint64_t *weight = NULL;	/* 2V - 1 nodes: leaves 0 .. V-1, inner V .. 2V-2 */
	size_t *parent = NULL, *depth = NULL;
	uint8_t *bit = NULL;
	size_t n = n_words, total = 0, leaf, inner, next, w, i;
	int rc = KS_OK;

	*out = NULL;
	if (n < 2 || n > UINT32_MAX)
		return ks_err_set(err, KS_ERR_USAGE, "hierarchical softmax needs at least 2 words "
				  "(the vocabulary has %zu)", n);
	for (i = 1; i < n; i++)
		if (counts[i] > counts[i - 1])
			return ks_err_set(err, KS_ERR_USAGE, "hierarchical softmax: the counts "
					  "are not sorted (word %zu)", i + 1);
	h = calloc(1, sizeof(*h));
	weight = ks_malloc_array(2 * n - 1, sizeof(*weight));
	parent = ks_malloc_array(2 * n - 1, sizeof(*parent));
	bit = ks_calloc_array(2 * n - 1, sizeof(*bit));
	depth = ks_calloc_array(2 * n - 1, sizeof(*depth));
	if (h == NULL || weight == NULL || parent == NULL || bit == NULL || depth == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the Huffman tree of %zu words",
				n);
		goto out;
	}
	for (i = 0; i < n; i++)
		weight[i] = counts[i];
	/*
	 * Two queues: leaves from the rarest (index n - 1) down, inner nodes
	 * from n up in the order made, which is also by weight. Each step
	 * joins the two lightest heads; the first taken gets code 0, the
	 * second code 1; a tie takes the inner node first, as word2vec.c does.
	 */
	leaf = n;	/* leaves left: 0 .. leaf-1, the head is leaf - 1 */
	inner = n;	/* the inner queue's head */
	for (next = n; next < 2 * n - 1; next++) {
		size_t pick[2];
		int k;

		for (k = 0; k < 2; k++) {
			if (leaf > 0 && (inner == next || weight[leaf - 1] < weight[inner]))
				pick[k] = --leaf;
			else
				pick[k] = inner++;
		}
		weight[next] = weight[pick[0]] + weight[pick[1]];
		parent[pick[0]] = next;
		parent[pick[1]] = next;
		bit[pick[0]] = 0;
		bit[pick[1]] = 1;
	}
	/* Depths from the root (node 2n - 2) down: parents are made after their children. */
	depth[2 * n - 2] = 0;
	for (i = 2 * n - 2; i-- > 0;)
		depth[i] = depth[parent[i]] + 1;
	h->n_words = n;
	h->start = ks_malloc_array(n + 1, sizeof(*h->start));
	if (h->start == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the Huffman tree");
		goto out;
	}
	for (w = 0; w < n; w++) {
		h->start[w] = total;
		total += depth[w];
		if (depth[w] > h->max_depth)
			h->max_depth = depth[w];
	}
	h->start[n] = total;
	h->nodes = ks_malloc_array(total, sizeof(*h->nodes));
	h->codes = ks_malloc_array(total, sizeof(*h->codes));
	if (h->nodes == NULL || h->codes == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the Huffman codes (%zu turns)",
				total);
		goto out;
	}
	/* Walk up from each leaf, filling its path from the end (the root comes first). */
	for (w = 0; w < n; w++) {
		size_t node = w, at = h->start[w + 1];

		while (node != 2 * n - 2) {
			at--;
			h->codes[at] = bit[node];
			h->nodes[at] = (uint32_t)(parent[node] - n);
			node = parent[node];
		}
	}
	*out = h;
	h = NULL;
out:
	ks_huffman_destroy(h);
	free(weight);
	free(parent);
	free(bit);
	free(depth);
	return rc;
}
