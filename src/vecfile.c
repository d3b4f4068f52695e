/*
 * Word vector files (see vecfile.h for the formats and the policies).
 *
 * Reading goes through zlib's gz* functions, which pass plain files
 * through unchanged and inflate gzip files (any number of members) after
 * recognising their magic bytes, so one code path serves both. On top of
 * gzread sits a small window buffer that can hold a whole text line or a
 * whole binary record, so the parsers work on contiguous bytes and can look
 * ahead when they decide which format they face.
 *
 * The format is decided on the first record after the header: a text line
 * holds D valid decimal numbers after the word (D from the header); a
 * binary record ends 4 * D bytes after the word's space, with the newline
 * word2vec.c and kensho always write. Four bytes of a float seldom all
 * spell decimal numbers, but they can (tiny values such as 1.4e-19 are the
 * bytes "1.5 "), and then both readings of the first record fit: the
 * records after it (up to 1 MiB ahead) decide, binary when they all fit
 * the binary reading and not the text one. A binary file is therefore read
 * back as binary unless all of it also reads as lines of numbers; such a
 * file is taken for text, and ks_vecfile_read_opts can be told the format
 * instead. When the first record is not a line of D numbers, its bytes up
 * to the newline decide: printable ASCII and well-formed UTF-8 in D
 * fields (or number characters only) are a text line with a bad value or
 * the wrong number of values ("1,5", a Unicode minus, a typo), so the
 * user is told about the line and the value, not about a broken binary
 * record; any other byte (float32 bytes almost always hold a control
 * byte or a lone UTF-8 continuation byte) means binary. The one
 * exception: a printable line that ends exactly where a binary record
 * with the writer's newline would is binary when every record after it
 * fits the binary reading, so a binary file whose first float bytes
 * happen to be printable still loads. A gensim-style binary file (no
 * newlines) whose bytes up to the first byte 0x0a are printable and
 * form D fields is taken for text; it can be read told the format.
 *
 * Text values are parsed by a hand-written decimal parser: strtof spends
 * most of a 100k x 300 load in locale and generality. The fast path is
 * Clinger's: up to 19 significant digits and a power of ten up to 22 make
 * one correctly rounded double operation, then a rounding to float that is
 * exact unless the double lies exactly half-way between two floats, in
 * which case (and for every other hard input) strtof decides.
 *
 * Values are written with a hand-written equivalent of "%.9g" (glibc's
 * printf costs 130 ns a value, four seconds for a 100k x 300 file): nine
 * significant digits always bring a float32 back exactly.
 */
#include "vecfile.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "byteorder.h"
#include "mem.h"
#include "outfile.h"

/* Word bytes live in blocks that never move, so words[] stays valid. */
struct ks_vecset_block {
	struct ks_vecset_block *next;
	size_t used, cap;
	char data[];
};

#define VECSET_BLOCK_BYTES ((size_t)1 << 20)

/*
 * The exact-word index: open addressing with linear probing over rows + 1
 * (0 marks an empty slot), with each slot's hash kept beside it so that a
 * probe rarely touches the word itself.
 */
struct ks_vecset_index {
	uint32_t *rows;
	uint32_t *hashes;
	size_t mask;
	size_t count;
};

static uint32_t
vecfile_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a, 64 bits folded */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static int
index_grow(struct ks_vecset_index *ix)
{
	size_t new_size = ix->mask ? (ix->mask + 1) * 2 : 1024, i;
	uint32_t *rows = ks_calloc_array(new_size, sizeof(*rows));
	uint32_t *hashes = ks_calloc_array(new_size, sizeof(*hashes));

	if (rows == NULL || hashes == NULL) {
		free(rows);
		free(hashes);
		return -1;
	}
	for (i = 0; ix->mask && i <= ix->mask; i++) {
		size_t j;

		if (ix->rows[i] == 0)
			continue;
		j = ix->hashes[i] & (new_size - 1);
		while (rows[j] != 0)
			j = (j + 1) & (new_size - 1);
		rows[j] = ix->rows[i];
		hashes[j] = ix->hashes[i];
	}
	free(ix->rows);
	free(ix->hashes);
	ix->rows = rows;
	ix->hashes = hashes;
	ix->mask = new_size - 1;
	return 0;
}

/* The slot holding word, or the empty slot where it would go. */
static size_t
index_slot(const struct ks_vecset_index *ix, char *const *words, const char *word, size_t len,
	   uint32_t h)
{
	size_t j = h & ix->mask;

	while (ix->rows[j] != 0) {
		const char *w = words[ix->rows[j] - 1];

		if (ix->hashes[j] == h && memcmp(w, word, len) == 0 && w[len] == '\0')
			return j;
		j = (j + 1) & ix->mask;
	}
	return j;
}

static struct ks_vecset_block *
block_new(size_t need)
{
	size_t cap = need > VECSET_BLOCK_BYTES ? need : VECSET_BLOCK_BYTES;
	struct ks_vecset_block *b = malloc(sizeof(*b) + cap);

	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	return b;
}

