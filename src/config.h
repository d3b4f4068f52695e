/*
 * The trainer's settings: defaults, the command line, validation, --help.
 *
 * One option table drives the parser, the help text and the man page test,
 * so the three cannot drift. Options take word2vec.c's names with one dash
 * or two (`-size 100`, `--size 100`, `--size=100`); abbreviations are not
 * accepted, so an option never silently means another.
 */
#ifndef KS_CONFIG_H
#define KS_CONFIG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kernels.h"
#include "positions.h"
#include "status.h"

/* Which kernels train (-kernel). */
enum ks_kernel_kind {
	/* Skip-gram trains a window at a time with one draw of negatives (ks_sg_batch_step). */
	KS_KERNEL_FAST = 0,
	/* Skip-gram pair by pair, negatives drawn per pair (ks_sg_step). */
	KS_KERNEL_REFERENCE = 1
};

/* What -output holds (-output-vectors). */
enum ks_output_vectors {
	KS_OUTPUT_DEFAULT = 0,	/* not given: resolved for the mode by ks_config_finish */
	KS_OUTPUT_WORD,		/* the word (input) vectors, as word2vec.c writes */
	KS_OUTPUT_CONTEXT,	/* the context (output) vectors */
	KS_OUTPUT_MEAN		/* the mean of each word's word and context vectors */
};

struct ks_dist;

struct ks_config {
	char **train;		/* -train, one or more; "-" is stdin */
	size_t n_train;
	const char *output;	/* -output: word vectors ("-" is stdout) */
	enum ks_output_vectors output_vectors; /* -output-vectors: what -output holds */
	const char *save_context; /* -save-context: output vectors, or NULL */
	const char *save_positions; /* -save-positions: position weights, or NULL */
	const char *loss_log;	/* -loss-log: the training curve, or NULL */
	const char *save_vocab;	/* -save-vocab, or NULL */
	const char *read_vocab;	/* -read-vocab, or NULL */
	const char *init_vectors; /* -init-vectors: starting word vectors, or NULL */
	const char *init;	/* -init: the model (or checkpoint) to continue from, or NULL */
	const char *save_model;	/* -save-model: the model to write at the end, or NULL */
	int vocab_grow;		/* -vocab-update grow (1) or keep (0) */
	long size;		/* -size: dimensions */
	long window;		/* -window: largest context half-width */
	double sample;		/* -sample: subsampling threshold, 0 = off */
	long negative;		/* -negative: negatives per target */
	long threads;		/* -threads */
	long iter;		/* -iter: epochs */
	long min_count;		/* -min-count */
	long max_vocab;		/* -max-vocab, 0 = no cap */
	long classes;		/* -classes: k-means classes written instead of vectors, 0 = off */
	double alpha;		/* -alpha, < 0 until resolved for the mode */
	double alpha_in_scale;	/* -input-rate-scale: input rate / alpha (CBOW), < 0 until resolved */
	double ns_exponent;	/* -ns-exponent */
	int cbow;		/* -cbow 1 (CBOW) or 0 (skip-gram) */
	enum ks_cbow_update cbow_update; /* -cbow-update */
	enum ks_positions_kind positions; /* -positions */
	enum ks_kernel_kind kernel;	/* -kernel */
	int binary;		/* -binary */
	int hs;			/* -hs: hierarchical softmax */
	int debug;		/* -debug: 0 quiet, 1 summary, 2 progress, 3 details */
	uint64_t seed;		/* -seed */
	long max_sentence;	/* -max-sentence */
	long cache_mb;		/* -cache-mb: token cache budget */
	long vocab_mb;		/* -vocab-mb: counting table budget */
	const char *checkpoint;	/* -checkpoint: where checkpoints go, or NULL for the default */
	double checkpoint_every; /* -checkpoint-every: minutes between checkpoints, 0 = only on a stop */
	const char *resume;	/* -resume: the checkpoint to continue from, or NULL */

	/* Set by the tool, not by options. */
	/*
	 * When not NULL, training polls *interrupt between batches; once it is
	 * nonzero the workers stop, a checkpoint is written and ks_train
	 * returns KS_ERR_INTERRUPTED. A lock-free atomic, so a signal handler
	 * may set it.
	 */
	const atomic_int *interrupt;
	/* Data-parallel training over several processes (dist.h), or NULL. */
	struct ks_dist *dist;
	/*
	 * A test hook: when nonzero, training stops as if interrupted at the
	 * first batch boundary after this many words (all epochs counted,
	 * those of the interrupted runs included), so tests can interrupt at
	 * exact points. kensho takes it from KENSHO_STOP_AFTER_WORDS.
	 */
	uint64_t stop_after_words;

	/* Set by the parser and ks_config_finish. */
	int cbow_update_given;	/* -cbow-update was on the command line */
	int vocab_update_given;	/* -vocab-update was on the command line */
	const char *sg_ignored;	/* CBOW-only options given to skip-gram, or NULL */
	int output_vectors_ignored;	/* -output-vectors given without -output */
};

/* What the command line asks for besides training. */
enum ks_config_action {
	KS_ACTION_TRAIN = 0,
	KS_ACTION_HELP,
	KS_ACTION_VERSION
};

/* The number of output options ks_config_outputs lists. */
#define KS_CONFIG_OUTPUTS 6

/*
 * The output files cfg names, in a fixed order: paths[i] (NULL when not
 * given) and names[i], the option ("-output", "-save-model", ...). The one
 * list every check of the outputs walks.
 */
void ks_config_outputs(const struct ks_config *cfg, const char *paths[KS_CONFIG_OUTPUTS],
		       const char *names[KS_CONFIG_OUTPUTS]);

/* Fills cfg with the defaults; alpha is resolved later, per mode. */
void ks_config_defaults(struct ks_config *cfg);

/*
 * Parses argv[1 .. argc) into cfg (whose defaults must be set). String
 * values borrow argv. Unknown options, missing values and malformed or
 * out-of-range numbers give KS_ERR_USAGE with a message naming the option.
 * On success *action says whether to train or print help or the version;
 * for training the config has been validated and alpha resolved.
 */
int ks_config_parse(struct ks_config *cfg, int argc, char **argv,
		    enum ks_config_action *action, struct ks_err *err);

/* Resolves mode-dependent defaults (alpha) and checks cross-option rules. */
int ks_config_finish(struct ks_config *cfg, struct ks_err *err);

/* Writes the usage text, with every option and cfg's current values. */
void ks_config_help(const struct ks_config *cfg, const char *prog, FILE *out);

/* The name of an -output-vectors kind, as the option takes it. */
const char *ks_config_output_vectors_name(enum ks_output_vectors kind);

/* The default learning rate for a mode. */
double ks_config_default_alpha(int cbow, enum ks_cbow_update update);

/* Frees what ks_config_parse allocated (the -train list). */
void ks_config_free(struct ks_config *cfg);

#endif
