/*
 * Data-parallel training over several processes, engine-neutral.
 *
 * Every process (a "rank") runs the whole ks_train on the same settings
 * and trains its share of the corpus, in one of two ways. Sharding by
 * files (split_files): the -train files are dealt out among the ranks
 * (ks_dist_assign_files), each rank reads and trains only its own, and
 * the ranks' counts are summed into one vocabulary (dist_vocab.h). Sharding
 * by chunks, when there are fewer files than ranks: every rank reads the
 * whole corpus but trains only chunk k (a run of at most -max-sentence
 * words between sentence ends) of batch b in epoch e when it belongs to
 * rank (e + b + k) mod size, so every chunk is trained by exactly one rank
 * per epoch; every rank counts the whole corpus, so the deterministic
 * counting (vocab.h) gives each the same vocabulary without a message.
 * Either way no rank seeks into a file (gzip and plain alike).
 *
 * The ranks keep their models in step pWord2Vec-style (Ji et al.,
 * "Parallelizing Word2Vec in Shared and Distributed Memory", 2016): after
 * every sync_words words a rank trains, it enters sync round r, which
 * exchanges the first ks_dist_sync_rows(r, sync_rows, V) rows of both
 * matrices (the vocabulary is sorted by count, so these are the most
 * frequent words): the count doubles with the trailing zero bits of r, so
 * the frequent rows are exchanged every round and all rows every
 * 2^ceil(log2(V / sync_rows)) rounds. Unlike pWord2Vec, a round does not
 * average the rows but sums what every rank changed in them since they
 * were last exchanged: each rank keeps a copy of the rows as of their last
 * exchange (the base, equal on every rank), sends its delta (live row
 * minus base) and adds the other ranks' deltas to its live row. Averaging
 * divides each rank's update by the number of ranks, which with 2 ranks
 * cost 7.8 analogy points on wiki100m; the sum keeps every update at the
 * full learning rate, as if one process had trained all the shards with
 * stale reads. The price is the base: one more copy of the model.
 *
 * The plain sum is stable only while each rank moves a row a small part of
 * the way to where its shard pulls it between the row's exchanges: N ranks
 * that each move it a fraction m of the way move it N * m, so a row
 * overshoots and grows without bound once m > 2 / N. With damping > 0 a
 * round scales each row's sum down where that would happen (ks_dist_damp):
 * it models a row as pulled toward a point with a fixed contraction c =
 * alpha * damping per update, takes the updates a rank gave it since its
 * last exchange from the row's expected rate (ks_dist_rates) and the
 * schedule, and scales the sum to the move one process would make with
 * all the ranks' updates. Rows that few updates reach keep about their
 * whole sum; the hottest rows of a long round get about 1 / N of it (the
 * mean). A per-row model misses the move all the rows make together (the
 * shared direction word vectors drift in), which every rank makes for all
 * of them: so the mean over the round's rows of the damped sums is
 * averaged over the ranks rather than summed (taken (N - 1) / N times off
 * every row's sum). Two ranks are never damped: their sum cannot grow the
 * error. Every factor comes from figures that are the same on every rank,
 * and the common move from one more sum of a row's worth, so the ranks
 * stay equal.
 *
 * Each round also sums the ranks' word counts, so the learning rate and
 * the progress follow the whole job's words (ks_dist_words), not this
 * rank's. A rank whose share is done keeps entering rounds until every
 * rank is done; then every row is exchanged once more and rank 0's model
 * broadcast, so all ranks end equal.
 *
 * Stops and checkpoints are agreed in the rounds too, so every rank takes
 * them at the same round. A rank asks for one by raising want_stop (a
 * signal, or the stop hook) or want_ckpt (kensho-mpi's rank 0, every
 * -checkpoint-every minutes); the round that sums a request raises
 * stopping or ckpt_due on every rank, and no rank enters another round
 * until the trainer has written this rank's part of the checkpoint
 * (ks_dist_commit) and, for a periodic one, called ks_dist_ckpt_done. A
 * rank's part is its live rows, the bases and the schedule
 * (ks_dist_get_state), so a job resumed with -threads 1 per rank goes on
 * exactly as if it had not stopped.
 *
 * The engine (dist_mpi.c for Open MPI) supplies the collectives through
 * the callbacks; this module holds the schedule and no engine's headers,
 * so the library and the plain kensho build without MPI.
 */
