/*
 * The vocabulary: counting, ordering, thresholds, pruning under a memory
 * budget, the stream map, and saving and reading `word count` files.
 *
 * The randomized pruning test draws from a fixed-seed generator and prints
 * the seed in its failure messages so a failure can be replayed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "corpus.h"
#include "vocab.h"
#include "suites.h"

/*
 * Check's assertions report every success to the parent process (a system
 * call each), so loops over many words test plainly and abort on failure.
 */
#define FAIL_IF(cond, ...) \
	do { \
		if (cond) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* A directory for one test and paths inside it. */
struct tmp {
	char dir[256];
	char path[512];
};

static void
tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "%s", ks_test_tmpdir());
}

static const char *
tmp_file(struct tmp *t, const char *name)
{
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
	return t->path;
}

static void
tmp_remove(struct tmp *t, const char *name)
{
	unlink(tmp_file(t, name));
}

static void
tmp_done(struct tmp *t)
{
	ck_assert_int_eq(rmdir(t->dir), 0);
}

static uint32_t
add(struct ks_vocab *v, const char *word)
{
	struct ks_err err;
	uint32_t sid = KS_NO_WORD;

	ck_assert_int_eq(ks_vocab_add(v, word, strlen(word), &sid, &err), KS_OK);
	ck_assert_uint_lt(sid, ks_vocab_stream_ids(v));
	return sid;
}

/* Adds the space-separated words of text. */
static void
add_text(struct ks_vocab *v, const char *text)
{
	char word[64];
	const char *p = text;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		ck_assert_uint_lt(n, sizeof(word));
		if (n > 0) {
			memcpy(word, p, n);
			word[n] = '\0';
			add(v, word);
		}
		p += n;
		p += *p == ' ';
	}
}

static uint32_t
find(const struct ks_vocab *v, const char *word)
{
	return ks_vocab_find(v, word, strlen(word));
}

/*
 * 21 tokens: the 5, a 3, b 3, ab 2, abc 2, ba 2, \xc3\xa9 2, y 1, z 1, added
 * in an order unlike the final one. Equal counts must come out in byte
 * order, "ab" before its extension "abc", and the UTF-8 'é' (bytes above
 * 0x7f, compared unsigned) after the ASCII words.
 */
#define MIXED_TEXT "z abc the b \xc3\xa9 ba a the y ab b the \xc3\xa9 abc ba a the ab b a the"

static const char *const mixed_order[] = {
	"the", "a", "b", "ab", "abc", "ba", "\xc3\xa9", "y", "z"
};
static const uint64_t mixed_counts[] = { 5, 3, 3, 2, 2, 2, 2, 1, 1 };
#define MIXED_N (sizeof(mixed_order) / sizeof(mixed_order[0]))

static struct ks_vocab *
mixed_vocab(void)
{
	struct ks_vocab *v;
	struct ks_err err;

	ck_assert_int_eq(ks_vocab_create(&v, 0, &err), KS_OK);
	add_text(v, MIXED_TEXT);
	return v;
}

START_TEST(test_counts_and_order)
{
	static const char *const order[] = {
		"the", "a", "abc", "b", "ab", "ba", "z", "\xc3\xa9", "y"
	};
	static const uint64_t counts[] = { 6, 3, 3, 3, 2, 2, 2, 2, 1 };
	struct ks_vocab *v = mixed_vocab();
	struct ks_vocab_stats st;
	struct ks_err err;
	uint32_t sid_z, sid_abc, sid_the;
	const uint32_t *map;
	size_t i;

	sid_z = add(v, "z");
	sid_abc = add(v, "abc");
	sid_the = add(v, "the");
	/* Stream ids number the words in order of first appearance. */
	ck_assert_uint_eq(sid_z, 0);
	ck_assert_uint_eq(sid_abc, 1);
	ck_assert_uint_eq(sid_the, 2);
	ck_assert_uint_eq(ks_vocab_stream_ids(v), MIXED_N);
	ck_assert_uint_eq(ks_vocab_size(v), 0);
	ck_assert_uint_eq(find(v, "the"), KS_NO_WORD);
	ks_vocab_stats(v, &st);
	ck_assert_uint_eq(st.tokens, 24);
	ck_assert_uint_eq(st.distinct, MIXED_N);
	ck_assert_uint_eq(st.prunes, 0);

	ck_assert_int_eq(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), MIXED_N);
	/* With the three extra adds above (z 2, abc 3, the 6). */
	for (i = 0; i < MIXED_N; i++) {
		const char *w = ks_vocab_word(v, (uint32_t)i);

		ck_assert_str_eq(w, order[i]);
		ck_assert_uint_eq(ks_vocab_count(v, (uint32_t)i), counts[i]);
		ck_assert_uint_eq(ks_vocab_word_len(v, (uint32_t)i), strlen(w));
		ck_assert_uint_eq(find(v, w), i);
	}
	ck_assert_uint_eq(ks_vocab_total(v), 24);
	map = ks_vocab_stream_map(v);
	ck_assert_uint_eq(map[sid_z], 6);
	ck_assert_uint_eq(map[sid_abc], 2);
	ck_assert_uint_eq(map[sid_the], 0);
	ck_assert_uint_eq(find(v, "abcd"), KS_NO_WORD);
	ck_assert_uint_eq(find(v, "Ab"), KS_NO_WORD);
	ck_assert_uint_eq(ks_vocab_find(v, "", 0), KS_NO_WORD);
	ck_assert_uint_eq(ks_vocab_find(v, "abc", 2), 4);
	/* Counting after finalize is refused, and so is a second finalize. */
	ck_assert_int_ne(ks_vocab_add(v, "a", 1, &sid_z, &err), KS_OK);
	ck_assert_int_ne(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	ks_vocab_destroy(v);
	ks_vocab_destroy(NULL);
}
END_TEST

