/*
 * Word analogies, word-pair similarity and nearest neighbours (see eval.h
 * for the semantics, which follow gensim's evaluation helpers).
 *
 * The analogy solver is the only part where speed matters: the Google set
 * has 19,544 questions against 30,000 rows of a few hundred dimensions.
 * Scoring each question against every row separately costs
 * questions x rows x dim multiply-adds (10^11). But 3CosAdd and 3CosMul
 * only need cos(x, a), cos(x, b) and cos(x, c), and a set reuses few words
 * (905 distinct a, b, c words in the Google set), so the solver computes
 * the product of the distinct question words with a block of rows (a small
 * matrix product, 13 times less arithmetic), and every question then reads
 * its three rows of that product. Blocks of rows are handed to the threads
 * through an atomic counter; each thread keeps, per question, the five
 * best rows it has seen, and the lists are merged at the end. The block
 * boundaries depend on the set only, and each dot product always sums in
 * the same order, so the answers do not depend on the number of threads.
 *
 * The dot products use GCC's portable vector extension (4 floats, which
 * every target maps to its SIMD registers) in a 2 x 4 register tile: each
 * load of a question word serves four rows and each load of a row serves
 * two words.
 */
#include "eval.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "mem.h"

struct ks_eval_vectors {
	struct ks_vecset *vs;
	uint32_t *canon;	/* per row: the first row with the same folded word */
	uint32_t *fold_rows;	/* folded-word index: row + 1, 0 = empty */
	uint32_t *fold_hashes;
	size_t fold_mask;
};

/* ---- case folding ---- */

static unsigned char
fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static uint32_t
fold_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a over folded bytes */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= fold((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static int
fold_equal(const char *a, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)word[i]) || word[i] == '\0')
			return 0;
	return word[len] == '\0';
}

/* The folded-index slot of word, or the empty slot where it would go. */
static size_t
fold_slot(const struct ks_eval_vectors *ev, const char *word, size_t len, uint32_t h)
{
	size_t j = h & ev->fold_mask;

	while (ev->fold_rows[j] != 0) {
		if (ev->fold_hashes[j] == h &&
		    fold_equal(word, len, ev->vs->words[ev->fold_rows[j] - 1]))
			return j;
		j = (j + 1) & ev->fold_mask;
	}
	return j;
}

/* ---- vectors ---- */

int
ks_eval_vectors_create(struct ks_eval_vectors **out, struct ks_vecset *vs, struct ks_err *err)
{
	struct ks_eval_vectors *ev;
	size_t size = 1024, i, j, dim;

	*out = NULL;
	if (vs->n_words == 0) {
		ks_vecset_destroy(vs);
		return ks_err_set(err, KS_ERR_FORMAT, "the vector file holds no vectors");
	}
	dim = vs->dim;
	while (size < vs->n_words * 2)
		size *= 2;
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL) {
		ks_vecset_destroy(vs);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	ev->vs = vs;
	ev->canon = ks_malloc_array(vs->n_words, sizeof(*ev->canon));
	ev->fold_rows = ks_calloc_array(size, sizeof(*ev->fold_rows));
	ev->fold_hashes = ks_calloc_array(size, sizeof(*ev->fold_hashes));
	ev->fold_mask = size - 1;
	if (ev->canon == NULL || ev->fold_rows == NULL || ev->fold_hashes == NULL) {
		ks_eval_vectors_destroy(ev);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for %zu words", vs->n_words);
	}
	for (i = 0; i < vs->n_words; i++) {
		float *row = vs->vecs + i * dim;
		const char *w = vs->words[i];
		size_t len = strlen(w), slot;
		uint32_t h = fold_hash(w, len);
		double sum = 0;

		for (j = 0; j < dim; j++)
			sum += (double)row[j] * row[j];
		if (sum > 0) {
			double norm = sqrt(sum);

			for (j = 0; j < dim; j++)
				row[j] = (float)(row[j] / norm);
		}
		slot = fold_slot(ev, w, len, h);
		if (ev->fold_rows[slot] == 0) {
			ev->fold_rows[slot] = (uint32_t)(i + 1);
			ev->fold_hashes[slot] = h;
		}
		ev->canon[i] = ev->fold_rows[slot] - 1;
	}
	*out = ev;
	return KS_OK;
}

void
ks_eval_vectors_destroy(struct ks_eval_vectors *ev)
{
	if (ev == NULL)
		return;
	ks_vecset_destroy(ev->vs);
	free(ev->canon);
	free(ev->fold_rows);
	free(ev->fold_hashes);
	free(ev);
}

const struct ks_vecset *
ks_eval_vectors_set(const struct ks_eval_vectors *ev)
{
	return ev->vs;
}

long
ks_eval_lookup(const struct ks_eval_vectors *ev, const char *word, size_t len, size_t limit)
{
	size_t slot = fold_slot(ev, word, len, fold_hash(word, len));
	long row = (long)ev->fold_rows[slot] - 1;

	if (row < 0 || (limit > 0 && (size_t)row >= limit))
		return -1;
	return row;
}

