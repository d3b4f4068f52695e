/*
 * kensho-mpi: the trainer's command line under MPI (dist.h, dist_mpi.c).
 * Launched as `mpirun -np N kensho-mpi OPTIONS`: every rank parses the same
 * options, trains its share of the corpus with its own threads, and the
 * ranks sum their updates into one model; rank 0 alone reports progress and writes
 * the outputs (through the same atomic outfiles as kensho).
 *
 * Two options are kensho-mpi's own and are taken out of argv before the
 * rest goes to the shared parser: -sync-words N (words a rank trains
 * between sync rounds) and -sync-rows N (rows of the most frequent words
 * exchanged every round). kensho(1)'s options are otherwise unchanged.
 *
 * Faults end the whole job: a rank that fails (a shard it cannot read,
 * mismatched options, out of memory) prints a message naming itself and
 * calls MPI_Abort, so no rank waits forever in a collective and nothing is
 * written under a final output name. No signal handler is installed: a
 * signal ends the job (mpirun forwards it); checkpoints and -resume are
 * not supported under MPI yet and are refused.
 */
#include <errno.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dist.h"
#include "dist_mpi.h"
#include "log.h"
#include "status.h"
#include "train.h"

/*
 * -sync-words by default. The ranks' changes are summed, so a frequent row
 * that each rank has moved most of the way to where its shard pulls it
 * moves N times that far: the error after a round is (N - 1) times the
 * error before it, at most. With 2 ranks that cannot grow, and rounds
 * every 100,000 words per rank matched 2 threads in quality (wiki100m
 * CBOW, two seeds) at 8.5M and 5.5M words/s, where rounds every 20,000
 * gave 5.4M and 5.4M (bench/results/mpi-wiki100m.md). With more, the
 * job trains 40,000 words between rounds whatever the rank count: on a
 * 5M-word slice 4 ranks of 40,000 words each diverged, 4 of 10,000 and 8
 * of 5,000 matched one process.
 */
#define MPI_DEFAULT_SYNC_WORDS_2 100000
#define MPI_DEFAULT_JOB_SYNC_WORDS 40000
#define MPI_DEFAULT_SYNC_ROWS 1024

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
	char msg[sizeof(err.msg) + 64];
	int provided, rc, i, n = 1;
	size_t k;

	if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
		fprintf(stderr, "kensho-mpi: MPI_Init failed\n");
		return 1;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
	if (provided < MPI_THREAD_SERIALIZED)
		mpi_fail(1, "this MPI library does not allow calls from several threads "
			 "(MPI_THREAD_SERIALIZED)");
	/* kensho-mpi's own options come out of argv; the rest is kensho's. */
	for (i = 1; i < argc; i++) {
		uint64_t *slot = strcmp(argv[i], "-sync-words") == 0 ? &sync_words
				 : strcmp(argv[i], "-sync-rows") == 0 ? &sync_rows : NULL;

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
	if (ks_dist_mpi_settings_differ(mpi_hash_args(argc, argv)))
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
			 "the ranks were started with different options; every rank needs the same");
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
			       "exchanged every round (%d)\n", MPI_DEFAULT_SYNC_WORDS_2,
			       MPI_DEFAULT_JOB_SYNC_WORDS,
			       MPI_DEFAULT_SYNC_ROWS);
		} else if (mpi_rank == 0) {
			printf("kensho-mpi %s\n", PACKAGE_VERSION);
		}
		ks_config_free(&cfg);
		MPI_Finalize();
		return 0;
	}
	for (k = 0; k < cfg.n_train; k++)
		if (strcmp(cfg.train[k], "-") == 0)
			mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
				 "-train -: standard input cannot be shared by several ranks; "
				 "give kensho-mpi files (plain or gzip)");
	if (cfg.resume != NULL || cfg.checkpoint_every > 0)
		mpi_fail(ks_status_exit_code(KS_ERR_USAGE),
			 "-resume and -checkpoint-every are not supported by kensho-mpi yet");
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
		       "per rank, %llu rows at least", mpi_size, mpi_size == 1 ? "" : "s",
		       (unsigned long long)sync_words, (unsigned long long)sync_rows);
	}
	cfg.dist = &dist;
	rc = ks_train(&cfg, &log, NULL, &err);
	if (line_open)
		fputc('\n', stderr);
	if (rc != KS_OK)
		mpi_fail(ks_status_exit_code(rc), err.msg[0] ? err.msg : ks_status_str(rc));
	ks_log(&log, KS_LOG_INFO, "kensho-mpi: the %d rank%s ended with the same model "
	       "(checksums compared after %llu sync round%s)", mpi_size, mpi_size == 1 ? "" : "s",
	       (unsigned long long)dist.round, dist.round == 1 ? "" : "s");
	ks_dist_mpi_free(&dist);
	ks_config_free(&cfg);
	MPI_Finalize();
	return 0;
}
