/*
 * Word vector files in word2vec's formats, written by the trainer and read
 * by kensho-eval (and by gensim, fastText and word2vec.c's tools).
 *
 * text:   a header line `V D`, then V lines `word v1 ... vD`.
 * binary: a header line `V D`, then per word its bytes, one space, D
 *         little-endian float32 values, and a newline.
 *
 * The writer prints text values with "%.9g", the shortest printf format
 * that brings every float32 back bit for bit, so a text file loses nothing
 * against a binary one (it is about 30% larger than with "%.6f" and parses
 * everywhere: gensim splits on single spaces and calls float(), fastText
 * and word2vec.c use >> and fscanf). Text lines have single spaces and no
 * trailing space.
 *
 * The reader accepts both formats, detected from the data rather than the
 * file name, gzip-compressed or not (detected by magic bytes), header-less
 * text (GloVe style), a leading UTF-8 byte-order mark (skipped), CRLF
 * line ends, tabs or runs of spaces between text
 * fields, and binary records with or without the newline after the vector
 * (gensim omits it). It rejects with KS_ERR_FORMAT, naming the file and the
 * line (text) or record (binary): a wrong number of values, a value that is
 * not a number, NaN or infinity (or a value beyond the float range), a
 * truncated binary record, and a header whose count or dimension does not
 * match the data. A word that occurs a second time keeps its first vector
 * (as gensim does); the later rows are dropped and counted in
 * struct ks_vecfile_info, unless the caller asks for them to be rejected.
 */
#ifndef KS_VECFILE_H
#define KS_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#include "outfile.h"
#include "status.h"

enum ks_vecfile_format {
	KS_VECFILE_TEXT = 0,
	KS_VECFILE_BINARY = 1
};

/* The largest dimension and vocabulary the reader accepts. */
#define KS_VECFILE_MAX_DIM 100000
#define KS_VECFILE_MAX_WORDS ((size_t)UINT32_MAX - 1)
/* The longest word in bytes; a longer one means a corrupt file. */
#define KS_VECFILE_MAX_WORD_BYTES 65536

struct ks_vecset_index;

/*
 * n_words vectors of dim floats, row-major, with their words. The set owns
 * everything it points to; the fields below the line are private.
 */
struct ks_vecset {
	size_t n_words;
	size_t dim;
	char **words;		/* n_words NUL-terminated words */
	float *vecs;		/* n_words * dim floats */
	/* private */
	size_t cap_words;	/* rows allocated in words and vecs */
	struct ks_vecset_block *blocks; /* storage of the word bytes */
	struct ks_vecset_index *index;	/* exact word -> row */
};

/*
 * Writes words[i] with row vecs[i * dim ..] for i < n_words to path through
 * an outfile (atomic for regular files, "-" is stdout). The words are
 * borrowed. Every write is checked; on failure (KS_ERR_WRITE, KS_ERR_OPEN)
 * the temporary file is removed and a file already under path is left as
 * it was. Words must be non-empty and free of ASCII whitespace, or the
 * file could not be read back: such a word gives KS_ERR_FORMAT.
 */
int ks_vecfile_write(const char *path, enum ks_vecfile_format format, const char *const *words,
		     const float *vecs, size_t n_words, size_t dim, struct ks_err *err);

/*
 * As ks_vecfile_write, but row i is at vecs[i * stride ..] (stride >= dim:
 * a matrix with padded rows, see ks_row_stride), and a file that was
 * written without error is not put in place: *pending (which must be NULL
 * on entry) then owns it, to be ended by ks_outfile_commit or
 * ks_outfile_abort, so that several files can be written before any of
 * them replaces an older one. Text is formatted by threads threads, at
 * most 8 (0 or 1: the calling thread alone), with the same bytes for any
 * number. pending == NULL, stride == dim and threads == 1 is
 * ks_vecfile_write.
 */
int ks_vecfile_write_pending(struct ks_outfile **pending, const char *path,
			     enum ks_vecfile_format format, const char *const *words,
			     const float *vecs, size_t n_words, size_t dim, size_t stride,
			     size_t threads, struct ks_err *err);