long
ks_eval_lookup_exact(const struct ks_eval_vectors *ev, const char *word, size_t len)
{
	long row = ks_vecset_find(ev->vs, word, len);

	return row >= 0 ? row : ks_eval_lookup(ev, word, len, 0);
}

/* ---- dot products ---- */

typedef float v4f __attribute__((vector_size(16)));

static inline v4f
v4_load(const float *p)
{
	v4f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline float
v4_sum(v4f v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}

/* The dot product, summed in the order every kernel below follows. */
static float
dot1(const float *a, const float *b, size_t dim)
{
	v4f acc = { 0, 0, 0, 0 };
	size_t d = 0;
	float s;

	for (; d + 4 <= dim; d += 4)
		acc += v4_load(a + d) * v4_load(b + d);
	s = v4_sum(acc);
	for (; d < dim; d++)
		s += a[d] * b[d];
	return s;
}

/* out[4 i + j] = dot(u_i, v_j) for two u rows and four v rows. */
static void
dot_2x4(const float *u0, const float *u1, const float *v0, const float *v1, const float *v2,
	const float *v3, size_t dim, float *out)
{
	v4f a00 = { 0, 0, 0, 0 }, a01 = a00, a02 = a00, a03 = a00;
	v4f a10 = a00, a11 = a00, a12 = a00, a13 = a00;
	size_t d = 0;
	int t;

	for (; d + 4 <= dim; d += 4) {
		v4f x0 = v4_load(u0 + d), x1 = v4_load(u1 + d), y;

		y = v4_load(v0 + d);
		a00 += x0 * y;
		a10 += x1 * y;
		y = v4_load(v1 + d);
		a01 += x0 * y;
		a11 += x1 * y;
		y = v4_load(v2 + d);
		a02 += x0 * y;
		a12 += x1 * y;
		y = v4_load(v3 + d);
		a03 += x0 * y;
		a13 += x1 * y;
	}
	out[0] = v4_sum(a00);
	out[1] = v4_sum(a01);
	out[2] = v4_sum(a02);
	out[3] = v4_sum(a03);
	out[4] = v4_sum(a10);
	out[5] = v4_sum(a11);
	out[6] = v4_sum(a12);
	out[7] = v4_sum(a13);
	for (; d < dim; d++) {
		const float *v[4] = { v0, v1, v2, v3 };

		for (t = 0; t < 4; t++) {
			out[t] += u0[d] * v[t][d];
			out[4 + t] += u1[d] * v[t][d];
		}
	}
}

/*
 * c[u * nb + j] = dot(umat row u, vrows row j) for u < n_u, j < nb. The
 * words are taken in tiles that stay in cache while four rows pass by.
 */
static void
product_block(const float *umat, size_t n_u, const float *vrows, size_t nb, size_t dim, float *c)
{
	const size_t tile = 64;
	size_t u0, u, j, t;

	for (u0 = 0; u0 < n_u; u0 += tile) {
		size_t u1 = u0 + tile < n_u ? u0 + tile : n_u;

		for (j = 0; j + 4 <= nb; j += 4) {
			const float *v = vrows + j * dim;

			for (u = u0; u + 2 <= u1; u += 2) {
				float o[8];

				dot_2x4(umat + u * dim, umat + (u + 1) * dim, v, v + dim, v + 2 * dim,
					v + 3 * dim, dim, o);
				for (t = 0; t < 4; t++) {
					c[u * nb + j + t] = o[t];
					c[(u + 1) * nb + j + t] = o[4 + t];
				}
			}
			for (; u < u1; u++)
				for (t = 0; t < 4; t++)
					c[u * nb + j + t] = dot1(umat + u * dim, v + t * dim, dim);
		}
		for (; j < nb; j++)
			for (u = u0; u < u1; u++)
				c[u * nb + j] = dot1(umat + u * dim, vrows + j * dim, dim);
	}
}

/* ---- reading small text files ---- */

#define EVAL_MAX_FILE ((size_t)1 << 31)

/* Reads a whole file (gzip or not, "-" = stdin) into a NUL-terminated buffer. */
static int
read_all(const char *path, char **out, size_t *out_len, struct ks_err *err)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = NULL;
	struct stat st;
	gzFile gz;
	int fd, rc = KS_OK;

	*out = NULL;
	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (fd < 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", path);
	}
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	for (;;) {
		int got;

		if (buf == NULL || cap - len < 2) {
			char *nb;

			if (buf != NULL)
				cap *= 2;
			if (cap > EVAL_MAX_FILE) {
				rc = ks_err_set(err, KS_ERR_LIMIT, "%s: larger than %zu MiB", path,
						EVAL_MAX_FILE >> 20);
				break;
			}
			nb = realloc(buf, cap);
			if (nb == NULL) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
				break;
			}
			buf = nb;
		}
		got = gzread(gz, buf + len, (unsigned)(cap - len - 1));
		if (got <= 0) {
			int errnum;
			const char *msg = gzerror(gz, &errnum);

			/* A truncated gzip member reads as an early end: zlib notes it. */
			if (got == 0 && errnum == Z_OK)
				break;

			if (errnum == Z_ERRNO)
				rc = ks_err_errno(err, KS_ERR_READ, errno ? errno : EIO, "%s: read error", path);
			else
				rc = ks_err_set(err, KS_ERR_FORMAT, "%s: corrupt gzip data: %s", path, msg);
			break;
		}
		len += (size_t)got;
	}
	gzclose(gz);
	if (rc != KS_OK) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	/* A UTF-8 byte-order mark would glue itself to the first word. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, len - 3 + 1);
		len -= 3;
	}
	*out = buf;
	*out_len = len;
	return KS_OK;
}

int
ks_eval_file_check(const char *path, struct ks_err *err)
{
	struct stat st;

	if (strcmp(path, "-") == 0)
		return KS_OK;
	if (stat(path, &st) != 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", path);
	if (access(path, R_OK) != 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	return KS_OK;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Splits line [s, s + len) at runs of blanks (or, with tabs_only, at each
 * tab, trimming blanks around fields), NUL-terminating each field in place
 * (the byte after a line is its newline or the buffer's final NUL). Stores
 * up to max fields and returns how many there are.
 */
