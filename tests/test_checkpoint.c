/*
 * Checkpoints: an exact round trip of every field; refusal of a wrong
 * magic, an other format or kensho version, every single corrupt byte and
 * every truncation, trailing bytes and differing settings; and in-process
 * trainings stopped at several points and resumed, whose vectors must be
 * byte-identical to an uninterrupted run's (cached and streamed).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "checkpoint.h"
#include "config.h"
#include "mem.h"
#include "suites.h"
#include "train.h"

#define FAIL_IF(cond, ...) \
	do { \
		if (cond) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* A small checkpoint with every field set to something recognisable. */
struct sample {
	struct ks_ckpt c;
	char *paths[2];
	int64_t sizes[2];
	struct ks_ckpt_worker workers[2];
	const char *words[5];
	uint64_t counts[5];
	float in[15], out[15];
	float pos[6];
	float hs[12];	/* 4 inner nodes of 3 floats */
	float base_in[15], base_out[15], base_hs[12];	/* sample_job's */
};

static void
sample_init(struct sample *s)
{
	static const char *const words[5] = { "the", "of", "caf\xc3\xa9", "a", "zebra" };
	size_t i;

	memset(s, 0, sizeof(*s));
	s->paths[0] = (char *)(uintptr_t)"corpus/a.txt";
	s->paths[1] = (char *)(uintptr_t)"-";
	s->sizes[0] = 123456789;
	s->sizes[1] = -1;
	s->c.set.size = 3;
	s->c.set.window = 7;
	s->c.set.negative = 11;
	s->c.set.iter = 4;
	s->c.set.min_count = 2;
	s->c.set.max_vocab = 1000;
	s->c.set.max_sentence = 999;
	s->c.set.threads = 2;
	s->c.set.cbow = 1;
	s->c.set.cbow_update = KS_CBOW_WORD2VEC;
	s->c.set.kernel = KS_KERNEL_REFERENCE;
	s->c.set.cached = 1;
	s->c.set.sample = 1e-4;
	s->c.set.ns_exponent = 0.75;
	s->c.set.alpha = 0.05;
	s->c.set.alpha_in_scale = 1.5;
	s->c.set.seed = UINT64_MAX - 3;
	s->c.set.n_inputs = 2;
	s->c.set.input_paths = s->paths;
	s->c.set.input_sizes = s->sizes;
	s->c.epoch = 2;
	s->c.batch = 17;
	s->c.batches_per_epoch = 40;
	s->c.train_words = 400000;
	s->c.words_done = 987654;
	for (i = 0; i < 2; i++) {
		ks_rng_seed(&s->workers[i].rng, 42, i);
		s->workers[i].unpublished = 1234 + i;
		s->workers[i].alpha = 0.0123f + (float)i;
		s->workers[i].loss = 3.25e6 + (double)i;
		s->workers[i].examples = 777777 + i;
		s->workers[i].last_loss = 1.5e5 + (double)i;
		s->workers[i].last_examples = 55555 + i;
	}
	s->c.n_workers = 2;
	s->c.workers = s->workers;
	for (i = 0; i < 5; i++) {
		s->words[i] = words[i];
		s->counts[i] = 1000 - i;
	}
	s->c.n_words = 5;
	s->c.words = s->words;
	s->c.counts = s->counts;
	s->c.dim = 3;
	s->c.stride = 3;
	for (i = 0; i < 15; i++) {
		s->in[i] = (float)i * 0.1f - 0.7f;
		s->out[i] = -(float)i * 1e-3f;
	}
	s->in[4] = -0.0f;
	s->c.in_vecs = s->in;
	s->c.out_vecs = s->out;
	s->c.set.positions = KS_POSITIONS_SCALAR;
	for (i = 0; i < 6; i++)
		s->pos[i] = 1.0f + (float)i / 8.0f;
	s->c.n_pos = 6;
	s->c.pos = s->pos;
	s->c.set.hs = 1;
	for (i = 0; i < 12; i++)
		s->hs[i] = 0.25f - (float)i / 16.0f;
	s->c.n_hs = 4;
	s->c.hs_vecs = s->hs;
}