int
ks_vecset_create(struct ks_vecset **out, size_t dim, struct ks_err *err)
{
	struct ks_vecset *vs;

	*out = NULL;
	if (dim == 0 || dim > KS_VECFILE_MAX_DIM)
		return ks_err_set(err, KS_ERR_LIMIT, "vector dimension %zu is not in 1..%d", dim,
				  KS_VECFILE_MAX_DIM);
	vs = calloc(1, sizeof(*vs));
	if (vs == NULL || (vs->index = calloc(1, sizeof(*vs->index))) == NULL) {
		free(vs);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	vs->dim = dim;
	*out = vs;
	return KS_OK;
}

/* Makes room for more rows (rows in all), growing words and vecs. */
static int
vecset_reserve(struct ks_vecset *vs, size_t rows)
{
	char **words;
	float *vecs;
	size_t cells;

	if (rows <= vs->cap_words)
		return 0;
	if (rows > KS_VECFILE_MAX_WORDS || ks_mul_size(rows, vs->dim, &cells) != 0)
		return -1;
	words = ks_realloc_array(vs->words, rows, sizeof(*words));
	if (words == NULL)
		return -1;
	vs->words = words;
	vecs = ks_realloc_array(vs->vecs, cells, sizeof(*vecs));
	if (vecs == NULL)
		return -1;
	vs->vecs = vecs;
	vs->cap_words = rows;
	ks_advise_huge(vecs, cells * sizeof(*vecs));
	return 0;
}

/* Gives back the rows allocated beyond n_words (n_words > 0). */
static void
vecset_shrink(struct ks_vecset *vs)
{
	char **words = realloc(vs->words, vs->n_words * sizeof(*words));
	float *vecs;

	if (words != NULL)
		vs->words = words;
	vecs = realloc(vs->vecs, vs->n_words * vs->dim * sizeof(*vecs));
	if (vecs != NULL)
		vs->vecs = vecs;
	if (words != NULL && vecs != NULL)
		vs->cap_words = vs->n_words;
}

static int
vecset_reserve_one(struct ks_vecset *vs)
{
	size_t want;

	if (vs->n_words < vs->cap_words)
		return 0;
	want = vs->cap_words < 1024 ? 1024 : vs->cap_words * 2;
	if (want > KS_VECFILE_MAX_WORDS)
		want = KS_VECFILE_MAX_WORDS;
	if (want <= vs->n_words)
		return -1;
	return vecset_reserve(vs, want);
}

/*
 * Makes row n_words (whose vector the caller has already stored) hold word:
 * returns 1 and the new row, 0 and the earlier row if the word is there, or
 * -1 when out of memory.
 */
static int
vecset_commit_row(struct ks_vecset *vs, const char *word, size_t len, size_t *row)
{
	struct ks_vecset_index *ix = vs->index;
	struct ks_vecset_block *b = vs->blocks;
	uint32_t h = vecfile_hash(word, len);
	size_t slot;
	char *copy;

	if ((ix->count + 1) * 2 > ix->mask + 1 && index_grow(ix) != 0)
		return -1;
	slot = index_slot(ix, vs->words, word, len, h);
	if (ix->rows[slot] != 0) {
		*row = ix->rows[slot] - 1;
		return 0;
	}
	if (b == NULL || b->cap - b->used < len + 1) {
		b = block_new(len + 1);
		if (b == NULL)
			return -1;
		b->next = vs->blocks;
		vs->blocks = b;
	}
	copy = b->data + b->used;
	memcpy(copy, word, len);
	copy[len] = '\0';
	b->used += len + 1;
	vs->words[vs->n_words] = copy;
	ix->rows[slot] = (uint32_t)(vs->n_words + 1);
	ix->hashes[slot] = h;
	ix->count++;
	*row = vs->n_words++;
	return 1;
}

int
ks_vecset_add(struct ks_vecset *vs, const char *word, size_t len, const float *vec,
	      size_t *row, struct ks_err *err)
{
	size_t r;
	int rc;

	if (len == 0 || memchr(word, '\0', len) != NULL)
		return ks_err_set(err, KS_ERR_FORMAT, "a word must be non-empty and free of NUL bytes");
	if (vecset_reserve_one(vs) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for %zu vectors", vs->n_words + 1);
	memcpy(vs->vecs + vs->n_words * vs->dim, vec, vs->dim * sizeof(float));
	rc = vecset_commit_row(vs, word, len, &r);
	if (rc < 0)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	if (row != NULL)
		*row = r;
	return KS_OK;
}

long
ks_vecset_find(const struct ks_vecset *vs, const char *word, size_t len)
{
	const struct ks_vecset_index *ix = vs->index;
	size_t slot;

	if (ix == NULL || ix->count == 0)
		return -1;
	slot = index_slot(ix, vs->words, word, len, vecfile_hash(word, len));
	return ix->rows[slot] ? (long)ix->rows[slot] - 1 : -1;
}

void
ks_vecset_destroy(struct ks_vecset *vs)
{
	struct ks_vecset_block *b, *next;

	if (vs == NULL)
		return;
	for (b = vs->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	if (vs->index != NULL) {
		free(vs->index->rows);
		free(vs->index->hashes);
		free(vs->index);
	}
	free(vs->words);
	free(vs->vecs);
	free(vs);
}

/* ---- numbers ---- */

static const double vecfile_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int
is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* strtof on s[0 .. len), which the caller has checked to be a number. */
static float
parse_float_slow(const char *s, size_t len)
{
	char small[64], *buf = small;
	float v;

	if (len >= sizeof(small)) {
		buf = malloc(len + 1);
		if (buf == NULL) {
			/* Only absurdly long digit strings get here; keep 60 digits. */
			buf = small;
			len = sizeof(small) - 1;
		}
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtof(buf, NULL);
	if (buf != small)
		free(buf);
	return v;
}

size_t
ks_vecfile_parse_float(const char *s, size_t len, float *value)
{
	uint64_t mant = 0;
	size_t i = 0, exp_end;
	int neg = 0, ndig = 0, dropped = 0, any = 0;
	long exp10 = 0, e = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len && is_digit(s[i]); i++) {
		int d = s[i] - '0';

		any = 1;
		if (ndig < 19) {
			mant = mant * 10 + (uint64_t)d;
			ndig += mant != 0;
		} else {
			exp10++;
			dropped |= d != 0;
		}
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && is_digit(s[i]); i++) {
			int d = s[i] - '0';

			any = 1;
			if (ndig < 19) {
				mant = mant * 10 + (uint64_t)d;
				ndig += mant != 0;
				exp10--;
			} else {
				dropped |= d != 0;
			}
		}
	}
	if (!any)
		return 0;
	exp_end = i;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		int eneg = 0;

		if (j < len && (s[j] == '-' || s[j] == '+'))
			eneg = s[j++] == '-';
		if (j < len && is_digit(s[j])) {
			for (; j < len && is_digit(s[j]); j++)
				if (e < 100000)
					e = e * 10 + (s[j] - '0');
			if (eneg)
				e = -e;
			exp_end = j;
		}
	}
	if (mant == 0) {
		*value = neg ? -0.0f : 0.0f;
		return exp_end;
	}
	e += exp10;
	if (!dropped && mant <= (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
		double d = (double)mant;
		uint64_t bits;

		d = e < 0 ? d / vecfile_pow10[-e] : d * vecfile_pow10[e];
		memcpy(&bits, &d, sizeof(bits));
		/*
		 * d lies in float's normal range here (1e-22 .. 9e37). Its
		 * rounding to float is the rounding of the exact value unless
		 * d sits exactly half-way between two floats: then the 29 bits
		 * a float drops are 1000...0.
		 */
		if ((bits & ((UINT64_C(1) << 29) - 1)) != (UINT64_C(1) << 28)) {
			float f = (float)d;

			*value = neg ? -f : f;
			return exp_end;
		}
	}
	*value = parse_float_slow(s, exp_end);
	return exp_end;
}

/* 10^e as the nearest double, for e from FORMAT_POW10_MIN to FORMAT_POW10_MAX. */
#define FORMAT_POW10_MIN (-46)
#define FORMAT_POW10_MAX 53
static const double format_pow10[] = {
	1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35, 1e-34,
	1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21,
	1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8,
	1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
	1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
	1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38,
	1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52, 1e53
};

/* "00", "01", ..., "99" end to end: two digits of a number at a time. */
static const char format_pairs[] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/*
 * Formats a finite float as printf("%.9g") would, into buf (at least 16
 * bytes), and returns the length. The decimal exponent comes from the
 * binary one (log10(2) is 78913 / 2^18 closely enough for every float)
 * and one comparison; nine significant digits are then one product in
 * double with a power of ten from the table. That product is within a
 * unit or two of its last place, 2.3e-7 at most at this scale, which
 * decides the ninth digit only when the exact value lies within it of a
 * half: about one float in 16 million. Those (and anything outside the
 * table, which no float reaches) go to snprintf, so the output is always
 * printf's. A value takes 20 ns instead of the 46 ns it took with
 * log10() and exact powers of ten.
 */
static size_t
format_float(float value, char *buf)
{
	double a = value, scaled, frac;
	uint64_t bits;
	char digits[10];
	uint32_t m, r;
	size_t n = 0, nd;
	int e2, e10, k;

	if (signbit(value)) {
		buf[n++] = '-';
		a = -a;
	}
	if (a == 0) {
		buf[n++] = '0';
		return n;
	}
	/* a is in [2^e2, 2^(e2+1)); a float is a normal double, subnormal or not. */
	memcpy(&bits, &a, sizeof(bits));
	e2 = (int)((bits >> 52) & 0x7ff) - 1023;
	e10 = e2 >= 0 ? (e2 * 78913) >> 18 : -((-e2 * 78913 + (1 << 18) - 1) >> 18);
	if (e10 + 1 <= FORMAT_POW10_MAX && a >= format_pow10[e10 + 1 - FORMAT_POW10_MIN])
		e10++;
	for (;;) {
		uint64_t t;

		/* scaled = a * 10^(8 - e10): nine digits before the point. */
		k = 8 - e10;
		if (k < FORMAT_POW10_MIN || k > FORMAT_POW10_MAX)
			return (size_t)snprintf(buf, 16, "%.9g", (double)value);
		scaled = a * format_pow10[k - FORMAT_POW10_MIN];
		t = (uint64_t)scaled;
		frac = scaled - (double)t;
		if (fabs(frac - 0.5) < 1e-5)
			return (size_t)snprintf(buf, 16, "%.9g", (double)value);
		t += frac > 0.5;
		if (t >= 1000000000) {
			if (t == 1000000000) {
				m = 100000000;
				e10++;
				break;
			}
			e10++;
			continue;
		}
		if (t < 100000000) {
			e10--;
			continue;
		}
		m = (uint32_t)t;
		break;
	}
	digits[0] = (char)('0' + m / 100000000);
	r = m % 100000000;
	memcpy(digits + 1, format_pairs + 2 * (r / 1000000), 2);
	memcpy(digits + 3, format_pairs + 2 * (r / 10000 % 100), 2);
	memcpy(digits + 5, format_pairs + 2 * (r / 100 % 100), 2);
	memcpy(digits + 7, format_pairs + 2 * (r % 100), 2);
	nd = 9;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (e10 < -4 || e10 >= 9) {
		int ae = e10 < 0 ? -e10 : e10;

		buf[n++] = digits[0];
		if (nd > 1) {
			buf[n++] = '.';
			memcpy(buf + n, digits + 1, nd - 1);
			n += nd - 1;
		}
		buf[n++] = 'e';
		buf[n++] = e10 < 0 ? '-' : '+';
		if (ae >= 100)
			buf[n++] = (char)('0' + ae / 100);
		buf[n++] = (char)('0' + ae / 10 % 10);
		buf[n++] = (char)('0' + ae % 10);
	} else if (e10 < 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (k = -1; k > e10; k--)
			buf[n++] = '0';
		memcpy(buf + n, digits, nd);
		n += nd;
	} else {
		size_t int_digits = (size_t)e10 + 1;

		memcpy(buf + n, digits, int_digits);
		n += int_digits;
		if (nd > int_digits) {
			buf[n++] = '.';
			memcpy(buf + n, digits + int_digits, nd - int_digits);
			n += nd - int_digits;
		}
	}
	return n;
}

/* Shortens a word for a message without cutting a UTF-8 character. */
static int
disp_len(const char *w, size_t len)
{
	size_t n = len;

	if (n > 60) {
		n = 60;
		while (n > 0 && ((unsigned char)w[n] & 0xc0) == 0x80)
			n--;
	}
	return (int)n;
}

/* ---- writing ---- */

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int
ks_vecfile_write(const char *path, enum ks_vecfile_format format, const char *const *words,
		 const float *vecs, size_t n_words, size_t dim, struct ks_err *err)
{
	return ks_vecfile_write_pending(NULL, path, format, words, vecs, n_words, dim, dim, 1, err);
}

/* Whether row[0 .. dim) is all finite: no reader accepts a NaN or an infinity. */
static int
row_is_finite(const float *row, size_t dim)
{
	size_t j;

	for (j = 0; j < dim; j++)
		if (!isfinite(row[j]))
			return 0;
	return 1;
}

/* The error for row i, which holds a NaN or an infinity. */
static int
bad_row_error(struct ks_err *err, const char *path, const char *const *words, size_t i)
{
	size_t len = strlen(words[i]);

	return ks_err_set(err, KS_ERR_FORMAT,
			  "%s: vector %zu ('%.*s') has a NaN or infinite value; "
			  "no reader would accept the file", path, i + 1, disp_len(words[i], len),
			  words[i]);
}

/*
 * The text writer formats VECFILE_TEXT_ROWS rows at a time (a task) into
 * one of n_slots buffers. With formatting threads, those take the tasks in
 * order while the calling thread writes the finished ones in order, and a
 * slot is reused once its task is written; without, the calling thread
 * formats and writes each task in turn. The bytes are the same either way.
 * Formatting is most of the cost (about 20 ns a value, against a byte
 * copy to write it), so two threads write a text file nearly twice as
 * fast. Few rows a task keep the slots small: they are live beside the
 * trainer's matrices and token cache, so they count towards its peak.
 */
#define VECFILE_TEXT_ROWS 64
/* Slots per formatting thread: one being formatted, one waiting to be written. */
#define VECFILE_TEXT_SLOTS 2
/*
 * Formatting threads at most, so that the slots stay a few MB even at
 * d=300 with long words. One thread formats about 175 MB of text a
 * second, so eight already outrun most disks.
 */
#define VECFILE_TEXT_MAX_THREADS 8

struct text_slot {
	size_t task;		/* the task formatted into it, or SIZE_MAX */
	size_t len;		/* its bytes */
	size_t bad;		/* its first row with a NaN or infinity, or SIZE_MAX */
};

struct text_writer {
	const char *const *words;
	const float *vecs;
	size_t n_words, dim, stride;
	size_t n_tasks, n_slots, slot_cap;
	char *bufs;		/* n_slots * slot_cap bytes */
	struct text_slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a slot was filled or written, or cancel */
	size_t next_task;	/* the next task a formatting thread takes */
	size_t written;		/* tasks written so far */
	int cancel;
};

/* Formats task's rows into buf, up to the first row with a non-finite value. */
static void
text_format_task(const struct text_writer *w, size_t task, struct text_slot *slot, char *buf)
{
	size_t lo = task * VECFILE_TEXT_ROWS, hi = lo + VECFILE_TEXT_ROWS, n = 0, i, j;

	if (hi > w->n_words)
		hi = w->n_words;
	slot->bad = SIZE_MAX;
	for (i = lo; i < hi; i++) {
		const float *row = w->vecs + i * w->stride;
		size_t len = strlen(w->words[i]);

		if (!row_is_finite(row, w->dim)) {
			slot->bad = i;
			slot->len = n;
			return;
		}
		memcpy(buf + n, w->words[i], len);
		n += len;
		for (j = 0; j < w->dim; j++) {
			buf[n++] = ' ';
			n += format_float(row[j], buf + n);
		}
		buf[n++] = '\n';
	}
	slot->len = n;
}

static void *
text_format_main(void *arg)
{
	struct text_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->cancel && w->next_task < w->n_tasks) {
		size_t task = w->next_task++, at = task % w->n_slots;
		struct text_slot done;

		while (!w->cancel && task >= w->written + w->n_slots)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->cancel)
			break;
		pthread_mutex_unlock(&w->lock);
		text_format_task(w, task, &done, w->bufs + at * w->slot_cap);
		done.task = task;
		pthread_mutex_lock(&w->lock);
		w->slots[at] = done;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/*
 * Writes the rows of a text file (the header is written) with up to
 * threads formatting threads. Returns KS_OK, or an error in err; the
 * caller aborts the file then.
 */
static int
text_write_rows(FILE *out, const char *path, const char *const *words, const float *vecs,
		size_t n_words, size_t dim, size_t stride, size_t max_word, size_t threads,
		struct ks_err *err)
{
	struct text_writer w;
	pthread_t *tids = NULL;
	size_t line_cap, n_threads = 0, task, i;
	int rc = KS_OK;

	memset(&w, 0, sizeof(w));
	w.words = words;
	w.vecs = vecs;
	w.n_words = n_words;
	w.dim = dim;
	w.stride = stride;
	w.n_tasks = n_words / VECFILE_TEXT_ROWS + (n_words % VECFILE_TEXT_ROWS != 0);
	if (threads > VECFILE_TEXT_MAX_THREADS)
		threads = VECFILE_TEXT_MAX_THREADS;
	if (threads > w.n_tasks)
		threads = w.n_tasks;
	if (threads < 2)
		threads = 0;
	w.n_slots = VECFILE_TEXT_SLOTS * (threads > 0 ? threads : 1);
	/* A word, then per value a space and at most 15 bytes ("-1.23456789e-38"), then '\n'. */
	if (ks_mul_size(dim, 16, &line_cap) != 0 || line_cap > SIZE_MAX - max_word - 1 ||
	    ks_mul_size(line_cap + max_word + 1, VECFILE_TEXT_ROWS, &w.slot_cap) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "%s: line too long", path);
	w.bufs = ks_malloc_array(w.n_slots, w.slot_cap);
	w.slots = ks_malloc_array(w.n_slots, sizeof(*w.slots));
	if (threads > 0)
		tids = ks_malloc_array(threads, sizeof(*tids));
	if (w.bufs == NULL || w.slots == NULL || (threads > 0 && tids == NULL)) {
		free(w.bufs);
		free(w.slots);
		free(tids);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	for (i = 0; i < w.n_slots; i++)
		w.slots[i].task = SIZE_MAX;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	/* The threads take tasks as they come, so fewer than asked (even none) still work. */
	for (; n_threads < threads; n_threads++)
		if (pthread_create(&tids[n_threads], NULL, text_format_main, &w) != 0)
			break;
	for (task = 0; task < w.n_tasks; task++) {
		size_t at = task % w.n_slots;
		struct text_slot *slot = &w.slots[at];
		char *buf = w.bufs + at * w.slot_cap;

		if (n_threads == 0) {
			text_format_task(&w, task, slot, buf);
		} else {
			pthread_mutex_lock(&w.lock);
			while (slot->task != task)
				pthread_cond_wait(&w.cond, &w.lock);
			pthread_mutex_unlock(&w.lock);
		}
		if (slot->bad != SIZE_MAX) {
			rc = bad_row_error(err, path, words, slot->bad);
			break;
		}
		if (fwrite(buf, 1, slot->len, out) != slot->len) {
			rc = ks_err_errno(err, KS_ERR_WRITE, errno ? errno : EIO, "%s: cannot write",
					  path);
			break;
		}
		pthread_mutex_lock(&w.lock);
		w.written++;
		pthread_cond_broadcast(&w.cond);
		pthread_mutex_unlock(&w.lock);
	}
	pthread_mutex_lock(&w.lock);
	w.cancel = 1;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	for (i = 0; i < n_threads; i++)
		pthread_join(tids[i], NULL);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	free(w.bufs);
	free(w.slots);
	free(tids);
	return rc;
}

static int vecfile_write(struct ks_outfile **pending, const char *path,
			 enum ks_vecfile_format format, int header, const char *const *words,
			 const float *vecs, size_t n_words, size_t dim, size_t stride,
			 size_t threads, struct ks_err *err);

int
ks_vecfile_write_pending(struct ks_outfile **pending, const char *path,
			 enum ks_vecfile_format format, const char *const *words,
			 const float *vecs, size_t n_words, size_t dim, size_t stride,
			 size_t threads, struct ks_err *err)
{
	return vecfile_write(pending, path, format, 1, words, vecs, n_words, dim, stride, threads,
			     err);
}

int
ks_vecfile_write_opts(const char *path, const struct ks_vecfile_write_opts *opts,
		      const char *const *words, const float *vecs, size_t n_words, size_t dim,
		      struct ks_err *err)
{
	static const struct ks_vecfile_write_opts defaults = { KS_VECFILE_TEXT, 0, 1 };

	if (opts == NULL)
		opts = &defaults;
	if (opts->no_header && opts->format != KS_VECFILE_TEXT)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: a binary vector file needs its header",
				  path);
	return vecfile_write(NULL, path, opts->format, !opts->no_header, words, vecs, n_words, dim,
			     dim, opts->threads, err);
}

/* The writer behind the public ones; header == 0 leaves out the `V D` line (text only). */
static int
vecfile_write(struct ks_outfile **pending, const char *path, enum ks_vecfile_format format,
	      int header, const char *const *words, const float *vecs, size_t n_words, size_t dim,
	      size_t stride, size_t threads, struct ks_err *err)
{
	struct ks_outfile *f = NULL;
	size_t i, j, max_word = 0;
	float *swapped = NULL;
	int big = !ks_host_is_le(), rc;
	FILE *out;

	if (dim == 0 || stride < dim)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: cannot write vectors of dimension %zu "
				  "from rows %zu floats apart", path, dim, stride);
	for (i = 0; i < n_words; i++) {
		size_t len = strlen(words[i]);

		if (len == 0)
			return ks_err_set(err, KS_ERR_FORMAT, "%s: word %zu is empty", path, i + 1);
		for (j = 0; j < len; j++)
			if (is_space((unsigned char)words[i][j]))
				return ks_err_set(err, KS_ERR_FORMAT,
						  "%s: word %zu ('%.*s') contains white space", path,
						  i + 1, disp_len(words[i], len), words[i]);
		if (len > max_word)
			max_word = len;
	}
	if (format != KS_VECFILE_TEXT && big && (swapped = ks_malloc_array(dim, sizeof(float))) == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	rc = ks_outfile_open(&f, path, err);
	if (rc != KS_OK)
		goto done;
	out = ks_outfile_stream(f);
	if (header && fprintf(out, "%zu %zu\n", n_words, dim) < 0)
		goto write_failed;
	if (format == KS_VECFILE_TEXT) {
		rc = text_write_rows(out, path, words, vecs, n_words, dim, stride, max_word, threads,
				     err);
		if (rc != KS_OK) {
			ks_outfile_abort(f);
			goto done;
		}
	} else {
		for (i = 0; i < n_words; i++) {
			const float *row = vecs + i * stride;
			size_t len = strlen(words[i]);

			if (!row_is_finite(row, dim)) {
				ks_outfile_abort(f);
				rc = bad_row_error(err, path, words, i);
				goto done;
			}
			if (big) {
				memcpy(swapped, row, dim * sizeof(float));
				ks_swap_floats(swapped, dim);
				row = swapped;
			}
			if (fwrite(words[i], 1, len, out) != len || putc(' ', out) == EOF ||
			    fwrite(row, sizeof(float), dim, out) != dim || putc('\n', out) == EOF)
				goto write_failed;
		}
	}
	if (pending != NULL) {
		*pending = f;
		rc = KS_OK;
	} else {
		rc = ks_outfile_commit(f, err);
	}
	goto done;
write_failed:
	rc = ks_err_errno(err, KS_ERR_WRITE, errno ? errno : EIO, "%s: cannot write", path);
	ks_outfile_abort(f);
done:
	free(swapped);
	return rc;
}

/* ---- reading ---- */

/* The longest text line the reader buffers. */
#define VECFILE_MAX_LINE ((size_t)256 << 20)
#define VECFILE_CHUNK ((size_t)1 << 20)

struct vreader {
	gzFile gz;
	const char *path;
	char *buf;		/* window; buf[end] is always '\0' */
	size_t cap;		/* bytes allocated, including the sentinel */
	size_t pos, end;
	int eof;
	struct ks_err *err;
};

static int
vr_error(struct vreader *r)
{
	int errnum;
	const char *msg = gzerror(r->gz, &errnum);

	if (errnum == Z_ERRNO)
		return ks_err_errno(r->err, KS_ERR_READ, errno ? errno : EIO, "%s: read error", r->path);
	if (errnum == Z_MEM_ERROR)
		return ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
	return ks_err_set(r->err, KS_ERR_FORMAT, "%s: corrupt gzip data: %s", r->path,
			  msg != NULL ? msg : "unknown error");
}

/*
 * Makes at least need bytes available from pos (fewer only at the end of
 * the file). Returns 0 or a negative status.
 */
static int
vr_fill(struct vreader *r, size_t need)
{
	while (!r->eof && r->end - r->pos < need) {
		size_t room;
		int got;

		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->end -= r->pos;
			r->pos = 0;
		}
		if (r->cap - 1 - r->end < VECFILE_CHUNK / 2 || r->cap - 1 < need) {
			size_t want = r->cap * 2;
			char *nb;

			if (want < need + VECFILE_CHUNK)
				want = need + VECFILE_CHUNK;
			nb = realloc(r->buf, want);
			if (nb == NULL)
				return ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory", r->path);
			r->buf = nb;
			r->cap = want;
		}
		room = r->cap - 1 - r->end;
		if (room > (size_t)1 << 30)
			room = (size_t)1 << 30;
		got = gzread(r->gz, r->buf + r->end, (unsigned)room);
		if (got < 0) {
			r->buf[r->end] = '\0';
			return vr_error(r);
		}
		if (got == 0) {
			int errnum;

			/* A truncated gzip member reads as an early end: zlib notes it. */
			(void)gzerror(r->gz, &errnum);
			if (errnum != Z_OK) {
				r->buf[r->end] = '\0';
				return vr_error(r);
			}
			r->eof = 1;
		}
		r->end += (size_t)got;
		r->buf[r->end] = '\0';
	}
	return 0;
}

/*
 * Finds the next line from pos: *len excludes the newline (and a CR before
 * it). Returns 1 with a line, 0 at the end of the file, or a status.
 */
static int
vr_line(struct vreader *r, const char **line, size_t *len, size_t *consumed)
{
	size_t scanned = 0;
	const char *nl;
	int rc;

	for (;;) {
		nl = memchr(r->buf + r->pos + scanned, '\n', r->end - r->pos - scanned);
		if (nl != NULL || r->eof)
			break;
		scanned = r->end - r->pos;
		if (scanned >= VECFILE_MAX_LINE)
			return ks_err_set(r->err, KS_ERR_LIMIT, "%s: a line is longer than %zu MiB",
					  r->path, VECFILE_MAX_LINE >> 20);
		rc = vr_fill(r, scanned + VECFILE_CHUNK);
		if (rc < 0)
			return rc;
	}
	if (nl == NULL && r->pos == r->end)
		return 0;
	*line = r->buf + r->pos;
	*len = nl != NULL ? (size_t)(nl - *line) : r->end - r->pos;
	*consumed = *len + (nl != NULL);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parses "V D" (two unsigned decimal numbers and nothing else). */
static int
parse_header(const char *s, size_t len, size_t *v, size_t *d)
{
	size_t i = 0, k;
	size_t vals[2];

	for (k = 0; k < 2; k++) {
		size_t x = 0;
		int any = 0;

		while (i < len && is_blank(s[i]))
			i++;
		for (; i < len && is_digit(s[i]); i++) {
			if (x > (SIZE_MAX - 9) / 10)
				return 0;
			x = x * 10 + (size_t)(s[i] - '0');
			any = 1;
		}
		if (!any || (i < len && !is_blank(s[i])))
			return 0;
		vals[k] = x;
	}
	while (i < len && is_blank(s[i]))
		i++;
	if (i != len)
		return 0;
	*v = vals[0];
	*d = vals[1];
	return 1;
}

/* Whether c can occur in a line of decimal numbers (or of NaN/inf). */
static int
is_texty(unsigned char c)
{
	static const char set[] = " \t\r+-.eEnNaAiIfFtTyY";

	return is_digit((char)c) || (c != 0 && strchr(set, c) != NULL);
}

/*
 * Whether s[0 .. len) could be part of a line of a text file: printable
 * ASCII, blanks, and well-formed UTF-8 sequences (no overlong forms, no
 * surrogates, nothing past U+10FFFF). With partial_ok a sequence cut by
 * the end of s counts as well-formed. The bytes of float32 values almost
 * always fail this: small values have control bytes or lone UTF-8
 * continuation bytes (the sign bit makes 0xbc..0xbf).
 */
static int
line_is_printable(const char *s, size_t len, int partial_ok)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n, k;
		unsigned char lo = 0x80, hi = 0xbf;

		if ((c >= 0x20 && c < 0x7f) || is_blank((char)c)) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (k = 1; k <= n; k++) {
			unsigned char t;

			if (i + k == len)
				return partial_ok;
			t = (unsigned char)s[i + k];
			if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xbf))
				return 0;
		}
		i += n + 1;
	}
	return 1;
}

