/*
 * Fuzzes the checkpoint and model reader (src/checkpoint.c): ks_ckpt_read,
 * then ks_ckpt_check, ks_ckpt_check_cached and ks_ckpt_finished on what it
 * accepted.
 *
 * The reader refuses any file whose CRC-32 (the last 4 bytes, over every
 * byte before them) does not match, and a random mutation almost never
 * keeps it matching, so a fuzzer fed the raw bytes would spend nearly all
 * its time on the checksum and never reach the field parsers past the
 * header. The harness, not the reader, gets around it: bit 0 of the first
 * input byte set, it recomputes the CRC of the rest of the input but its
 * last 4 bytes and writes it over those 4 bytes before handing the file to
 * the reader, so every mutation of the body is parsed as if the file were
 * intact; bit 0 clear, the bytes go through as they are, so the checksum
 * path and every read that precedes it are fuzzed too. The reader itself is
 * the one the tools use, unchanged.
 *
 * Bits 1-2 of the first byte choose the settings to compare with: 0, the
 * checkpoint's own (must match); 1, its own with one field changed, chosen
 * by bits 3-7 (must be refused with KS_ERR_USAGE); 2 and 3, fixed settings
 * of a small run (either result, but nothing else).
 *
 * Checked: a refused file is KS_ERR_FORMAT or KS_ERR_READ with a message
 * naming the file; an accepted one has consistent sizes (words non-empty,
 * at most KS_MAX_WORD_BYTES, dim = -size, rows within the stride, the tree
 * one row short of the vocabulary, no workers exactly when finished), and
 * every float of it is read so AddressSanitizer sees any row that was not
 * allocated whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "checkpoint.h"
#include "corpus.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile float fuzz_sink;

/* The sum of n rows of dim floats stride apart; touches every one of them. */
static float
sum_rows(const float *m, size_t n, size_t dim, size_t stride)
{
	float s = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < dim; j++)
			s += m[i * stride + j];
	return s;
}

static void
check_ckpt(const struct ks_ckpt *c)
{
	size_t i;
	float s = 0;

	if (c->version == NULL || strcmp(c->version, PACKAGE_VERSION) != 0)
		fuzz_fail("accepted a checkpoint of another version");
	if (c->n_words == 0 || c->words == NULL || c->counts == NULL)
		fuzz_fail("accepted an empty vocabulary");
	for (i = 0; i < c->n_words; i++) {
		size_t len;

		if (c->words[i] == NULL)
			fuzz_fail("a word is missing");
		len = strlen(c->words[i]);
		if (len == 0 || len > KS_MAX_WORD_BYTES)
			fuzz_fail("a word's length is out of range");
	}
	if (c->dim == 0 || c->dim != (size_t)c->set.size || c->stride < c->dim)
		fuzz_fail("the dimension contradicts -size or the stride");
	if (c->in_vecs == NULL || c->out_vecs == NULL)
		fuzz_fail("a matrix is missing");
	if (c->n_hs != 0 && (c->n_hs != c->n_words - 1 || c->hs_vecs == NULL))
		fuzz_fail("the tree's rows do not fit the vocabulary");
	if (c->n_pos != 0 && c->pos == NULL)
		fuzz_fail("the position weights are missing");
	if ((c->n_workers == 0) != (ks_ckpt_finished(c) != 0))
		fuzz_fail("workers in a finished model, or none in an unfinished one");
	if (c->n_workers == 0 && c->job.ranks != 0)
		fuzz_fail("a kensho-mpi job's part without workers");
	if (c->job.ranks != 0 && (c->job.rank >= c->job.ranks || c->job.base_in == NULL ||
				  c->job.base_out == NULL || (c->n_hs != 0) != (c->job.base_hs != NULL)))
		fuzz_fail("a kensho-mpi job's part is inconsistent or misses its bases");
	if (c->job.ranks == 0 && c->n_workers != 0 && c->epoch >= (uint64_t)c->set.iter)
		fuzz_fail("workers with nothing left to train outside a job");
	if (c->n_workers != 0 && c->workers == NULL)
		fuzz_fail("the worker states are missing");
	if (c->set.n_inputs != 0 && (c->set.input_paths == NULL || c->set.input_sizes == NULL))
		fuzz_fail("the inputs are missing");
	for (i = 0; i < c->set.n_inputs; i++)
		if (c->set.input_paths[i] == NULL)
			fuzz_fail("an input path is missing");
	s += sum_rows(c->in_vecs, c->n_words, c->dim, c->stride);
	s += sum_rows(c->out_vecs, c->n_words, c->dim, c->stride);
	s += sum_rows(c->pos, c->n_pos ? 1 : 0, c->n_pos, c->n_pos);
	s += sum_rows(c->hs_vecs, c->n_hs, c->dim, c->stride);
	if (c->job.ranks != 0) {
		s += sum_rows(c->job.base_in, c->n_words, c->dim, c->stride);
		s += sum_rows(c->job.base_out, c->n_words, c->dim, c->stride);
		s += sum_rows(c->job.base_hs, c->n_hs, c->dim, c->stride);
	}
	fuzz_sink = s;
}