static size_t
split_fields(char *s, size_t len, int tabs_only, char **fields, size_t max)
{
	size_t i = 0, n = 0;

	if (tabs_only) {
		for (;;) {
			size_t start = i, end;

			while (i < len && s[i] != '\t')
				i++;
			end = i;
			while (start < end && is_blank(s[start]))
				start++;
			while (end > start && is_blank(s[end - 1]))
				end--;
			if (n < max) {
				fields[n] = s + start;
				s[end] = '\0';
			}
			n++;
			if (i >= len)
				break;
			i++;
		}
		return n;
	}
	while (i < len) {
		size_t start;

		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_blank(s[i]))
			i++;
		if (n < max)
			fields[n] = s + start;
		n++;
		s[i] = '\0';	/* a blank, the newline or the final NUL */
		if (i < len)
			i++;
	}
	return n;
}

/*
 * Whether a line holds a NUL byte. Words are kept as C strings pointing into
 * the file's buffer, so such a line would give a cut or empty word that
 * silently stands for another; the readers skip and count it instead.
 */
static int
line_has_nul(const char *line, size_t len)
{
	return memchr(line, '\0', len) != NULL;
}

/* Calls back nothing: iterates lines of buf, returning the next one. */
static int
next_line(char *buf, size_t len, size_t *pos, char **line, size_t *line_len)
{
	char *nl;

	if (*pos >= len)
		return 0;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*line_len = nl != NULL ? (size_t)(nl - *line) : len - *pos;
	*pos += *line_len + 1;
	return 1;
}

/* ---- analogy sets ---- */

void
ks_analogy_set_destroy(struct ks_analogy_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n_sections; i++)
		free(set->sections[i].name);
	free(set->sections);
	free(set->words);
	free(set->lines);
	free(set->pool);
	free(set);
}

static int
analogy_add_section(struct ks_analogy_set *set, const char *name, size_t len, size_t *cap)
{
	struct ks_analogy_section *s;

	if (set->n_sections == *cap) {
		size_t want = *cap ? *cap * 2 : 16;

		s = ks_realloc_array(set->sections, want, sizeof(*s));
		if (s == NULL)
			return -1;
		set->sections = s;
		*cap = want;
	}
	s = &set->sections[set->n_sections];
	s->name = strndup(name, len);
	if (s->name == NULL)
		return -1;
	s->first = set->n_questions;
	s->count = 0;
	set->n_sections++;
	return 0;
}