/* Counts the white-space separated fields of s[0 .. len). */
static size_t
count_fields(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		n++;
		while (i < len && !is_blank(s[i]))
			i++;
	}
	return n;
}

static int
token_is_nonfinite(const char *s, size_t len)
{
	static const char *const names[] = { "nan", "inf", "infinity" };
	size_t k, i;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		s++;
		len--;
	}
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (strlen(names[k]) != len)
			continue;
		for (i = 0; i < len; i++)
			if ((s[i] | 0x20) != names[k][i])
				break;
		if (i == len)
			return 1;
	}
	return 0;
}

struct vparse {
	struct vreader *r;
	struct ks_vecset *vs;
	const struct ks_vecfile_read_opts *opts;
	struct ks_vecfile_info *info;
	size_t header_words;	/* from the header, or SIZE_MAX without one */
};

/* Records a new row whose vector is in place; handles duplicates. */
static int
vp_commit(struct vparse *p, const char *word, size_t wlen, const char *what, size_t at)
{
	size_t row;
	int rc = vecset_commit_row(p->vs, word, wlen, &row);

	if (rc < 0)
		return ks_err_set(p->r->err, KS_ERR_NOMEM, "%s: out of memory", p->r->path);
	p->info->records++;
	if (rc == 0) {
		if (p->opts->reject_duplicates)
			return ks_err_set(p->r->err, KS_ERR_FORMAT,
					  "%s: %s %zu: the word '%.*s' repeats vector %zu", p->r->path,
					  what, at, disp_len(word, wlen), word, row + 1);
		if (p->info->duplicates++ == 0) {
			p->info->first_duplicate_row = row;
			p->info->first_duplicate_at = at;
		}
	}
	return 0;
}