/* A deep copy of c's settings into *copy, its arrays malloc'ed. */
static void
copy_settings(struct ks_ckpt_settings *copy, const struct ks_ckpt_settings *set)
{
	size_t i, n = set->n_inputs;

	*copy = *set;
	copy->input_paths = calloc(n ? n : 1, sizeof(*copy->input_paths));
	copy->input_sizes = calloc(n ? n : 1, sizeof(*copy->input_sizes));
	if (copy->input_paths == NULL || copy->input_sizes == NULL)
		fuzz_fail("out of memory");
	for (i = 0; i < n; i++) {
		copy->input_paths[i] = strdup(set->input_paths[i]);
		if (copy->input_paths[i] == NULL)
			fuzz_fail("out of memory");
		copy->input_sizes[i] = set->input_sizes[i];
	}
}

/*
 * Changes the field number which (mod 22) of set so that ks_ckpt_check must
 * refuse it. Integers are flipped in a low bit rather than incremented, which
 * could overflow.
 */
static void
change_setting(struct ks_ckpt_settings *set, unsigned which)
{
	switch (which % 22) {
	case 0: set->size ^= 1; break;
	case 1: set->window ^= 1; break;
	case 2: set->negative ^= 1; break;
	case 3: set->iter ^= 1; break;
	case 4: set->min_count ^= 1; break;
	case 5: set->max_vocab ^= 1; break;
	case 6: set->max_sentence ^= 1; break;
	case 7: set->threads ^= 1; break;
	case 8: set->cbow = !set->cbow; break;
	case 9: set->cbow_update = set->cbow_update == KS_CBOW_CORRECTED ? KS_CBOW_WORD2VEC
									  : KS_CBOW_CORRECTED; break;
	case 10: set->positions = set->positions == KS_POSITIONS_SCALAR ? KS_POSITIONS_VECTOR
									 : KS_POSITIONS_SCALAR; break;
	case 11: set->hs ^= 1; break;
	case 12: set->kernel = set->kernel == KS_KERNEL_FAST ? KS_KERNEL_REFERENCE
							      : KS_KERNEL_FAST; break;
	case 13: set->sample = set->sample == 1.0 ? 2.0 : 1.0; break;
	case 14: set->ns_exponent = set->ns_exponent == 1.0 ? 2.0 : 1.0; break;
	case 15: set->alpha = set->alpha == 1.0 ? 2.0 : 1.0; break;
	case 16: set->alpha_in_scale = set->alpha_in_scale == 1.0 ? 2.0 : 1.0; break;
	case 17: set->seed ^= 1; break;
	case 18:
		/* One input fewer, or one more (the copy's arrays have room for one). */
		if (set->n_inputs > 0) {
			set->n_inputs--;
			free(set->input_paths[set->n_inputs]);
			set->input_paths[set->n_inputs] = NULL;
		} else {
			set->input_paths[0] = strdup("/nonexistent");
			if (set->input_paths[0] == NULL)
				fuzz_fail("out of memory");
			set->input_sizes[0] = -1;
			set->n_inputs = 1;
		}
		break;
	case 19:
	case 20:
		if (set->n_inputs > 0 && which % 22 == 19) {
			char *p = malloc(strlen(set->input_paths[0]) + 2);

			if (p == NULL)
				fuzz_fail("out of memory");
			sprintf(p, "%sx", set->input_paths[0]);
			free(set->input_paths[0]);
			set->input_paths[0] = p;
		} else if (set->n_inputs > 0) {
			set->input_sizes[0] ^= 1;
		} else {
			set->seed ^= 1;
		}
		break;
	default: set->size ^= 2; break;
	}
}