START_TEST(test_ties_by_bytes)
{
	struct ks_vocab *v = mixed_vocab();
	struct ks_err err;
	size_t i;

	ck_assert_int_eq(ks_vocab_finalize(v, 0, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), MIXED_N);
	for (i = 0; i < MIXED_N; i++) {
		ck_assert_str_eq(ks_vocab_word(v, (uint32_t)i), mixed_order[i]);
		ck_assert_uint_eq(ks_vocab_count(v, (uint32_t)i), mixed_counts[i]);
	}
	ks_vocab_destroy(v);
}
END_TEST

/* Without the stream map the words and counts are the same, and no map is held. */
START_TEST(test_skip_stream_map)
{
	struct ks_vocab *v = mixed_vocab();
	struct ks_err err;
	size_t i;

	ks_vocab_skip_stream_map(v);
	ck_assert_int_eq(ks_vocab_finalize(v, 0, 0, &err), KS_OK);
	ck_assert_ptr_null(ks_vocab_stream_map(v));
	ck_assert_uint_eq(ks_vocab_size(v), MIXED_N);
	for (i = 0; i < MIXED_N; i++) {
		ck_assert_str_eq(ks_vocab_word(v, (uint32_t)i), mixed_order[i]);
		ck_assert_uint_eq(ks_vocab_count(v, (uint32_t)i), mixed_counts[i]);
		ck_assert_uint_eq(find(v, mixed_order[i]), i);
	}
	ks_vocab_destroy(v);
}
END_TEST

/* A map already built is freed when it is no longer needed; the words stay. */
START_TEST(test_skip_stream_map_after_finalize)
{
	struct ks_vocab *v = mixed_vocab();
	struct ks_vocab_stats with, without;
	struct ks_err err;
	size_t i;

	ck_assert_int_eq(ks_vocab_finalize(v, 0, 0, &err), KS_OK);
	ck_assert_ptr_nonnull(ks_vocab_stream_map(v));
	ks_vocab_stats(v, &with);
	ks_vocab_skip_stream_map(v);
	ck_assert_ptr_null(ks_vocab_stream_map(v));
	ks_vocab_stats(v, &without);
	ck_assert_uint_eq(with.bytes - without.bytes,
			  (uint64_t)ks_vocab_stream_ids(v) * sizeof(uint32_t));
	for (i = 0; i < MIXED_N; i++)
		ck_assert_uint_eq(find(v, mixed_order[i]), i);
	ks_vocab_destroy(v);
}
END_TEST

START_TEST(test_drop_index)
{
	struct ks_vocab *v = mixed_vocab();
	struct ks_vocab_stats with, without;
	struct ks_err err;
	size_t i;

	/* Before finalize it does nothing: counting goes on. */
	ks_vocab_drop_index(v);
	ck_assert_uint_eq(add(v, "the"), 2);
	ck_assert_uint_eq(add(v, "new"), MIXED_N);
	ck_assert_int_eq(ks_vocab_finalize(v, 2, 0, &err), KS_OK);
	ck_assert_uint_eq(find(v, "the"), 0);
	ks_vocab_stats(v, &with);
	ks_vocab_drop_index(v);
	ks_vocab_stats(v, &without);
	ck_assert_uint_gt(with.bytes - without.bytes, 0);
	ck_assert_uint_eq(without.distinct, 7);
	/* Words, lengths, counts and the total stay; only lookup is gone. */
	ck_assert_uint_eq(ks_vocab_size(v), 7);
	ck_assert_uint_eq(ks_vocab_total(v), 20);
	for (i = 0; i < 7; i++) {
		ck_assert_str_eq(ks_vocab_word(v, (uint32_t)i), mixed_order[i]);
		ck_assert_uint_eq(ks_vocab_word_len(v, (uint32_t)i), strlen(mixed_order[i]));
		ck_assert_uint_eq(ks_vocab_count(v, (uint32_t)i), mixed_counts[i] + (i == 0));
		ck_assert_uint_eq(find(v, mixed_order[i]), KS_NO_WORD);
	}
	/* A second drop is harmless. */
	ks_vocab_drop_index(v);
	ks_vocab_destroy(v);
}
END_TEST

