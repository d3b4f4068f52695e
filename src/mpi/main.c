/*
 * kensho-mpi: the trainer's command line under MPI (dist.h, dist_mpi.c).
 * Launched as `mpirun -np N kensho-mpi OPTIONS`: every rank parses the same
 * options, trains its share of the corpus with its own threads, and the
 * ranks sum their updates into one model; rank 0 alone reports progress and writes
 * the outputs (through the same atomic outfiles as kensho).
 *
 * Four options are kensho-mpi's own and are taken out of argv before the
 * rest goes to the shared parser: -sync-words N (words a rank trains
 * between sync rounds), -sync-rows N (rows of the most frequent words
 * exchanged every round), -sync-damping X (dist.h: how hard a round scales
 * down the sums of rows every rank moved far) and -shard auto|files|chunks (how the corpus is
 * shared out, dist.h: by default by files when there are at least as many
 * -train files as ranks). kensho(1)'s options are otherwise unchanged.
 *
 * Faults end the whole job: a rank that fails (a shard it cannot read,
 * mismatched options, out of memory) prints a message naming itself and
 * calls MPI_Abort, so no rank waits forever in a collective and nothing is
 * written under a final output name.
 *
 * Checkpoints are the job's: every rank writes its own part to NAME.rankR
 * (NAME is -checkpoint, -resume, or OUTPUT.ckpt as in kensho), all at the
 * same sync round and each put in place only once every rank has written
 * its own (dist.h). SIGINT, SIGTERM and SIGUSR1 on any rank stop the job
 * that way (mpirun passes SIGTERM on when it is interrupted, and SIGUSR1
 * as it is; batch systems send SIGTERM before they kill a job), and
 * -checkpoint-every takes rank 0's clock. -resume NAME has every rank read
 * NAME.rankR.
 */
#include <errno.h>
#include <mpi.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_signals.h"
#include "config.h"
#include "dist.h"
#include "dist_mpi.h"
#include "log.h"
#include "status.h"
#include "train.h"

/*
 * -sync-words and -sync-damping by default. The ranks' changes are summed,
 * so a row that each rank has moved a part m of the way to where its shard
 * pulls it moves N * m: beyond m = 2 / N it overshoots and grows. With 2
 * ranks that cannot happen, and rounds every 100,000 words per rank
 * matched 2 threads in quality (wiki100m CBOW, two seeds) at 8.5M and 5.5M
 * words/s, where rounds every 20,000 gave 5.4M and 5.4M
 * (bench/results/mpi-wiki100m.md). With more, the job trains 20,000 words
 * between rounds whatever the rank count: on wiki100m 4 ranks of 10,000
 * words each (40,000 a round) left skip-gram's WS-353 0.015 below 4
 * threads over 4 seeds, and 4 of 5,000 0.006 below. That alone did not
 * hold at 8 ranks sharded by files: 2,500 words each summed plainly
 * reached 15.5% Google against one process's 34.3% (skip-gram diverged);
 * damped (dist.h) 34.1%. The damping 0.1 is about three times the
 * contraction at which those plain sums began to fail; a third of it,
 * 0.03, left 29.2% at 8 x 2,500 words.
 */
#define MPI_DEFAULT_SYNC_WORDS_2 100000
#define MPI_DEFAULT_JOB_SYNC_WORDS 20000
#define MPI_DEFAULT_SYNC_ROWS 1024
#define MPI_DEFAULT_SYNC_DAMPING 0.1

static int mpi_rank, mpi_size;

static void
mpi_log_fn(void *ctx, enum ks_log_level level, const char *msg)
{
	int *line_open = ctx;

	if (level == KS_LOG_PROGRESS && isatty(STDERR_FILENO)) {
		fprintf(stderr, "\r%s\033[K", msg);
		*line_open = 1;
		return;
	}
	if (*line_open) {
		fputc('\n', stderr);
		*line_open = 0;
	}
	fprintf(stderr, "%s%s\n", level == KS_LOG_WARN ? "kensho-mpi: warning: " : "", msg);
}

