/*
 * kensho-gen-corpus: writes a corpus in which analogies hold by
 * construction, and the analogy questions that test them (data/README.md).
 *
 * The world has E entities and R roles. Every (entity, role) pair has a
 * target word w(e,r), spelled as the entity's stem plus the role's suffix
 * ("talumi", "talumian", "talumiese", ...). Each line is one sentence about
 * one entity and one role: it holds w(e,r), a few words of the entity's
 * topic vocabulary (shared by all of that entity's roles), a few words of
 * the role's vocabulary (shared by all entities), and Zipf-distributed
 * filler words, in random order. The pointwise mutual information of
 * w(e,r) with the topic words depends only on e, with the role words only
 * on r, and with the fillers on neither, so the PMI row of w(e,r) is a sum
 * u(e) + v(r). Skip-gram and CBOW with negative sampling factorize (a
 * shifted) PMI matrix (Levy and Goldberg, "Neural Word Embedding as
 * Implicit Matrix Factorization", NIPS 2014), so the learned vectors
 * inherit the sum and w(e1,r1) - w(e1,r2) + w(e2,r2) lands near w(e2,r1).
 *
 * Everything is drawn from one seeded xoshiro256** generator, so a seed
 * and the options fix the output byte for byte on every platform (no
 * floating point decides a draw except the filler CDF lookup, which uses
 * only IEEE double sums in a fixed order).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "outfile.h"
#include "status.h"

#define GEN_NAME "kensho-gen-corpus"
#define GEN_WORD_MAX 32		/* longest word the speller can produce, with NUL */
#define GEN_NAME_TRIES 10000	/* draws before giving up on a fresh name */
#define GEN_SENTENCE_MAX 64	/* tokens per sentence, an upper bound of the draws below */

/* The suffixes that turn an entity stem into its R forms; role 0 is the stem. */
static const char *const gen_suffixes[] = {
	"", "ian", "ese", "ic", "ism", "ist", "ward", "ful",
	"ling", "ery", "ite", "ous", "ar", "ment", "ize", "ness",
};
#define GEN_ROLES_MAX (sizeof(gen_suffixes) / sizeof(gen_suffixes[0]))

/* The command line, with the defaults set by gen_opts_defaults. */
struct gen_opts {
	const char *corpus_path;	/* "-" is standard output */
	const char *questions_path;	/* NULL: no question file */
	uint64_t words;			/* stop after the sentence that reaches this many tokens */
	uint64_t seed;
	size_t entities;
	size_t roles;
	size_t topic_words;		/* per entity */
	size_t role_words;		/* per role */
	size_t filler_words;
	size_t questions;		/* wanted in total, spread over the sections */
	int quiet;
};

/* xoshiro256** (Blackman and Vigna, 2018), seeded through splitmix64. */
struct gen_rng {
	uint64_t s[4];
};

/* Every word of the world, and the distributions sentences are drawn from. */
struct gen_world {
	size_t entities, roles, topic_words, role_words, filler_words;
	char **targets;		/* [e * roles + r] = w(e,r) */
	char **topic;		/* [e * topic_words + i] */
	char **role_vocab;	/* [r * role_words + i] */
	char **filler;		/* by rank, most frequent first */
	double *filler_cdf;	/* cumulative Zipf weights, last entry 1 */
	/* All names, to keep them distinct: open addressing, power-of-two size. */
	char **set;
	size_t set_size;
};

static uint64_t
rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
rng_seed(struct gen_rng *rng, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = rng_splitmix(&seed);
}

static uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct gen_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* A uniform integer in [0, n), n > 0, without modulo bias (rejection). */
static size_t
rng_below(struct gen_rng *rng, size_t n)
{
	uint64_t bound = (uint64_t)n;
	uint64_t floor = (UINT64_MAX - bound + 1) % bound;	/* 2^64 mod n */
	uint64_t x;

	do
		x = rng_next(rng);
	while (x < floor);
	return (size_t)(x % bound);
}

