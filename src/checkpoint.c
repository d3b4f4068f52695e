/*
 * Checkpoints (see checkpoint.h for the file layout and what is refused).
 *
 * The writer and the reader keep a running CRC-32 of every byte they pass,
 * so the checksum costs no second pass. Integers are written byte by byte
 * in little-endian order; the matrices, the bulk of the file, go through
 * fwrite directly on little-endian hosts and through a small conversion
 * buffer elsewhere. The reader bounds every count by the bytes left in the
 * file before it allocates, so a corrupt count is reported as such rather
 * than as a huge allocation failure.
 */
#include "checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "byteorder.h"
#include "corpus.h"
#include "mem.h"
#include "outfile.h"

static const unsigned char ckpt_magic[8] = { 'K', 'S', 'C', 'K', 'P', 'T', '\r', '\n' };

/* Bounds on what a well-formed checkpoint can hold. */
#define CKPT_MAX_STRING 65536		/* a path or version string */
#define CKPT_MAX_WORKERS 1024		/* -threads' ceiling */
#define CKPT_MAX_DIM 100000		/* -size's ceiling */
#define CKPT_CHUNK_FLOATS 16384		/* conversion buffer on big-endian hosts */

/* crc32 takes a uInt length; feed it in pieces that fit. */
static uLong
ckpt_crc(uLong crc, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;

		crc = crc32(crc, b, k);
		b += k;
		n -= k;
	}
	return crc;
}

/* ---- writing ---- */

struct ckpt_writer {
	FILE *f;
	uLong crc;
	int failed;
};

static void
w_bytes(struct ckpt_writer *w, const void *p, size_t n)
{
	if (w->failed || n == 0)
		return;
	if (fwrite(p, 1, n, w->f) != n)
		w->failed = 1;
	w->crc = ckpt_crc(w->crc, p, n);
}

/* The low n bytes of v, least significant first (the file's byte order). */
static void
w_le(struct ckpt_writer *w, uint64_t v, int n)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	w_bytes(w, b, (size_t)n);
}

static void
w_u64(struct ckpt_writer *w, uint64_t v)
{
	w_le(w, v, 8);
}

static void
w_u32(struct ckpt_writer *w, uint32_t v)
{
	w_le(w, v, 4);
}

static void
w_f64(struct ckpt_writer *w, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	w_u64(w, u);
}

static void
w_f32(struct ckpt_writer *w, float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof(u));
	w_u32(w, u);
}

static void
w_str(struct ckpt_writer *w, const char *s)
{
	size_t n = strlen(s);

	w_u32(w, (uint32_t)n);
	w_bytes(w, s, n);
}

static void
w_floats(struct ckpt_writer *w, const float *m, size_t n)
{
	float buf[CKPT_CHUNK_FLOATS];
	size_t i, k;

	if (ks_host_is_le()) {
		w_bytes(w, m, n * sizeof(float));
		return;
	}
	for (i = 0; i < n; i += k) {
		k = n - i < CKPT_CHUNK_FLOATS ? n - i : CKPT_CHUNK_FLOATS;
		memcpy(buf, m + i, k * sizeof(float));
		ks_swap_floats(buf, k);
		w_bytes(w, buf, k * sizeof(float));
	}
}

/* The n rows of dim floats at m, stride floats apart, one after another. */
static void
w_matrix(struct ckpt_writer *w, const float *m, size_t n, size_t dim, size_t stride)
{
	size_t i;

	for (i = 0; i < n; i++)
		w_floats(w, m + i * stride, dim);
}

static void
w_settings(struct ckpt_writer *w, const struct ks_ckpt_settings *s)
{
	size_t i;

	w_u64(w, (uint64_t)s->size);
	w_u64(w, (uint64_t)s->window);
	w_u64(w, (uint64_t)s->negative);
	w_u32(w, (uint32_t)s->cbow);
	w_u32(w, (uint32_t)s->cbow_update);
	w_u32(w, (uint32_t)s->positions);
	w_u32(w, (uint32_t)s->hs);
	w_u32(w, (uint32_t)s->kernel);
	w_f64(w, s->sample);
	w_f64(w, s->ns_exponent);
	w_f64(w, s->alpha);
	w_f64(w, s->alpha_in_scale);
	w_u64(w, (uint64_t)s->iter);
	w_u64(w, (uint64_t)s->min_count);
	w_u64(w, (uint64_t)s->max_vocab);
	w_u64(w, (uint64_t)s->max_sentence);
	w_u64(w, s->seed);
	w_u64(w, (uint64_t)s->threads);
	w_u32(w, (uint32_t)s->cached);
	w_u32(w, (uint32_t)s->n_inputs);
	for (i = 0; i < s->n_inputs; i++) {
		w_str(w, s->input_paths[i]);
		w_u64(w, (uint64_t)s->input_sizes[i]);
	}
}