/*
 * Parses the values of a text line after the word into row. Returns 0 or
 * KS_ERR_FORMAT naming the line.
 */
static int
parse_text_values(struct vparse *p, const char *s, size_t len, size_t line_no, float *row,
		  const char *word, size_t wlen, int header_dim)
{
	size_t dim = p->vs->dim, i = 0, k;
	const char *path = p->r->path;

	for (k = 0; k < dim; k++) {
		size_t used, tlen;

		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			return ks_err_set(p->r->err, KS_ERR_FORMAT,
					  "%s: line %zu: '%.*s' has %zu values, expected %zu (%s)",
					  path, line_no, disp_len(word, wlen), word, k, dim,
					  header_dim ? "the header's dimension" : "as on the first line");
		used = ks_vecfile_parse_float(s + i, len - i, row + k);
		tlen = used;
		if (used == 0 || (i + used < len && !is_blank(s[i + used]))) {
			while (i + tlen < len && !is_blank(s[i + tlen]))
				tlen++;
			if (token_is_nonfinite(s + i, tlen))
				return ks_err_set(p->r->err, KS_ERR_FORMAT,
						  "%s: line %zu: value %zu of '%.*s' is not finite (%.*s)",
						  path, line_no, k + 1, disp_len(word, wlen), word,
						  disp_len(s + i, tlen), s + i);
			return ks_err_set(p->r->err, KS_ERR_FORMAT,
					  "%s: line %zu: value %zu of '%.*s' is not a number: '%.*s'",
					  path, line_no, k + 1, disp_len(word, wlen), word,
					  disp_len(s + i, tlen), s + i);
		}
		if (!isfinite(row[k]))
			return ks_err_set(p->r->err, KS_ERR_FORMAT,
					  "%s: line %zu: value %zu of '%.*s' is beyond the float range: '%.*s'",
					  path, line_no, k + 1, disp_len(word, wlen), word,
					  disp_len(s + i, used), s + i);
		i += used;
	}
	while (i < len && is_blank(s[i]))
		i++;
	if (i != len)
		return ks_err_set(p->r->err, KS_ERR_FORMAT,
				  "%s: line %zu: '%.*s' has %zu values, expected %zu (%s)", path, line_no,
				  disp_len(word, wlen), word, dim + count_fields(s + i, len - i), dim,
				  header_dim ? "the header's dimension" : "as on the first line");
	return 0;
}