int
ks_analogy_set_read(struct ks_analogy_set **out, const char *path, struct ks_err *err)
{
	struct ks_analogy_set *set;
	size_t len, pos = 0, line_no = 0, q_cap = 0, s_cap = 0;
	char *line;
	size_t line_len;
	int rc;

	*out = NULL;
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	rc = read_all(path, &set->pool, &len, err);
	if (rc != KS_OK) {
		free(set);
		return rc;
	}
	while (next_line(set->pool, len, &pos, &line, &line_len)) {
		char *f[5];
		size_t n, i = 0;

		line_no++;
		if (line_has_nul(line, line_len)) {
			if (set->skipped++ == 0)
				set->first_skipped = line_no;
			continue;
		}
		while (i < line_len && is_blank(line[i]))
			i++;
		if (i < line_len && line[i] == ':') {
			size_t end = line_len;

			while (i < line_len && (line[i] == ':' || is_blank(line[i])))
				i++;
			while (end > i && is_blank(line[end - 1]))
				end--;
			if (analogy_add_section(set, line + i, end - i, &s_cap) != 0)
				goto nomem;
			set->n_named++;
			continue;
		}
		n = split_fields(line, line_len, 0, f, 5);
		if (n == 0)
			continue;
		if (n != 4) {
			if (set->skipped++ == 0)
				set->first_skipped = line_no;
			continue;
		}
		if (set->n_sections == 0 && analogy_add_section(set, "", 0, &s_cap) != 0)
			goto nomem;
		if (set->n_questions == q_cap) {
			size_t want = q_cap ? q_cap * 2 : 1024;
			char **w = ks_realloc_array(set->words, want, 4 * sizeof(*w));
			size_t *l;

			if (w == NULL)
				goto nomem;
			set->words = w;
			l = ks_realloc_array(set->lines, want, sizeof(*l));
			if (l == NULL)
				goto nomem;
			set->lines = l;
			q_cap = want;
		}
		for (i = 0; i < 4; i++)
			set->words[4 * set->n_questions + i] = f[i];
		set->lines[set->n_questions++] = line_no;
		set->sections[set->n_sections - 1].count++;
	}
	if (set->n_questions == 0) {
		rc = ks_err_set(err, KS_ERR_FORMAT, "%s: no analogy questions (lines of four words)", path);
		ks_analogy_set_destroy(set);
		return rc;
	}
	*out = set;
	return KS_OK;
nomem:
	ks_analogy_set_destroy(set);
	return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
}

/* ---- analogy evaluation ---- */

#define TOPN 5

/* The best TOPN (score, row) pairs seen, best first. */
struct topn {
	float score[TOPN];
	uint32_t row[TOPN];
};

static void
topn_init(struct topn *t)
{
	int i;

	for (i = 0; i < TOPN; i++) {
		t->score[i] = -INFINITY;
		t->row[i] = UINT32_MAX;
	}
}

/* Inserts a candidate better than the last entry (the caller checked). */
static void
topn_insert(struct topn *t, float score, uint32_t row)
{
	int i = TOPN - 1;

	while (i > 0 && (score > t->score[i - 1] ||
			 (score == t->score[i - 1] && row < t->row[i - 1]))) {
		t->score[i] = t->score[i - 1];
		t->row[i] = t->row[i - 1];
		i--;
	}
	t->score[i] = score;
	t->row[i] = row;
}

static void
topn_offer(struct topn *t, float score, uint32_t row)
{
	if (score > t->score[TOPN - 1] || (score == t->score[TOPN - 1] && row < t->row[TOPN - 1]))
		topn_insert(t, score, row);
}

/* One covered question: the rows of its words and slots of a, b, c. */
struct aq {
	uint32_t row[4];	/* first rows of a, b, c, d */
	uint32_t slot[3];	/* their rows in the word matrix */
	size_t q;		/* index in the set */
};

struct analogy_job {
	const float *vecs;	/* unit rows */
	size_t dim, n_rows, block;
	const float *umat;	/* the distinct question words, packed */
	size_t n_u;
	const struct aq *qs;
	size_t n_q;
	enum ks_eval_method method;
	atomic_size_t next_block;
};

struct analogy_worker {
	pthread_t tid;
	struct analogy_job *job;
	float *c;		/* n_u x block products */
	struct topn *top;	/* per question */
	int status;
};

typedef int v4i __attribute__((vector_size(16)));

/* Offers the candidate row (not a question word) to a question's list. */
static inline void
analogy_offer(struct topn *t, const struct aq *q, float score, uint32_t row)
{
	if (row == q->row[0] || row == q->row[1] || row == q->row[2])
		return;
	topn_offer(t, score, row);
}

/*
 * Scores the rows j0 .. j0 + nb - 1 of a block for every question, four
 * at a time; the lists are touched only when a score reaches the fifth
 * best so far, which after the first blocks is rare.
 */
static void
analogy_score_block(struct analogy_worker *w, size_t j0, size_t nb)
{
	const struct analogy_job *job = w->job;
	const v4f eps4 = { KS_EVAL_MUL_EPSILON, KS_EVAL_MUL_EPSILON, KS_EVAL_MUL_EPSILON,
			   KS_EVAL_MUL_EPSILON };
	const int mul = job->method == KS_EVAL_MUL;
	float *c = w->c;
	size_t qi, j;
	int k;

	if (mul) {
		/* cos' = (cos + 1) / 2, in place, once per block. */
		for (j = 0; j < job->n_u * nb; j++)
			c[j] = (c[j] + 1.0f) * 0.5f;
	}
	for (qi = 0; qi < job->n_q; qi++) {
		const struct aq *q = &job->qs[qi];
		const float *pa = c + (size_t)q->slot[0] * nb;
		const float *pb = c + (size_t)q->slot[1] * nb;
		const float *pc = c + (size_t)q->slot[2] * nb;
		struct topn *t = &w->top[qi];
		float worst = t->score[TOPN - 1];
		v4f w4 = { worst, worst, worst, worst };

		for (j = 0; j + 4 <= nb; j += 4) {
			v4f x = mul ? v4_load(pb + j) * v4_load(pc + j) / (v4_load(pa + j) + eps4)
				: (v4_load(pb + j) + v4_load(pc + j)) - v4_load(pa + j);
			v4i hit = x >= w4;

			if ((hit[0] | hit[1] | hit[2] | hit[3]) == 0)
				continue;
			for (k = 0; k < 4; k++)
				if (x[k] >= t->score[TOPN - 1])
					analogy_offer(t, q, x[k], (uint32_t)(j0 + j + (size_t)k));
			worst = t->score[TOPN - 1];
			w4 = (v4f){ worst, worst, worst, worst };
		}
		for (; j < nb; j++) {
			float x = mul ? pb[j] * pc[j] / (pa[j] + KS_EVAL_MUL_EPSILON)
				: (pb[j] + pc[j]) - pa[j];

			if (x >= t->score[TOPN - 1])
				analogy_offer(t, q, x, (uint32_t)(j0 + j));
		}
	}
}

