/*
 * One vocabulary for ranks that count different files (dist.h's sharding
 * by files). Every rank has counted its own files into its table; a
 * binomial tree sums the tables towards rank 0 in ceil(log2 N) steps (at
 * step s, a rank with bit s set sends its table to the rank 2^s below it
 * and is done; that rank merges it, pruning within -vocab-mb as counting
 * does), rank 0 keeps the words that reach keep_min and broadcasts them
 * with their counts, and every rank's table takes exactly those counts
 * (ks_vocab_replace). Each rank then finalizes the same vocabulary with
 * the job's counts, so the subsampling, the negative sampling table and
 * the Huffman tree are equal everywhere. A rank sends its table once and
 * receives one table per step plus the result: the bytes cross the
 * network O(N) times in all instead of N^2 for an all-to-all.
 */
#ifndef KS_DIST_VOCAB_H
#define KS_DIST_VOCAB_H

#include <stdint.h>

#include "dist.h"
#include "status.h"
#include "vocab.h"

/*
 * Collective: called by every rank with its counted, unfinalized table.
 * keep_min is the smallest job count rank 0 passes on: min-count, or 1
 * when a base vocabulary will keep words whatever their count. Returns
 * KS_OK, KS_ERR_NOMEM or (a corrupt table from another rank)
 * KS_ERR_FORMAT, with a message naming the rank.
 */
int ks_dist_merge_vocab(struct ks_dist *d, struct ks_vocab *v, uint64_t keep_min,
			struct ks_err *err);

#endif