START_TEST(test_min_count_and_max_vocab)
{
	struct ks_vocab *v = mixed_vocab();
	struct ks_vocab_stats st;
	struct ks_err err;
	const uint32_t *map;

	ck_assert_int_eq(ks_vocab_finalize(v, 2, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), 7);
	ck_assert_str_eq(ks_vocab_word(v, 6), "\xc3\xa9");
	ck_assert_uint_eq(find(v, "y"), KS_NO_WORD);
	ck_assert_uint_eq(find(v, "z"), KS_NO_WORD);
	ck_assert_uint_eq(ks_vocab_total(v), 19);
	ks_vocab_stats(v, &st);
	ck_assert_uint_eq(st.dropped_min_count, 2);
	ck_assert_uint_eq(st.dropped_max_vocab, 0);
	ck_assert_uint_eq(st.distinct, 7);
	map = ks_vocab_stream_map(v);
	/* Stream ids in MIXED_TEXT: z 0, abc 1, the 2, b 3, é 4, ba 5, a 6, y 7, ab 8. */
	ck_assert_uint_eq(map[0], KS_NO_WORD);
	ck_assert_uint_eq(map[7], KS_NO_WORD);
	ck_assert_uint_eq(map[1], 4);
	ck_assert_uint_eq(map[2], 0);
	ck_assert_uint_eq(map[4], 6);
	ck_assert_uint_eq(map[8], 3);
	ks_vocab_destroy(v);

	v = mixed_vocab();
	ck_assert_int_eq(ks_vocab_finalize(v, 2, 3, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), 3);
	ck_assert_str_eq(ks_vocab_word(v, 2), "b");
	ck_assert_uint_eq(find(v, "ab"), KS_NO_WORD);
	ck_assert_uint_eq(find(v, "b"), 2);
	ck_assert_uint_eq(ks_vocab_total(v), 11);
	ks_vocab_stats(v, &st);
	ck_assert_uint_eq(st.dropped_min_count, 2);
	ck_assert_uint_eq(st.dropped_max_vocab, 4);
	map = ks_vocab_stream_map(v);
	ck_assert_uint_eq(map[8], KS_NO_WORD);
	ck_assert_uint_eq(map[6], 1);
	ks_vocab_destroy(v);
}
END_TEST

START_TEST(test_empty)
{
	struct ks_vocab *v = mixed_vocab();
	struct ks_err err;

	ck_assert_int_eq(ks_vocab_finalize(v, 6, 0, &err), KS_ERR_EMPTY);
	ck_assert_ptr_nonnull(strstr(err.msg, "min-count 6"));
	ck_assert_ptr_nonnull(strstr(err.msg, "9 distinct"));
	ck_assert_ptr_nonnull(strstr(err.msg, "5 times"));
	/* A failed finalize leaves the counts for another try. */
	ck_assert_int_eq(ks_vocab_finalize(v, 5, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), 1);
	ks_vocab_destroy(v);

	ck_assert_int_eq(ks_vocab_create(&v, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_finalize(v, 0, 0, &err), KS_ERR_EMPTY);
	ck_assert_str_ne(err.msg, "");
	ks_vocab_destroy(v);

	ck_assert_int_eq(ks_vocab_create(&v, KS_VOCAB_MIN_BUDGET - 1, &err), KS_ERR_USAGE);
	ck_assert_ptr_null(v);
}
END_TEST

/* 200k distinct words, word i seen (i % 7) + 1 times: many rehashes, exact counts. */
START_TEST(test_growth)
{
	enum { N = 200000 };
	struct ks_vocab *v;
	struct ks_vocab_stats st;
	struct ks_err err;
	const uint32_t *map;
	char word[32];
	uint64_t total = 0;
	uint32_t i, round;

	ck_assert_int_eq(ks_vocab_create(&v, 0, &err), KS_OK);
	for (round = 0; round < 7; round++) {
		for (i = 0; i < N; i++) {
			int n;
			uint32_t sid;

			if (i % 7 < round)
				continue;
			n = snprintf(word, sizeof(word), "w%" PRIu32, i);
			FAIL_IF(ks_vocab_add(v, word, (size_t)n, &sid, &err) != KS_OK, "%s", err.msg);
			FAIL_IF(sid != i, "%s: stream id %" PRIu32, word, sid);
			total++;
		}
	}
	ks_vocab_stats(v, &st);
	ck_assert_uint_eq(st.distinct, N);
	ck_assert_uint_eq(st.tokens, total);
	ck_assert_int_eq(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), N);
	ck_assert_uint_eq(ks_vocab_total(v), total);
	map = ks_vocab_stream_map(v);
	for (i = 0; i < N; i++) {
		int n = snprintf(word, sizeof(word), "w%" PRIu32, i);
		uint32_t id = ks_vocab_find(v, word, (size_t)n);

		FAIL_IF(id == KS_NO_WORD, "%s not found", word);
		FAIL_IF(map[i] != id, "%s: map %" PRIu32 " id %" PRIu32, word, map[i], id);
		FAIL_IF(ks_vocab_count(v, id) != i % 7 + 1, "%s: count %" PRIu64, word,
			ks_vocab_count(v, id));
	}
	/* Sorted: counts never rise, equal counts in strictly increasing byte order. */
	for (i = 1; i < N; i++) {
		uint64_t a = ks_vocab_count(v, i - 1), b = ks_vocab_count(v, i);

		FAIL_IF(a < b, "id %" PRIu32 ": counts rise", i);
		if (a == b) {
			const char *x = ks_vocab_word(v, i - 1), *y = ks_vocab_word(v, i);
			size_t xl = strlen(x), yl = strlen(y);
			int c = memcmp(x, y, xl < yl ? xl : yl);

			FAIL_IF(!(c < 0 || (c == 0 && xl < yl)), "%s before %s", x, y);
		}
	}
	ks_vocab_destroy(v);
}
END_TEST

static uint64_t
xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * ks_vocab_add_many gives the stream ids, counts and final vocabulary of
 * one ks_vocab_add per token, in batches of every size, with sentence
 * ends (length 0) skipped and their ids untouched, and through prunes
 * and growth that happen inside a batch. Fixed seed, so failures replay.
 */