/* Makes s rank 2's part of a kensho-mpi job's checkpoint of 3 ranks. */
static void
sample_job(struct sample *s)
{
	size_t i;

	for (i = 0; i < 15; i++) {
		s->base_in[i] = s->in[i] + 0.5f;
		s->base_out[i] = s->out[i] - 0.25f;
	}
	for (i = 0; i < 12; i++)
		s->base_hs[i] = -s->hs[i];
	s->c.job = (struct ks_ckpt_job){
		.ranks = 3, .rank = 2, .split_files = 1, .sync_words = 5000, .sync_rows = 64,
		.sync_damping = 0.25, .round = 17, .next_sync = 90000, .words_offset = -30, .base_in = s->base_in,
		.base_out = s->base_out, .base_hs = s->base_hs,
	};
}

static void
write_sample(const char *path, int job)
{
	struct sample s;
	struct ks_err err;

	sample_init(&s);
	if (job)
		sample_job(&s);
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
}

START_TEST(test_ckpt_round_trip)
{
	const char *dir = ks_test_tmpdir();
	char path[512];
	struct sample s;
	struct ks_ckpt *c;
	struct ks_err err;
	size_t i;

	snprintf(path, sizeof(path), "%s/a.ckpt", dir);
	sample_init(&s);
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	ck_assert_int_eq(ks_ckpt_read(&c, path, &err), KS_OK);
	ck_assert_str_eq(c->version, PACKAGE_VERSION);
	ck_assert_int_eq(c->set.size, 3);
	ck_assert_int_eq(c->set.window, 7);
	ck_assert_int_eq(c->set.negative, 11);
	ck_assert_int_eq(c->set.iter, 4);
	ck_assert_int_eq(c->set.min_count, 2);
	ck_assert_int_eq(c->set.max_vocab, 1000);
	ck_assert_int_eq(c->set.max_sentence, 999);
	ck_assert_int_eq(c->set.threads, 2);
	ck_assert_int_eq(c->set.cbow, 1);
	ck_assert_int_eq(c->set.cbow_update, KS_CBOW_WORD2VEC);
	ck_assert_int_eq(c->set.kernel, KS_KERNEL_REFERENCE);
	ck_assert_int_eq(c->set.cached, 1);
	ck_assert(c->set.sample == 1e-4 && c->set.ns_exponent == 0.75);
	ck_assert(c->set.alpha == 0.05 && c->set.alpha_in_scale == 1.5);
	ck_assert(c->set.seed == UINT64_MAX - 3);
	ck_assert_uint_eq(c->set.n_inputs, 2);
	ck_assert_str_eq(c->set.input_paths[0], "corpus/a.txt");
	ck_assert_str_eq(c->set.input_paths[1], "-");
	ck_assert(c->set.input_sizes[0] == 123456789 && c->set.input_sizes[1] == -1);
	ck_assert_uint_eq(c->epoch, 2);
	ck_assert_uint_eq(c->batch, 17);
	ck_assert_uint_eq(c->batches_per_epoch, 40);
	ck_assert_uint_eq(c->train_words, 400000);
	ck_assert_uint_eq(c->words_done, 987654);
	ck_assert_uint_eq(c->n_workers, 2);
	for (i = 0; i < 2; i++) {
		ck_assert(memcmp(&c->workers[i].rng, &s.workers[i].rng, sizeof(struct ks_rng)) == 0);
		ck_assert_uint_eq(c->workers[i].unpublished, s.workers[i].unpublished);
		ck_assert(c->workers[i].alpha == s.workers[i].alpha);
		ck_assert(c->workers[i].loss == s.workers[i].loss);
		ck_assert_uint_eq(c->workers[i].examples, s.workers[i].examples);
		ck_assert(c->workers[i].last_loss == s.workers[i].last_loss);
		ck_assert_uint_eq(c->workers[i].last_examples, s.workers[i].last_examples);
	}
	ck_assert_uint_eq(c->n_words, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_str_eq(c->words[i], s.words[i]);
		ck_assert_uint_eq(c->counts[i], s.counts[i]);
	}
	ck_assert_uint_eq(c->dim, 3);
	ck_assert(memcmp(c->in_vecs, s.in, sizeof(s.in)) == 0);
	ck_assert(memcmp(c->out_vecs, s.out, sizeof(s.out)) == 0);
	ck_assert_int_eq(c->set.positions, KS_POSITIONS_SCALAR);
	ck_assert_uint_eq(c->n_pos, 6);
	ck_assert(memcmp(c->pos, s.pos, sizeof(s.pos)) == 0);
	ck_assert_int_eq(c->set.hs, 1);
	ck_assert_uint_eq(c->n_hs, 4);
	ck_assert(memcmp(c->hs_vecs, s.hs, sizeof(s.hs)) == 0);
	ks_ckpt_destroy(c);
	ks_ckpt_destroy(NULL);
}
END_TEST

