/*
 * Training end to end: corpus to vocabulary to vectors on disk.
 *
 * ks_train runs the whole job a ks_config describes: it loads the token
 * stream (stream.h), writes -save-vocab, trains with cfg->threads workers
 * while the calling thread reports progress through the log callback, and
 * writes -output and -save-context. On failure nothing is written under an
 * output's final name (outfile.h).
 *
 * Checkpoints (checkpoint.h): when *cfg->interrupt becomes nonzero (or the
 * test hook cfg->stop_after_words is reached) the workers stop between two
 * batches, a checkpoint is written, and ks_train returns
 * KS_ERR_INTERRUPTED with a message naming the checkpoint; a signal while
 * the corpus is read returns KS_ERR_INTERRUPTED with nothing saved. With
 * cfg->checkpoint_every it also checkpoints periodically, and cfg->resume
 * continues from a checkpoint (KS_ERR_FORMAT for a damaged or foreign
 * file, KS_ERR_USAGE for other settings or inputs).
 */
#ifndef KS_TRAIN_H
#define KS_TRAIN_H

#include <stdint.h>

#include "config.h"
#include "log.h"
#include "status.h"

struct ks_train_report {
	uint64_t corpus_words;	/* tokens in the corpus */
	uint64_t train_words;	/* in-vocabulary tokens per epoch */
	uint64_t long_tokens;	/* tokens skipped for length */
	uint64_t words_done;	/* words processed over all epochs */
	size_t vocab_size;
	double load_seconds;	/* reading and counting */
	double train_seconds;	/* the epochs */
	double total_seconds;	/* everything, output included */
	double final_loss;	/* mean loss per example over the last epoch */
	uint64_t examples;	/* examples trained over all epochs */
	size_t peak_rss;	/* bytes: the whole process's peak resident size, 0 if unknown */
	int cached;		/* the epochs were trained from memory */
};

/*
 * Runs the job. cfg must have passed ks_config_parse or ks_config_finish.
 * rep may be NULL.
 */
int ks_train(const struct ks_config *cfg, const struct ks_log *log,
	     struct ks_train_report *rep, struct ks_err *err);

/*
 * The checkpoint path ks_train uses for cfg: -checkpoint, else -resume's
 * file, else the first output that is a regular file (links followed)
 * plus ".ckpt", else kensho.ckpt. *out is malloc'd, the caller's; KS_OK,
 * or an error in err (a target that cannot be resolved, out of memory).
 */
int ks_train_checkpoint_path(const struct ks_config *cfg, char **out, struct ks_err *err);

#endif
