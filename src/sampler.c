/*
 * Random numbers, the negative sampler and the subsampling rule (see
 * sampler.h).
 *
 * Seeding. xoshiro256** must never start from the all-zero state and two
 * workers must never share a sequence. ks_rng_seed derives the state from
 * the user seed and the stream number with splitmix64 (Steele, Lea, Flood:
 * "Fast splittable pseudorandom number generators", OOPSLA 2014), the
 * seeding Blackman and Vigna recommend for xoshiro. With m the splitmix64
 * finalizer (a bijection of 64-bit words), G its increment, K another odd
 * constant and w = m(stream ^ K):
 *   s[0] = m(seed + G),  s[i] = m(seed + (i + 1) G) ^ m(w + i K), i = 1..3.
 * s[0] determines the seed, and then s[1] determines w and so the stream:
 * different (seed, stream) pairs always get different states. The state
 * cannot be all zero: s[0] = 0 forces seed = -G, s[1] = 0 then forces
 * w = G - K, and then s[2] = m(2G) ^ m(G + K), which is zero only if K = G.
 * Every word passes through the finalizer, so neighbouring seeds or thread
 * indexes give unrelated-looking states.
 *
 * Alias table. Walker's alias method in Vose's construction (M. D. Vose,
 * "A linear algorithm for generating random numbers with a given
 * distribution", IEEE Trans. Software Eng. 17(9), 1991). The weights are
 * computed and split in double; only the final per-column probabilities
 * are rounded to 32 bits. A column whose share ends at 1 (the ones left
 * over when a work list runs empty, which in exact arithmetic happen only
 * at exactly 1) gets UINT32_MAX and itself as its alias, so the draw
 * returns it whatever the low bits are. Words with a zero count get weight
 * zero whatever the exponent (pow(0, 0) would be 1), so they are never
 * drawn.
 */
#include "sampler.h"

#include <math.h>
#include <stdlib.h>

#include "mem.h"

/* splitmix64's increment, 2^64 divided by the golden ratio, made odd. */
#define SAMPLER_GOLDEN UINT64_C(0x9E3779B97F4A7C15)
/* K: a second odd constant, not G, so the state can never be all zero. */
#define SAMPLER_STREAM_KEY UINT64_C(0xD1B54A32D192ED03)

/* splitmix64's output function: a bijection with good avalanche. */
static uint64_t
sampler_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
ks_rng_seed(struct ks_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed, w = sampler_mix64(stream ^ SAMPLER_STREAM_KEY);
	size_t i;

	for (i = 0; i < 4; i++) {
		x += SAMPLER_GOLDEN;
		r->s[i] = sampler_mix64(x);
		if (i > 0)
			r->s[i] ^= sampler_mix64(w + (uint64_t)i * SAMPLER_STREAM_KEY);
	}
}

/* A probability in [0, 1] scaled to 2^32 and rounded, saturating at UINT32_MAX. */
static uint32_t
sampler_scale32(double p)
{
	double v = p * 4294967296.0 + 0.5;

	if (!(v > 0.0))
		return 0;
	if (v >= 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)v;
}

int
ks_alias_create(struct ks_alias **out, const uint64_t *counts, size_t n, double exponent,
		struct ks_err *err)
{
	struct ks_alias *a = NULL;
	double *p = NULL, total = 0.0;
	size_t *small = NULL, *large = NULL, n_small = 0, n_large = 0, i;
	int rc;

	*out = NULL;
	if (n == 0)
		return ks_err_set(err, KS_ERR_EMPTY, "negative sampler: the vocabulary is empty");
	if (n > UINT32_MAX)
		return ks_err_set(err, KS_ERR_LIMIT,
				  "negative sampler: %zu words, more than 2^32 - 1", n);
	if (!isfinite(exponent))
		return ks_err_set(err, KS_ERR_FORMAT,
				  "negative sampler: the exponent %g is not finite", exponent);