/* Splits off the word of a text line: returns its length, sets *rest. */
static size_t
text_word(const char *line, size_t len, const char **word, size_t *skip)
{
	size_t i = 0, w;

	while (i < len && is_blank(line[i]))
		i++;
	w = i;
	while (i < len && !is_blank(line[i]))
		i++;
	*word = line + w;
	*skip = i;
	return i - w;
}

static int
read_text(struct vparse *p, size_t line_no, int header_dim)
{
	struct vreader *r = p->r;
	size_t max = p->opts->max_words ? p->opts->max_words : SIZE_MAX;
	int rc;

	for (;;) {
		const char *line, *word;
		size_t len, consumed, wlen, skip;
		float *row;

		rc = vr_line(r, &line, &len, &consumed);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		line_no++;
		wlen = text_word(line, len, &word, &skip);
		if (wlen == 0) {
			r->pos += consumed;
			continue;
		}
		if (p->info->records >= max)
			break;
		if (p->info->records >= p->header_words)
			return ks_err_set(r->err, KS_ERR_FORMAT,
					  "%s: line %zu: more vectors than the %zu of the header", r->path,
					  line_no, p->header_words);
		if (memchr(line, '\0', len) != NULL)
			return ks_err_set(r->err, KS_ERR_FORMAT, "%s: line %zu: NUL byte", r->path, line_no);
		if (vecset_reserve_one(p->vs) != 0)
			return ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory after %zu vectors",
					  r->path, p->vs->n_words);
		row = p->vs->vecs + p->vs->n_words * p->vs->dim;
		rc = parse_text_values(p, line + skip, len - skip, line_no, row, word, wlen, header_dim);
		if (rc < 0)
			return rc;
		rc = vp_commit(p, word, wlen, "line", line_no);
		if (rc < 0)
			return rc;
		r->pos += consumed;
	}
	if (p->header_words != SIZE_MAX && p->info->records < p->header_words &&
	    p->info->records < max)
		return ks_err_set(r->err, KS_ERR_FORMAT,
				  "%s: the header announces %zu vectors but the file has %zu",
				  r->path, p->header_words, p->info->records);
	return 0;
}

