/*
 * Random numbers and the two samplers of training: negative words drawn
 * from the unigram distribution raised to an exponent (alias method), and
 * word2vec.c's subsampling of frequent words.
 *
 * Everything here is per thread or read-only: a struct ks_rng belongs to
 * one worker, and an alias table is built once and then only read.
 */
#ifndef KS_SAMPLER_H
#define KS_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* xoshiro256** (Blackman and Vigna, 2018): fast, 256-bit state. */
struct ks_rng {
	uint64_t s[4];
};

/*
 * Seeds r from a user seed and a stream number (the thread index), through
 * splitmix64, so every (seed, stream) pair gets its own sequence.
 */
void ks_rng_seed(struct ks_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t
ks_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits. */
static inline uint64_t
ks_rng_next(struct ks_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = ks_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ks_rng_rotl(s[3], 45);
	return result;
}

/* A uniform integer in [0, n), n > 0, by Lemire's multiply-shift. */
static inline uint32_t
ks_rng_below(struct ks_rng *r, uint32_t n)
{
	return (uint32_t)(((ks_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/*
 * Walker's alias method (Vose's construction): after O(V) set-up, each draw
 * costs one random number, one multiply and one table look-up.
 * col[i].prob is the chance, scaled to 2^32, of keeping column i; otherwise
 * the draw returns col[i].alias. The two sit side by side so a draw touches
 * one cache line, not two: with a large vocabulary the table falls out of
 * the cache while training, and each draw's miss is paid in full.
 */
struct ks_alias_col {
	uint32_t prob;
	uint32_t alias;
};

struct ks_alias {
	size_t n;
	struct ks_alias_col *col;
};

/*
 * Builds the table for weights counts[i]^exponent, i < n (n >= 1, at least
 * one count > 0). A word with count 0 has weight 0 whatever the exponent,
 * so it is never drawn. Errors: KS_ERR_EMPTY (n == 0 or every count 0),
 * KS_ERR_LIMIT (n > UINT32_MAX), KS_ERR_FORMAT (the exponent or the
 * weights not finite), KS_ERR_NOMEM. On failure *out is NULL. Free the
 * table with ks_alias_destroy.
 */
int ks_alias_create(struct ks_alias **out, const uint64_t *counts, size_t n, double exponent,
		    struct ks_err *err);

/* Frees a. Accepts NULL. */
void ks_alias_destroy(struct ks_alias *a);

/* One draw: the high 32 bits pick a column, the low 32 bits decide it. */
static inline uint32_t
ks_alias_draw(const struct ks_alias *a, struct ks_rng *r)
{
	uint64_t u = ks_rng_next(r);
	uint32_t i = (uint32_t)(((u >> 32) * (uint64_t)a->n) >> 32);
	const struct ks_alias_col *c = &a->col[i];

	return (uint32_t)u < c->prob ? i : c->alias;
}

/*
 * word2vec.c's subsampling rule: a word with count c in a corpus of total
 * words is kept with probability (sqrt(c / (s * total)) + 1) * s * total / c,
 * capped at 1, where s is the -sample threshold (s <= 0 keeps everything).
 * keep[i] receives that probability scaled to 2^32 (UINT32_MAX means
 * always), so the test is `(uint32_t)ks_rng_next(r) < keep[i]` or
 * keep[i] == UINT32_MAX.
 */
void ks_subsample_thresholds(const uint64_t *counts, size_t n, uint64_t total, double sample,
			     uint32_t *keep);

/* The keep probability of one word under the rule above. */
double ks_subsample_keep_prob(uint64_t count, uint64_t total, double sample);

#endif