static void
w_job(struct ckpt_writer *w, const struct ks_ckpt *c)
{
	const struct ks_ckpt_job *j = &c->job;

	w_u32(w, j->ranks);
	if (j->ranks == 0)
		return;
	w_u32(w, j->rank);
	w_u32(w, j->split_files);
	w_u64(w, j->sync_words);
	w_u64(w, j->sync_rows);
	w_f64(w, j->sync_damping);
	w_u64(w, j->round);
	w_u64(w, j->next_sync);
	w_u64(w, (uint64_t)j->words_offset);
	w_matrix(w, j->base_in, c->n_words, c->dim, c->stride);
	w_matrix(w, j->base_out, c->n_words, c->dim, c->stride);
	w_matrix(w, j->base_hs, c->n_hs, c->dim, c->stride);
}

int
ks_ckpt_write(const char *path, const struct ks_ckpt *c, struct ks_err *err)
{
	struct ks_outfile *of;
	int rc = ks_ckpt_write_pending(&of, path, c, err);

	return rc == KS_OK ? ks_outfile_commit(of, err) : rc;
}

int
ks_ckpt_write_pending(struct ks_outfile **out, const char *path, const struct ks_ckpt *c,
		      struct ks_err *err)
{
	struct ks_outfile *of;
	struct ckpt_writer w;
	size_t i, cells;
	int rc;

	if (c->stride < c->dim || ks_mul_size(c->n_words, c->stride, &cells) != 0 ||
	    cells > SIZE_MAX / sizeof(float))
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: the model is too large", path);
	if ((rc = ks_outfile_open_plain(&of, path, err)) != KS_OK)
		return rc;
	w.f = ks_outfile_stream(of);
	w.crc = crc32(0L, Z_NULL, 0);
	w.failed = 0;
	w_bytes(&w, ckpt_magic, sizeof(ckpt_magic));
	w_u32(&w, KS_CKPT_FORMAT_VERSION);
	w_str(&w, PACKAGE_VERSION);
	w_settings(&w, &c->set);
	w_u64(&w, c->epoch);
	w_u64(&w, c->batch);
	w_u64(&w, c->batches_per_epoch);
	w_u64(&w, c->train_words);
	w_u64(&w, c->words_done);
	w_u32(&w, (uint32_t)c->n_workers);
	for (i = 0; i < c->n_workers; i++) {
		const struct ks_ckpt_worker *k = &c->workers[i];
		int j;

		for (j = 0; j < 4; j++)
			w_u64(&w, k->rng.s[j]);
		w_u64(&w, k->unpublished);
		w_f32(&w, k->alpha);
		w_f64(&w, k->loss);
		w_u64(&w, k->examples);
		w_f64(&w, k->last_loss);
		w_u64(&w, k->last_examples);
	}
	w_u64(&w, c->n_words);
	for (i = 0; i < c->n_words; i++) {
		w_str(&w, c->words[i]);
		w_u64(&w, c->counts[i]);
	}
	w_u64(&w, c->dim);
	w_matrix(&w, c->in_vecs, c->n_words, c->dim, c->stride);
	w_matrix(&w, c->out_vecs, c->n_words, c->dim, c->stride);
	w_u64(&w, c->n_pos);
	w_floats(&w, c->pos, c->n_pos);
	w_u64(&w, c->n_hs);
	w_matrix(&w, c->hs_vecs, c->n_hs, c->dim, c->stride);
	w_job(&w, c);
	w_u32(&w, (uint32_t)w.crc);
	if (w.failed) {
		int e = errno ? errno : EIO;

		ks_outfile_abort(of);
		return ks_err_errno(err, KS_ERR_WRITE, e, "%s: cannot write the checkpoint", path);
	}
	if ((rc = ks_outfile_finish(of, err)) != KS_OK) {
		ks_outfile_abort(of);
		return rc;
	}
	*out = of;
	return KS_OK;
}