static void *
analogy_worker_main(void *arg)
{
	struct analogy_worker *w = arg;
	struct analogy_job *job = w->job;
	size_t n_blocks = (job->n_rows + job->block - 1) / job->block;

	for (;;) {
		size_t b = atomic_fetch_add(&job->next_block, 1), j0, nb;

		if (b >= n_blocks)
			break;
		j0 = b * job->block;
		nb = job->n_rows - j0 < job->block ? job->n_rows - j0 : job->block;
		product_block(job->umat, job->n_u, job->vecs + j0 * job->dim, nb, job->dim, w->c);
		analogy_score_block(w, j0, nb);
	}
	return NULL;
}

static unsigned
eval_threads(unsigned want)
{
	long n;

	if (want > 0)
		return want;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)(n < 256 ? n : 256) : 1;
}

/* Merges the workers' lists and applies gensim's rule (see eval.h). */
static long
analogy_answer(const struct ks_eval_vectors *ev, const struct analogy_worker *ws, unsigned n_w,
	       size_t qi, const struct aq *q)
{
	struct topn best;
	unsigned t;
	int i;

	topn_init(&best);
	for (t = 0; t < n_w; t++)
		for (i = 0; i < TOPN; i++)
			if (ws[t].top[qi].row[i] != UINT32_MAX)
				topn_offer(&best, ws[t].top[qi].score[i], ws[t].top[qi].row[i]);
	for (i = 0; i < TOPN && best.row[i] != UINT32_MAX; i++) {
		uint32_t canon = ev->canon[best.row[i]];

		if (canon != q->row[0] && canon != q->row[1] && canon != q->row[2])
			return best.row[i];
	}
	return i > 0 ? (long)best.row[i - 1] : -2;
}

static void
tally_add(struct ks_analogy_tally *t, const struct ks_analogy_tally *a)
{
	t->questions += a->questions;
	t->covered += a->covered;
	t->correct += a->correct;
}

void
ks_analogy_result_free(struct ks_analogy_result *res)
{
	free(res->sections);
	free(res->answers);
	memset(res, 0, sizeof(*res));
}

int
ks_analogy_eval(const struct ks_eval_vectors *ev, const struct ks_analogy_set *set,
		const struct ks_analogy_opts *opts, struct ks_analogy_result *res,
		struct ks_err *err)
{
	const struct ks_vecset *vs = ev->vs;
	size_t dim = vs->dim, n_rows, qi, s, i, n_q = 0, n_u = 0, cells, n_gram = 0, n_other = 0;
	struct aq *qs = NULL;
	uint32_t *slot_of = NULL;
	float *umat = NULL;
	struct analogy_worker *ws = NULL;
	struct analogy_job job;
	unsigned n_w = 0, t, started = 0;
	int rc = KS_OK;

	memset(res, 0, sizeof(*res));
	n_rows = opts->restrict_n > 0 && opts->restrict_n < vs->n_words ? opts->restrict_n : vs->n_words;
	res->restrict_n = n_rows;
	res->n_sections = set->n_sections;
	res->sections = ks_calloc_array(set->n_sections, sizeof(*res->sections));
	res->answers = ks_malloc_array(set->n_questions, sizeof(*res->answers));
	qs = ks_malloc_array(set->n_questions, sizeof(*qs));
	slot_of = ks_malloc_array(n_rows, sizeof(*slot_of));
	if (res->sections == NULL || res->answers == NULL || qs == NULL || slot_of == NULL)
		goto nomem;
	memset(slot_of, 0xff, n_rows * sizeof(*slot_of));

