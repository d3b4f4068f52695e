/*
 * The token stream: from corpus bytes to batches of word ids for workers.
 *
 * ks_stream_load reads the corpus once. Without a vocabulary it counts the
 * words; with one (-read-vocab) it maps them. Either way it keeps the ids in
 * memory (the token cache) while they fit the budget, and then every epoch
 * is trained from memory: this is how standard input trains for several
 * epochs and why no thread ever seeks in a file. When the corpus does not
 * fit, the cache is dropped and a reader thread parses the files again for
 * each epoch (standard input cannot be re-read, so that case is an error).
 *
 * One exception reads the corpus only once, while training: with a
 * vocabulary to read, one epoch, no cache (cache_bytes 0) and an input that
 * cannot be read twice (standard input, a pipe), loading reads only the
 * vocabulary, and the reader thread's single epoch is the only pass. The
 * corpus's counts (corpus_words, sentences, long_tokens) are then known
 * only after ks_stream_stop, and train_words is the vocabulary's total, as
 * for any stream read from disk with a vocabulary.
 *
 * A batch is an array of word ids in which KS_EOS marks a sentence end.
 * Batches are cut only at a sentence end or at a multiple of max_sentence
 * words into a sentence, so a worker that chunks every run between
 * sentence ends (or batch edges) into max_sentence pieces sees the same
 * chunks however the stream was batched: with one thread the result does
 * not depend on the input's form (plain, gzip, stdin) or the cache.
 */
#ifndef KS_STREAM_H
#define KS_STREAM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "status.h"
#include "vocab.h"

#define KS_EOS UINT32_MAX

struct ks_stream_opts {
	const char *const *paths;
	size_t n_paths;
	size_t cache_bytes;	/* token cache budget */
	size_t vocab_bytes;	/* counting table budget */
	uint64_t min_count;
	uint64_t max_vocab;
	size_t max_sentence;
	const char *read_vocab;	/* or NULL to count */
	uint64_t epochs;	/* epochs to be trained, or 0 if not known */
	int read_ahead;		/* inflate in a thread of its own while loading */
	/*
	 * A base vocabulary merged into the corpus's counts before the
	 * vocabulary is finalized (ks_vocab_set_base; continued training), or
	 * n_base 0. Not with read_vocab.
	 */
	const char *const *base_words;
	const uint64_t *base_counts;
	size_t n_base;
	int base_grow;
	const char *base_name;	/* the base's file, for messages */
	/* Polled while reading: nonzero stops the load (KS_ERR_INTERRUPTED). May be NULL. */
	const atomic_int *stop;
	/*
	 * The corpus is one rank's part of a job's (dist.h's sharding by
	 * files): a part with no words, or none in the vocabulary, is not an
	 * error (the caller checks the job's). When counting and merge is
	 * not NULL, it is called with the counted table before the base is
	 * merged and the vocabulary finalized, and may change the counts
	 * (dist_vocab.h sums the ranks'). Its status and message are the
	 * load's.
	 */
	int part_of_job;
	int (*merge)(void *ctx, struct ks_vocab *v, struct ks_err *err);
	void *merge_ctx;
};

struct ks_stream_info {
	uint64_t corpus_words;	/* tokens in the corpus */
	uint64_t train_words;	/* in-vocabulary tokens per epoch (exact or estimated) */
	uint64_t long_tokens;	/* tokens skipped for length */
	uint64_t sentences;
	int cached;		/* trained from memory */
	int one_pass;		/* read once, by the training epoch (see above) */
};

struct ks_stream;

/*
 * Reads the corpus once and builds (or reads) the vocabulary. On success
 * *out owns the stream, which owns the vocabulary (ks_stream_vocab). A
 * cached stream has closed the corpus and dropped the vocabulary's lookup
 * index (ks_vocab_drop_index) before it returns: it never reads text again.
 */
int ks_stream_load(struct ks_stream **out, const struct ks_stream_opts *opts,
		   const struct ks_log *log, struct ks_err *err);

/* The finalized vocabulary. */
const struct ks_vocab *ks_stream_vocab(const struct ks_stream *s);

void ks_stream_info(const struct ks_stream *s, struct ks_stream_info *info);

/* A batch handed to a worker; release it with ks_stream_release. */
struct ks_batch {
	const uint32_t *ids;
	size_t n;
	uint64_t epoch;		/* the epoch it belongs to, from 0 */
	uint64_t index;		/* its place in the epoch, from 0 (ks_stream_pos.batch) */
	void *owner;		/* private */
};

/*
 * A place in the stream: the epoch and the index of a batch within it.
 * Batches are cut at the same places every epoch and in every run over
 * the same corpus and settings, so a position names the same words in a
 * later run (this is what resuming from a checkpoint relies on).
 */
struct ks_stream_pos {
	uint64_t epoch;
	uint64_t batch;
};

/*
 * Starts serving epochs batches (starting the reader thread when the
 * stream is not cached). Call once.
 */
int ks_stream_start(struct ks_stream *s, uint64_t epochs, struct ks_err *err);

/*
 * As ks_stream_start, but serving from position from onward, as if the
 * batches before it had been served. A cached stream jumps there; an
 * uncached one skips the epochs before from->epoch without reading them
 * and parses, without serving, the first from->batch batches of that
 * epoch. KS_ERR_FORMAT if from lies past the end of a cached stream.
 */
int ks_stream_start_at(struct ks_stream *s, uint64_t epochs, const struct ks_stream_pos *from,
		       struct ks_err *err);

/*
 * Where the next batch would come from: every batch before it has been
 * handed out by ks_stream_next. Call once the workers have stopped taking
 * batches. After the last epoch it is {epochs, 0}.
 */
void ks_stream_position(struct ks_stream *s, struct ks_stream_pos *pos);

/* The number of batches per epoch of a cached stream; 0 if not cached. */
uint64_t ks_stream_batches(const struct ks_stream *s);

/*
 * Takes the next batch; thread-safe. Returns 1 with a batch, 0 when all
 * epochs are served, or a negative status if the reader failed (the
 * message is then available from ks_stream_stop).
 */
int ks_stream_next(struct ks_stream *s, struct ks_batch *b);

/* Gives a batch back. Thread-safe. */
void ks_stream_release(struct ks_stream *s, struct ks_batch *b);

/* Asks the reader to stop early (a worker failed). Thread-safe. */
void ks_stream_cancel(struct ks_stream *s);

/*
 * Joins the reader thread and reports its status. After it, the counts of
 * a one-pass stream's corpus are in ks_stream_info.
 */
int ks_stream_stop(struct ks_stream *s, struct ks_err *err);

/* Frees s and its vocabulary. Accepts NULL. */
void ks_stream_destroy(struct ks_stream *s);

#endif