/* ---- reading ---- */

struct ckpt_reader {
	FILE *f;
	const char *path;
	uLong crc;
	uint64_t left;		/* bytes not yet read, from the file's size */
	const char *where;	/* the part being read, for messages */
	struct ks_err *err;
	int status;
};

static int
r_fail(struct ckpt_reader *r, const char *what)
{
	if (r->status == KS_OK)
		r->status = ks_err_set(r->err, KS_ERR_FORMAT,
				       "%s: truncated or corrupt checkpoint: %s", r->path, what);
	return r->status;
}

static int
r_bytes(struct ckpt_reader *r, void *p, size_t n)
{
	if (r->status != KS_OK)
		return r->status;
	if (n > r->left || fread(p, 1, n, r->f) != n) {
		char what[64];

		if (ferror(r->f))
			return r->status = ks_err_errno(r->err, KS_ERR_READ, errno, "%s", r->path);
		snprintf(what, sizeof(what), "the file ends inside the %s", r->where);
		return r_fail(r, what);
	}
	r->left -= n;
	r->crc = ckpt_crc(r->crc, p, n);
	return KS_OK;
}

/* n bytes, least significant first; 0 after a failed read. */
static uint64_t
r_le(struct ckpt_reader *r, int n)
{
	unsigned char b[8];
	uint64_t v = 0;
	int i;

	if (r_bytes(r, b, (size_t)n) != KS_OK)
		return 0;
	for (i = n - 1; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint64_t
r_u64(struct ckpt_reader *r)
{
	return r_le(r, 8);
}

static uint32_t
r_u32(struct ckpt_reader *r)
{
	return (uint32_t)r_le(r, 4);
}

static double
r_f64(struct ckpt_reader *r)
{
	uint64_t u = r_u64(r);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static float
r_f32(struct ckpt_reader *r)
{
	uint32_t u = r_u32(r);
	float x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

/* A length-prefixed string of at most max bytes, without NUL bytes; NULL on error. */
static char *
r_str(struct ckpt_reader *r, size_t max)
{
	uint32_t n = r_u32(r);
	char *s;

	if (r->status != KS_OK)
		return NULL;
	if (n > max || n > r->left) {
		r_fail(r, "a string is longer than the file or the limit");
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (s == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
		return NULL;
	}
	if (r_bytes(r, s, n) != KS_OK) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	if (strlen(s) != n) {
		free(s);
		r_fail(r, "a string holds a NUL byte");
		return NULL;
	}
	return s;
}

static void
r_floats(struct ckpt_reader *r, float *m, size_t n)
{
	if (r_bytes(r, m, n * sizeof(float)) == KS_OK && !ks_host_is_le())
		ks_swap_floats(m, n);
}

/* Reads n rows of dim floats into m, stride floats apart; the padding is left as it is. */
static void
r_matrix(struct ckpt_reader *r, float *m, size_t n, size_t dim, size_t stride)
{
	size_t i;

	/* After a failed read r_floats does nothing; stop at once all the same. */
	for (i = 0; i < n && r->status == KS_OK; i++)
		r_floats(r, m + i * stride, dim);
}

static void
r_settings(struct ckpt_reader *r, struct ks_ckpt_settings *s)
{
	uint32_t n;
	size_t i;

	r->where = "settings";
	s->size = (int64_t)r_u64(r);
	s->window = (int64_t)r_u64(r);
	s->negative = (int64_t)r_u64(r);
	s->cbow = (int32_t)r_u32(r);
	s->cbow_update = (int32_t)r_u32(r);
	s->positions = (int32_t)r_u32(r);
	s->hs = (int32_t)r_u32(r);
	s->kernel = (int32_t)r_u32(r);
	s->sample = r_f64(r);
	s->ns_exponent = r_f64(r);
	s->alpha = r_f64(r);
	s->alpha_in_scale = r_f64(r);
	s->iter = (int64_t)r_u64(r);
	s->min_count = (int64_t)r_u64(r);
	s->max_vocab = (int64_t)r_u64(r);
	s->max_sentence = (int64_t)r_u64(r);
	s->seed = r_u64(r);
	s->threads = (int64_t)r_u64(r);
	s->cached = (int32_t)r_u32(r);
	r->where = "list of inputs";
	n = r_u32(r);
	if (r->status != KS_OK)
		return;
	/* Each input takes at least 12 bytes. */
	if ((uint64_t)n > r->left / 12) {
		r_fail(r, "the number of inputs does not fit the file");
		return;
	}
	s->input_paths = ks_calloc_array(n ? n : 1, sizeof(*s->input_paths));
	s->input_sizes = ks_calloc_array(n ? n : 1, sizeof(*s->input_sizes));
	if (s->input_paths == NULL || s->input_sizes == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
		return;
	}
	s->n_inputs = n;
	for (i = 0; i < n && r->status == KS_OK; i++) {
		s->input_paths[i] = r_str(r, CKPT_MAX_STRING);
		s->input_sizes[i] = (int64_t)r_u64(r);
	}
}

static void
r_workers(struct ckpt_reader *r, struct ks_ckpt *c)
{
	uint32_t n;
	size_t i;

	r->where = "worker states";
	n = r_u32(r);
	if (r->status != KS_OK)
		return;
	if (n > CKPT_MAX_WORKERS) {
		r_fail(r, "the number of workers is impossible");
		return;
	}
	if (n == 0)
		return;	/* a finished model (-save-model): nothing carried to a next batch */
	c->workers = ks_calloc_array(n, sizeof(*c->workers));
	if (c->workers == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
		return;
	}
	c->n_workers = n;
	for (i = 0; i < n; i++) {
		struct ks_ckpt_worker *k = &c->workers[i];
		int j;

		for (j = 0; j < 4; j++)
			k->rng.s[j] = r_u64(r);
		k->unpublished = r_u64(r);
		k->alpha = r_f32(r);
		k->loss = r_f64(r);
		k->examples = r_u64(r);
		k->last_loss = r_f64(r);
		k->last_examples = r_u64(r);
	}
}

static void
r_vocab(struct ckpt_reader *r, struct ks_ckpt *c)
{
	uint64_t n;
	size_t i;

	r->where = "vocabulary";
	n = r_u64(r);
	if (r->status != KS_OK)
		return;
	/* A word takes at least 4 + 1 + 8 bytes. */
	if (n == 0 || n > r->left / 13 || n >= UINT32_MAX) {
		r_fail(r, "the vocabulary's size does not fit the file");
		return;
	}
	c->words = ks_calloc_array((size_t)n, sizeof(*c->words));
	c->owned_words = ks_calloc_array((size_t)n, sizeof(*c->owned_words));
	c->counts = ks_calloc_array((size_t)n, sizeof(*c->counts));
	if (c->words == NULL || c->owned_words == NULL || c->counts == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory for %" PRIu64
				       " words", r->path, n);
		return;
	}
	c->n_words = (size_t)n;
	for (i = 0; i < c->n_words && r->status == KS_OK; i++) {
		c->owned_words[i] = r_str(r, KS_MAX_WORD_BYTES);
		c->words[i] = c->owned_words[i];
		c->counts[i] = r_u64(r);
		/* The tokenizer makes no empty word and none with a blank in it. */
		if (r->status == KS_OK && (c->words[i][0] == '\0' ||
					   strpbrk(c->words[i], " \t\n\v\f\r") != NULL))
			r_fail(r, "a word of the vocabulary is empty or holds a blank");
	}
}

static void
r_matrices(struct ckpt_reader *r, struct ks_ckpt *c)
{
	uint64_t dim;
	size_t cells;

	r->where = "vectors";
	dim = r_u64(r);
	if (r->status != KS_OK)
		return;
	if (dim == 0 || dim > CKPT_MAX_DIM || r->left < 24 ||
	    ks_mul_size(c->n_words, (size_t)dim, &cells) != 0 ||
	    (uint64_t)cells > (r->left - 24) / (2 * sizeof(float))) {
		r_fail(r, "the matrices do not fit the file");
		return;
	}
	c->dim = (size_t)dim;
	c->stride = ks_row_stride(c->dim);
	/* No overflow: stride <= dim + dim / 16 and n_words x dim fits the file. */
	cells = c->n_words * c->stride;
	c->in_vecs = ks_aligned_calloc(cells, sizeof(float));
	c->out_vecs = ks_aligned_calloc(cells, sizeof(float));
	if (c->in_vecs == NULL || c->out_vecs == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory for the vectors "
				       "(2 x %zu words x %zu dimensions)", r->path, c->n_words, c->dim);
		return;
	}
	r_matrix(r, c->in_vecs, c->n_words, c->dim, c->stride);
	r_matrix(r, c->out_vecs, c->n_words, c->dim, c->stride);
}

/* The position weights: a count, then the floats (none without -positions). */
static void
r_positions(struct ckpt_reader *r, struct ks_ckpt *c)
{
	uint64_t n;

	r->where = "position weights";
	n = r_u64(r);
	if (r->status != KS_OK || n == 0)
		return;
	if (r->left < 16 || n > (r->left - 16) / sizeof(float) || n > CKPT_MAX_DIM * 2000) {
		r_fail(r, "the position weights do not fit the file");
		return;
	}
	c->pos = ks_malloc_array((size_t)n, sizeof(float));
	if (c->pos == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
		return;
	}
	c->n_pos = (size_t)n;
	r_matrix(r, c->pos, 1, c->n_pos, c->n_pos);
}

/* The inner-node rows of hierarchical softmax: a count, then the rows (none without -hs 1). */
static void
r_hs(struct ckpt_reader *r, struct ks_ckpt *c)
{
	uint64_t n;

	r->where = "hierarchical softmax vectors";
	n = r_u64(r);
	if (r->status != KS_OK || n == 0)
		return;
	if (n != c->n_words - 1 || r->left < 8 ||
	    (uint64_t)n * c->dim > (r->left - 8) / sizeof(float)) {
		r_fail(r, "the tree's vectors do not fit the vocabulary or the file");
		return;
	}
	c->hs_vecs = ks_aligned_calloc((size_t)n * c->stride, sizeof(float));
	if (c->hs_vecs == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
		return;
	}
	c->n_hs = (size_t)n;
	r_matrix(r, c->hs_vecs, c->n_hs, c->dim, c->stride);
}

/* A copy of n rows of the matrices' shape, read; NULL after a failure. */
static float *
r_rows(struct ckpt_reader *r, size_t n, size_t dim, size_t stride)
{
	float *m;

	if (r->status != KS_OK)
		return NULL;
	if ((uint64_t)n * dim > r->left / sizeof(float)) {
		r_fail(r, "the job's rows do not fit the file");
		return NULL;
	}
	m = ks_aligned_calloc(n > 0 ? n * stride : 1, sizeof(float));
	if (m == NULL) {
		r->status = ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
		return NULL;
	}
	r_matrix(r, m, n, dim, stride);
	return m;
}

/* kensho-mpi's part: a rank count, then the rank's schedule and bases. */
static void
r_job(struct ckpt_reader *r, struct ks_ckpt *c)
{
	struct ks_ckpt_job *j = &c->job;

	r->where = "job";
	j->ranks = r_u32(r);
	if (r->status != KS_OK || j->ranks == 0)
		return;
	j->rank = r_u32(r);
	j->split_files = r_u32(r);
	j->sync_words = r_u64(r);
	j->sync_rows = r_u64(r);
	j->sync_damping = r_f64(r);
	j->round = r_u64(r);
	j->next_sync = r_u64(r);
	j->words_offset = (int64_t)r_u64(r);
	if (r->status == KS_OK && (j->rank >= j->ranks || j->split_files > 1 ||
				   j->sync_words == 0 || j->sync_rows == 0 ||
				   !(j->sync_damping >= 0 && j->sync_damping <= 1e30) || c->dim == 0)) {
		r_fail(r, "the job's fields are impossible");
		return;
	}
	j->base_in = r_rows(r, c->n_words, c->dim, c->stride);
	j->base_out = r_rows(r, c->n_words, c->dim, c->stride);
	if (c->n_hs > 0)
		j->base_hs = r_rows(r, c->n_hs, c->dim, c->stride);
}

/* The body after the version strings; the caller checks the checksum. */
static void
r_body(struct ckpt_reader *r, struct ks_ckpt *c)
{
	r_settings(r, &c->set);
	r->where = "progress";
	c->epoch = r_u64(r);
	c->batch = r_u64(r);
	c->batches_per_epoch = r_u64(r);
	c->train_words = r_u64(r);
	c->words_done = r_u64(r);
	r_workers(r, c);
	r_vocab(r, c);
	r_matrices(r, c);
	r_positions(r, c);
	r_hs(r, c);
	r_job(r, c);
}

int
ks_ckpt_read(struct ks_ckpt **out, const char *path, struct ks_err *err)
{
	struct ckpt_reader r;
	struct ks_ckpt *c;
	struct stat st;
	unsigned char magic[sizeof(ckpt_magic)];
	uint32_t format, stored_crc;
	uLong crc;
	int extra;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.err = err;
	r.where = "header";
	r.crc = crc32(0L, Z_NULL, 0);
	r.f = fopen(path, "rb");
	if (r.f == NULL)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s: cannot open the checkpoint", path);
	if (fstat(fileno(r.f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(r.f);
		return ks_err_set(err, KS_ERR_OPEN, "%s: not a regular file", path);
	}
	r.left = (uint64_t)st.st_size;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fclose(r.f);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	if (r.left < sizeof(magic) || fread(magic, 1, sizeof(magic), r.f) != sizeof(magic) ||
	    memcmp(magic, ckpt_magic, sizeof(magic)) != 0) {
		r.status = ks_err_set(err, KS_ERR_FORMAT, "%s: not a kensho checkpoint", path);
		goto out;
	}
	r.left -= sizeof(magic);
	r.crc = ckpt_crc(r.crc, magic, sizeof(magic));
	format = r_u32(&r);
	if (r.status == KS_OK && format != KS_CKPT_FORMAT_VERSION) {
		r.status = ks_err_set(err, KS_ERR_FORMAT,
				      "%s: checkpoint format version %" PRIu32 ", but kensho %s reads "
				      "only version %d: resume it with the kensho that wrote it",
				      path, format, PACKAGE_VERSION, KS_CKPT_FORMAT_VERSION);
		goto out;
	}
	c->version = r_str(&r, CKPT_MAX_STRING);
	r_body(&r, c);
	crc = r.crc;
	r.where = "checksum";
	stored_crc = r_u32(&r);
	if (r.status != KS_OK)
		goto out;
	extra = fgetc(r.f) != EOF;
	if (ferror(r.f)) {
		r.status = ks_err_errno(err, KS_ERR_READ, errno, "%s", path);
		goto out;
	}
	if (stored_crc != (uint32_t)crc) {
		r.status = ks_err_set(err, KS_ERR_FORMAT,
				      "%s: corrupt checkpoint: the checksum does not match its contents",
				      path);
		goto out;
	}
	if (extra || r.left != 0) {
		r.status = ks_err_set(err, KS_ERR_FORMAT,
				      "%s: corrupt checkpoint: unexpected bytes after the checksum", path);
		goto out;
	}
	if (strcmp(c->version, PACKAGE_VERSION) != 0) {
		r.status = ks_err_set(err, KS_ERR_FORMAT,
				      "%s: written by kensho %s, but this is kensho %s: resume it "
				      "with the version that wrote it", path, c->version,
				      PACKAGE_VERSION);
		goto out;
	}
	if (c->set.iter < 0 || (c->set.iter == 0 && c->n_workers > 0) ||
	    c->epoch > (uint64_t)c->set.iter ||
	    (c->n_workers == 0 && (c->epoch != (uint64_t)c->set.iter || c->batch != 0 ||
				   c->job.ranks > 0)) ||
	    (c->n_workers > 0 && c->epoch == (uint64_t)c->set.iter &&
	     (c->batch != 0 || c->job.ranks == 0)) ||
	    (c->n_workers > 0 && c->set.threads > 0 && c->n_workers != (size_t)c->set.threads) ||
	    c->dim != (size_t)c->set.size) {
		r.status = ks_err_set(err, KS_ERR_FORMAT,
				      "%s: corrupt checkpoint: its fields contradict each other", path);
		goto out;
	}
out:
	fclose(r.f);
	if (r.status != KS_OK) {
		ks_ckpt_destroy(c);
		return r.status;
	}
	*out = c;
	return KS_OK;
}

int
ks_ckpt_finished(const struct ks_ckpt *c)
{
	return c->n_workers == 0;
}

void
ks_ckpt_settings_free(struct ks_ckpt_settings *set)
{
	size_t i;

	if (set->input_paths != NULL)
		for (i = 0; i < set->n_inputs; i++)
			free(set->input_paths[i]);
	free(set->input_paths);
	free(set->input_sizes);
	set->input_paths = NULL;
	set->input_sizes = NULL;
	set->n_inputs = 0;
}

void
ks_ckpt_destroy(struct ks_ckpt *c)
{
	size_t i;

	if (c == NULL)
		return;
	ks_ckpt_settings_free(&c->set);
	free(c->workers);
	if (c->owned_words != NULL)
		for (i = 0; i < c->n_words; i++)
			free(c->owned_words[i]);
	free(c->owned_words);
	free(c->words);
	free(c->counts);
	free(c->in_vecs);
	free(c->out_vecs);
	free(c->pos);
	free(c->hs_vecs);
	free(c->job.base_in);
	free(c->job.base_out);
	free(c->job.base_hs);
	free(c->version);
	free(c);
}

int
ks_ckpt_settings_init(struct ks_ckpt_settings *set, const struct ks_config *cfg, int cached,
		      struct ks_err *err)
{
	size_t i;

	memset(set, 0, sizeof(*set));
	set->size = cfg->size;
	set->window = cfg->window;
	set->negative = cfg->negative;
	set->iter = cfg->iter;
	set->min_count = cfg->min_count;
	set->max_vocab = cfg->max_vocab;
	set->max_sentence = cfg->max_sentence;
	set->threads = cfg->threads;
	set->cbow = cfg->cbow;
	set->cbow_update = (int32_t)cfg->cbow_update;
	set->positions = (int32_t)cfg->positions;
	set->hs = cfg->hs;
	set->kernel = (int32_t)cfg->kernel;
	set->cached = cached;
	set->sample = cfg->sample;
	set->ns_exponent = cfg->ns_exponent;
	set->alpha = cfg->alpha;
	set->alpha_in_scale = cfg->alpha_in_scale;
	set->seed = cfg->seed;
	set->input_paths = ks_calloc_array(cfg->n_train ? cfg->n_train : 1, sizeof(char *));
	set->input_sizes = ks_calloc_array(cfg->n_train ? cfg->n_train : 1, sizeof(int64_t));
	if (set->input_paths == NULL || set->input_sizes == NULL) {
		ks_ckpt_settings_free(set);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	set->n_inputs = cfg->n_train;
	for (i = 0; i < cfg->n_train; i++) {
		struct stat st;

		/*
		 * Inputs are named by their canonical path, so s.txt, ./s.txt
		 * and its absolute name are one input on resume; stdin and a
		 * path that does not resolve keep their spelling.
		 */
		set->input_paths[i] = strcmp(cfg->train[i], "-") != 0
				      ? realpath(cfg->train[i], NULL) : NULL;
		if (set->input_paths[i] == NULL)
			set->input_paths[i] = strdup(cfg->train[i]);
		if (set->input_paths[i] == NULL) {
			ks_ckpt_settings_free(set);
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		}
		set->input_sizes[i] = strcmp(cfg->train[i], "-") != 0 &&
			stat(cfg->train[i], &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	}
	return KS_OK;
}

static const char *
ckpt_cbow_update_name(int32_t v)
{
	return v == KS_CBOW_CORRECTED ? "corrected" : v == KS_CBOW_WORD2VEC ? "word2vec" : "?";
}

static const char *
ckpt_kernel_name(int32_t v)
{
	return v == KS_KERNEL_FAST ? "fast" : v == KS_KERNEL_REFERENCE ? "reference" : "?";
}

#define CKPT_MISMATCH "-resume %s: the checkpoint was written with -%s %s, but this run has -%s %s; " \
	"resume with the options of the interrupted run"

static int
ckpt_diff_int(const char *path, const char *opt, int64_t then, int64_t now, struct ks_err *err)
{
	char a[32], b[32];

	if (then == now)
		return KS_OK;
	snprintf(a, sizeof(a), "%" PRId64, then);
	snprintf(b, sizeof(b), "%" PRId64, now);
	return ks_err_set(err, KS_ERR_USAGE, CKPT_MISMATCH, path, opt, a, opt, b);
}

/*
 * Doubles must match bit for bit: any difference changes the result. They
 * are shown with %g, or with all their digits when %g shows no difference.
 */
static int
ckpt_diff_double(const char *path, const char *opt, double then, double now, struct ks_err *err)
{
	char a[40], b[40];

	if (memcmp(&then, &now, sizeof(double)) == 0)
		return KS_OK;
	snprintf(a, sizeof(a), "%g", then);
	snprintf(b, sizeof(b), "%g", now);
	if (strcmp(a, b) == 0) {
		snprintf(a, sizeof(a), "%.17g", then);
		snprintf(b, sizeof(b), "%.17g", now);
	}
	return ks_err_set(err, KS_ERR_USAGE, CKPT_MISMATCH, path, opt, a, opt, b);
}

static int
ckpt_diff_str(const char *path, const char *opt, const char *then, const char *now,
	      struct ks_err *err)
{
	if (strcmp(then, now) == 0)
		return KS_OK;
	return ks_err_set(err, KS_ERR_USAGE, CKPT_MISMATCH, path, opt, then, opt, now);
}

int
ks_ckpt_check(const struct ks_ckpt *c, const char *path, const struct ks_ckpt_settings *now,
	      struct ks_err *err)
{
	const struct ks_ckpt_settings *then = &c->set;
	char a[32], b[32];
	size_t i;
	int rc;

	if ((rc = ckpt_diff_int(path, "size", then->size, now->size, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "hs", then->hs, now->hs, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "window", then->window, now->window, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "negative", then->negative, now->negative, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "cbow", then->cbow, now->cbow, err)) != KS_OK ||
	    (rc = ckpt_diff_str(path, "cbow-update", ckpt_cbow_update_name(then->cbow_update),
				ckpt_cbow_update_name(now->cbow_update), err)) != KS_OK ||
	    (rc = ckpt_diff_str(path, "positions", ks_positions_name((enum ks_positions_kind)then->positions),
				ks_positions_name((enum ks_positions_kind)now->positions), err)) != KS_OK ||
	    (rc = ckpt_diff_str(path, "kernel", ckpt_kernel_name(then->kernel),
				ckpt_kernel_name(now->kernel), err)) != KS_OK ||
	    (rc = ckpt_diff_double(path, "sample", then->sample, now->sample, err)) != KS_OK ||
	    (rc = ckpt_diff_double(path, "ns-exponent", then->ns_exponent, now->ns_exponent, err)) != KS_OK ||
	    (rc = ckpt_diff_double(path, "alpha", then->alpha, now->alpha, err)) != KS_OK ||
	    (rc = ckpt_diff_double(path, "input-rate-scale", then->alpha_in_scale,
				   now->alpha_in_scale, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "iter", then->iter, now->iter, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "min-count", then->min_count, now->min_count, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "max-vocab", then->max_vocab, now->max_vocab, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "max-sentence", then->max_sentence, now->max_sentence, err)) != KS_OK ||
	    (rc = ckpt_diff_int(path, "threads", then->threads, now->threads, err)) != KS_OK)
		return rc;
	if (then->seed != now->seed) {
		snprintf(a, sizeof(a), "%" PRIu64, then->seed);
		snprintf(b, sizeof(b), "%" PRIu64, now->seed);
		return ks_err_set(err, KS_ERR_USAGE, CKPT_MISMATCH, path, "seed", a, "seed", b);
	}
	if (then->n_inputs != now->n_inputs)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-resume %s: the checkpoint was written with %zu -train input%s, "
				  "but this run has %zu", path, then->n_inputs,
				  then->n_inputs == 1 ? "" : "s", now->n_inputs);
	for (i = 0; i < now->n_inputs; i++) {
		if (strcmp(then->input_paths[i], now->input_paths[i]) != 0)
			return ks_err_set(err, KS_ERR_USAGE,
					  "-resume %s: the checkpoint's input %zu is -train %s, but "
					  "this run's is -train %s", path, i + 1, then->input_paths[i],
					  now->input_paths[i]);
		if (then->input_sizes[i] != now->input_sizes[i])
			return ks_err_set(err, KS_ERR_USAGE,
					  "-resume %s: the input %s had %" PRId64 " bytes when the "
					  "checkpoint was written and has %" PRId64 " now: the corpus "
					  "changed", path, now->input_paths[i], then->input_sizes[i],
					  now->input_sizes[i]);
	}
	return KS_OK;
}

int
ks_ckpt_check_cached(const struct ks_ckpt *c, const char *path, int cached, struct ks_err *err)
{
	if (!c->set.cached == !cached)
		return KS_OK;
	return ks_err_set(err, KS_ERR_USAGE,
			  "-resume %s: the checkpoint was taken while training %s, but this run "
			  "trains %s (see -cache-mb); resume with the same -cache-mb", path,
			  c->set.cached ? "from memory" : "from disk",
			  cached ? "from memory" : "from disk");
}