START_TEST(test_add_many_matches_add)
{
	enum { TOKENS = 300000 };
	static const size_t budgets[] = { 0, 4 * KS_VOCAB_MIN_BUDGET };
	const uint32_t untouched = 0xabcdef12u;
	struct ks_token *toks = malloc(TOKENS * sizeof(*toks));
	uint32_t *one = malloc(TOKENS * sizeof(*one)), *many = malloc(TOKENS * sizeof(*many));
	char *bytes = malloc((size_t)TOKENS * 24);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t b, i, j, off = 0;

	ck_assert(toks != NULL && one != NULL && many != NULL && bytes != NULL);
	/* Words of 1 to 20 bytes drawn from a skewed range, and sentence ends. */
	for (i = 0; i < TOKENS; i++) {
		uint64_t r;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		r = rng;
		if (r % 11 == 0) {
			toks[i].bytes = NULL;
			toks[i].len = 0;
			continue;
		}
		toks[i].len = (size_t)snprintf(bytes + off, 24, "%.*s%llu", (int)(r >> 40) % 12,
					       "wxyzwxyzwxyz", (unsigned long long)((r >> 8) % ((r >> 4) % 5000 + 1)));
		toks[i].bytes = bytes + off;
		off += toks[i].len;
	}
	for (b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		struct ks_vocab *v1, *v2;
		struct ks_vocab_stats s1, s2;
		struct ks_err err;
		uint32_t id;

		ck_assert_int_eq(ks_vocab_create(&v1, budgets[b], &err), KS_OK);
		ck_assert_int_eq(ks_vocab_create(&v2, budgets[b], &err), KS_OK);
		for (i = 0; i < TOKENS; i++) {
			one[i] = many[i] = untouched;
			if (toks[i].len > 0)
				FAIL_IF(ks_vocab_add(v1, toks[i].bytes, toks[i].len, &one[i], &err) != KS_OK,
					"%s", err.msg);
		}
		for (i = 0, j = 1; i < TOKENS; i += j, j = j % 301 + 7) {
			size_t n = TOKENS - i < j ? TOKENS - i : j;

			FAIL_IF(ks_vocab_add_many(v2, toks + i, n, many + i, &err) != KS_OK, "%s",
				err.msg);
		}
		for (i = 0; i < TOKENS; i++)
			FAIL_IF(one[i] != many[i], "budget %zu, token %zu: stream id %" PRIu32
				" one by one, %" PRIu32 " in batches", budgets[b], i, one[i], many[i]);
		ks_vocab_stats(v1, &s1);
		ks_vocab_stats(v2, &s2);
		ck_assert_uint_eq(s1.tokens, s2.tokens);
		ck_assert_uint_eq(s1.distinct, s2.distinct);
		ck_assert_uint_eq(s1.prunes, s2.prunes);
		if (budgets[b] != 0)
			ck_assert_uint_gt(s2.prunes, 0);
		ck_assert_int_eq(ks_vocab_finalize(v1, 2, 0, &err), KS_OK);
		ck_assert_int_eq(ks_vocab_finalize(v2, 2, 0, &err), KS_OK);
		ck_assert_uint_eq(ks_vocab_size(v1), ks_vocab_size(v2));
		ck_assert_uint_gt(ks_vocab_size(v2), 1000);
		for (id = 0; id < ks_vocab_size(v1); id++) {
			FAIL_IF(strcmp(ks_vocab_word(v1, id), ks_vocab_word(v2, id)) != 0 ||
				ks_vocab_count(v1, id) != ks_vocab_count(v2, id),
				"id %" PRIu32 ": %s %" PRIu64 " against %s %" PRIu64, id,
				ks_vocab_word(v1, id), ks_vocab_count(v1, id), ks_vocab_word(v2, id),
				ks_vocab_count(v2, id));
		}
		ck_assert_int_eq(ks_vocab_add_many(v2, toks, 1, many, &err), KS_ERR_INTERNAL);
		ks_vocab_destroy(v1);
		ks_vocab_destroy(v2);
	}
	free(toks);
	free(one);
	free(many);
	free(bytes);
}
END_TEST

/*
 * A Zipf-like rank (probability about 1/r): an exponent drawn uniformly
 * below 20, then r uniform in [2^e, 2^(e+1)).
 */
static uint32_t
zipf_rank(uint64_t *s)
{
	uint64_t x = xorshift64(s);
	uint32_t e = (uint32_t)(x % 20);

	return (1u << e) + (uint32_t)((x >> 8) % (1u << e));
}