static int
read_binary(struct vparse *p)
{
	struct vreader *r = p->r;
	size_t dim = p->vs->dim, vbytes = dim * sizeof(float), rec = 0;
	size_t want = p->header_words;
	int big = !ks_host_is_le(), rc;

	if (p->opts->max_words && p->opts->max_words < want)
		want = p->opts->max_words;
	while (rec < want) {
		size_t wlen = 0, k;
		const char *word;
		float *row;

		rec++;
		for (;;) {
			if (r->pos == r->end && (rc = vr_fill(r, 1)) < 0)
				return rc;
			if (r->pos == r->end || r->buf[r->pos] != '\n')
				break;
			r->pos++;
		}
		if (r->pos == r->end)
			return ks_err_set(r->err, KS_ERR_FORMAT,
					  "%s: the header announces %zu vectors but the file has %zu",
					  r->path, p->header_words, rec - 1);
		for (;;) {
			const char *sp;

			sp = memchr(r->buf + r->pos + wlen, ' ', r->end - r->pos - wlen);
			if (sp != NULL) {
				wlen = (size_t)(sp - (r->buf + r->pos));
				break;
			}
			wlen = r->end - r->pos;
			if (r->eof)
				return ks_err_set(r->err, KS_ERR_FORMAT,
						  "%s: record %zu: truncated in its word", r->path, rec);
			if (wlen > KS_VECFILE_MAX_WORD_BYTES)
				break;
			if ((rc = vr_fill(r, wlen + 4096)) < 0)
				return rc;
		}
		if (wlen > KS_VECFILE_MAX_WORD_BYTES)
			return ks_err_set(r->err, KS_ERR_FORMAT,
					  "%s: record %zu: no space within %d bytes; not a word2vec binary file",
					  r->path, rec, KS_VECFILE_MAX_WORD_BYTES);
		if (wlen == 0)
			return ks_err_set(r->err, KS_ERR_FORMAT, "%s: record %zu: empty word", r->path, rec);
		if ((rc = vr_fill(r, wlen + 1 + vbytes)) < 0)
			return rc;
		word = r->buf + r->pos;
		if (memchr(word, '\0', wlen) != NULL)
			return ks_err_set(r->err, KS_ERR_FORMAT, "%s: record %zu: NUL byte in the word",
					  r->path, rec);
		if (r->end - r->pos < wlen + 1 + vbytes)
			return ks_err_set(r->err, KS_ERR_FORMAT,
					  "%s: record %zu ('%.*s'): truncated: %zu of its %zu vector bytes",
					  r->path, rec, disp_len(word, wlen), word,
					  r->end - r->pos - wlen - 1, vbytes);
		if (vecset_reserve_one(p->vs) != 0)
			return ks_err_set(r->err, KS_ERR_NOMEM, "%s: out of memory after %zu vectors",
					  r->path, p->vs->n_words);
		row = p->vs->vecs + p->vs->n_words * dim;
		memcpy(row, word + wlen + 1, vbytes);
		if (big)
			ks_swap_floats(row, dim);
		for (k = 0; k < dim; k++)
			if (!isfinite(row[k]))
				return ks_err_set(r->err, KS_ERR_FORMAT,
						  "%s: record %zu: value %zu of '%.*s' is not finite",
						  r->path, rec, k + 1, disp_len(word, wlen), word);
		rc = vp_commit(p, word, wlen, "record", rec);
		if (rc < 0)
			return rc;
		r->pos += wlen + 1 + vbytes;
	}
	if (want < p->header_words)
		return 0;
	/* Only white space may follow the last record. */
	for (;;) {
		if (r->pos == r->end && (rc = vr_fill(r, 1)) < 0)
			return rc;
		if (r->pos == r->end)
			return 0;
		if (!is_space((unsigned char)r->buf[r->pos]))
			return ks_err_set(r->err, KS_ERR_FORMAT,
					  "%s: data after record %zu, the last the header announces",
					  r->path, rec);
		r->pos++;
	}
}