	/* The covered questions and the distinct rows of their a, b, c. */
	for (qi = 0; qi < set->n_questions; qi++) {
		struct aq *q = &qs[n_q];
		int covered = 1;

		res->answers[qi] = -1;
		for (i = 0; i < 4 && covered; i++) {
			const char *w = set->words[4 * qi + i];
			long row = ks_eval_lookup(ev, w, strlen(w), n_rows);

			if (row < 0)
				covered = 0;
			else
				q->row[i] = (uint32_t)row;
		}
		if (!covered)
			continue;
		for (i = 0; i < 3; i++) {
			if (slot_of[q->row[i]] == UINT32_MAX)
				slot_of[q->row[i]] = (uint32_t)n_u++;
			q->slot[i] = slot_of[q->row[i]];
		}
		q->q = qi;
		n_q++;
	}
	if (n_q > 0) {
		if (ks_mul_size(n_u, dim, &cells) != 0 || (umat = ks_aligned_calloc(cells, sizeof(float))) == NULL)
			goto nomem;
		for (i = 0; i < n_rows; i++)
			if (slot_of[i] != UINT32_MAX)
				memcpy(umat + (size_t)slot_of[i] * dim, vs->vecs + i * dim, dim * sizeof(float));

		memset(&job, 0, sizeof(job));
		job.vecs = vs->vecs;
		job.dim = dim;
		job.n_rows = n_rows;
		/* About 2 MiB of products per block, in multiples of four rows. */
		job.block = ((size_t)1 << 19) / n_u;
		job.block = job.block < 64 ? 64 : job.block > 4096 ? 4096 : job.block & ~(size_t)3;
		job.umat = umat;
		job.n_u = n_u;
		job.qs = qs;
		job.n_q = n_q;
		job.method = opts->method;
		atomic_init(&job.next_block, 0);
		n_w = eval_threads(opts->threads);
		if (n_w > (n_rows + job.block - 1) / job.block)
			n_w = (unsigned)((n_rows + job.block - 1) / job.block);
		ws = calloc(n_w, sizeof(*ws));
		if (ws == NULL)
			goto nomem;
		for (t = 0; t < n_w; t++) {
			ws[t].job = &job;
			if (ks_mul_size(n_u, job.block, &cells) != 0 ||
			    (ws[t].c = ks_aligned_calloc(cells, sizeof(float))) == NULL ||
			    (ws[t].top = ks_malloc_array(n_q, sizeof(struct topn))) == NULL)
				goto nomem;
			for (qi = 0; qi < n_q; qi++)
				topn_init(&ws[t].top[qi]);
		}
		for (t = 1; t < n_w; t++) {
			if (pthread_create(&ws[t].tid, NULL, analogy_worker_main, &ws[t]) != 0) {
				rc = ks_err_set(err, KS_ERR_THREAD, "cannot start analogy thread %u", t + 1);
				break;
			}
			started++;
		}
		if (rc == KS_OK)
			analogy_worker_main(&ws[0]);
		else
			atomic_store(&job.next_block, SIZE_MAX / 2);
		for (t = 1; t <= started; t++)
			pthread_join(ws[t].tid, NULL);
		if (rc != KS_OK)
			goto done;
		for (i = 0; i < n_q; i++)
			res->answers[qs[i].q] = analogy_answer(ev, ws, n_w, i, &qs[i]);
	}

	/* Tallies per section, then the totals. */
	for (s = 0; s < set->n_sections; s++) {
		const struct ks_analogy_section *sec = &set->sections[s];
		struct ks_analogy_tally *tl = &res->sections[s];

		tl->questions = sec->count;
		for (qi = sec->first; qi < sec->first + sec->count; qi++) {
			const char *d;
			long row;

			if (res->answers[qi] == -1)
				continue;
			tl->covered++;
			if (res->answers[qi] < 0)
				continue;
			d = set->words[4 * qi + 3];
			row = ks_eval_lookup(ev, d, strlen(d), n_rows);
			if (row >= 0 && ev->canon[res->answers[qi]] == (uint32_t)row)
				tl->correct++;
		}
		tally_add(&res->total, tl);
	}
	/*
	 * Google's questions-words.txt names its nine syntactic sections
	 * gram1-adjective-to-adverb .. gram9-plural-verbs and its five
	 * semantic ones otherwise; the split means nothing for other files
	 * (MSR's, the planted set's), so it needs sections of both kinds.
	 */
	for (s = 0; s < set->n_sections; s++) {
		int gram = strncmp(set->sections[s].name, "gram", 4) == 0;

		if (set->sections[s].name[0] == '\0' && s == 0 && set->n_sections > set->n_named)
			continue;
		tally_add(gram ? &res->syntactic : &res->semantic, &res->sections[s]);
		n_gram += (size_t)gram;
		n_other += (size_t)!gram;
	}
	res->has_split = n_gram > 0 && n_other > 0;
	if (!res->has_split) {
		memset(&res->semantic, 0, sizeof(res->semantic));
		memset(&res->syntactic, 0, sizeof(res->syntactic));
	}
	goto done;
nomem:
	rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the analogy questions");
done:
	if (ws != NULL)
		for (t = 0; t < n_w; t++) {
			free(ws[t].c);
			free(ws[t].top);
		}
	free(ws);
	free(umat);
	free(slot_of);
	free(qs);
	return rc;
}