/* Reads path expecting status and a message holding want. */
static void
expect_refused(const char *path, int status, const char *want)
{
	struct ks_ckpt *c = (struct ks_ckpt *)1;
	struct ks_err err;
	int rc;

	ks_err_clear(&err);
	rc = ks_ckpt_read(&c, path, &err);
	ck_assert_msg(rc == status, "%s: got %d (%s), want %d", path, rc, err.msg, status);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
}

/*
 * Padded rows (the trainer's layout, ks_row_stride) go to the file packed
 * and come back padded, with zeros in the padding whatever it held.
 */
START_TEST(test_ckpt_padded_rows)
{
	enum { DIM = 100, STRIDE = 104 };
	static float in[5 * STRIDE], out[5 * STRIDE], hs[4 * STRIDE];
	char path[512];
	struct sample s;
	struct ks_ckpt *c;
	struct ks_err err;
	unsigned char *buf;
	size_t r, d, len, cuts[3];

	ck_assert_uint_eq(ks_row_stride(DIM), STRIDE);
	snprintf(path, sizeof(path), "%s/padded.ckpt", ks_test_tmpdir());
	sample_init(&s);
	s.c.set.size = DIM;
	s.c.dim = DIM;
	s.c.stride = STRIDE;
	for (r = 0; r < 5; r++)
		for (d = 0; d < STRIDE; d++) {
			in[r * STRIDE + d] = d < DIM ? (float)(r * DIM + d) * 0.25f : NAN;
			out[r * STRIDE + d] = d < DIM ? -(float)(r * DIM + d) : NAN;
		}
	s.c.in_vecs = in;
	s.c.out_vecs = out;
	/* The tree's rows are padded the same way. */
	for (r = 0; r < 4 * STRIDE; r++)
		hs[r] = r % STRIDE < DIM ? (float)r / 8.0f : NAN;
	s.c.hs_vecs = hs;
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	ck_assert_int_eq(ks_ckpt_read(&c, path, &err), KS_OK);
	ck_assert_uint_eq(c->dim, DIM);
	ck_assert_uint_eq(c->stride, STRIDE);
	for (r = 0; r < 5; r++)
		for (d = 0; d < STRIDE; d++) {
			float want_in = d < DIM ? in[r * STRIDE + d] : 0.0f;
			float want_out = d < DIM ? out[r * STRIDE + d] : 0.0f;

			ck_assert_msg(c->in_vecs[r * STRIDE + d] == want_in &&
				      c->out_vecs[r * STRIDE + d] == want_out,
				      "row %zu, float %zu: %g %g, expected %g %g", r, d,
				      c->in_vecs[r * STRIDE + d], c->out_vecs[r * STRIDE + d], want_in,
				      want_out);
		}
	ck_assert_uint_eq(c->n_hs, 4);
	for (r = 0; r < 4 * STRIDE; r++)
		ck_assert(c->hs_vecs[r] == (r % STRIDE < DIM ? hs[r] : 0.0f));
	ks_ckpt_destroy(c);
	/* Cut inside the output rows, inside the input rows, and at the first row. */
	buf = ks_test_slurp(path, &len);
	cuts[0] = len - 4 - 2 * 5 * DIM * sizeof(float) + 3;
	cuts[1] = len - 4 - 5 * DIM * sizeof(float) - 7;
	cuts[2] = len - 5;
	for (r = 0; r < 3; r++) {
		ks_test_write_file(path, buf, cuts[r]);
		expect_refused(path, KS_ERR_FORMAT, "truncated");
	}
	free(buf);
}
END_TEST

