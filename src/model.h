/*
 * Continued training: the model -init starts from, and what -save-model
 * writes.
 *
 * A model is a checkpoint of a finished training (checkpoint.h): the
 * vocabulary with its counts, both matrices, the position weights and the
 * inner-node vectors of hierarchical softmax when those are used, and the
 * settings. -init also takes an unfinished checkpoint: its state is as good
 * a start as any.
 *
 * Continuing, the vocabulary is the model's merged with the new corpus's
 * counts (vocab.h, ks_vocab_set_base): every word of the model stays, its
 * count becomes the model's plus the corpus's, so an old occurrence
 * weighs as much as a new one in subsampling, in the negative-sampling
 * distribution and in the tree, just as one training on both corpora
 * would count them; with -vocab-update grow the corpus's new words that
 * reach -min-count join, with keep they are ignored. The words are sorted
 * by the summed counts, and each model word's rows move with it.
 *
 * What cannot change is refused, naming the option and both values: the
 * dimension (-size), the mode (-cbow), the output layer's tree (-hs) and
 * the position weights (-positions, and with them -window, which sets how
 * many there are). The rest (-window otherwise, -negative, -sample,
 * -alpha, -iter, -threads, -cbow-update, -min-count) comes from the
 * command line.
 */
#ifndef KS_MODEL_H
#define KS_MODEL_H

#include <stddef.h>

#include "checkpoint.h"
#include "config.h"
#include "huffman.h"
#include "log.h"
#include "status.h"
#include "vocab.h"

/*
 * Reads the model at cfg->init (ks_ckpt_read's checks) and compares it
 * with cfg (KS_ERR_USAGE naming the option). On success *out owns it
 * (ks_ckpt_destroy).
 */
int ks_model_open(struct ks_ckpt **out, const struct ks_config *cfg, struct ks_err *err);

/* Where the rows of the continued training go (the trainer's own arrays). */
struct ks_model_target {
	const struct ks_vocab *vocab;	/* finalized with the model as its base */
	size_t dim, stride;
	float *in_vecs, *out_vecs;	/* vocabulary rows, stride apart */
	const struct ks_huffman *tree;	/* the new tree with -hs 1, else NULL */
	float *hs_vecs;			/* its inner-node rows (zero), or NULL */
	float *pos;			/* the position weights, or NULL */
	size_t n_pos;
};

/*
 * Copies the model's rows over the fresh start of the words it holds (new
 * words keep their random input row and zero output row), its position
 * weights, and its inner-node vectors. The tree rebuilt from the summed
 * counts is in general not the model's, so each new inner node takes the
 * vector of the model's node that splits the same words: the lowest
 * common ancestor, in the model's tree, of two model words from its two
 * sides (the most frequent of each), negated when the model sent them the
 * other way round. When the tree is unchanged this is every node's own
 * vector; a node with no model word on one side starts from zero. Logs
 * what was taken.
 */
int ks_model_apply(const struct ks_ckpt *m, const char *path, const struct ks_model_target *t,
		   const struct ks_log *log, struct ks_err *err);

#endif