START_TEST(test_prune)
{
	enum { DRAWS = 400000, FREQ = 8, BUDGET = 256 * 1024 };
	const uint64_t seed = 0x6b656e73686f;
	uint64_t state = seed, freq_counts[FREQ] = { 0 };
	uint32_t freq_sid[FREQ], first_sid, again_sid, i;
	struct ks_vocab *v;
	struct ks_vocab_stats st;
	struct ks_err err;
	const uint32_t *map;
	char word[32];

	for (i = 0; i < FREQ; i++)
		freq_sid[i] = KS_NO_WORD;
	ck_assert_int_eq(ks_vocab_create(&v, BUDGET, &err), KS_OK);
	first_sid = add(v, "once");
	for (i = 0; i < DRAWS; i++) {
		uint32_t r = zipf_rank(&state), sid;
		int n = snprintf(word, sizeof(word), "r%" PRIu32, r);

		FAIL_IF(ks_vocab_add(v, word, (size_t)n, &sid, &err) != KS_OK, "%s", err.msg);
		if (r < FREQ) {
			/* Frequent words are never pruned, so they keep their stream id. */
			if (freq_sid[r] == KS_NO_WORD)
				freq_sid[r] = sid;
			FAIL_IF(sid != freq_sid[r], "seed %#" PRIx64 " draw %" PRIu32, seed, i);
			freq_counts[r]++;
		}
		ks_vocab_stats(v, &st);
		FAIL_IF(st.bytes > BUDGET, "seed %#" PRIx64 " draw %" PRIu32 ": %zu bytes",
			seed, i, st.bytes);
	}
	ks_vocab_stats(v, &st);
	ck_assert_msg(st.prunes >= 2, "seed %#" PRIx64 ": %" PRIu64 " prunes", seed, st.prunes);
	ck_assert_uint_ge(st.prune_min_count, 2);
	ck_assert_uint_gt(st.pruned_words, 10000);
	ck_assert_uint_eq(st.tokens, DRAWS + 1);
	/* Every stream id was either pruned or is still held. */
	ck_assert_uint_eq(ks_vocab_stream_ids(v), st.distinct + st.pruned_words);

	/* "once" was pruned at the first prune; it comes back with a new stream id. */
	again_sid = add(v, "once");
	ck_assert_uint_gt(again_sid, first_sid);
	ck_assert_uint_eq(again_sid, ks_vocab_stream_ids(v) - 1);

	ck_assert_int_eq(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	map = ks_vocab_stream_map(v);
	ck_assert_uint_eq(map[first_sid], KS_NO_WORD);
	ck_assert_uint_eq(map[again_sid], find(v, "once"));
	ck_assert_uint_eq(ks_vocab_count(v, find(v, "once")), 1);
	for (i = 1; i < FREQ; i++) {
		uint32_t id;

		snprintf(word, sizeof(word), "r%" PRIu32, i);
		id = find(v, word);
		ck_assert_msg(freq_counts[i] > 1000 && id != KS_NO_WORD, "seed %#" PRIx64, seed);
		ck_assert_uint_eq(ks_vocab_count(v, id), freq_counts[i]);
		ck_assert_uint_eq(map[freq_sid[i]], id);
	}
	ks_vocab_destroy(v);
}
END_TEST

START_TEST(test_save_read_round_trip)
{
	struct ks_vocab *v, *r;
	struct ks_err err;
	struct tmp t;
	char *text;
	size_t len, i;

	tmp_init(&t);
	v = mixed_vocab();
	ck_assert_int_eq(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_save(v, tmp_file(&t, "vocab.txt"), &err), KS_OK);
	text = ks_test_slurp(tmp_file(&t, "vocab.txt"), &len);
	ck_assert_str_eq(text, "the 5\na 3\nb 3\nab 2\nabc 2\nba 2\n\xc3\xa9 2\ny 1\nz 1\n");
	free(text);

	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "vocab.txt"), 1, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(r), ks_vocab_size(v));
	ck_assert_uint_eq(ks_vocab_stream_ids(r), MIXED_N);
	for (i = 0; i < ks_vocab_size(v); i++) {
		ck_assert_str_eq(ks_vocab_word(r, (uint32_t)i), ks_vocab_word(v, (uint32_t)i));
		ck_assert_uint_eq(ks_vocab_count(r, (uint32_t)i), ks_vocab_count(v, (uint32_t)i));
		ck_assert_uint_eq(ks_vocab_stream_map(r)[i], i);
	}
	ck_assert_uint_eq(ks_vocab_total(r), ks_vocab_total(v));
	ks_vocab_destroy(r);

	/* Re-thresholding a read vocabulary. */
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "vocab.txt"), 2, 5, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(r), 5);
	ck_assert_str_eq(ks_vocab_word(r, 4), "abc");
	ck_assert_uint_eq(find(r, "ba"), KS_NO_WORD);
	ks_vocab_destroy(r);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "vocab.txt"), 3, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(r), 3);
	ck_assert_uint_eq(ks_vocab_total(r), 11);
	ks_vocab_destroy(r);

	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "vocab.txt"), 6, 0, &err), KS_ERR_EMPTY);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(err.msg, "vocab.txt"));
	ck_assert_ptr_nonnull(strstr(err.msg, "min-count 6"));
	tmp_remove(&t, "vocab.txt");
	ks_vocab_destroy(v);
	tmp_done(&t);
}
END_TEST