/* A job's part: its fields and bases come back, and a job's rank may have trained its share. */
START_TEST(test_ckpt_job_round_trip)
{
	char path[512];
	struct sample s;
	struct ks_ckpt *c;
	struct ks_err err;

	snprintf(path, sizeof(path), "%s/job.ckpt", ks_test_tmpdir());
	sample_init(&s);
	sample_job(&s);
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	ck_assert_int_eq(ks_ckpt_read(&c, path, &err), KS_OK);
	ck_assert_uint_eq(c->job.ranks, 3);
	ck_assert_uint_eq(c->job.rank, 2);
	ck_assert_uint_eq(c->job.split_files, 1);
	ck_assert_uint_eq(c->job.sync_words, 5000);
	ck_assert_uint_eq(c->job.sync_rows, 64);
	ck_assert_double_eq(c->job.sync_damping, 0.25);
	ck_assert_uint_eq(c->job.round, 17);
	ck_assert_uint_eq(c->job.next_sync, 90000);
	ck_assert(c->job.words_offset == -30);
	ck_assert(memcmp(c->job.base_in, s.base_in, sizeof(s.base_in)) == 0);
	ck_assert(memcmp(c->job.base_out, s.base_out, sizeof(s.base_out)) == 0);
	ck_assert(memcmp(c->job.base_hs, s.base_hs, sizeof(s.base_hs)) == 0);
	ck_assert(memcmp(c->in_vecs, s.in, sizeof(s.in)) == 0);
	ck_assert(!ks_ckpt_finished(c));
	ks_ckpt_destroy(c);
	/* A rank whose share is trained still has workers: the job goes on. */
	s.c.epoch = 4;
	s.c.batch = 0;
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	ck_assert_int_eq(ks_ckpt_read(&c, path, &err), KS_OK);
	ck_assert(!ks_ckpt_finished(c));
	ks_ckpt_destroy(c);
	/* Outside a job that is a contradiction: workers with nothing left to train. */
	memset(&s.c.job, 0, sizeof(s.c.job));
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	expect_refused(path, KS_ERR_FORMAT, "contradict");
	/* And a model (no workers) is never a job's. */
	sample_job(&s);
	s.c.n_workers = 0;
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	expect_refused(path, KS_ERR_FORMAT, "contradict");
}
END_TEST

/* Job fields no job has are refused under a valid checksum. */
START_TEST(test_ckpt_job_fields)
{
	char path[512];
	struct sample s;
	struct ks_err err;
	int k;

	snprintf(path, sizeof(path), "%s/job-bad.ckpt", ks_test_tmpdir());
	for (k = 0; k < 6; k++) {
		sample_init(&s);
		sample_job(&s);
		if (k == 0)
			s.c.job.rank = 3;
		else if (k == 1)
			s.c.job.sync_words = 0;
		else if (k == 2)
			s.c.job.sync_rows = 0;
		else if (k == 3)
			s.c.job.sync_damping = -1;
		else if (k == 4)
			s.c.job.sync_damping = NAN;
		else
			s.c.job.split_files = 2;
		ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
		expect_refused(path, KS_ERR_FORMAT, "impossible");
	}
}
END_TEST