#ifndef KS_DIST_H
#define KS_DIST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ks_dist {
	int rank, size;
	uint64_t sync_words;	/* words a rank trains between rounds */
	size_t sync_rows;	/* rows exchanged by an odd round */
	double damping;		/* the contraction per update over the rate; 0 = the plain sum */
	void *ctx;		/* the engine's */
	/* Sets out to the sum over all ranks of their in (cells <= KS_DIST_PIECE). */
	void (*sum)(void *ctx, const float *in, float *out, size_t cells);
	/* Replaces each of the n counters by its sum over all ranks. */
	void (*sum_counts)(void *ctx, uint64_t *counts, size_t n);
	/* Makes every rank's cells floats of m equal to rank 0's. */
	void (*broadcast)(void *ctx, float *m, size_t cells);
	/* Returns 1 when every rank passed the same hash. */
	int (*agree)(void *ctx, uint64_t hash);
	/*
	 * Byte strings, for the counting of sharded files (dist_vocab.h):
	 * send_bytes sends buf[0 .. n) to rank to; recv_bytes receives what
	 * rank from sent into *buf (malloc'd, the caller's) and *n; and
	 * broadcast_bytes makes every rank's *buf and *n rank 0's (on the
	 * others *buf is malloc'd, the caller's). Each returns 0, or -1 out
	 * of memory.
	 */
	int (*send_bytes)(void *ctx, int to, const unsigned char *buf, size_t n);
	int (*recv_bytes)(void *ctx, int from, unsigned char **buf, size_t *n);
	int (*broadcast_bytes)(void *ctx, unsigned char **buf, size_t *n);
	int split_files;	/* sharding by files: a rank trains every chunk it reads */
	const char *ckpt_name;	/* the name the ranks' checkpoint files share, for messages */
	/* Asked by this rank, agreed in the next round (see above). */
	atomic_int want_stop, want_ckpt;
	/* Raised by a round on every rank: the job stops; a checkpoint is due. */
	atomic_int stopping, ckpt_due;
	int checkpointed;	/* the last ks_dist_commit put every rank's file in place */
	/* Private: the schedule and the bases, under lock. */
	pthread_mutex_t lock;
	uint64_t round, next_sync;
	double alpha_now;	/* the rate at the last round's job words */
	float *base[3], *delta, *total;	/* bases of in, out, hs; one piece each */
	float *common;		/* a row's worth: the common move taken off each sum */
	double *common_acc;
	float *factor;		/* with damping: each row's factor this round */
	_Atomic int64_t words_offset;	/* ks_dist_words: job words - size * own */
};

/* The floats a round sends in one collective: 4 MB. */
#define KS_DIST_PIECE ((size_t)1 << 20)

/* Sets the schedule's fields (not the engine's). */
void ks_dist_init(struct ks_dist *d, int rank, int size, uint64_t sync_words, size_t sync_rows);

/* Frees the lock and the bases. Accepts NULL. */
void ks_dist_free(struct ks_dist *d);

/* Whether chunk k of batch b in epoch e is trained by rank of size ranks. */
int ks_dist_chunk_mine(uint64_t epoch, uint64_t batch, uint64_t chunk, int rank, int size);

/*
 * Deals n files of the given sizes out among size ranks for sharding by
 * files: the largest first (ties: the first given), each to the rank with
 * the fewest bytes so far (ties: the fewest files, then the lowest rank),
 * so no rank's share exceeds another's by more than the largest file and
 * every rank gets a file when n >= size. Sets owner[i] to file
 * i's rank and *spread to the largest share over the mean share (1 when
 * perfectly even; 0 for no bytes at all). Returns 0, or -1 out of memory.
 */
int ks_dist_assign_files(const uint64_t *bytes, size_t n, int size, int *owner, double *spread);

/* The rows round r >= 1 exchanges: base << ctz(r), at most n_rows. */
size_t ks_dist_sync_rows(uint64_t round, size_t base, size_t n_rows);

/*
 * The model the rounds exchange: n_rows rows of stride floats each. With
 * damping, rate_in and rate_out hold each row's expected updates per word
 * a rank trains (ks_dist_rates), and alpha(alpha_ctx, w) is the learning
 * rate after w words of the job; the inner nodes of -hs 1 are summed
 * plainly.
 */
struct ks_dist_model {
	float *in_vecs, *out_vecs, *hs_vecs;	/* hs_vecs: n_hs rows, or NULL */
	size_t n_rows, n_hs, stride;
	const float *rate_in, *rate_out;
	float (*alpha)(const void *alpha_ctx, uint64_t job_words);
	const void *alpha_ctx;
};