START_TEST(test_read_lenient_forms)
{
	static const char text[] = "</s> 9\r\n\r\n\tthe\t5\r\n   \n\xc3\xa9t\xc3\xa9  0\nof 7 \t\nand 5";
	struct ks_vocab *r;
	struct ks_vocab_stats st;
	struct ks_err err;
	struct tmp t;
	char big[KS_MAX_WORD_BYTES + 8];

	tmp_init(&t);
	ks_test_write_file(tmp_file(&t, "v"), text, sizeof(text) - 1);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 0, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(r), 4);
	/* word2vec.c's "</s>" line (its sentence marker) is skipped, count and all. */
	ck_assert_uint_eq(ks_vocab_find(r, "</s>", 4), KS_NO_WORD);
	ck_assert_str_eq(ks_vocab_word(r, 0), "of");
	ck_assert_str_eq(ks_vocab_word(r, 1), "and");
	ck_assert_str_eq(ks_vocab_word(r, 2), "the");
	ck_assert_str_eq(ks_vocab_word(r, 3), "\xc3\xa9t\xc3\xa9");
	ck_assert_uint_eq(ks_vocab_count(r, 1), 5);
	ck_assert_uint_eq(ks_vocab_count(r, 3), 0);
	ck_assert_uint_eq(ks_vocab_total(r), 17);
	ks_vocab_stats(r, &st);
	ck_assert_uint_eq(st.tokens, 17);
	ks_vocab_destroy(r);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 1, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(r), 3);
	ks_vocab_destroy(r);

	/* The longest word and the largest count are accepted. */
	memset(big, 'x', KS_MAX_WORD_BYTES);
	ks_test_write_file(tmp_file(&t, "w"), "y 18446744073709551615\n", 23);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "w"), 0, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_count(r, 0), UINT64_MAX);
	ks_vocab_destroy(r);
	memcpy(big + KS_MAX_WORD_BYTES, " 1\n", 3);
	ks_test_write_file(tmp_file(&t, "v"), big, KS_MAX_WORD_BYTES + 3);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 0, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_word_len(r, 0), KS_MAX_WORD_BYTES);
	ks_vocab_destroy(r);

	ks_test_write_file(tmp_file(&t, "v"), "", 0);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 0, 0, &err), KS_ERR_EMPTY);
	ck_assert_ptr_nonnull(strstr(err.msg, tmp_file(&t, "v")));
	tmp_remove(&t, "v");
	tmp_remove(&t, "w");
	tmp_done(&t);
}
END_TEST

struct bad_case {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	unsigned line;
	const char *what;
};

START_TEST(test_read_rejects)
{
	static const struct bad_case cases[] = {
		{ "a 1\nb\n", 0, 2, "missing count" },
		{ "a 1\r\nb \t\r\n", 0, 2, "missing count" },
		{ "a 1\n\nb x\n", 0, 3, "not a non-negative integer" },
		{ "a 1x\n", 0, 1, "not a non-negative integer" },
		{ "a +1\n", 0, 1, "not a non-negative integer" },
		{ "a 0x10\n", 0, 1, "not a non-negative integer" },
		{ "a 1.5\n", 0, 1, "not a non-negative integer" },
		{ "a 1\nb 2\nc -3\n", 0, 3, "negative count" },
		{ "a 1\nb 18446744073709551616\n", 0, 2, "larger than 18446744073709551615" },
		{ "a 99999999999999999999999999\n", 0, 1, "larger than" },
		{ "a 1 2\n", 0, 1, "extra field \"2\"" },
		{ "a 1\nb 2 c\n", 0, 2, "extra field \"c\"" },
		{ "a 1\nb 2\n\na 3\n", 0, 4, "duplicate word \"a\"" },
		{ "a 1\nb\0c 2\n", 10, 2, "NUL byte" },
		{ "a 18446744073709551615\nb 1\n", 0, 2, "add up to more than" },
		/* A "</s>" line is skipped only once it is a well-formed line. */
		{ "</s>\na 1\n", 0, 1, "missing count" },
		{ "</s> 1 2\na 1\n", 0, 1, "extra field" },
	};
	struct ks_vocab *r;
	struct ks_err err;
	struct tmp t;
	char prefix[600], *big;
	size_t i;

	tmp_init(&t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		const char *path = tmp_file(&t, "bad.txt");

		ks_test_write_file(path, c->text, c->len ? c->len : strlen(c->text));
		r = (struct ks_vocab *)&err;
		ck_assert_msg(ks_vocab_read(&r, path, 0, 0, &err) == KS_ERR_FORMAT, "case %zu", i);
		ck_assert_ptr_null(r);
		snprintf(prefix, sizeof(prefix), "%s:%u: ", path, c->line);
		ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
			      "case %zu: \"%s\" does not start with \"%s\"", i, err.msg, prefix);
		ck_assert_msg(strstr(err.msg, c->what) != NULL, "case %zu: \"%s\" lacks \"%s\"",
			      i, err.msg, c->what);
	}

	/* A word one byte too long, and a line too long for any valid entry. */
	big = malloc(4 * KS_MAX_WORD_BYTES);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "a 1\n", 4);
	memset(big + 4, 'x', KS_MAX_WORD_BYTES + 1);
	memcpy(big + 5 + KS_MAX_WORD_BYTES, " 2\n", 3);
	ks_test_write_file(tmp_file(&t, "bad.txt"), big, KS_MAX_WORD_BYTES + 8);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "bad.txt"), 0, 0, &err), KS_ERR_FORMAT);
	snprintf(prefix, sizeof(prefix), "%s:2: word longer than %d bytes", tmp_file(&t, "bad.txt"),
		 KS_MAX_WORD_BYTES);
	ck_assert_str_eq(err.msg, prefix);
	memset(big + 4, 'x', 3 * KS_MAX_WORD_BYTES);
	ks_test_write_file(tmp_file(&t, "bad.txt"), big, 3 * KS_MAX_WORD_BYTES);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "bad.txt"), 0, 0, &err), KS_ERR_FORMAT);
	ck_assert_str_eq(err.msg, prefix);
	memset(big + 4, ' ', 3 * KS_MAX_WORD_BYTES);
	big[5] = 'b';
	big[3 * KS_MAX_WORD_BYTES - 2] = '1';
	ks_test_write_file(tmp_file(&t, "bad.txt"), big, 3 * KS_MAX_WORD_BYTES);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "bad.txt"), 0, 0, &err), KS_ERR_FORMAT);
	snprintf(prefix, sizeof(prefix), "%s:2: line longer than", tmp_file(&t, "bad.txt"));
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s", err.msg);
	free(big);
	tmp_remove(&t, "bad.txt");

	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "missing.txt"), 0, 0, &err), KS_ERR_OPEN);
	ck_assert_ptr_null(r);
	snprintf(prefix, sizeof(prefix), "%s: No such file or directory", tmp_file(&t, "missing.txt"));
	ck_assert_str_eq(err.msg, prefix);
	ck_assert_int_eq(ks_vocab_read(&r, t.dir, 0, 0, &err), KS_ERR_OPEN);
	tmp_done(&t);
}
END_TEST