/* A uniform double in [0, 1) with 53 random bits. */
static double
rng_unit(struct gen_rng *rng)
{
	return (double)(rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* A uniform integer in [lo, hi]. */
static size_t
rng_range(struct gen_rng *rng, size_t lo, size_t hi)
{
	return lo + rng_below(rng, hi - lo + 1);
}

/* FNV-1a, for the name set. */
static uint64_t
world_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static char **
world_slot(struct gen_world *w, const char *name)
{
	size_t mask = w->set_size - 1;
	size_t i = (size_t)world_hash(name) & mask;

	while (w->set[i] != NULL && strcmp(w->set[i], name) != 0)
		i = (i + 1) & mask;
	return &w->set[i];
}

/*
 * Spells a pronounceable word of nsyl syllables into buf (at least
 * GEN_WORD_MAX bytes): consonant-vowel syllables, some with a coda.
 */
static void
world_spell(struct gen_rng *rng, size_t nsyl, char *buf)
{
	static const char *const onsets[] = {
		"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s",
		"t", "v", "z", "sh", "ch", "tr", "br", "gl", "j", "w",
	};
	static const char *const vowels[] = {
		"a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ou", "ei",
	};
	static const char *const codas[] = { "n", "r", "l", "s", "m", "k" };
	size_t len = 0, i;

	for (i = 0; i < nsyl; i++) {
		const char *parts[3];
		size_t j;

		parts[0] = onsets[rng_below(rng, sizeof(onsets) / sizeof(onsets[0]))];
		parts[1] = vowels[rng_below(rng, sizeof(vowels) / sizeof(vowels[0]))];
		parts[2] = rng_below(rng, 4) == 0
			? codas[rng_below(rng, sizeof(codas) / sizeof(codas[0]))] : "";
		for (j = 0; j < 3; j++) {
			size_t n = strlen(parts[j]);

			memcpy(buf + len, parts[j], n);
			len += n;
		}
	}
	buf[len] = '\0';
}

/* Adds a copy of name to the set; returns it, or NULL if taken or out of memory. */
static char *
world_add(struct gen_world *w, const char *name)
{
	char **slot = world_slot(w, name);

	if (*slot != NULL)
		return NULL;
	*slot = strdup(name);
	return *slot;
}

/*
 * Draws a fresh name of nsyl syllables. Returns KS_OK with *out set, or an
 * error when the name space is exhausted or memory runs out.
 */
static int
world_fresh(struct gen_world *w, struct gen_rng *rng, size_t nsyl, char **out,
    struct ks_err *err)
{
	char buf[GEN_WORD_MAX * 2];
	int tries;

	for (tries = 0; tries < GEN_NAME_TRIES; tries++) {
		char **slot;

		world_spell(rng, nsyl, buf);
		slot = world_slot(w, buf);
		if (*slot != NULL)
			continue;
		if ((*slot = strdup(buf)) == NULL)
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		*out = *slot;
		return KS_OK;
	}
	return ks_err_set(err, KS_ERR_LIMIT,
	    "cannot find distinct %zu-syllable names; ask for fewer words", nsyl);
}

static void
world_free(struct gen_world *w)
{
	size_t i;

	if (w->set != NULL)
		for (i = 0; i < w->set_size; i++)
			free(w->set[i]);
	free(w->set);
	free(w->targets);
	free(w->topic);
	free(w->role_vocab);
	free(w->filler);
	free(w->filler_cdf);
	memset(w, 0, sizeof(*w));
}

/*
 * Builds the world: the entity stems and their forms first (a stem is
 * redrawn until all its forms are new words), then the topic, role and
 * filler vocabularies. The words own their storage through w->set.
 */
static int
world_build(struct gen_world *w, const struct gen_opts *o, struct gen_rng *rng,
    struct ks_err *err)
{
	size_t total, i, e, r;
	double sum;
	int rc;

	memset(w, 0, sizeof(*w));
	w->entities = o->entities;
	w->roles = o->roles;
	w->topic_words = o->topic_words;
	w->role_words = o->role_words;
	w->filler_words = o->filler_words;
	/* The option ranges keep these products far from overflow. */
	total = w->entities * w->roles + w->entities * w->topic_words
	    + w->roles * w->role_words + w->filler_words;
	for (w->set_size = 16; w->set_size < 2 * total; w->set_size *= 2)
		;
	w->set = ks_calloc_array(w->set_size, sizeof(*w->set));
	w->targets = ks_calloc_array(w->entities * w->roles, sizeof(*w->targets));
	w->topic = ks_calloc_array(w->entities * w->topic_words, sizeof(*w->topic));
	w->role_vocab = ks_calloc_array(w->roles * w->role_words, sizeof(*w->role_vocab));
	w->filler = ks_calloc_array(w->filler_words, sizeof(*w->filler));
	w->filler_cdf = ks_calloc_array(w->filler_words, sizeof(*w->filler_cdf));
	if (w->set == NULL || w->targets == NULL || w->topic == NULL
	    || w->role_vocab == NULL || w->filler == NULL || w->filler_cdf == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");

	for (e = 0; e < w->entities; e++) {
		int tries;

		for (tries = 0; tries < GEN_NAME_TRIES; tries++) {
			char stem[GEN_WORD_MAX * 2];
			char form[GEN_WORD_MAX * 2 + 8];

			world_spell(rng, rng_range(rng, 2, 3), stem);
			for (r = 0; r < w->roles; r++) {
				snprintf(form, sizeof(form), "%s%s", stem, gen_suffixes[r]);
				if (*world_slot(w, form) != NULL)
					break;
			}
			if (r < w->roles)
				continue;
			for (r = 0; r < w->roles; r++) {
				snprintf(form, sizeof(form), "%s%s", stem, gen_suffixes[r]);
				w->targets[e * w->roles + r] = world_add(w, form);
				if (w->targets[e * w->roles + r] == NULL)
					return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
			}
			break;
		}
		if (tries == GEN_NAME_TRIES)
			return ks_err_set(err, KS_ERR_LIMIT,
			    "cannot find %zu distinct entity names; ask for fewer entities",
			    w->entities);
	}
	for (i = 0; i < w->entities * w->topic_words; i++)
		if ((rc = world_fresh(w, rng, rng_range(rng, 2, 3), &w->topic[i], err)) != KS_OK)
			return rc;
	for (i = 0; i < w->roles * w->role_words; i++)
		if ((rc = world_fresh(w, rng, rng_range(rng, 2, 3), &w->role_vocab[i], err)) != KS_OK)
			return rc;
	/* Frequent fillers are short, like function words. */
	for (i = 0; i < w->filler_words; i++) {
		size_t nsyl = i < 40 ? 1 : i < 400 ? 2 : rng_range(rng, 2, 4);

		if ((rc = world_fresh(w, rng, nsyl, &w->filler[i], err)) != KS_OK)
			return rc;
	}
	/* Zipf's law with exponent 1: the word of rank k has weight 1/k. */
	sum = 0.0;
	for (i = 0; i < w->filler_words; i++) {
		sum += 1.0 / (double)(i + 1);
		w->filler_cdf[i] = sum;
	}
	for (i = 0; i < w->filler_words; i++)
		w->filler_cdf[i] /= sum;
	w->filler_cdf[w->filler_words - 1] = 1.0;
	return KS_OK;
}

/* A filler word drawn by Zipf's law (binary search of the CDF). */
static const char *
world_filler(const struct gen_world *w, struct gen_rng *rng)
{
	double u = rng_unit(rng);
	size_t lo = 0, hi = w->filler_words - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->filler_cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return w->filler[lo];
}

/*
 * Draws one sentence into tok (GEN_SENTENCE_MAX entries) and returns its
 * length: the target, 2-4 topic words, 2-4 role words and 2-7 fillers,
 * shuffled. Context words may repeat, as in real text.
 */
static size_t
world_sentence(const struct gen_world *w, struct gen_rng *rng, const char **tok)
{
	size_t e = rng_below(rng, w->entities);
	size_t r = rng_below(rng, w->roles);
	size_t n = 0, k, i;

	tok[n++] = w->targets[e * w->roles + r];
	for (k = rng_range(rng, 2, 4); k > 0; k--)
		tok[n++] = w->topic[e * w->topic_words + rng_below(rng, w->topic_words)];
	for (k = rng_range(rng, 2, 4); k > 0; k--)
		tok[n++] = w->role_vocab[r * w->role_words + rng_below(rng, w->role_words)];
	for (k = rng_range(rng, 1, 5); k > 0; k--)
		tok[n++] = world_filler(w, rng);
	/* Fisher-Yates shuffle. */
	for (i = n - 1; i > 0; i--) {
		size_t j = rng_below(rng, i + 1);
		const char *t = tok[i];

		tok[i] = tok[j];
		tok[j] = t;
	}
	return n;
}

/* Writes s, one space or newline after it; returns 0 or -1 on a short write. */
static int
gen_put(FILE *f, const char *s, char sep)
{
	size_t n = strlen(s);

	if (fwrite(s, 1, n, f) != n || putc(sep, f) == EOF)
		return -1;
	return 0;
}

/* Writes sentences until at least o->words tokens; reports the count. */
static int
gen_corpus(const struct gen_world *w, const struct gen_opts *o, struct gen_rng *rng,
    uint64_t *tokens, uint64_t *sentences, struct ks_err *err)
{
	struct ks_outfile *out;
	const char *tok[GEN_SENTENCE_MAX];
	FILE *f;
	int rc;

	*tokens = *sentences = 0;
	if ((rc = ks_outfile_open(&out, o->corpus_path, err)) != KS_OK)
		return rc;
	f = ks_outfile_stream(out);
	while (*tokens < o->words) {
		size_t n = world_sentence(w, rng, tok), i;

		for (i = 0; i < n; i++)
			if (gen_put(f, tok[i], i + 1 < n ? ' ' : '\n') != 0) {
				int e = errno != 0 ? errno : EIO;

				ks_outfile_abort(out);
				return ks_err_errno(err, KS_ERR_WRITE, e, "%s: cannot write",
				    o->corpus_path);
			}
		*tokens += n;
		(*sentences)++;
	}
	return ks_outfile_commit(out, err);
}

/*
 * Writes the questions in Google's analogy format: one section per pair of
 * roles (r1 < r2), each with up to per_section lines "w(e1,r1) w(e1,r2)
 * w(e2,r1) w(e2,r2)" for distinct entities e1 != e2 drawn without
 * repetition. Reports how many lines and sections were written.
 */
static int
gen_questions(const struct gen_world *w, const struct gen_opts *o, struct gen_rng *rng,
    size_t *written, size_t *sections, struct ks_err *err)
{
	size_t npairs = w->entities * (w->entities - 1);
	size_t nsections = w->roles * (w->roles - 1) / 2;
	size_t per_section = (o->questions + nsections - 1) / nsections;
	size_t *pairs, r1, r2, i;
	struct ks_outfile *out;
	FILE *f;
	int rc;

	*written = *sections = 0;
	if (per_section > npairs)
		per_section = npairs;
	pairs = ks_malloc_array(npairs, sizeof(*pairs));
	if (pairs == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	if ((rc = ks_outfile_open(&out, o->questions_path, err)) != KS_OK) {
		free(pairs);
		return rc;
	}
	f = ks_outfile_stream(out);
	for (r1 = 0; r1 < w->roles; r1++) {
		for (r2 = r1 + 1; r2 < w->roles; r2++) {
			const char *n1 = r1 == 0 ? "base" : gen_suffixes[r1];

			if (fprintf(f, ": %s-%s\n", n1, gen_suffixes[r2]) < 0)
				goto fail;
			(*sections)++;
			/* Partial Fisher-Yates: the first per_section of a shuffle. */
			for (i = 0; i < npairs; i++)
				pairs[i] = i;
			for (i = 0; i < per_section; i++) {
				size_t j = i + rng_below(rng, npairs - i);
				size_t t = pairs[i], e1, e2;

				pairs[i] = pairs[j];
				pairs[j] = t;
				e1 = pairs[i] / (w->entities - 1);
				e2 = pairs[i] % (w->entities - 1);
				if (e2 >= e1)
					e2++;
				if (gen_put(f, w->targets[e1 * w->roles + r1], ' ') != 0
				    || gen_put(f, w->targets[e1 * w->roles + r2], ' ') != 0
				    || gen_put(f, w->targets[e2 * w->roles + r1], ' ') != 0
				    || gen_put(f, w->targets[e2 * w->roles + r2], '\n') != 0)
					goto fail;
				(*written)++;
			}
		}
	}
	free(pairs);
	return ks_outfile_commit(out, err);
fail:
	rc = ks_err_errno(err, KS_ERR_WRITE, errno != 0 ? errno : EIO, "%s: cannot write",
	    o->questions_path);
	ks_outfile_abort(out);
	free(pairs);
	return rc;
}

static void
gen_opts_defaults(struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->corpus_path = "-";
	o->questions_path = NULL;
	o->words = 1000000;
	o->seed = 1;
	o->entities = 40;
	o->roles = 6;
	o->topic_words = 40;
	o->role_words = 60;
	o->filler_words = 3000;
	o->questions = 3000;
}

static void
gen_help(FILE *f)
{
	struct gen_opts d;

	gen_opts_defaults(&d);
	fprintf(f,
	    "Usage: " GEN_NAME " [options]\n"
	    "Writes a corpus with planted analogies (one sentence per line) and,\n"
	    "with -q, the analogy questions it answers (Google's format).\n"
	    "Same options and seed, same bytes. See data/README.md.\n"
	    "\n"
	    "Options (one dash or two):\n"
	    "  -o FILE             corpus output, - for standard output (default %s)\n"
	    "  -q FILE             question output (default: none)\n"
	    "  -words N            tokens to write, rounded up to a whole sentence (default %" PRIu64 ")\n"
	    "  -seed N             seed of the generator (default %" PRIu64 ")\n"
	    "  -entities N         entities, 2 to 100000 (default %zu)\n"
	    "  -roles N            forms of each entity, 2 to %zu (default %zu)\n"
	    "  -topic-words N      topic words per entity, 1 to 10000 (default %zu)\n"
	    "  -role-words N       context words per role, 1 to 100000 (default %zu)\n"
	    "  -filler-words N     Zipf-distributed filler words, 1 to 1000000 (default %zu)\n"
	    "  -questions N        questions in all, spread over one section per\n"
	    "                      pair of roles (default %zu)\n"
	    "  -quiet              no summary on standard error\n"
	    "  -h, -help           this text\n",
	    d.corpus_path, d.words, d.seed, d.entities, GEN_ROLES_MAX, d.roles,
	    d.topic_words, d.role_words, d.filler_words, d.questions);
}

/* Parses a decimal integer in [lo, hi] for the option name. */
static int
gen_parse_u64(const char *name, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out,
    struct ks_err *err)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '+' || arg[0] == '\0')
		goto bad;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		goto bad;
	*out = (uint64_t)v;
	return KS_OK;
bad:
	return ks_err_set(err, KS_ERR_USAGE,
	    "-%s: expected an integer from %" PRIu64 " to %" PRIu64 ", got '%s'", name, lo, hi, arg);
}

static int
gen_parse_size(const char *name, const char *arg, size_t lo, size_t hi, size_t *out,
    struct ks_err *err)
{
	uint64_t v;
	int rc = gen_parse_u64(name, arg, lo, hi, &v, err);

	if (rc == KS_OK)
		*out = (size_t)v;
	return rc;
}

/*
 * Whether two output paths name the same file: equal names (standard
 * output counts) unless they name a device such as /dev/null. Distinct
 * names of one file are harmless, as each output is renamed into place.
 */
static int
gen_same_file(const char *a, const char *b)
{
	struct stat st;

	if (strcmp(a, b) != 0)
		return 0;
	return strcmp(a, "-") == 0 || stat(a, &st) != 0 || S_ISREG(st.st_mode);
}

/* Parses argv into o; *help is set when the user asked for --help. */
static int
gen_opts_parse(struct gen_opts *o, int argc, char **argv, int *help, struct ks_err *err)
{
	int i;

	*help = 0;
	for (i = 1; i < argc; i++) {
		const char *name = argv[i], *arg;
		int rc;

		if (name[0] != '-' || name[1] == '\0')
			return ks_err_set(err, KS_ERR_USAGE, "unexpected argument '%s'", name);
		name += name[1] == '-' ? 2 : 1;
		if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0) {
			*help = 1;
			return KS_OK;
		}
		if (strcmp(name, "quiet") == 0) {
			o->quiet = 1;
			continue;
		}
		if (i + 1 >= argc)
			return ks_err_set(err, KS_ERR_USAGE, "-%s: missing value (or unknown option)", name);
		arg = argv[++i];
		if (strcmp(name, "o") == 0 || strcmp(name, "output") == 0)
			o->corpus_path = arg, rc = KS_OK;
		else if (strcmp(name, "q") == 0 || strcmp(name, "questions-output") == 0)
			o->questions_path = arg, rc = KS_OK;
		else if (strcmp(name, "words") == 0)
			rc = gen_parse_u64(name, arg, 1, UINT64_C(1) << 50, &o->words, err);
		else if (strcmp(name, "seed") == 0)
			rc = gen_parse_u64(name, arg, 0, UINT64_MAX, &o->seed, err);
		else if (strcmp(name, "entities") == 0)
			rc = gen_parse_size(name, arg, 2, 100000, &o->entities, err);
		else if (strcmp(name, "roles") == 0)
			rc = gen_parse_size(name, arg, 2, GEN_ROLES_MAX, &o->roles, err);
		else if (strcmp(name, "topic-words") == 0)
			rc = gen_parse_size(name, arg, 1, 10000, &o->topic_words, err);
		else if (strcmp(name, "role-words") == 0)
			rc = gen_parse_size(name, arg, 1, 100000, &o->role_words, err);
		else if (strcmp(name, "filler-words") == 0)
			rc = gen_parse_size(name, arg, 1, 1000000, &o->filler_words, err);
		else if (strcmp(name, "questions") == 0)
			rc = gen_parse_size(name, arg, 0, 100000000, &o->questions, err);
		else
			return ks_err_set(err, KS_ERR_USAGE, "unknown option '%s'", argv[i - 1]);
		if (rc != KS_OK)
			return rc;
	}
	if (o->questions_path != NULL && gen_same_file(o->corpus_path, o->questions_path))
		return ks_err_set(err, KS_ERR_USAGE, "-o '%s' and -q '%s' name the same file",
		    o->corpus_path, o->questions_path);
	if ((uint64_t)o->entities * o->topic_words > 10000000)
		return ks_err_set(err, KS_ERR_USAGE,
		    "-entities times -topic-words must be at most 10000000");
	return KS_OK;
}

static int
gen_run(const struct gen_opts *o, struct ks_err *err)
{
	struct gen_world w;
	struct gen_rng rng;
	uint64_t tokens = 0, sentences = 0;
	size_t nq = 0, nsec = 0;
	int rc;

	/* Fail on an unwritable path before any work. */
	if ((rc = ks_outfile_check(o->corpus_path, err)) != KS_OK)
		return rc;
	if (o->questions_path != NULL && (rc = ks_outfile_check(o->questions_path, err)) != KS_OK)
		return rc;
	rng_seed(&rng, o->seed);
	rc = world_build(&w, o, &rng, err);
	/* The questions come from their own stream so -words does not change them. */
	if (rc == KS_OK && o->questions_path != NULL) {
		struct gen_rng qrng;

		rng_seed(&qrng, o->seed ^ UINT64_C(0x5175657374696f6e));
		rc = gen_questions(&w, o, &qrng, &nq, &nsec, err);
	}
	if (rc == KS_OK)
		rc = gen_corpus(&w, o, &rng, &tokens, &sentences, err);
	if (rc == KS_OK && !o->quiet) {
		fprintf(stderr, GEN_NAME ": %" PRIu64 " sentences, %" PRIu64 " tokens, "
		    "%zu word types (%zu targets) -> %s\n", sentences, tokens,
		    w.entities * (w.roles + w.topic_words) + w.roles * w.role_words
		    + w.filler_words, w.entities * w.roles,
		    strcmp(o->corpus_path, "-") == 0 ? "standard output" : o->corpus_path);
		if (o->questions_path != NULL)
			fprintf(stderr, GEN_NAME ": %zu questions in %zu sections -> %s\n",
			    nq, nsec, strcmp(o->questions_path, "-") == 0
			    ? "standard output" : o->questions_path);
	}
	world_free(&w);
	return rc;
}

int
main(int argc, char **argv)
{
	struct gen_opts o;
	struct ks_err err;
	int help, rc;

	ks_err_clear(&err);
	gen_opts_defaults(&o);
	rc = gen_opts_parse(&o, argc, argv, &help, &err);
	if (rc != KS_OK) {
		fprintf(stderr, GEN_NAME ": %s\nTry '" GEN_NAME " --help' for the options.\n",
		    err.msg);
		return ks_status_exit_code(rc);
	}
	if (help) {
		gen_help(stdout);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0
		    : ks_status_exit_code(KS_ERR_WRITE);
	}
	rc = gen_run(&o, &err);
	if (rc != KS_OK) {
		fprintf(stderr, GEN_NAME ": %s\n", err.msg);
		return ks_status_exit_code(rc);
	}
	return 0;
}