/*
 * Whether s[0 .. len) holds exactly dim finite decimal numbers between
 * blanks, as parse_text_values would accept them.
 */
static int
values_parse(const char *s, size_t len, size_t dim)
{
	size_t i = 0, k, used;
	float v;

	for (k = 0; k < dim; k++) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			return 0;
		used = ks_vecfile_parse_float(s + i, len - i, &v);
		if (used == 0 || !isfinite(v) || (i + used < len && !is_blank(s[i + used])))
			return 0;
		i += used;
	}
	while (i < len && is_blank(s[i]))
		i++;
	return i == len;
}

/* How far the detector may read ahead of the first record. */
#define DETECT_LOOKAHEAD (1u << 20)
#define WALK_MORE 2

/*
 * Whether records 2 .. records of s[0 .. avail) fit one reading: as text
 * lines of a word and dim numbers, or as binary records of a word, a
 * space, 4 * dim bytes and a newline (or the end of the data), and then
 * only white space. Returns 1 or 0, or WALK_MORE when every record so far
 * fits but the data read (!eof) ends before the answer; data that ends
 * before the header's count does not fit.
 */
static int
walk_fits(const char *s, size_t avail, int eof, size_t dim, size_t records, int binary)
{
	size_t vbytes = dim * sizeof(float), o = 0, n = 1;

	while (n < records) {
		const char *nl, *sp, *word;
		size_t len, end, wlen, skip;

		while (o < avail && s[o] == '\n')
			o++;
		if (o == avail)
			return eof ? 0 : WALK_MORE;
		nl = memchr(s + o, '\n', avail - o);
		if (binary) {
			sp = memchr(s + o, ' ', avail - o);
			if (sp == NULL)
				return eof ? 0 : WALK_MORE;
			if (sp == s + o || (nl != NULL && nl < sp))
				return 0;
			end = (size_t)(sp - s) + 1 + vbytes;
			if (end > avail)
				return eof ? 0 : WALK_MORE;
			if (end < avail && s[end] != '\n')
				return 0;
			o = end;
			n++;
			continue;
		}
		if (nl == NULL && !eof)
			return WALK_MORE;
		len = nl != NULL ? (size_t)(nl - (s + o)) : avail - o;
		if (memchr(s + o, '\0', len) != NULL)
			return 0;
		wlen = text_word(s + o, len, &word, &skip);
		if (wlen > 0) {
			if (!values_parse(s + o + skip, len - skip, dim))
				return 0;
			n++;
		}
		o = nl != NULL ? (size_t)(nl - s) + 1 : avail;
	}
	/* Both readers refuse anything but white space after the last record. */
	for (; o < avail; o++)
		if (!is_space((unsigned char)s[o]))
			return 0;
	return eof ? 1 : WALK_MORE;
}

/*
 * Decides between text and binary from the first record after a header of
 * dimension dim announcing records vectors (see the comment at the top of
 * the file).
 */
static int
detect_binary(struct vreader *r, size_t dim, size_t records, int *binary)
{
	size_t vbytes = dim * sizeof(float), o = 0, wlen, avail, i, fields, ahead;
	const char *s, *sp, *nl;
	int rc, texty = 1, bin_nl, numbers, binary_fits;

	/* Leading newlines are skipped by both parsers; the first record follows. */
	for (;;) {
		rc = vr_fill(r, o + (1 << 16));
		if (rc < 0)
			return rc;
		while (r->pos + o < r->end && r->buf[r->pos + o] == '\n')
			o++;
		if (r->pos + o < r->end || r->eof)
			break;
	}
	s = r->buf + r->pos + o;
	avail = r->end - r->pos - o;
	sp = memchr(s, ' ', avail);
	nl = memchr(s, '\n', avail);
	if (sp == NULL || (nl != NULL && nl < sp)) {
		/* No space before the newline: a text line with tabs, or garbage. */
		*binary = 0;
		return 0;
	}
	wlen = (size_t)(sp - s);
	rc = vr_fill(r, o + wlen + 2 + vbytes);
	if (rc < 0)
		return rc;
	s = r->buf + r->pos + o;
	avail = r->end - r->pos - o;
	bin_nl = avail == wlen + 1 + vbytes || (avail > wlen + 1 + vbytes && s[wlen + 1 + vbytes] == '\n');
	for (i = wlen + 1; i < avail && s[i] != '\n'; i++)
		if (!is_texty((unsigned char)s[i]))
			texty = 0;
	if (i == avail && !r->eof && line_is_printable(s + wlen + 1, i - wlen - 1, 1)) {
		/* A text line longer than the look-ahead: only text can be that. */
		*binary = 0;
		return 0;
	}
	fields = texty ? count_fields(s + wlen + 1, i - wlen - 1) : 0;
	numbers = texty && fields == dim && values_parse(s + wlen + 1, i - wlen - 1, dim);
	if (numbers && bin_nl) {
		/*
		 * Both readings fit: the record's float bytes spell decimal
		 * numbers (and the writer's newline follows them). The records
		 * after it decide, each reading walking on from where its own
		 * first record ends: binary only when text does not fit them
		 * and binary does.
		 */
		size_t text_next = o + i + (i < avail), bin_next = o + wlen + 1 + vbytes;
		int text_fits;

		for (ahead = 4096;;) {
			rc = vr_fill(r, bin_next + ahead);
			if (rc < 0)
				return rc;
			avail = r->end - r->pos;
			text_fits = walk_fits(r->buf + r->pos + text_next, avail - text_next, r->eof,
					      dim, records, 0);
			binary_fits = walk_fits(r->buf + r->pos + bin_next, avail - bin_next, r->eof,
						dim, records, 1);
			if ((text_fits != WALK_MORE && binary_fits != WALK_MORE) ||
			    ahead >= DETECT_LOOKAHEAD)
				break;
			ahead *= 16;
		}
		/* At the look-ahead's end, "fits so far" counts as fitting. */
		*binary = !text_fits && binary_fits;
		return 0;
	}
	if (numbers) {
		*binary = 0;
		return 0;
	}
	if (!line_is_printable(s + wlen + 1, i - wlen - 1, 0)) {
		/* Control bytes or broken UTF-8: no text file looks like that. */
		*binary = 1;
		return 0;
	}
	if (!bin_nl) {
		/*
		 * A text line with a typo in a value keeps D fields (or has
		 * only number characters and a wrong count): the text reader
		 * names it. Otherwise this is the printable start of a gensim
		 * record (no newline) cut by a float byte 0x0a.
		 */
		*binary = !texty && count_fields(s + wlen + 1, i - wlen - 1) != dim;
		return 0;
	}
	/*
	 * A line of text ends exactly where a binary record would: binary
	 * when the records after it fit the binary reading, so that a binary
	 * file whose first float bytes are printable still loads.
	 */
	for (ahead = 4096;; ahead *= 16) {
		size_t bin_next = o + wlen + 1 + vbytes;

		rc = vr_fill(r, bin_next + ahead);
		if (rc < 0)
			return rc;
		avail = r->end - r->pos;
		binary_fits = walk_fits(r->buf + r->pos + bin_next, avail - bin_next, r->eof, dim,
					records, 1);
		if (binary_fits != WALK_MORE || ahead >= DETECT_LOOKAHEAD)
			break;
	}
	*binary = binary_fits != 0;
	return 0;
}