/* Writes text to path as a gzip file of one member. */
static void
write_gzip(const char *path, const char *text, size_t len)
{
	gzFile g = gzopen(path, "wb");

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzwrite(g, text, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(g), Z_OK);
}

/*
 * A vocabulary is read as a corpus input is: gzip by its magic bytes, and
 * a UTF-8 byte-order mark before the first line (plain or inside the gzip
 * data) skipped, not taken into the first word.
 */
START_TEST(test_read_gzip_and_bom)
{
	static const char plain[] = "the 5\nof 3\n";
	static const char bom[] = "\xef\xbb\xbfthe 5\nof 3\n";
	const char *texts[2] = { plain, bom };
	struct ks_vocab *r;
	struct ks_err err;
	struct tmp t;
	size_t i, k;

	tmp_init(&t);
	for (i = 0; i < 2; i++) {
		for (k = 0; k < 2; k++) {
			const char *path = tmp_file(&t, "v");

			if (k == 0)
				ks_test_write_file(path, texts[i], strlen(texts[i]));
			else
				write_gzip(path, texts[i], strlen(texts[i]));
			ck_assert_msg(ks_vocab_read(&r, path, 0, 0, &err) == KS_OK,
				      "text %zu, gzip %zu: %s", i, k, err.msg);
			ck_assert_uint_eq(ks_vocab_size(r), 2);
			ck_assert_str_eq(ks_vocab_word(r, 0), "the");
			ck_assert_uint_eq(ks_vocab_find(r, "the", 3), 0);
			ck_assert_uint_eq(ks_vocab_total(r), 8);
			ks_vocab_destroy(r);
		}
	}
	/* Only a leading mark is skipped: later, it is part of a word. */
	ks_test_write_file(tmp_file(&t, "v"), "a 1\n\xef\xbb\xbf 2\n", 10);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 0, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(r), 2);
	ck_assert_uint_eq(ks_vocab_find(r, "\xef\xbb\xbf", 3), 0);
	ks_vocab_destroy(r);
	/* A first word that starts with a mark's bytes is saved so it reads back whole. */
	{
		struct ks_vocab *w;
		uint32_t sid;

		ck_assert_int_eq(ks_vocab_create(&w, 0, &err), KS_OK);
		ck_assert_int_eq(ks_vocab_add(w, "\xef\xbb\xbf" "a", 4, &sid, &err), KS_OK);
		ck_assert_int_eq(ks_vocab_add(w, "\xef\xbb\xbf" "a", 4, &sid, &err), KS_OK);
		ck_assert_int_eq(ks_vocab_add(w, "b", 1, &sid, &err), KS_OK);
		ck_assert_int_eq(ks_vocab_finalize(w, 0, 0, &err), KS_OK);
		ck_assert_int_eq(ks_vocab_save(w, tmp_file(&t, "v"), &err), KS_OK);
		ks_vocab_destroy(w);
		ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 0, 0, &err), KS_OK);
		ck_assert_uint_eq(ks_vocab_size(r), 2);
		ck_assert_uint_eq(ks_vocab_find(r, "\xef\xbb\xbf" "a", 4), 0);
		ck_assert_uint_eq(ks_vocab_count(r, 0), 2);
		ks_vocab_destroy(r);
	}
	/* A corrupt gzip vocabulary is refused with the file named. */
	ks_test_write_file(tmp_file(&t, "v"), "\x1f\x8b\x08\x00garbage", 12);
	ck_assert_int_eq(ks_vocab_read(&r, tmp_file(&t, "v"), 0, 0, &err), KS_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, tmp_file(&t, "v")));
	tmp_remove(&t, "v");
	tmp_done(&t);
}
END_TEST

