/*
 * Checkpoints: the whole state of an interrupted training, to resume it.
 *
 * A checkpoint holds everything a training needs to continue exactly where
 * it stopped: the settings that shape the result, the identity of the
 * training inputs, the vocabulary (words and counts), both embedding
 * matrices, each worker's random generator and carried counters, and the
 * position in the token stream. ks_train writes one when it is told to
 * stop (a signal, through ks_config.interrupt) and, with -checkpoint-every,
 * periodically; -resume reads it back. With -threads 1 a resumed training
 * ends with the same bytes as one that was never interrupted, because the
 * stop always happens between two batches of the stream and everything a
 * worker carries from one batch to the next is saved.
 *
 * The file, all integers little-endian:
 *
 *   "KSCKPT\r\n"             8 bytes of magic (the CR LF catches text-mode
 *                            transfers, as PNG's signature does)
 *   u32 format version       KS_CKPT_FORMAT_VERSION
 *   str kensho version       u32 length + bytes, e.g. "0.1.0"
 *   settings                 size, window, negative, cbow, cbow-update,
 *                            positions, hs, kernel, sample, ns-exponent, alpha,
 *                            input-rate-scale, iter, min-count, max-vocab,
 *                            max-sentence, seed, threads, cached; doubles
 *                            as their IEEE-754 bits
 *   inputs                   u32 count, then per -train: str canonical path (realpath), i64 size
 *                            in bytes (-1 when not a regular file)
 *   progress                 u64 epoch, u64 batch (the next batch to train),
 *                            u64 batches per epoch (0: streamed from disk),
 *                            u64 training words per epoch, u64 words done
 *                            (published to the learning-rate schedule)
 *   workers                  u32 count (0 in a finished model), then per worker: 4 x u64 RNG state,
 *                            u64 words not yet published, f32 current rate,
 *                            f64 loss sum, u64 examples, f64 loss sum and
 *                            u64 examples of the last epoch
 *   vocabulary               u64 V, then per word: str word, u64 count
 *   matrices                 u64 dim, then V x dim f32 input vectors and
 *                            V x dim f32 output vectors
 *   position weights         u64 count (0 without -positions), then as many f32
 *   hierarchical softmax     u64 inner nodes (0 without -hs 1), then as many
 *                            rows of dim f32
 *   job                      u32 ranks (0 but in a kensho-mpi job's), then
 *                            u32 rank, u32 sharded by files, u64 sync words,
 *                            u64 sync rows, f64 sync damping, u64 rounds done, u64 next sync,
 *                            i64 words offset (dist.h), and the bases: V x
 *                            dim f32 input and output rows and the inner
 *                            nodes' rows as last exchanged
 *   u32 CRC-32               zlib's crc32 of every byte before it
 *
 * A model (-save-model) is a checkpoint of a finished training: progress
 * at epoch = iter, batch 0, and no worker states, since nothing is carried
 * to a next batch. A kensho-mpi job's checkpoint is one such file per
 * rank, each with its job section; a rank whose share of the corpus is
 * trained (epoch = iter) still has its workers, since the job goes on. -init reads it (or a checkpoint) to start a new
 * training from its vocabulary and matrices; -resume refuses it.
 *
 * Writing goes through outfile.h (a temporary name renamed into place), so
 * a crash while checkpointing leaves the previous checkpoint intact.
 *
 * Reading refuses, with KS_ERR_FORMAT and a message naming the file: a
 * file that does not start with the magic ("not a kensho checkpoint"), an
 * other format version or an other kensho version (the kernels may have
 * changed, so the promise of identical results could not hold), a
 * truncated file, bytes after the checksum, impossible sizes, and a
 * checksum mismatch ("corrupt"). The checksum is verified before any
 * field is trusted beyond the sizes needed to read on. Comparing the
 * settings with those of the run that resumes is a separate step,
 * ks_ckpt_check, which refuses a mismatch with KS_ERR_USAGE naming the
 * option.
 */
#ifndef KS_CHECKPOINT_H
#define KS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sampler.h"
#include "status.h"

#define KS_CKPT_FORMAT_VERSION 5

/* The settings a resumed run must share with the interrupted one. */
struct ks_ckpt_settings {
	int64_t size, window, negative, iter, min_count, max_vocab, max_sentence, threads;
	int32_t cbow, cbow_update, positions, hs, kernel, cached;
	double sample, ns_exponent, alpha, alpha_in_scale;
	uint64_t seed;
	size_t n_inputs;
	char **input_paths;	/* n_inputs paths */
	int64_t *input_sizes;	/* bytes, or -1 when not a regular file */
};

