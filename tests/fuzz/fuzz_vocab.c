/*
 * Fuzzes the vocabulary file reader (ks_vocab_read in src/vocab.c).
 *
 * The first input byte chooses min_count (bits 0-1: 0..3) and max_vocab
 * (bits 2-4: 0 = no cap, else 1..7); bit 5 saves the vocabulary and reads
 * it back, which must give the same words and counts. The rest is the file.
 *
 * Checked: ids look their own words up, counts are ordered most frequent
 * first and at least min_count, the size respects max_vocab, "</s>" is
 * never a word. The file may be gzip or start with a byte-order mark.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"
#include "vocab.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_vocab(const struct ks_vocab *v, uint64_t min_count, uint64_t max_vocab)
{
	size_t n = ks_vocab_size(v), i;
	uint64_t total = 0;

	if (n == 0 || (max_vocab && n > max_vocab))
		fuzz_fail("vocabulary size out of range");
	for (i = 0; i < n; i++) {
		const char *w = ks_vocab_word(v, (uint32_t)i);
		size_t len = ks_vocab_word_len(v, (uint32_t)i);
		uint64_t count = ks_vocab_count(v, (uint32_t)i);

		if (len == 0 || len > KS_MAX_WORD_BYTES || strlen(w) != len)
			fuzz_fail("word length");
		if (ks_vocab_find(v, w, len) != i)
			fuzz_fail("a word does not look its id up");
		if (count < min_count)
			fuzz_fail("a word under min_count kept");
		if (i > 0 && count > ks_vocab_count(v, (uint32_t)(i - 1)))
			fuzz_fail("counts not ordered");
		total += count;
	}
	if (total != ks_vocab_total(v))
		fuzz_fail("total disagrees with the counts");
	/* The tokenizer reads </s> as a sentence end, so it is never a word. */
	if (ks_vocab_find(v, KS_SENTENCE_END_TOKEN, 4) != KS_NO_WORD)
		fuzz_fail("</s> read as a word");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_vocab *v, *back;
	struct ks_err err;
	uint64_t min_count, max_vocab;
	char saved[4200];
	int rc;

	if (size < 1)
		return 0;
	min_count = data[0] & 3;
	max_vocab = (data[0] >> 2) & 7;
	fuzz_write_file(data + 1, size - 1);
	rc = ks_vocab_read(&v, fuzz_path(), min_count, max_vocab, &err);
	if (rc != KS_OK) {
		if (v != NULL)
			fuzz_fail("*out not NULL after a failure");
		if (rc != KS_ERR_FORMAT && rc != KS_ERR_EMPTY && rc != KS_ERR_LIMIT)
			fuzz_fail("unexpected status");
		return 0;
	}
	check_vocab(v, min_count, max_vocab);
	if (data[0] & 32) {
		size_t i;

		snprintf(saved, sizeof(saved), "%s.vocab", fuzz_path());
		if (ks_vocab_save(v, saved, &err) != KS_OK)
			fuzz_fail("cannot save a vocabulary that was read");
		if (ks_vocab_read(&back, saved, 0, 0, &err) != KS_OK)
			fuzz_fail("cannot read back a saved vocabulary");
		remove(saved);
		if (ks_vocab_size(back) != ks_vocab_size(v))
			fuzz_fail("saved vocabulary reads back with another size");
		for (i = 0; i < ks_vocab_size(v); i++)
			if (strcmp(ks_vocab_word(v, (uint32_t)i), ks_vocab_word(back, (uint32_t)i)) != 0 ||
			    ks_vocab_count(v, (uint32_t)i) != ks_vocab_count(back, (uint32_t)i))
				fuzz_fail("saved vocabulary reads back different");
		ks_vocab_destroy(back);
	}
	ks_vocab_destroy(v);
	return 0;
}