/* Prints the message naming this rank and ends every rank with code. */
static void
mpi_fail(int code, const char *msg)
{
	fprintf(stderr, "kensho-mpi: rank %d of %d: %s\n", mpi_rank, mpi_size, msg);
	fflush(stderr);
	MPI_Abort(MPI_COMM_WORLD, code != 0 ? code : 1);
	exit(code != 0 ? code : 1);
}

/* A positive integer option value, or 0 if malformed. */
static uint64_t
mpi_parse_count(const char *v)
{
	unsigned long long n;
	char *end;

	if (v == NULL || *v == '\0' || *v == '-')
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	return *end != '\0' || errno == ERANGE ? 0 : (uint64_t)n;
}

/* A finite value >= 0, or -1 if malformed. */
static double
mpi_parse_real(const char *v)
{
	double x;
	char *end;

	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	x = strtod(v, &end);
	return *end != '\0' || errno == ERANGE || !(x >= 0) || x > 1e30 ? -1 : x;
}

/* -shard: how the corpus is shared out among the ranks (dist.h). */
enum mpi_shard { MPI_SHARD_AUTO, MPI_SHARD_FILES, MPI_SHARD_CHUNKS };

/*
 * Checks that every -train name is a regular file, which several ranks can
 * share, and returns their sizes in bytes (the caller frees them). Ends the
 * job on an error.
 */
static uint64_t *
mpi_train_sizes(const struct ks_config *cfg)
{
	uint64_t *bytes = calloc(cfg->n_train > 0 ? cfg->n_train : 1, sizeof(*bytes));
	char msg[KS_ERR_MSG_MAX + 64];
	size_t k;

	if (bytes == NULL)
		mpi_fail(ks_status_exit_code(KS_ERR_NOMEM), "out of memory");
	for (k = 0; k < cfg->n_train; k++) {
		struct stat st;

		if (strcmp(cfg->train[k], "-") == 0)
			mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
				 "-train -: standard input cannot be shared by several ranks; "
				 "give kensho-mpi files (plain or gzip)");
		if (stat(cfg->train[k], &st) != 0) {
			snprintf(msg, sizeof(msg), "-train %s: %s", cfg->train[k], strerror(errno));
			mpi_fail(ks_status_exit_code(KS_ERR_OPEN), msg);
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(msg, sizeof(msg), "-train %s: not a regular file; a pipe or a "
				 "device cannot be shared by several ranks", cfg->train[k]);
			mpi_fail(ks_status_exit_code(KS_ERR_USAGE), msg);
		}
		bytes[k] = (uint64_t)st.st_size;
	}
	return bytes;
}

/*
 * Deals the -train files of the given sizes out for sharding by files
 * (every rank sees the same sizes, which is checked), keeps this rank's in
 * *mine (in the given order; the caller frees the array, not the names)
 * and logs the deal on rank 0. Ends the job on an error.
 */
static void
mpi_shard_files(const struct ks_config *cfg, const uint64_t *bytes, const struct ks_log *log,
		char ***mine, size_t *n_mine)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int *owner = calloc(cfg->n_train, sizeof(*owner));
	double spread = 0;
	size_t k, n = 0;

	*mine = calloc(cfg->n_train, sizeof(**mine));
	if (owner == NULL || *mine == NULL)
		mpi_fail(ks_status_exit_code(KS_ERR_NOMEM), "out of memory");
	for (k = 0; k < cfg->n_train; k++)
		h = (h ^ bytes[k]) * 0x100000001b3ull;
	if (ks_dist_mpi_settings_differ(h))
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
			 "the ranks see -train files of different sizes; with -shard files every "
			 "rank needs the same files (a shared file system or identical copies)");
	if (ks_dist_assign_files(bytes, cfg->n_train, mpi_size, owner, &spread) != 0)
		mpi_fail(ks_status_exit_code(KS_ERR_NOMEM), "out of memory");
	for (k = 0; k < cfg->n_train; k++)
		if (owner[k] == mpi_rank)
			(*mine)[n++] = cfg->train[k];
	*n_mine = n;
	ks_log(log, KS_LOG_INFO, "kensho-mpi: the %zu -train files are shared out by files; "
	       "the largest share holds %.2fx the mean share's bytes", cfg->n_train, spread);
	if (spread > 1.5)
		ks_log(log, KS_LOG_WARN, "the largest share of the -train files is %.2fx the "
		       "mean: the other ranks will wait for it at the end of training; give more "
		       "files of similar sizes, or -shard chunks", spread);
	free(owner);
}

