/*
 * The trainer's private state, shared by train.c (the schedule, the
 * workers and the progress reports) and train_ckpt.c (checkpoints: the
 * stops, the periodic pauses, writing and resuming). Not part of the
 * library's interface: train.h is.
 */
#ifndef KS_TRAIN_IMPL_H
#define KS_TRAIN_IMPL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "checkpoint.h"
#include "config.h"
#include "dist.h"
#include "kernels.h"
#include "log.h"
#include "outfile.h"
#include "positions.h"
#include "sampler.h"
#include "status.h"
#include "stream.h"

struct train;

struct worker {
	alignas(64) struct ks_rng rng;
	struct train *t;
	size_t index;
	float *h, *grad;
	uint32_t *kept;		/* one chunk after subsampling */
	uint32_t *ctx;		/* up to 2 * window context ids */
	uint32_t *slots;	/* their position slots (-positions) */
	struct ks_positions_local pos;	/* this worker's position weights (-positions) */
	uint32_t *neg;		/* negative ids */
	uint64_t unpublished;	/* words not yet added to t->words_done */
	double loss;		/* loss summed over examples, this worker */
	uint64_t examples;
	double last_loss;	/* the same over the last epoch's examples */
	uint64_t last_examples;
	float alpha;		/* the current rate */
	/* Published for the progress report (bit patterns of doubles). */
	alignas(64) _Atomic uint64_t pub_loss;
	_Atomic uint64_t pub_examples;
	int status;
	struct ks_err err;
	struct ks_ckpt_worker snap;	/* the state saved at a checkpoint stop */
	pthread_t thread;
};

struct train {
	const struct ks_config *cfg;
	struct ks_stream *stream;
	const struct ks_vocab *vocab;
	struct ks_alias *alias;
	uint32_t *keep;		/* subsampling thresholds */
	struct ks_sigmoid sigmoid;
	float *in_vecs, *out_vecs;	/* n_words rows of dim floats, stride apart */
	struct ks_positions *pos;	/* the shared position weights, or NULL */
	struct ks_huffman *tree;	/* -hs 1: the tree, or NULL */
	struct ks_vecset *init;	/* -init-vectors, read before the corpus, or NULL */
	struct ks_ckpt *model;	/* -init: the model continued from, or NULL (model.h) */
	float *hs_vecs;		/* -hs 1: n_words - 1 inner-node rows, stride apart */
	struct ks_losslog *loss_log;	/* -loss-log, or NULL */
	struct ks_dist_model dist_model;	/* the rows cfg->dist exchanges */
	float *dist_rates;	/* with damping: dist_model's rate_in, then rate_out */
	size_t n_words, dim, stride;
	uint64_t total_words;	/* words over all epochs */
	float alpha0;
	float in_scale;
	int prefetchw;		/* ks_cpu_has_prefetchw() */
	alignas(64) _Atomic uint64_t words_done;
	alignas(64) atomic_int stop;	/* set when a worker fails or diverges */
	int running;		/* workers still running, under lock */
	pthread_mutex_t lock;
	pthread_cond_t done;
	/* Checkpoints (checkpoint.h and the hooks at the end of this file). */
	struct ks_ckpt *resume;	/* the state continued from, or NULL */
	struct ks_ckpt_settings ckpt_set; /* this run's settings, as saved */
	char *ckpt_path;	/* where checkpoints go */
	uint64_t train_words;	/* in-vocabulary words per epoch */
	double ckpt_every;	/* seconds between checkpoints, 0 = none */
	double next_ckpt;	/* train_now() of the next one */
	alignas(64) atomic_int interrupted; /* stop between batches, then checkpoint */
	atomic_int pause;	/* park at the next batch boundary */
	struct ks_stream_pos stop_pos;	/* where the workers stopped when interrupted */
	int paused;		/* workers parked, under lock */
	pthread_cond_t unpause;
};

/* Seconds on the monotonic clock. */
double train_now(void);

/* The words the whole job has trained: this process's, or under dist all ranks'. */
uint64_t train_job_words(const struct train *t, uint64_t own);

/*
 * ---- Checkpoint hooks (train_ckpt.c) ----
 *
 * Called by a worker between batches: returns 1 when it must stop for a
 * checkpoint (its state saved in w->snap), and parks it while a periodic
 * checkpoint is written.
 */
int train_ckpt_poll(struct worker *w);

/* Copies what the worker carries from one batch to the next into w->snap. */
void train_ckpt_snapshot(struct worker *w);

/*
 * Called by train_watch, holding t->lock, when a periodic checkpoint is
 * due (and, under dist, once the workers are joined): parks the workers,
 * writes the checkpoint and releases them. A failure is a warning.
 */
void train_ckpt_periodic(struct train *t, struct worker *ws, size_t n, const struct ks_log *log);

/*
 * After the workers stopped for an interrupt: writes the checkpoint and
 * returns KS_ERR_INTERRUPTED, or KS_OK when every batch had been trained
 * anyway (the outputs are then written as usual).
 */
int train_ckpt_stopped(struct train *t, struct worker *ws, size_t n, const struct ks_log *log,
		       struct ks_err *err);

/*
 * After the workers are joined: when they stopped for an interrupt, notes
 * where, then lets a reader thread that is waiting for free buffers go.
 */
void train_ckpt_joined(struct train *t);

/*
 * Turns the current time into train_watch's next wake-up: a second later,
 * or sooner when a periodic checkpoint falls due first.
 */
void train_ckpt_deadline(const struct train *t, struct timespec *deadline);

/*
 * Before the corpus is read: checks the checkpoint path when a checkpoint
 * will surely be written, records this run's settings and, with -resume,
 * reads the checkpoint and compares the settings (under dist the job's
 * too), so that a wrong command line fails before a long corpus pass.
 */
int train_ckpt_begin(struct train *t, const struct ks_config *cfg, const struct ks_log *log,
		     struct ks_err *err);

/*
 * After the corpus is read: with -resume, checks that it gives the same
 * stream and vocabulary, and restores the schedule's word count (and
 * under dist the rank's rounds and bases).
 */
int train_ckpt_match(struct train *t, const struct ks_stream *stream,
		     const struct ks_stream_info *info, const struct ks_log *log,
		     struct ks_err *err);

/* -save-model: the finished training, written but not yet put in place. */
int train_ckpt_model_pending(const struct train *t, struct ks_outfile **out, struct ks_err *err);

#endif