/* Fixed settings of a small run with one input. */
static void
small_settings(struct ks_ckpt_settings *set)
{
	static char path[] = "/tmp/corpus.txt";
	static char *paths[1] = { path };
	static int64_t sizes[1] = { 100 };

	memset(set, 0, sizeof(*set));
	set->size = 4;
	set->window = 5;
	set->negative = 5;
	set->iter = 1;
	set->min_count = 1;
	set->max_sentence = 1000;
	set->threads = 1;
	set->cbow = 1;
	set->cbow_update = KS_CBOW_CORRECTED;
	set->positions = KS_POSITIONS_OFF;
	set->kernel = KS_KERNEL_FAST;
	set->sample = 1e-3;
	set->ns_exponent = 0.75;
	set->alpha = 0.05;
	set->alpha_in_scale = 1;
	set->seed = 1;
	set->n_inputs = 1;
	set->input_paths = paths;
	set->input_sizes = sizes;
}

static void
check_settings(const struct ks_ckpt *c, const char *path, unsigned mode)
{
	struct ks_ckpt_settings now;
	struct ks_err err;
	int rc;

	if ((mode & 3) >= 2) {
		small_settings(&now);
		rc = ks_ckpt_check(c, path, &now, &err);
		if (rc != KS_OK && (rc != KS_ERR_USAGE || strstr(err.msg, path) == NULL))
			fuzz_fail("a settings mismatch is not KS_ERR_USAGE naming the file");
		return;
	}
	copy_settings(&now, &c->set);
	if (mode & 1)
		change_setting(&now, mode >> 2);
	rc = ks_ckpt_check(c, path, &now, &err);
	if (!(mode & 1) && rc != KS_OK)
		fuzz_fail("a checkpoint's own settings do not match it");
	if ((mode & 1) && (rc != KS_ERR_USAGE || strstr(err.msg, path) == NULL))
		fuzz_fail("a changed setting is not refused with KS_ERR_USAGE naming the file");
	if (ks_ckpt_check_cached(c, path, c->set.cached, &err) != KS_OK)
		fuzz_fail("the checkpoint's own cached flag does not match it");
	if (ks_ckpt_check_cached(c, path, !c->set.cached, &err) != KS_ERR_USAGE)
		fuzz_fail("the other cached flag is not refused");
	ks_ckpt_settings_free(&now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_ckpt *c;
	struct ks_err err;
	uint8_t *buf;
	size_t n;
	int rc;

	if (size < 1)
		return 0;
	n = size - 1;
	buf = malloc(n ? n : 1);
	if (buf == NULL)
		fuzz_fail("out of memory");
	memcpy(buf, data + 1, n);
	if ((data[0] & 1) && n >= 4) {
		uLong crc = crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(n - 4));
		int i;

		for (i = 0; i < 4; i++)
			buf[n - 4 + i] = (uint8_t)(crc >> (8 * i));
	}
	fuzz_write_file(buf, n);
	free(buf);
	rc = ks_ckpt_read(&c, fuzz_path(), &err);
	if (rc != KS_OK) {
		if (c != NULL)
			fuzz_fail("a refused checkpoint is not NULL");
		if (rc != KS_ERR_FORMAT && rc != KS_ERR_READ)
			fuzz_fail("unexpected status");
		if (strstr(err.msg, fuzz_path()) == NULL)
			fuzz_fail("the message does not name the file");
		return 0;
	}
	check_ckpt(c);
	check_settings(c, fuzz_path(), data[0] >> 1);
	ks_ckpt_destroy(c);
	return 0;
}