static void
put_crc(unsigned char *buf, size_t len)
{
	uLong crc = crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(len - 4));
	int i;

	for (i = 0; i < 4; i++)
		buf[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

START_TEST(test_ckpt_refuses_foreign_files)
{
	const char *dir = ks_test_tmpdir();
	char good[512], bad[512];
	unsigned char *buf;
	size_t len;

	snprintf(good, sizeof(good), "%s/good.ckpt", dir);
	snprintf(bad, sizeof(bad), "%s/bad.ckpt", dir);
	write_sample(good, 0);
	buf = ks_test_slurp(good, &len);

	ks_test_write_file(bad, (const unsigned char *)"KSVEC\n1 2\n", 10);
	expect_refused(bad, KS_ERR_FORMAT, "not a kensho checkpoint");
	ks_test_write_file(bad, buf, 0);
	expect_refused(bad, KS_ERR_FORMAT, "not a kensho checkpoint");

	/* An other format version: refused before the rest is read. */
	buf[8] = KS_CKPT_FORMAT_VERSION + 1;
	ks_test_write_file(bad, buf, len);
	{
		char want[32];

		snprintf(want, sizeof(want), "format version %d", KS_CKPT_FORMAT_VERSION + 1);
		expect_refused(bad, KS_ERR_FORMAT, want);
	}
	buf[8] = KS_CKPT_FORMAT_VERSION;

	/* An other kensho version, with a valid checksum. */
	ck_assert_uint_eq(buf[12], strlen(PACKAGE_VERSION));
	buf[16] = buf[16] == '9' ? '8' : '9';
	put_crc(buf, len);
	ks_test_write_file(bad, buf, len);
	expect_refused(bad, KS_ERR_FORMAT, "written by kensho");
	free(buf);

	buf = ks_test_slurp(good, &len);
	buf = realloc(buf, len + 1);
	buf[len] = '\n';
	ks_test_write_file(bad, buf, len + 1);
	expect_refused(bad, KS_ERR_FORMAT, "after the checksum");
	free(buf);
	expect_refused(dir, KS_ERR_OPEN, "");
}
END_TEST

/* Every byte of a plain training's checkpoint (_i = 0) and of a job's (_i = 1). */
START_TEST(test_ckpt_refuses_every_corrupt_byte_and_truncation)
{
	const char *dir = ks_test_tmpdir();
	char good[512], bad[512];
	unsigned char *buf;
	size_t len, i;

	snprintf(good, sizeof(good), "%s/good.ckpt", dir);
	snprintf(bad, sizeof(bad), "%s/bad.ckpt", dir);
	write_sample(good, _i);
	buf = ks_test_slurp(good, &len);
	for (i = 0; i < len; i++) {
		struct ks_ckpt *c;
		struct ks_err err;
		int rc;

		buf[i] ^= 0x20;
		ks_test_write_file(bad, buf, len);
		buf[i] ^= 0x20;
		rc = ks_ckpt_read(&c, bad, &err);
		FAIL_IF(rc != KS_ERR_FORMAT, "byte %zu flipped: status %d (%s)", i, rc, err.msg);
		FAIL_IF(i >= 16 && strstr(err.msg, "corrupt") == NULL,
			"byte %zu flipped: '%s' does not say corrupt", i, err.msg);
	}
	for (i = 0; i < len; i++) {
		struct ks_ckpt *c;
		struct ks_err err;
		int rc;

		ks_test_write_file(bad, buf, i);
		rc = ks_ckpt_read(&c, bad, &err);
		FAIL_IF(rc != KS_ERR_FORMAT, "cut at %zu: status %d (%s)", i, rc, err.msg);
		FAIL_IF(i >= 16 && strstr(err.msg, "truncated") == NULL,
			"cut at %zu: '%s' does not say truncated", i, err.msg);
	}
	free(buf);
}
END_TEST

/* Compares c with cfg's settings: want NULL means accepted, else refused naming want. */
static void
check_now(const struct ks_ckpt *c, const char *path, const struct ks_config *cfg, const char *want)
{
	struct ks_ckpt_settings now;
	struct ks_err err;
	int rc;

	ck_assert_int_eq(ks_ckpt_settings_init(&now, cfg, 1, &err), KS_OK);
	rc = ks_ckpt_check(c, path, &now, &err);
	ks_ckpt_settings_free(&now);
	if (want == NULL) {
		ck_assert_msg(rc == KS_OK, "refused: %s", err.msg);
		return;
	}
	ck_assert_int_eq(rc, KS_ERR_USAGE);
	ck_assert_msg(strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg, want);
}

/*
 * A word the tokenizer cannot make, empty or with a blank in it, is
 * refused even under a valid checksum (fuzz_checkpoint found the empty one,
 * which -init would otherwise have handed to the vocabulary).
 */
START_TEST(test_ckpt_refuses_impossible_words)
{
	static const char *const bad[3] = { "", "two words", "tab\there" };
	char path[4096];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct sample s;
		struct ks_err err;

		snprintf(path, sizeof(path), "%s/bad-word-%zu.ckpt", ks_test_tmpdir(), i);
		sample_init(&s);
		s.words[2] = bad[i];
		ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
		expect_refused(path, KS_ERR_FORMAT, "empty or holds a blank");
	}
}
END_TEST