/* How ks_vecfile_write_opts writes. Zero-initialised means text with its header. */
struct ks_vecfile_write_opts {
	enum ks_vecfile_format format;
	int no_header;		/* text only: leave out the `V D` line (GloVe's layout) */
	size_t threads;		/* text formatting threads, as for ks_vecfile_write_pending */
};

/*
 * As ks_vecfile_write, with options (NULL for the defaults): the same bytes
 * for the same format, or, with opts->no_header, a text file without its
 * header line, which the reader still takes for text (the first line then
 * gives the dimension). A binary file cannot do without its header:
 * no_header with KS_VECFILE_BINARY is KS_ERR_INTERNAL, and nothing is
 * written.
 */
int ks_vecfile_write_opts(const char *path, const struct ks_vecfile_write_opts *opts,
			  const char *const *words, const float *vecs, size_t n_words, size_t dim,
			  struct ks_err *err);

/* Which format the reader takes a file for. */
enum ks_vecfile_read_format {
	KS_VECFILE_READ_AUTO = 0,	/* tell it from the data */
	KS_VECFILE_READ_TEXT,		/* text, with or without a header */
	KS_VECFILE_READ_BINARY		/* binary (which always has a header) */
};

/* How to read a file. Zero-initialised means the defaults. */
struct ks_vecfile_read_opts {
	size_t max_words;	/* keep only the first this many vectors; 0 = all */
	int reject_duplicates;	/* a repeated word is KS_ERR_FORMAT, not dropped */
	enum ks_vecfile_read_format format;
};

/* What the reader found. */
struct ks_vecfile_info {
	enum ks_vecfile_format format;
	int gzip;		/* the file was gzip-compressed */
	int header;		/* the file began with a `V D` line */
	size_t records;		/* rows read, duplicates included */
	size_t duplicates;	/* rows dropped because their word came earlier */
	size_t first_duplicate_row; /* the kept row of the first repeated word */
	size_t first_duplicate_at; /* line (text) or record (binary) of its repeat */
};

/*
 * Reads a vector file in either format, detected automatically (also
 * header-less text and gzip-compressed files); "-" is standard input. On
 * success *out owns a new set, freed with ks_vecset_destroy. Malformed files
 * are rejected with KS_ERR_FORMAT and a message naming the file and the
 * line or record. Equivalent to ks_vecfile_read_opts with default options.
 */
int ks_vecfile_read(struct ks_vecset **out, const char *path, struct ks_err *err);

/*
 * As ks_vecfile_read, with options (NULL for the defaults) and, if info is
 * not NULL, a report of what was found. With opts->max_words the rest of
 * the file is not read, so problems past that point go unnoticed.
 */
int ks_vecfile_read_opts(struct ks_vecset **out, const char *path,
			 const struct ks_vecfile_read_opts *opts, struct ks_vecfile_info *info,
			 struct ks_err *err);

/* Creates an empty set of dim-dimensional vectors (dim >= 1). */
int ks_vecset_create(struct ks_vecset **out, size_t dim, struct ks_err *err);

/*
 * Appends a copy of word (len bytes, no NUL inside) with a copy of vec (dim
 * floats). If the set already holds the word nothing is added and *row
 * (when row is not NULL) receives the existing row with KS_OK; check
 * n_words to tell the cases apart.
 */
int ks_vecset_add(struct ks_vecset *vs, const char *word, size_t len, const float *vec,
		  size_t *row, struct ks_err *err);

/* The row holding exactly these bytes, or -1. */
long ks_vecset_find(const struct ks_vecset *vs, const char *word, size_t len);

/* Frees a set and its words. Accepts NULL. */
void ks_vecset_destroy(struct ks_vecset *vs);

/*
 * Parses a decimal floating-point number (optional sign, digits with an
 * optional point, optional exponent; no hex, no NaN or infinity, no
 * leading space) from s[0 .. len). Returns the number of bytes used (0 if
 * none form a number) and stores the value rounded to nearest in *value,
 * as strtof would. A value beyond the float range becomes an infinity.
 * Exposed for the tests that compare it with strtof.
 */
size_t ks_vecfile_parse_float(const char *s, size_t len, float *value);

#endif