/*
 * The factor on a row's summed change when each of n ranks gave it k
 * updates of contraction c: the move one process would make with all n * k,
 * 1 - (1 - c)^(n k), over the sum's n (1 - (1 - c)^k). It is 1 for n <= 2
 * and for c or k at 0, near 1 while n * c * k is small, and falls to 1 / n
 * as c * k grows.
 */
double ks_dist_damp(double c, double k, int n);

/*
 * Each row's expected updates per word trained, from the vocabulary's
 * counts (total words), the subsampling threshold and the sampler of
 * negatives. A word's trained occurrences f (its share of the words, times
 * its keep probability) and its share q of the negatives (count^exponent)
 * give, for CBOW, the input row f (it is one of about C context rows, each
 * given 1/C of the gradient) and the output row f + negative * q * P (P:
 * the trained share of all words); for skip-gram both times window + 1,
 * the pairs per trained word.
 */
void ks_dist_rates(const uint64_t *counts, size_t n, uint64_t total, double sample,
		   double exponent, long negative, long window, int cbow, float *rate_in,
		   float *rate_out);

/*
 * Takes the bases: copies of m, which must be equal on every rank (the
 * same seed or -init). Called once, before training. Returns 0, or -1 out
 * of memory.
 */
int ks_dist_begin(struct ks_dist *d, const struct ks_dist_model *m);

/*
 * The whole job's words trained so far, estimated from this rank's own
 * count: the sum of the last round plus own words since times the ranks.
 */
uint64_t ks_dist_words(struct ks_dist *d, uint64_t own);

/*
 * Called by a worker between batches with the rank's words trained so far:
 * enters the rounds that count passed. Thread-safe; a worker that finds
 * another in a round goes on training.
 */
void ks_dist_poll(struct ks_dist *d, const struct ks_dist_model *m, uint64_t words);

/*
 * Called once the rank's workers are joined, with the rank's words
 * trained: enters rounds until every rank is done, then exchanges every
 * row and broadcasts rank 0's model, and checks that a checksum of it is
 * the same on every rank. Returns KS_DIST_FINISHED, or -1 when the ranks'
 * models differ. Returns KS_DIST_STOPPED instead when a round (this one's
 * or an earlier) stopped the job, and KS_DIST_CHECKPOINT when one made a
 * checkpoint due: the caller writes this rank's part, calls
 * ks_dist_ckpt_done and then ks_dist_finish again.
 */
int ks_dist_finish(struct ks_dist *d, const struct ks_dist_model *m, uint64_t words);

/* What ks_dist_finish found. */
enum { KS_DIST_FINISHED = 0, KS_DIST_STOPPED = 1, KS_DIST_CHECKPOINT = 2 };

/* FNV-1a over the bytes of cells floats: the checksum ks_dist_finish compares. */
uint64_t ks_dist_checksum(uint64_t h, const float *m, size_t cells);

/* A rank's part of a checkpoint: the schedule and the bases (borrowed, or adopted). */
struct ks_dist_state {
	uint64_t round, next_sync;
	int64_t words_offset;
	float *base[3];		/* in, out, hs (NULL without -hs 1) */
};

/* Fills s with d's schedule and borrowed pointers to its bases. */
void ks_dist_get_state(struct ks_dist *d, struct ks_dist_state *s);

/*
 * Resuming: sets d's schedule from s and adopts its bases (freed by
 * ks_dist_free), which ks_dist_begin then keeps instead of copying the model.
 */
void ks_dist_set_state(struct ks_dist *d, const struct ks_dist_state *s);

/* Returns 1 when every rank passed the same value (a collective). */
int ks_dist_same(struct ks_dist *d, uint64_t value);

/*
 * The collective end of writing a checkpoint: of is this rank's file,
 * written and pending (outfile.h), or NULL when this rank failed to
 * write it. When every rank has its file, all are committed; otherwise
 * every rank aborts its own, so each keeps its previous checkpoint. Sets
 * d->checkpointed when every rank committed. Returns KS_OK, or an error
 * in err naming the ranks that failed (the caller's own message comes
 * first when this rank failed). Call it on every rank, never within a
 * round.
 */
struct ks_outfile;
struct ks_err;
int ks_dist_commit(struct ks_dist *d, struct ks_outfile *of, struct ks_err *err);

/* Clears ckpt_due after a periodic checkpoint: the rounds go on. */
void ks_dist_ckpt_done(struct ks_dist *d);

#endif