/* ---- similarity ---- */

void
ks_simset_destroy(struct ks_simset *set)
{
	if (set == NULL)
		return;
	free(set->words);
	free(set->gold);
	free(set->lines);
	free(set->pool);
	free(set);
}

/* Parses a whole field as a finite number. */
static int
parse_score(const char *s, double *value)
{
	char *end;

	if (*s == '\0')
		return 0;
	errno = 0;
	*value = strtod(s, &end);
	return *end == '\0' && isfinite(*value);
}

int
ks_simset_read(struct ks_simset **out, const char *path, struct ks_err *err)
{
	struct ks_simset *set;
	size_t len, pos = 0, line_no = 0, cap = 0;
	char *line;
	size_t line_len;
	int rc;

	*out = NULL;
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	rc = read_all(path, &set->pool, &len, err);
	if (rc != KS_OK) {
		free(set);
		return rc;
	}
	while (next_line(set->pool, len, &pos, &line, &line_len)) {
		char *f[3];
		size_t n, i = 0;
		double score;

		line_no++;
		while (i < line_len && is_blank(line[i]))
			i++;
		if (i == line_len || line[i] == '#')
			continue;
		n = line_has_nul(line, line_len) ? 0 :
		    split_fields(line, line_len, memchr(line, '\t', line_len) != NULL, f, 3);
		if (n != 3 || f[0][0] == '\0' || f[1][0] == '\0' || !parse_score(f[2], &score)) {
			if (set->skipped++ == 0)
				set->first_skipped = line_no;
			continue;
		}
		if (set->n_pairs == cap) {
			size_t want = cap ? cap * 2 : 256;
			char **w = ks_realloc_array(set->words, want, 2 * sizeof(*w));
			double *g;
			size_t *l;

			if (w == NULL)
				goto nomem;
			set->words = w;
			if ((g = ks_realloc_array(set->gold, want, sizeof(*g))) == NULL)
				goto nomem;
			set->gold = g;
			if ((l = ks_realloc_array(set->lines, want, sizeof(*l))) == NULL)
				goto nomem;
			set->lines = l;
			cap = want;
		}
		set->words[2 * set->n_pairs] = f[0];
		set->words[2 * set->n_pairs + 1] = f[1];
		set->gold[set->n_pairs] = score;
		set->lines[set->n_pairs++] = line_no;
	}
	if (set->n_pairs == 0) {
		rc = ks_err_set(err, KS_ERR_FORMAT, "%s: no word pairs (lines of `word word score`)", path);
		ks_simset_destroy(set);
		return rc;
	}
	*out = set;
	return KS_OK;
nomem:
	ks_simset_destroy(set);
	return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
}