/*
 * -resume names the job's checkpoint, not one rank's file: given
 * NAME.rankR where this rank's NAME.rankR.rankR does not exist, ends the
 * job with a message saying so, rather than "cannot open".
 */
static void
mpi_check_resume_name(const char *resume, const char *mine)
{
	const char *dot = strrchr(resume, '.');
	char msg[KS_ERR_MSG_MAX];
	struct stat st;
	size_t i;

	if (dot == NULL || strncmp(dot, ".rank", 5) != 0 || dot[5] == '\0' ||
	    stat(mine, &st) == 0)
		return;
	for (i = 5; dot[i] != '\0'; i++)
		if (dot[i] < '0' || dot[i] > '9')
			return;
	snprintf(msg, sizeof(msg), "-resume %s: give the name the ranks' files share (%.*s), "
		 "not one rank's file", resume, (int)(dot - resume), resume);
	mpi_fail(ks_status_exit_code(KS_ERR_USAGE), msg);
}

/* FNV-1a over the arguments, NUL-separated: equal settings, equal hash. */
static uint64_t
mpi_hash_args(int argc, char **argv)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int i;

	for (i = 1; i < argc; i++) {
		const unsigned char *p = (const unsigned char *)argv[i];

		do {
			h ^= *p;
			h *= 0x100000001b3ull;
		} while (*p++ != '\0');
	}
	return h;
}

