/*
 * Word vector files in word2vec's formats, written by the trainer and read
 * by kensho-eval (and by gensim, fastText and word2vec.c's tools).
 *
 * text:   a header line `V D`, then V lines `word v1 ... vD`.
 * binary: a header line `V D`, then per word its bytes, one space, D
 *         little-endian float32 values, and a newline.
 */
#ifndef KS_VECFILE_H
#define KS_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum ks_vecfile_format {
	KS_VECFILE_TEXT = 0,
	KS_VECFILE_BINARY = 1
};

/* n_words vectors of dim floats, row-major, with their words. */
struct ks_vecset {
	size_t n_words;
	size_t dim;
	char **words;		/* n_words NUL-terminated words */
	float *vecs;		/* n_words * dim floats */
};

/*
 * Writes words[i] with row vecs[i * dim ..] for i < n_words to path through
 * an outfile (atomic for regular files, "-" is stdout). The words are
 * borrowed. Every write is checked.
 */
int ks_vecfile_write(const char *path, enum ks_vecfile_format format, const char *const *words,
		     const float *vecs, size_t n_words, size_t dim, struct ks_err *err);

/*
 * Reads a vector file in either format, detected automatically (also
 * header-less text and gzip-compressed files). On success *out owns a new
 * set, freed with ks_vecset_destroy. Malformed files are rejected with
 * KS_ERR_FORMAT and a message naming the file and the line or record.
 */
int ks_vecfile_read(struct ks_vecset **out, const char *path, struct ks_err *err);

/* Frees a set and its words. Accepts NULL. */
void ks_vecset_destroy(struct ks_vecset *vs);

#endif