START_TEST(test_ckpt_compares_settings)
{
	const char *dir = ks_test_tmpdir();
	char corpus[512], path[512];
	char *train[1] = { corpus };
	struct ks_config cfg;
	struct ks_ckpt *c;
	struct sample s;
	struct ks_err err;
	FILE *f;

	snprintf(corpus, sizeof(corpus), "%s/c.txt", dir);
	snprintf(path, sizeof(path), "%s/a.ckpt", dir);
	f = fopen(corpus, "w");
	ck_assert_ptr_nonnull(f);
	fputs("a b c\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ks_config_defaults(&cfg);
	cfg.train = train;
	cfg.n_train = 1;
	cfg.output = "-";
	cfg.size = 3;
	ck_assert_int_eq(ks_config_finish(&cfg, &err), KS_OK);

	/* A checkpoint of exactly this configuration. */
	sample_init(&s);
	ck_assert_int_eq(ks_ckpt_settings_init(&s.c.set, &cfg, 1, &err), KS_OK);
	ck_assert_int_eq(s.c.set.input_sizes[0], 6);
	s.c.set.threads = 2;
	cfg.threads = 2;
	ck_assert_int_eq(ks_ckpt_write(path, &s.c, &err), KS_OK);
	ks_ckpt_settings_free(&s.c.set);
	ck_assert_int_eq(ks_ckpt_read(&c, path, &err), KS_OK);


	check_now(c, path, &cfg, NULL);
	cfg.size = 4;
	check_now(c, path, &cfg, "-size 3, but this run has -size 4");
	cfg.size = 3;
	cfg.seed = 99;
	check_now(c, path, &cfg, "-seed 1, but this run has -seed 99");
	cfg.seed = 1;
	cfg.alpha = 0.07;
	check_now(c, path, &cfg, "-alpha");
	cfg.alpha = ks_config_default_alpha(cfg.cbow, cfg.cbow_update);
	cfg.kernel = KS_KERNEL_REFERENCE;
	check_now(c, path, &cfg, "-kernel fast, but this run has -kernel reference");
	cfg.kernel = KS_KERNEL_FAST;
	cfg.threads = 3;
	check_now(c, path, &cfg, "-threads 2");
	cfg.threads = 2;
	check_now(c, path, &cfg, NULL);
	/* The corpus grew. */
	f = fopen(corpus, "a");
	ck_assert_ptr_nonnull(f);
	fputs("d\n", f);
	ck_assert_int_eq(fclose(f), 0);
	check_now(c, path, &cfg, "the corpus changed");
	train[0] = path;
	check_now(c, path, &cfg, "-train");
	ck_assert_int_eq(ks_ckpt_check_cached(c, path, 1, &err), KS_OK);
	ck_assert_int_eq(ks_ckpt_check_cached(c, path, 0, &err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-cache-mb"));
	ks_ckpt_destroy(c);
}
END_TEST

/* ---- whole trainings stopped and resumed ---- */

static void
resume_config(struct ks_config *cfg, char **train, const char *out, long cache_mb)
{
	struct ks_err err;

	ks_config_defaults(cfg);
	cfg->train = train;
	cfg->n_train = 1;
	cfg->output = out;
	cfg->size = 8;
	cfg->iter = 3;
	cfg->threads = 1;
	cfg->min_count = 1;
	cfg->debug = 0;
	cfg->seed = 5;
	cfg->cache_mb = cache_mb;
	ck_assert_int_eq(ks_config_finish(cfg, &err), KS_OK);
}

static void
assert_same_file(const char *a, const char *b)
{
	unsigned char *x, *y;
	size_t nx, ny;

	x = ks_test_slurp(a, &nx);
	y = ks_test_slurp(b, &ny);
	ck_assert_msg(nx == ny && memcmp(x, y, nx) == 0, "%s and %s differ", a, b);
	free(x);
	free(y);
}

static void
check_resumes(long cache_mb)
{
	static const uint64_t stops[] = { 1, 10000, 29999, 60000, 95000, 170000 };
	const char *dir = ks_test_tmpdir();
	char corpus[512], full[512], part[512], ckpt[512];
	char *train[1] = { corpus };
	struct ks_config cfg;
	struct ks_err err;
	struct stat st;
	atomic_int flag = 1;
	size_t i;
	int rc;

	snprintf(corpus, sizeof(corpus), "%s/c.txt", dir);
	snprintf(full, sizeof(full), "%s/full.vec", dir);
	snprintf(part, sizeof(part), "%s/part.vec", dir);
	snprintf(ckpt, sizeof(ckpt), "%s/run.ckpt", dir);
	ks_test_write_corpus(corpus, 6000, 10, 90);	/* 60000 words: 6 batches per epoch */
	resume_config(&cfg, train, full, cache_mb);
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_OK);

	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		remove(part);
		remove(ckpt);
		resume_config(&cfg, train, part, cache_mb);
		cfg.checkpoint = ckpt;
		cfg.stop_after_words = stops[i];
		rc = ks_train(&cfg, NULL, NULL, &err);
		ck_assert_msg(rc == KS_ERR_INTERRUPTED, "stop %llu: %d %s",
			      (unsigned long long)stops[i], rc, err.msg);
		ck_assert_ptr_nonnull(strstr(err.msg, "-resume"));
		ck_assert_int_ne(stat(part, &st), 0);
		/* Resume, stopping once more half-way to the end for the first points. */
		cfg.resume = ckpt;
		cfg.checkpoint = NULL;
		cfg.stop_after_words = stops[i] < 60000 ? 120000 : 0;
		rc = ks_train(&cfg, NULL, NULL, &err);
		if (cfg.stop_after_words > 0) {
			ck_assert_msg(rc == KS_ERR_INTERRUPTED, "second stop: %d %s", rc, err.msg);
			cfg.stop_after_words = 0;
			rc = ks_train(&cfg, NULL, NULL, &err);
		}
		ck_assert_msg(rc == KS_OK, "resume after %llu: %s", (unsigned long long)stops[i],
			      err.msg);
		assert_same_file(full, part);
	}

	/*
	 * A signal while the corpus is read (66000 tokens: one look at the
	 * flag) stops before training, with nothing to save; a stop past the
	 * last batch lets the run finish.
	 */
	remove(ckpt);
	resume_config(&cfg, train, part, cache_mb);
	cfg.checkpoint = ckpt;
	cfg.interrupt = &flag;
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_ERR_INTERRUPTED);
	ck_assert_msg(strstr(err.msg, "nothing to save") != NULL, "%s", err.msg);
	ck_assert_int_ne(stat(ckpt, &st), 0);
	resume_config(&cfg, train, part, cache_mb);
	cfg.stop_after_words = 180000;
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_OK);
	assert_same_file(full, part);
}