int
main(int argc, char **argv)
{
	struct ks_config cfg;
	struct ks_err err;
	struct ks_dist dist;
	int line_open = 0;
	struct ks_log log = { mpi_log_fn, &line_open, 0 };
	enum ks_config_action action;
	uint64_t sync_words = 0, sync_rows = MPI_DEFAULT_SYNC_ROWS;
	double damping = MPI_DEFAULT_SYNC_DAMPING;
	enum mpi_shard shard = MPI_SHARD_AUTO;
	char **all_train = NULL, **my_train = NULL;
	size_t n_all_train = 0, n_my_train = 0;
	uint64_t *train_bytes = NULL;
	char *ckpt_name = NULL, *ckpt_rank = NULL;
	char msg[sizeof(err.msg) + 64];
	int provided, rc, i, n = 1;

	if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
		fprintf(stderr, "kensho-mpi: MPI_Init failed\n");
		return 1;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
	if (provided < MPI_THREAD_SERIALIZED)
		mpi_fail(1, "this MPI library does not allow calls from several threads "
			 "(MPI_THREAD_SERIALIZED)");
	/* Over every option, kensho-mpi's own too: a rank with another -sync-words would hang. */
	if (ks_dist_mpi_settings_differ(mpi_hash_args(argc, argv)))
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
			 "the ranks were started with different options; every rank needs the same");
	/* kensho-mpi's own options come out of argv; the rest is kensho's. */
	for (i = 1; i < argc; i++) {
		uint64_t *slot = strcmp(argv[i], "-sync-words") == 0 ? &sync_words
				 : strcmp(argv[i], "-sync-rows") == 0 ? &sync_rows : NULL;

		if (strcmp(argv[i], "-sync-damping") == 0) {
			if (i + 1 >= argc || (damping = mpi_parse_real(argv[i + 1])) < 0)
				mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
					 "-sync-damping needs a number >= 0");
			i++;
			continue;
		}
		if (strcmp(argv[i], "-shard") == 0) {
			const char *v = i + 1 < argc ? argv[i + 1] : "";

			if (strcmp(v, "auto") == 0)
				shard = MPI_SHARD_AUTO;
			else if (strcmp(v, "files") == 0)
				shard = MPI_SHARD_FILES;
			else if (strcmp(v, "chunks") == 0)
				shard = MPI_SHARD_CHUNKS;
			else
				mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
					 "-shard needs auto, files or chunks");
			i++;
			continue;
		}
		if (slot == NULL) {
			argv[n++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || (*slot = mpi_parse_count(argv[i + 1])) == 0) {
			snprintf(msg, sizeof(msg), "%s needs a positive integer", argv[i]);
			mpi_fail(ks_status_exit_code(KS_ERR_USAGE), msg);
		}
		i++;
	}
	argc = n;
	argv[argc] = NULL;
	ks_err_clear(&err);
	ks_config_defaults(&cfg);
	rc = ks_config_parse(&cfg, argc, argv, &action, &err);
	if (rc != KS_OK) {
		snprintf(msg, sizeof(msg), "%s (try 'kensho-mpi --help')", err.msg);
		mpi_fail(ks_status_exit_code(rc), msg);
	}
	if (action == KS_ACTION_HELP || action == KS_ACTION_VERSION) {
		if (mpi_rank == 0 && action == KS_ACTION_HELP) {
			ks_config_help(&cfg, "kensho-mpi", stdout);
			printf("\nkensho-mpi only:\n  -sync-words N  words a rank trains between "
			       "sync rounds\n                 (%d with 2 ranks, %d / ranks with more)\n"
			       "  -sync-rows N   rows of the most frequent words "
			       "exchanged every round (%d)\n"
			       "  -sync-damping X\n                 with 3 or more ranks, how "
			       "hard a round scales down the\n                 summed change "
			       "of rows every rank moved far; 0 = the\n                 plain "
			       "sum (%g)\n"
			       "  -shard MODE    files: each rank reads and trains its own -train "
			       "files;\n                 chunks: each reads all and trains every "
			       "N-th chunk;\n                 auto: files when there are at least "
			       "as many files as ranks (auto)\n"
			       "\nCheckpoints are the job's: rank R writes and -resume reads "
			       "NAME.rankR,\nwhere NAME is the checkpoint kensho would use "
			       "(kensho-mpi(1)).\n", MPI_DEFAULT_SYNC_WORDS_2,
			       MPI_DEFAULT_JOB_SYNC_WORDS,
			       MPI_DEFAULT_SYNC_ROWS, MPI_DEFAULT_SYNC_DAMPING);
		} else if (mpi_rank == 0) {
			printf("kensho-mpi %s\n", PACKAGE_VERSION);
		}
		ks_config_free(&cfg);
		MPI_Finalize();
		return 0;
	}
	train_bytes = mpi_train_sizes(&cfg);
	if (ks_cli_stop_hook(&cfg, &err) != KS_OK)
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE), err.msg);
	/* Every rank's part of the job's checkpoint: NAME.rankR. */
	if (ks_train_checkpoint_path(&cfg, &ckpt_name, &err) != KS_OK)
		mpi_fail(ks_status_exit_code(err.status), err.msg);
	ckpt_rank = malloc(strlen(ckpt_name) + 32);
	if (ckpt_rank == NULL)
		mpi_fail(ks_status_exit_code(KS_ERR_NOMEM), "out of memory");
	sprintf(ckpt_rank, "%s.rank%d", ckpt_name, mpi_rank);
	cfg.checkpoint = ckpt_rank;
	if (cfg.resume != NULL) {
		mpi_check_resume_name(cfg.resume, ckpt_rank);
		cfg.resume = ckpt_rank;
	}
	if (cfg.positions != KS_POSITIONS_OFF)
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
			 "-positions is not supported by kensho-mpi yet");
	if (cfg.output != NULL && strcmp(cfg.output, "-") == 0)
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
			 "-output -: kensho-mpi writes files only");
	if (sync_words == 0)
		sync_words = mpi_size <= 2 ? MPI_DEFAULT_SYNC_WORDS_2
					   : (MPI_DEFAULT_JOB_SYNC_WORDS + (uint64_t)mpi_size - 1) /
						     (uint64_t)mpi_size;
	if (ks_dist_mpi_init(&dist, sync_words, (size_t)sync_rows) != 0)
		mpi_fail(ks_status_exit_code(KS_ERR_NOMEM), "out of memory");
	dist.ckpt_name = ckpt_name;
	dist.damping = damping;
	/* Rank 0 reports and writes; the others only report errors. */
	log.max_level = cfg.debug == 0 ? -1 : cfg.debug;
	if (mpi_rank != 0) {
		log.max_level = -1;
		cfg.output = NULL;
		cfg.save_context = NULL;
		cfg.save_positions = NULL;
		cfg.save_vocab = NULL;
		cfg.save_model = NULL;
		cfg.loss_log = NULL;
		cfg.classes = 0;
	} else {
		ks_log(&log, KS_LOG_INFO, "kensho-mpi: %d rank%s, a sync round every %llu words "
		       "per rank, %llu rows at least, damping %g", mpi_size,
		       mpi_size == 1 ? "" : "s", (unsigned long long)sync_words,
		       (unsigned long long)sync_rows, damping);
	}
	if (shard == MPI_SHARD_FILES && cfg.n_train < (size_t)mpi_size) {
		snprintf(msg, sizeof(msg), "-shard files needs at least as many -train files as "
			 "ranks: %zu file%s for %d ranks", cfg.n_train, cfg.n_train == 1 ? "" : "s",
			 mpi_size);
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE), msg);
	}
	if (mpi_size > 1 && (shard == MPI_SHARD_FILES ||
			     (shard == MPI_SHARD_AUTO && cfg.n_train >= (size_t)mpi_size))) {
		mpi_shard_files(&cfg, train_bytes, &log, &my_train, &n_my_train);
		all_train = cfg.train;
		n_all_train = cfg.n_train;
		cfg.train = my_train;
		cfg.n_train = n_my_train;
		dist.split_files = 1;
	} else {
		ks_log(&log, KS_LOG_INFO, "kensho-mpi: shared out by chunks: every rank reads the "
		       "%zu -train file%s and trains one chunk in %d", cfg.n_train,
		       cfg.n_train == 1 ? "" : "s", mpi_size);
	}
	cfg.dist = &dist;
	cfg.interrupt = ks_cli_catch_signals(1);
	rc = ks_train(&cfg, &log, NULL, &err);
	if (all_train != NULL) {
		cfg.train = all_train;
		cfg.n_train = n_all_train;
		free(my_train);
	}
	free(train_bytes);
	if (line_open)
		fputc('\n', stderr);
	if (rc == KS_ERR_INTERRUPTED && dist.checkpointed) {
		/* Every rank stopped at one round and put its part in place: a clean end. */
		if (mpi_rank == 0)
			fprintf(stderr, "kensho-mpi: %s\n", err.msg);
		rc = ks_status_exit_code(rc);
		ks_dist_mpi_free(&dist);
		ks_config_free(&cfg);
		free(ckpt_rank);
		free(ckpt_name);
		MPI_Finalize();
		return rc;
	}
	if (rc != KS_OK)
		mpi_fail(ks_status_exit_code(rc), err.msg[0] ? err.msg : ks_status_str(rc));
	ks_log(&log, KS_LOG_INFO, "kensho-mpi: the %d rank%s ended with the same model "
	       "(checksums compared after %llu sync round%s)", mpi_size, mpi_size == 1 ? "" : "s",
	       (unsigned long long)dist.round, dist.round == 1 ? "" : "s");
	ks_dist_mpi_free(&dist);
	ks_config_free(&cfg);
	free(ckpt_rank);
	free(ckpt_name);
	MPI_Finalize();
	return 0;
}
