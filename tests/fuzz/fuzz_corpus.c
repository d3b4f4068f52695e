/*
 * Fuzzes the corpus reader and tokenizer (src/corpus.c), plain and gzip.
 *
 * The first input byte chooses how the rest (the payload) reaches the
 * reader: bits 0-1 select the plain bytes, one gzip member, two gzip
 * members (multi-member file) or a gzip member followed by the payload again
 * as trailing garbage; bit 2 opens the file twice as two inputs; bit 3
 * rewinds and reads everything again, which must give the same tokens.
 * Raw gzip seeds (mode 0 with a gzip payload) reach the corrupt-gzip paths.
 *
 * Checked: every word is 1..KS_MAX_WORD_BYTES bytes of non-whitespace, no
 * two ends of sentence in a row, the statistics agree with the tokens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads c to its end; returns the status and sums a digest of the tokens. */
static int
read_all(struct ks_corpus *c, uint64_t *words, uint64_t *sentences, uint64_t *digest)
{
	struct ks_token tok;
	struct ks_err err;
	int rc, prev = KS_TOK_EOS;

	*words = *sentences = *digest = 0;
	for (;;) {
		rc = ks_corpus_next(c, &tok, &err);
		if (rc == KS_TOK_WORD) {
			size_t i;

			if (tok.len == 0 || tok.len > KS_MAX_WORD_BYTES)
				fuzz_fail("word length out of range");
			for (i = 0; i < tok.len; i++) {
				if (is_space((unsigned char)tok.bytes[i]))
					fuzz_fail("whitespace inside a word");
				*digest = *digest * 31 + (unsigned char)tok.bytes[i];
			}
			*digest = *digest * 131 + tok.len;
			(*words)++;
		} else if (rc == KS_TOK_EOS) {
			if (prev == KS_TOK_EOS)
				fuzz_fail("empty sentence reported");
			(*sentences)++;
			*digest = *digest * 7 + 1;
		} else {
			break;
		}
		prev = rc;
	}
	/* Both ends are sticky. */
	if (ks_corpus_next(c, &tok, &err) != rc)
		fuzz_fail("end of input or error not sticky");
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *payload = data + 1;
	size_t n = size - 1, half;
	uint8_t mode, *buf = NULL;
	size_t len = 0;
	const char *paths[2];
	struct ks_corpus *c;
	struct ks_corpus_stats st;
	struct ks_err err;
	uint64_t words, sentences, digest, words2, sentences2, digest2;
	int rc, rc2;

	if (size < 1)
		return 0;
	mode = data[0];
	switch (mode & 3) {
	case 0:
		fuzz_write_file(payload, n);
		break;
	case 1:
		fuzz_write_maybe_gzip(payload, n, 1);
		break;
	case 2:
		half = n / 2;
		fuzz_gzip_append(&buf, &len, payload, half);
		fuzz_gzip_append(&buf, &len, payload + half, n - half);
		fuzz_write_file(buf, len);
		break;
	default:
		fuzz_gzip_append(&buf, &len, payload, n);
		buf = realloc(buf, len + n + 1);
		if (buf == NULL)
			fuzz_fail("out of memory");
		if (n > 0)
			memcpy(buf + len, payload, n);
		fuzz_write_file(buf, len + n);
		break;
	}
	free(buf);

	paths[0] = paths[1] = fuzz_path();
	if (ks_corpus_open(&c, paths, (mode & 4) ? 2 : 1, &err) != KS_OK)
		fuzz_fail("cannot open a regular file");
	rc = read_all(c, &words, &sentences, &digest);
	if (rc != KS_TOK_EOF && rc >= 0)
		fuzz_fail("unexpected token kind");
	ks_corpus_stats(c, &st);
	if (st.words != words || st.sentences != sentences)
		fuzz_fail("statistics disagree with the tokens");
	if (mode & 8) {
		if (!ks_corpus_rewindable(c))
			fuzz_fail("a regular file is not rewindable");
		if (ks_corpus_rewind(c, &err) != KS_OK)
			fuzz_fail("rewind failed");
		rc2 = read_all(c, &words2, &sentences2, &digest2);
		if (rc2 != rc || words2 != words || sentences2 != sentences || digest2 != digest)
			fuzz_fail("a second read gives other tokens");
	}
	ks_corpus_close(c);
	return 0;
}