	p = ks_malloc_array(n, sizeof(*p));
	small = ks_malloc_array(n, sizeof(*small));
	large = ks_malloc_array(n, sizeof(*large));
	a = calloc(1, sizeof(*a));
	if (p == NULL || small == NULL || large == NULL || a == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "negative sampler: no memory for %zu words", n);
		goto fail;
	}
	a->n = n;
	a->col = ks_malloc_array(n, sizeof(*a->col));
	if (a->col == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "negative sampler: no memory for %zu words", n);
		goto fail;
	}

	for (i = 0; i < n; i++) {
		p[i] = counts[i] == 0 ? 0.0 : pow((double)counts[i], exponent);
		total += p[i];
	}
	if (total == 0.0) {
		rc = ks_err_set(err, KS_ERR_EMPTY, "negative sampler: every word has count 0");
		goto fail;
	}
	if (!isfinite(total)) {
		rc = ks_err_set(err, KS_ERR_FORMAT,
				"negative sampler: counts to the power %g overflow a double",
				exponent);
		goto fail;
	}

	/*
	 * Scale so the mean column holds exactly 1; a column below 1 is
	 * topped up from one above 1, which then becomes that column's alias.
	 * Zero weights are pushed last so they are paired first, while large
	 * columns are certainly still available.
	 */
	for (i = 0; i < n; i++) {
		p[i] = p[i] * (double)n / total;
		if (p[i] >= 1.0)
			large[n_large++] = i;
		else if (p[i] > 0.0)
			small[n_small++] = i;
	}
	for (i = 0; i < n; i++)
		if (p[i] == 0.0)
			small[n_small++] = i;
	while (n_small > 0 && n_large > 0) {
		size_t s = small[--n_small], l = large[--n_large];

		a->col[s].prob = sampler_scale32(p[s]);
		a->col[s].alias = (uint32_t)l;
		/* (p_l + p_s) - 1 loses less than p_l - (1 - p_s) when p_s is tiny. */
		p[l] = (p[l] + p[s]) - 1.0;
		if (p[l] >= 1.0)
			large[n_large++] = l;
		else
			small[n_small++] = l;
	}
	/* What is left holds exactly 1 in exact arithmetic: always keep it. */
	while (n_large > 0) {
		size_t l = large[--n_large];

		a->col[l].prob = UINT32_MAX;
		a->col[l].alias = (uint32_t)l;
	}
	while (n_small > 0) {
		size_t s = small[--n_small];

		a->col[s].prob = UINT32_MAX;
		a->col[s].alias = (uint32_t)s;
	}

	free(p);
	free(small);
	free(large);
	*out = a;
	return KS_OK;

fail:
	free(p);
	free(small);
	free(large);
	ks_alias_destroy(a);
	return rc;
}

void
ks_alias_destroy(struct ks_alias *a)
{
	if (a == NULL)
		return;
	free(a->col);
	free(a);
}

/*
 * The subsampling rule of word2vec.c (Mikolov et al., 2013; the formula in
 * its TrainModelThread, not the one printed in "Distributed
 * Representations of Words and Phrases"): with t = sample * total, a word
 * of count c is kept with probability (sqrt(c / t) + 1) * t / c.
 */
double
ks_subsample_keep_prob(uint64_t count, uint64_t total, double sample)
{
	double t, ratio, keep;

	if (!(sample > 0.0) || count == 0 || total == 0)
		return 1.0;
	t = sample * (double)total;
	ratio = (double)count / t;
	keep = (sqrt(ratio) + 1.0) / ratio;
	return keep < 1.0 ? keep : 1.0;
}

void
ks_subsample_thresholds(const uint64_t *counts, size_t n, uint64_t total, double sample,
			uint32_t *keep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double p = ks_subsample_keep_prob(counts[i], total, sample);

		keep[i] = p >= 1.0 ? UINT32_MAX : sampler_scale32(p);
	}
}