/* What a worker carries from one batch to the next. */
struct ks_ckpt_worker {
	struct ks_rng rng;
	uint64_t unpublished;	/* words processed but not yet in words_done */
	float alpha;		/* the rate it trains with now */
	double loss;		/* loss summed over its examples so far */
	uint64_t examples;
	double last_loss;	/* the same over the last epoch's examples */
	uint64_t last_examples;
};

/* One rank's part of a kensho-mpi job's state (dist.h); ranks = 0 elsewhere. */
struct ks_ckpt_job {
	uint32_t ranks, rank;
	uint32_t split_files;		/* sharded by files */
	uint64_t sync_words, sync_rows;
	double sync_damping;
	uint64_t round, next_sync;	/* rounds entered, words of the next */
	int64_t words_offset;
	/* The rows as last exchanged, laid out as in_vecs, out_vecs and hs_vecs (adoptable). */
	float *base_in, *base_out, *base_hs;
};

/*
 * A training's state. For ks_ckpt_write every pointer is borrowed from the
 * caller; ks_ckpt_read allocates them all, owned by the checkpoint and
 * freed by ks_ckpt_destroy. The matrices are 64-byte aligned
 * (ks_aligned_calloc) so a trainer may adopt them: it then sets the
 * pointer to NULL and frees the matrix itself with free().
 */
struct ks_ckpt {
	struct ks_ckpt_settings set;
	uint64_t epoch, batch;		/* the next batch to train */
	uint64_t batches_per_epoch;	/* 0 when streamed from disk */
	uint64_t train_words;		/* in-vocabulary words per epoch */
	uint64_t words_done;		/* published to the rate schedule */
	size_t n_workers;
	struct ks_ckpt_worker *workers;
	size_t n_words, dim;
	const char **words;		/* n_words NUL-terminated words */
	uint64_t *counts;
	size_t stride;			/* floats from one row to the next, >= dim */
	float *in_vecs, *out_vecs;	/* n_words rows of dim floats each, stride apart */
	size_t n_pos;			/* floats of position weights, 0 without -positions */
	float *pos;			/* n_pos floats (positions.h's layout) */
	size_t n_hs;			/* inner-node rows, 0 without -hs 1 */
	float *hs_vecs;			/* n_hs rows of dim floats, stride apart (adoptable) */
	struct ks_ckpt_job job;
	/* Set by ks_ckpt_read only. */
	char *version;			/* the kensho version that wrote it */
	char **owned_words;		/* the storage words points into */
};

/*
 * Fills set from cfg and the inputs as they are now (stat of each -train
 * path). cached says whether the stream is trained from memory. set's
 * arrays are allocated; free them with ks_ckpt_settings_free.
 */
int ks_ckpt_settings_init(struct ks_ckpt_settings *set, const struct ks_config *cfg, int cached,
			  struct ks_err *err);

/* Frees what ks_ckpt_settings_init or ks_ckpt_read allocated in set. */
void ks_ckpt_settings_free(struct ks_ckpt_settings *set);

/*
 * Writes c to path through an outfile. On failure (KS_ERR_OPEN,
 * KS_ERR_WRITE, KS_ERR_NOMEM) nothing appears under path and a file
 * already there is left as it was.
 */
int ks_ckpt_write(const char *path, const struct ks_ckpt *c, struct ks_err *err);

/*
 * As ks_ckpt_write, but stops before the rename: on success *out holds the
 * written, synced file for ks_outfile_commit or ks_outfile_abort, so a
 * caller can finish several outputs before any replaces an older one.
 */
struct ks_outfile;
int ks_ckpt_write_pending(struct ks_outfile **out, const char *path, const struct ks_ckpt *c,
			  struct ks_err *err);

/*
 * Reads and verifies the checkpoint at path (see above for what is
 * refused). On success *out owns a new checkpoint; on failure *out is NULL.
 */
int ks_ckpt_read(struct ks_ckpt **out, const char *path, struct ks_err *err);

/*
 * Compares the checkpoint read from path with the settings of the run that
 * wants to resume it. A difference is KS_ERR_USAGE with a message naming
 * the option and both values. The cached flag is not compared here (it is
 * known only once the corpus has been read): see ks_ckpt_check_cached.
 */
int ks_ckpt_check(const struct ks_ckpt *c, const char *path, const struct ks_ckpt_settings *now,
		  struct ks_err *err);

/* Refuses (KS_ERR_USAGE) resuming a cached stream uncached or the reverse. */
int ks_ckpt_check_cached(const struct ks_ckpt *c, const char *path, int cached,
			 struct ks_err *err);

/* Whether c is a finished training (a model): no workers, so epoch = iter and batch 0. */
int ks_ckpt_finished(const struct ks_ckpt *c);

/* Frees a checkpoint from ks_ckpt_read. Accepts NULL. */
void ks_ckpt_destroy(struct ks_ckpt *c);

#endif