START_TEST(test_resume_cached_is_identical)
{
	check_resumes(64);
}
END_TEST

START_TEST(test_resume_streamed_is_identical)
{
	check_resumes(0);
}
END_TEST

START_TEST(test_resume_refuses_changed_corpus)
{
	const char *dir = ks_test_tmpdir();
	char corpus[512], out[512], ckpt[512];
	char *train[1] = { corpus };
	struct ks_config cfg;
	struct ks_err err;
	FILE *f;

	snprintf(corpus, sizeof(corpus), "%s/c.txt", dir);
	snprintf(out, sizeof(out), "%s/v.vec", dir);
	snprintf(ckpt, sizeof(ckpt), "%s/v.vec.ckpt", dir);
	ks_test_write_corpus(corpus, 3000, 10, 90);
	resume_config(&cfg, train, out, 64);
	cfg.stop_after_words = 20000;
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_ERR_INTERRUPTED);
	/* The default checkpoint goes beside -output. */
	ck_assert_ptr_nonnull(strstr(err.msg, ckpt));
	/* Same size, other words. */
	f = fopen(corpus, "r+");
	ck_assert_ptr_nonnull(f);
	fputs("w7 w7", f);
	ck_assert_int_eq(fclose(f), 0);
	cfg.stop_after_words = 0;
	cfg.resume = ckpt;
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_ERR_USAGE);
	ck_assert_msg(strstr(err.msg, "the training input changed") != NULL, "%s", err.msg);
	cfg.cache_mb = 0;
	ck_assert_int_eq(ks_train(&cfg, NULL, NULL, &err), KS_ERR_USAGE);
	ck_assert_msg(strstr(err.msg, "-cache-mb") != NULL, "%s", err.msg);
}
END_TEST

Suite *
ks_suite_checkpoint(void)
{
	Suite *s = suite_create("checkpoint");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ckpt_round_trip);
	tcase_add_test(tc, test_ckpt_padded_rows);
	tcase_add_test(tc, test_ckpt_refuses_foreign_files);
	tcase_add_loop_test(tc, test_ckpt_refuses_every_corrupt_byte_and_truncation, 0, 2);
	tcase_add_test(tc, test_ckpt_job_round_trip);
	tcase_add_test(tc, test_ckpt_job_fields);
	tcase_add_test(tc, test_ckpt_refuses_impossible_words);
	tcase_add_test(tc, test_ckpt_compares_settings);
	tcase_add_test(tc, test_resume_cached_is_identical);
	tcase_add_test(tc, test_resume_streamed_is_identical);
	tcase_add_test(tc, test_resume_refuses_changed_corpus);
	suite_add_tcase(s, tc);
	return s;
}