double
ks_eval_pearson(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0, r;
	size_t i;

	if (n < 2)
		return NAN;
	for (i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;

		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	if (sxx == 0 || syy == 0)
		return NAN;
	r = sxy / sqrt(sxx * syy);
	return r > 1 ? 1 : r < -1 ? -1 : r;
}

struct rank_item {
	double v;
	size_t i;
};

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank_item *x = a, *y = b;

	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* ranks[i] = the 1-based rank of v[i], ties given their average rank. */
static int
average_ranks(const double *v, size_t n, double *ranks)
{
	struct rank_item *it = ks_malloc_array(n, sizeof(*it));
	size_t i, j, k;

	if (it == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		it[i].v = v[i];
		it[i].i = i;
	}
	qsort(it, n, sizeof(*it), rank_cmp);
	for (i = 0; i < n; i = j) {
		double avg;

		for (j = i + 1; j < n && it[j].v == it[i].v; j++)
			;
		avg = (double)(i + 1 + j) / 2.0;	/* mean of ranks i+1 .. j */
		for (k = i; k < j; k++)
			ranks[it[k].i] = avg;
	}
	free(it);
	return 0;
}

double
ks_eval_spearman(const double *x, const double *y, size_t n)
{
	double *rx, *ry, r = NAN;

	if (n < 2)
		return NAN;
	rx = ks_malloc_array(n, sizeof(*rx));
	ry = ks_malloc_array(n, sizeof(*ry));
	if (rx != NULL && ry != NULL && average_ranks(x, n, rx) == 0 && average_ranks(y, n, ry) == 0)
		r = ks_eval_pearson(rx, ry, n);
	free(rx);
	free(ry);
	return r;
}

static double
dot_double(const float *a, const float *b, size_t dim)
{
	double s = 0;
	size_t d;

	for (d = 0; d < dim; d++)
		s += (double)a[d] * b[d];
	return s;
}

void
ks_similarity_result_free(struct ks_similarity_result *res)
{
	free(res->cosines);
	memset(res, 0, sizeof(*res));
}

int
ks_similarity_eval(const struct ks_eval_vectors *ev, const struct ks_simset *set,
		   size_t restrict_n, struct ks_similarity_result *res, struct ks_err *err)
{
	const struct ks_vecset *vs = ev->vs;
	double *gold = NULL, *model = NULL;
	size_t p, n = 0;

	memset(res, 0, sizeof(*res));
	res->pairs = set->n_pairs;
	res->spearman = res->pearson = NAN;
	res->cosines = ks_malloc_array(set->n_pairs, sizeof(*res->cosines));
	gold = ks_malloc_array(set->n_pairs, sizeof(*gold));
	model = ks_malloc_array(set->n_pairs, sizeof(*model));
	if (res->cosines == NULL || gold == NULL || model == NULL) {
		free(gold);
		free(model);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	for (p = 0; p < set->n_pairs; p++) {
		const char *a = set->words[2 * p], *b = set->words[2 * p + 1];
		long ra = ks_eval_lookup(ev, a, strlen(a), restrict_n);
		long rb = ks_eval_lookup(ev, b, strlen(b), restrict_n);

		res->cosines[p] = NAN;
		if (ra < 0 || rb < 0)
			continue;
		res->cosines[p] = dot_double(vs->vecs + (size_t)ra * vs->dim,
					     vs->vecs + (size_t)rb * vs->dim, vs->dim);
		gold[n] = set->gold[p];
		model[n++] = res->cosines[p];
	}
	res->found = n;
	res->spearman = ks_eval_spearman(gold, model, n);
	res->pearson = ks_eval_pearson(gold, model, n);
	res->defined = !isnan(res->spearman);
	free(gold);
	free(model);
	return KS_OK;
}

/* ---- neighbours ---- */

int
ks_eval_neighbors(const struct ks_eval_vectors *ev, const char *const *words, size_t n_words,
		  enum ks_eval_method method, size_t restrict_n, size_t k,
		  struct ks_neighbor *out, size_t *n_out, struct ks_err *err)
{
	const struct ks_vecset *vs = ev->vs;
	size_t dim = vs->dim, n_rows, i, j, found = 0;
	long rows[3] = { 0, 0, 0 };
	long *qrows;
	float *target;
	double norm = 0;
	int analogy = n_words == 3, rc = KS_OK;

	*n_out = 0;
	if (n_words == 0)
		return ks_err_set(err, KS_ERR_USAGE, "an empty query");
	if (k == 0)
		return KS_OK;
	n_rows = restrict_n > 0 && restrict_n < vs->n_words ? restrict_n : vs->n_words;
	qrows = ks_malloc_array(n_words, sizeof(*qrows));
	target = ks_calloc_array(dim, sizeof(*target));
	if (qrows == NULL || target == NULL) {
		free(qrows);
		free(target);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n_words; i++) {
		qrows[i] = ks_eval_lookup_exact(ev, words[i], strlen(words[i]));
		if (qrows[i] < 0) {
			rc = ks_err_set(err, KS_ERR_NOT_FOUND, "'%s' is not in the vocabulary", words[i]);
			goto done;
		}
	}
	if (analogy)
		for (i = 0; i < 3; i++)
			rows[i] = qrows[i];
	if (!(analogy && method == KS_EVAL_MUL)) {
		/* The sum of the unit vectors (b - a + c for an analogy). */
		for (i = 0; i < n_words; i++) {
			const float *v = vs->vecs + (size_t)qrows[i] * dim;
			float sign = analogy && i == 0 ? -1.0f : 1.0f;

			for (j = 0; j < dim; j++)
				target[j] += sign * v[j];
		}
		for (j = 0; j < dim; j++)
			norm += (double)target[j] * target[j];
		norm = sqrt(norm);
		if (norm > 0)
			for (j = 0; j < dim; j++)
				target[j] = (float)(target[j] / norm);
	}
	for (i = 0; i < n_rows; i++) {
		const float *v = vs->vecs + i * dim;
		double score;
		size_t m;

		for (m = 0; m < n_words; m++)
			if ((long)i == qrows[m])
				break;
		if (m < n_words)
			continue;
		if (analogy && method == KS_EVAL_MUL) {
			double ca = (dot1(v, vs->vecs + (size_t)rows[0] * dim, dim) + 1.0) / 2;
			double cb = (dot1(v, vs->vecs + (size_t)rows[1] * dim, dim) + 1.0) / 2;
			double cc = (dot1(v, vs->vecs + (size_t)rows[2] * dim, dim) + 1.0) / 2;

			score = cb * cc / (ca + KS_EVAL_MUL_EPSILON);
		} else {
			score = dot1(v, target, dim);
		}
		if (found == k && score <= out[k - 1].score)
			continue;
		m = found < k ? found++ : k - 1;
		while (m > 0 && score > out[m - 1].score) {
			out[m] = out[m - 1];
			m--;
		}
		out[m].row = i;
		out[m].score = score;
	}
	*n_out = found;
done:
	free(qrows);
	free(target);
	return rc;
}