START_TEST(test_save_write_errors)
{
	struct ks_vocab *v;
	struct ks_err err;
	char word[32];
	uint32_t i, sid;

	if (access("/dev/full", W_OK) != 0)
		return;
	/* Small: the failure shows at the final flush. */
	v = mixed_vocab();
	ck_assert_int_eq(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_save(v, "/dev/full", &err), KS_ERR_WRITE);
	ck_assert_ptr_nonnull(strstr(err.msg, "/dev/full"));
	ks_vocab_destroy(v);
	/* Larger than a stdio buffer: the failure shows in the middle. */
	ck_assert_int_eq(ks_vocab_create(&v, 0, &err), KS_OK);
	for (i = 0; i < 20000; i++) {
		int n = snprintf(word, sizeof(word), "word-%" PRIu32, i);

		FAIL_IF(ks_vocab_add(v, word, (size_t)n, &sid, &err) != KS_OK, "%s", err.msg);
	}
	ck_assert_int_eq(ks_vocab_finalize(v, 1, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_save(v, "/dev/full", &err), KS_ERR_WRITE);
	ck_assert_ptr_nonnull(strstr(err.msg, "/dev/full"));
	ks_vocab_destroy(v);
}
END_TEST

/* Finalizes v with min_count and checks it holds exactly want's words, counts and order. */
static void
assert_same_vocab(struct ks_vocab *v, struct ks_vocab *want, uint64_t min_count)
{
	struct ks_err err;
	uint32_t i;

	ck_assert_int_eq(ks_vocab_finalize(v, min_count, 0, &err), KS_OK);
	ck_assert_uint_eq(ks_vocab_size(v), ks_vocab_size(want));
	ck_assert_uint_eq(ks_vocab_total(v), ks_vocab_total(want));
	for (i = 0; i < ks_vocab_size(want); i++) {
		ck_assert_str_eq(ks_vocab_word(v, i), ks_vocab_word(want, i));
		ck_assert_uint_eq(ks_vocab_count(v, i), ks_vocab_count(want, i));
	}
}

/*
 * Counting split in parts and merged (dist_vocab.h): a table that merges
 * the other part's records holds the counts of the whole text, and tables
 * of different parts that take the merged records finalize alike.
 */
START_TEST(test_export_merge_replace)
{
	static const char part_a[] = "z abc the b \xc3\xa9 ba a the y ab b";
	static const char part_b[] = "the \xc3\xa9 abc ba a the ab b a the solo";
	struct ks_vocab *a, *b, *whole, *whole2, *b2;
	unsigned char *rec = NULL, *merged = NULL;
	size_t len = 0, mlen = 0;
	struct ks_err err;

	ck_assert_int_eq(ks_vocab_create(&a, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_create(&b, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_create(&b2, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_create(&whole, 0, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_create(&whole2, 0, &err), KS_OK);
	add_text(a, part_a);
	add_text(b, part_b);
	add_text(b2, part_b);
	add_text(whole, part_a);
	add_text(whole, part_b);
	add_text(whole2, part_a);
	add_text(whole2, part_b);
	ck_assert_int_eq(ks_vocab_export(b, 1, &rec, &len, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_merge(a, rec, len, &err), KS_OK);
	free(rec);
	/* a now counts the whole text: its export at min-count 2 drops y, z and solo. */
	ck_assert_int_eq(ks_vocab_export(a, 2, &merged, &mlen, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_finalize(whole, 1, 0, &err), KS_OK);
	assert_same_vocab(a, whole, 1);
	/* b takes the merged counts: its own words below 2 (solo) count 0 and go, even at min-count 0. */
	ck_assert_int_eq(ks_vocab_replace(b, merged, mlen, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_finalize(whole2, 2, 0, &err), KS_OK);
	assert_same_vocab(b, whole2, 0);
	ck_assert_uint_eq(find(b, "solo"), KS_NO_WORD);
	ck_assert_uint_eq(ks_vocab_count(b, find(b, "the")), 5);
	/* Malformed records: cut short, an empty word, an overflowing sum. */
	ck_assert_int_eq(ks_vocab_merge(b2, merged, mlen - 1, &err), KS_ERR_FORMAT);
	{
		unsigned char bad[12 + 1] = { 0 };
		uint64_t big = UINT64_MAX;
		uint32_t one = 1;

		ck_assert_int_eq(ks_vocab_merge(b2, bad, 12, &err), KS_ERR_FORMAT);
		memcpy(bad, &one, 4);
		memcpy(bad + 4, &big, 8);
		bad[12] = 'a';	/* b2 counts "a" already: the sum overflows */
		ck_assert_int_eq(ks_vocab_merge(b2, bad, sizeof(bad), &err), KS_ERR_FORMAT);
		ck_assert_ptr_nonnull(strstr(err.msg, "overflows"));
	}
	free(merged);
	ks_vocab_destroy(a);
	ks_vocab_destroy(b);
	ks_vocab_destroy(b2);
	ks_vocab_destroy(whole);
	ks_vocab_destroy(whole2);
}
END_TEST

Suite *
ks_suite_vocab(void)
{
	Suite *s = suite_create("vocab");
	TCase *tc = tcase_create("count");
	TCase *io = tcase_create("file");

	tcase_add_test(tc, test_counts_and_order);
	tcase_add_test(tc, test_ties_by_bytes);
	tcase_add_test(tc, test_min_count_and_max_vocab);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_skip_stream_map);
	tcase_add_test(tc, test_skip_stream_map_after_finalize);
	tcase_add_test(tc, test_drop_index);
	tcase_add_test(tc, test_add_many_matches_add);
	tcase_add_test(tc, test_export_merge_replace);
	suite_add_tcase(s, tc);
	tcase_add_test(io, test_save_read_round_trip);
	tcase_add_test(io, test_read_lenient_forms);
	tcase_add_test(io, test_read_rejects);
	tcase_add_test(io, test_read_gzip_and_bom);
	tcase_add_test(io, test_save_write_errors);
	suite_add_tcase(s, io);
	return s;
}