int
ks_vecfile_read_opts(struct ks_vecset **out, const char *path,
		     const struct ks_vecfile_read_opts *opts, struct ks_vecfile_info *info,
		     struct ks_err *err)
{
	static const struct ks_vecfile_read_opts defaults;
	struct ks_vecfile_info local_info;
	struct vreader r;
	struct vparse p;
	struct stat st;
	const char *line;
	size_t len, consumed, v = 0, d = 0, line_no = 0;
	int rc, fd, binary = 0;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	if (info == NULL)
		info = &local_info;
	memset(info, 0, sizeof(*info));
	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	r.path = path;
	r.err = err;
	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		if (fd < 0)
			return ks_err_errno(err, KS_ERR_OPEN, errno, "%s: cannot read standard input", path);
	} else {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", path);
		}
	}
	r.gz = gzdopen(fd, "rb");
	if (r.gz == NULL) {
		close(fd);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	gzbuffer(r.gz, 1 << 17);
	r.cap = VECFILE_CHUNK + 1;
	r.buf = malloc(r.cap);
	if (r.buf == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
		goto done;
	}
	r.buf[0] = '\0';
	/* A UTF-8 byte-order mark (editors on Windows write one) is not data. */
	rc = vr_fill(&r, 3);
	if (rc < 0)
		goto done;
	if (r.end >= 3 && memcmp(r.buf, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;
	p.r = &r;
	p.opts = opts;
	p.info = info;
	p.header_words = SIZE_MAX;

	/* The first non-blank line: a header, or the first vector. */
	for (;;) {
		rc = vr_line(&r, &line, &len, &consumed);
		if (rc < 0)
			goto done;
		if (rc == 0) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "%s: empty file, no vectors", path);
			goto done;
		}
		line_no++;
		if (count_fields(line, len) > 0)
			break;
		r.pos += consumed;
	}
	info->gzip = !gzdirect(r.gz);
	if (parse_header(line, len, &v, &d)) {
		info->header = 1;
		if (d == 0 || d > KS_VECFILE_MAX_DIM) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "%s: line 1: dimension %zu in the header is not in 1..%d",
					path, d, KS_VECFILE_MAX_DIM);
			goto done;
		}
		if (v > KS_VECFILE_MAX_WORDS) {
			rc = ks_err_set(err, KS_ERR_LIMIT, "%s: line 1: the header announces %zu vectors, more than %zu",
					path, v, KS_VECFILE_MAX_WORDS);
			goto done;
		}
		r.pos += consumed;
		p.header_words = v;
		if (opts->format != KS_VECFILE_READ_AUTO) {
			binary = opts->format == KS_VECFILE_READ_BINARY;
		} else if (v > 0) {
			rc = detect_binary(&r, d, v, &binary);
			if (rc < 0)
				goto done;
		}
	} else if (opts->format == KS_VECFILE_READ_BINARY) {
		rc = ks_err_set(err, KS_ERR_FORMAT, "%s: line %zu: no `V D` header, which a binary file starts with",
				path, line_no);
		goto done;
	} else {
		const char *word;
		size_t skip, wlen = text_word(line, len, &word, &skip);

		d = count_fields(line + skip, len - skip);
		if (d == 0) {
			rc = ks_err_set(err, KS_ERR_FORMAT,
					"%s: line %zu: '%.*s' has no values (neither a `V D` header nor a vector)",
					path, line_no, disp_len(word, wlen), word);
			goto done;
		}
		if (d > KS_VECFILE_MAX_DIM) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "%s: line %zu: %zu values, more than %d",
					path, line_no, d, KS_VECFILE_MAX_DIM);
			goto done;
		}
		line_no--;
	}
	info->format = binary ? KS_VECFILE_BINARY : KS_VECFILE_TEXT;
	rc = ks_vecset_create(&p.vs, d, err);
	if (rc != KS_OK)
		goto done;
	if (v > 0) {
		/*
		 * What the header claims, up to 65,536 rows or 64 MiB (at least
		 * 167 rows, as d <= KS_VECFILE_MAX_DIM): a header can lie.
		 */
		size_t first = v < 65536 ? v : 65536, cap = ((size_t)64 << 20) / (d * sizeof(float));

		if (first > cap)
			first = cap;
		if (opts->max_words && opts->max_words < first)
			first = opts->max_words;
		if (vecset_reserve(p.vs, first) != 0) {
			rc = ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
			goto done;
		}
	}
	if (binary)
		rc = read_binary(&p);
	else
		rc = read_text(&p, line_no, info->header);
	if (rc < 0)
		goto done;
	if (p.vs->n_words < p.vs->cap_words && p.vs->n_words > 0)
		vecset_shrink(p.vs);
	*out = p.vs;
	p.vs = NULL;
	rc = KS_OK;
done:
	ks_vecset_destroy(p.vs);
	gzclose(r.gz);
	free(r.buf);
	return rc;
}

int
ks_vecfile_read(struct ks_vecset **out, const char *path, struct ks_err *err)
{
	return ks_vecfile_read_opts(out, path, NULL, NULL, err);
}
