/*
 * The trainer's settings (see config.h).
 *
 * A single table lists every option with its type, range and help text.
 * The parser, --help and tests/cli.sh (which compares the table with the
 * man page) all read it, so an option cannot exist in one and not the
 * others. Numbers are parsed by optarg.h and checked completely:
 * trailing garbage, overflow, NaN, infinities and out-of-range values are
 * rejected with a message that names the option.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "optarg.h"

enum opt_type {
	OPT_LONG,		/* long in [min, max] */
	OPT_DOUBLE,		/* finite double in [min, max] */
	OPT_BOOL,		/* 0 or 1 */
	OPT_STRING,		/* a path */
	OPT_TRAIN,		/* a path, may repeat */
	OPT_SEED,		/* uint64 */
	OPT_CBOW_UPDATE,	/* corrected | word2vec */
	OPT_KERNEL,		/* fast | reference */
	OPT_POSITIONS,		/* off | vector | scalar */
	OPT_VOCAB_UPDATE,	/* keep | grow */
	OPT_OUTPUT_VECTORS,	/* word | context | mean */
	OPT_QUIET,
	OPT_HELP,
	OPT_VERSION
};

struct opt {
	const char *name;
	enum opt_type type;
	size_t offset;
	double min, max;
	const char *arg;	/* the value's name in --help */
	const char *help;
};

#define OFF(field) offsetof(struct ks_config, field)

static const struct opt opts[] = {
	{ "train", OPT_TRAIN, OFF(train), 0, 0, "FILE",
	  "training corpus: plain or gzip text, - for stdin; repeat for several" },
	{ "output", OPT_STRING, OFF(output), 0, 0, "FILE",
	  "write the vectors to FILE (- for stdout, *.gz as gzip)" },
	{ "output-vectors", OPT_OUTPUT_VECTORS, OFF(output_vectors), 0, 0, "KIND",
	  "what -output holds: word (word2vec.c's), context, or mean (of the two)" },
	{ "save-context", OPT_STRING, OFF(save_context), 0, 0, "FILE",
	  "also write the context (output) vectors to FILE" },
	{ "save-vocab", OPT_STRING, OFF(save_vocab), 0, 0, "FILE",
	  "write the vocabulary as `word count' lines to FILE" },
	{ "init-vectors", OPT_STRING, OFF(init_vectors), 0, 0, "FILE",
	  "start the word vectors from FILE (word2vec text or binary, gzip ok)" },
	{ "init", OPT_STRING, OFF(init), 0, 0, "FILE",
	  "continue training the model in FILE (-save-model's, or a checkpoint) on this corpus" },
	{ "vocab-update", OPT_VOCAB_UPDATE, OFF(vocab_grow), 0, 0, "POLICY",
	  "with -init: grow (add the corpus's new words) or keep (only the model's words)" },
	{ "save-model", OPT_STRING, OFF(save_model), 0, 0, "FILE",
	  "also write the whole model to FILE at the end, for -init" },
	{ "loss-log", OPT_STRING, OFF(loss_log), 0, 0, "FILE",
	  "write the training curve to FILE as it goes: a TSV line a second (resume appends)" },
	{ "read-vocab", OPT_STRING, OFF(read_vocab), 0, 0, "FILE",
	  "take the vocabulary from FILE, not the corpus (gzip ok, - for stdin)" },
	{ "cbow", OPT_BOOL, OFF(cbow), 0, 1, "0|1",
	  "1: CBOW, 0: skip-gram" },
	{ "cbow-update", OPT_CBOW_UPDATE, OFF(cbow_update), 0, 0, "MODE",
	  "CBOW context update: corrected (true gradient of the mean) or word2vec" },
	{ "positions", OPT_POSITIONS, OFF(positions), 0, 0, "KIND",
	  "CBOW: weight context words by relative position: off, vector or scalar" },
	{ "save-positions", OPT_STRING, OFF(save_positions), 0, 0, "FILE",
	  "with -positions: write the learned position weights to FILE" },
	{ "kernel", OPT_KERNEL, OFF(kernel), 0, 0, "KIND",
	  "fast (skip-gram a window at a time) or reference (pair by pair)" },
	{ "size", OPT_LONG, OFF(size), 1, 100000, "N",
	  "dimensions of the vectors" },
	{ "window", OPT_LONG, OFF(window), 1, 1000, "N",
	  "largest distance between a word and its context words" },
	{ "negative", OPT_LONG, OFF(negative), 0, 1000, "N",
	  "negative samples per target word (0: none, with -hs 1)" },
	{ "ns-exponent", OPT_DOUBLE, OFF(ns_exponent), -10, 10, "X",
	  "exponent of the unigram distribution negatives are drawn from" },
	{ "sample", OPT_DOUBLE, OFF(sample), 0, 1, "X",
	  "subsampling threshold for frequent words (0: off)" },
	{ "alpha", OPT_DOUBLE, OFF(alpha), 1e-12, 1e12, "X",
	  "starting learning rate (decays linearly to alpha*1e-4)" },
	{ "input-rate-scale", OPT_DOUBLE, OFF(alpha_in_scale), 1e-6, 1e6, "X",
	  "CBOW: learning rate of the input vectors as a multiple of -alpha" },
	{ "iter", OPT_LONG, OFF(iter), 0, 100000, "N",
	  "training epochs (0 only with -init: write the model's vectors as they are)" },
	{ "min-count", OPT_LONG, OFF(min_count), 0, 1e15, "N",
	  "drop words seen fewer than N times" },
	{ "max-vocab", OPT_LONG, OFF(max_vocab), 0, 1e15, "N",
	  "keep at most the N most frequent words (0: no cap)" },
	{ "threads", OPT_LONG, OFF(threads), 1, 1024, "N",
	  "worker threads; by default one per CPU this process may run on" },
	{ "seed", OPT_SEED, OFF(seed), 0, 0, "N",
	  "random seed; -threads 1 with a fixed seed is reproducible" },
	{ "max-sentence", OPT_LONG, OFF(max_sentence), 1, 1000000000, "N",
	  "cut longer sentences into chunks of N words (no word is lost)" },
	{ "cache-mb", OPT_LONG, OFF(cache_mb), 0, 1L << 30, "MB",
	  "memory for the corpus as word ids and their counting map (trains every epoch from memory)" },
	{ "vocab-mb", OPT_LONG, OFF(vocab_mb), 1, 1L << 30, "MB",
	  "memory budget of the counting table; past it rare words are pruned" },
	{ "checkpoint", OPT_STRING, OFF(checkpoint), 0, 0, "FILE",
	  "write checkpoints to FILE (default: -resume's FILE, else OUTPUT.ckpt)" },
	{ "checkpoint-every", OPT_DOUBLE, OFF(checkpoint_every), 0, 1e6, "MINUTES",
	  "also write a checkpoint every MINUTES of training (0: only when stopped)" },
	{ "resume", OPT_STRING, OFF(resume), 0, 0, "FILE",
	  "continue the training saved in checkpoint FILE (give the same options)" },
	{ "binary", OPT_BOOL, OFF(binary), 0, 1, "0|1",
	  "1: write vectors in word2vec's binary format" },
	{ "debug", OPT_LONG, OFF(debug), 0, 3, "N",
	  "0 errors only, 1 summary, 2 progress, 3 details" },
	{ "quiet", OPT_QUIET, 0, 0, 0, NULL,
	  "same as -debug 0" },
	{ "hs", OPT_BOOL, OFF(hs), 0, 1, "0|1",
	  "1: hierarchical softmax (alone with -negative 0, else beside negative sampling)" },
	{ "classes", OPT_LONG, OFF(classes), 0, 4294967295.0, "K",
	  "write K k-means word classes to -output instead of vectors (0: vectors)" },
	{ "help", OPT_HELP, 0, 0, 0, NULL,
	  "print this help and exit" },
	{ "version", OPT_VERSION, 0, 0, 0, NULL,
	  "print the version and exit" },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

/*
 * The defaults that depend on the mode, chosen from the frontier of
 * bench/frontier.sh (bench/README.md): the best Google accuracy within
 * skip-gram's default time. Both CBOW updates share the settings that
 * shape the data (epochs and window), so that
 * -cbow-update changes only the update; the rates are each update's own
 * (word2vec.c's 0.05 and 0.025 for the word2vec update and skip-gram).
 */
#define ALPHA_CBOW_CORRECTED 0.1
#define ALPHA_CBOW_WORD2VEC 0.05
#define ALPHA_SKIPGRAM 0.025
#define INPUT_SCALE_CBOW_CORRECTED 1.0
#define ITER_CBOW 10
#define ITER_SKIPGRAM 5
#define WINDOW_CBOW 8
#define WINDOW_SKIPGRAM 5

/*
 * The CPUs this process may run on: its affinity mask (taskset, cgroup
 * cpusets), else the online CPUs.
 */
static long
config_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

void
ks_config_defaults(struct ks_config *cfg)
{
	long cpus = config_cpus();

	memset(cfg, 0, sizeof(*cfg));
	cfg->size = 100;
	/* -1: not given, resolved for the mode by ks_config_finish. */
	cfg->window = -1;
	cfg->sample = 1e-4;	/* word2vec.c: 1e-3; see kensho(1), DEFAULTS */
	cfg->negative = 5;
	cfg->threads = cpus >= 1 ? (cpus > 1024 ? 1024 : cpus) : 1;
	cfg->iter = -1;
	cfg->min_count = 5;
	cfg->max_vocab = 0;
	cfg->alpha = -1;
	cfg->alpha_in_scale = -1;
	cfg->ns_exponent = 0.75;
	cfg->cbow = 1;
	cfg->cbow_update = KS_CBOW_CORRECTED;
	cfg->kernel = KS_KERNEL_FAST;
	cfg->binary = 0;
	cfg->debug = 2;
	cfg->seed = 1;
	cfg->max_sentence = 1000;
	cfg->cache_mb = 4096;
	cfg->vocab_mb = 2048;
	cfg->vocab_grow = 1;
}

const char *
ks_config_output_vectors_name(enum ks_output_vectors kind)
{
	switch (kind) {
	case KS_OUTPUT_WORD:
		return "word";
	case KS_OUTPUT_CONTEXT:
		return "context";
	case KS_OUTPUT_MEAN:
		return "mean";
	default:
		return "default";
	}
}

double
ks_config_default_alpha(int cbow, enum ks_cbow_update update)
{
	if (!cbow)
		return ALPHA_SKIPGRAM;
	return update == KS_CBOW_CORRECTED ? ALPHA_CBOW_CORRECTED : ALPHA_CBOW_WORD2VEC;
}

static double
config_default_input_scale(int cbow, enum ks_cbow_update update)
{
	return cbow && update == KS_CBOW_CORRECTED ? INPUT_SCALE_CBOW_CORRECTED : 1.0;
}

static const struct opt *
config_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_OPTS; i++)
		if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

static int
config_parse_seed(const struct opt *o, const char *val, uint64_t *out, struct ks_err *err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (val[0] == '-' || val[0] == '+')
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' is not a non-negative integer",
				  o->name, val);
	v = strtoull(val, &end, 10);
	if (end == val || *end != '\0' || errno == ERANGE)
		return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' is not an integer below 2^64",
				  o->name, val);
	*out = (uint64_t)v;
	return KS_OK;
}

static int
config_add_train(struct ks_config *cfg, char *path, struct ks_err *err)
{
	char **grown = ks_realloc_array(cfg->train, cfg->n_train + 1, sizeof(*grown));

	if (grown == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	cfg->train = grown;
	cfg->train[cfg->n_train++] = path;
	return KS_OK;
}

static int
config_apply(struct ks_config *cfg, const struct opt *o, char *val, struct ks_err *err)
{
	char *base = (char *)cfg;
	long lv = 0;
	int rc;

	switch (o->type) {
	case OPT_LONG:
		if ((rc = ks_optarg_long(o->name, val, (long)o->min, (long)o->max, &lv, err)) != KS_OK)
			return rc;
		if (strcmp(o->name, "debug") == 0)
			cfg->debug = (int)lv;
		else
			*(long *)(base + o->offset) = lv;
		return KS_OK;
	case OPT_DOUBLE:
		return ks_optarg_double(o->name, val, o->min, o->max, (double *)(base + o->offset), err);
	case OPT_BOOL:
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' must be 0 or 1",
					  o->name, val);
		*(int *)(base + o->offset) = val[0] == '1';
		return KS_OK;
	case OPT_STRING:
		if (val[0] == '\0')
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: empty file name", o->name);
		*(const char **)(base + o->offset) = val;
		return KS_OK;
	case OPT_TRAIN:
		if (val[0] == '\0')
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: empty file name", o->name);
		return config_add_train(cfg, val, err);
	case OPT_SEED:
		return config_parse_seed(o, val, &cfg->seed, err);
	case OPT_CBOW_UPDATE:
		cfg->cbow_update_given = 1;
		if (strcmp(val, "corrected") == 0)
			cfg->cbow_update = KS_CBOW_CORRECTED;
		else if (strcmp(val, "word2vec") == 0)
			cfg->cbow_update = KS_CBOW_WORD2VEC;
		else
			return ks_err_set(err, KS_ERR_USAGE,
					  "option -%s: '%s' must be corrected or word2vec", o->name, val);
		return KS_OK;
	case OPT_POSITIONS:
		if (strcmp(val, "off") == 0)
			cfg->positions = KS_POSITIONS_OFF;
		else if (strcmp(val, "vector") == 0)
			cfg->positions = KS_POSITIONS_VECTOR;
		else if (strcmp(val, "scalar") == 0)
			cfg->positions = KS_POSITIONS_SCALAR;
		else
			return ks_err_set(err, KS_ERR_USAGE,
					  "option -%s: '%s' must be off, vector or scalar", o->name, val);
		return KS_OK;
	case OPT_VOCAB_UPDATE:
		cfg->vocab_update_given = 1;
		if (strcmp(val, "keep") == 0 || strcmp(val, "grow") == 0)
			cfg->vocab_grow = val[0] == 'g';
		else
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' must be grow or keep",
					  o->name, val);
		return KS_OK;
	case OPT_OUTPUT_VECTORS:
		if (strcmp(val, "word") == 0)
			cfg->output_vectors = KS_OUTPUT_WORD;
		else if (strcmp(val, "context") == 0)
			cfg->output_vectors = KS_OUTPUT_CONTEXT;
		else if (strcmp(val, "mean") == 0)
			cfg->output_vectors = KS_OUTPUT_MEAN;
		else
			return ks_err_set(err, KS_ERR_USAGE,
					  "option -%s: '%s' must be word, context or mean", o->name,
					  val);
		return KS_OK;
	case OPT_KERNEL:
		if (strcmp(val, "fast") == 0)
			cfg->kernel = KS_KERNEL_FAST;
		else if (strcmp(val, "reference") == 0)
			cfg->kernel = KS_KERNEL_REFERENCE;
		else
			return ks_err_set(err, KS_ERR_USAGE,
					  "option -%s: '%s' must be fast or reference", o->name, val);
		return KS_OK;
	default:
		return ks_err_set(err, KS_ERR_INTERNAL, "option -%s: bad table entry", o->name);
	}
}

int
ks_config_parse(struct ks_config *cfg, int argc, char **argv, enum ks_config_action *action,
		struct ks_err *err)
{
	int i;

	*action = KS_ACTION_TRAIN;
	for (i = 1; i < argc; i++) {
		char *arg = argv[i], *name, *eq, *val;
		const struct opt *o;
		size_t len;
		int rc;

		if (arg[0] != '-' || arg[1] == '\0')
			return ks_err_set(err, KS_ERR_USAGE, "unexpected argument '%s' (options start with -)",
					  arg);
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = config_find(name, len);
		if (o == NULL && len == 1 && name[0] == 'h' && eq == NULL)
			o = config_find("help", 4);
		if (o == NULL)
			return ks_err_set(err, KS_ERR_USAGE, "unknown option '%s'", arg);
		if (o->type == OPT_HELP || o->type == OPT_VERSION || o->type == OPT_QUIET) {
			if (eq != NULL)
				return ks_err_set(err, KS_ERR_USAGE, "option -%s takes no value", o->name);
			if (o->type == OPT_QUIET)
				cfg->debug = 0;
			else
				*action = o->type == OPT_HELP ? KS_ACTION_HELP : KS_ACTION_VERSION;
			continue;
		}
		if (eq != NULL) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				return ks_err_set(err, KS_ERR_USAGE, "option -%s needs a value (%s)",
						  o->name, o->arg);
			val = argv[++i];
		}
		if ((rc = config_apply(cfg, o, val, err)) != KS_OK)
			return rc;
	}
	if (*action != KS_ACTION_TRAIN)
		return KS_OK;
	return ks_config_finish(cfg, err);
}

void
ks_config_outputs(const struct ks_config *cfg, const char *paths[KS_CONFIG_OUTPUTS],
		  const char *names[KS_CONFIG_OUTPUTS])
{
	static const char *const options[KS_CONFIG_OUTPUTS] = {
		"-output", "-save-context", "-save-vocab", "-save-positions", "-loss-log",
		"-save-model"
	};
	size_t i;

	paths[0] = cfg->output;
	paths[1] = cfg->save_context;
	paths[2] = cfg->save_vocab;
	paths[3] = cfg->save_positions;
	paths[4] = cfg->loss_log;
	paths[5] = cfg->save_model;
	for (i = 0; i < KS_CONFIG_OUTPUTS; i++)
		names[i] = options[i];
}

/* The rules of continued training (-init, -save-model, -vocab-update, -iter 0). */
static int
config_check_init(const struct ks_config *cfg, struct ks_err *err)
{
	if (cfg->init == NULL) {
		if (cfg->iter == 0)
			return ks_err_set(err, KS_ERR_USAGE,
					  "-iter 0: nothing would be trained; -iter 0 is for -init "
					  "FILE, to write a model's vectors without training");
		if (cfg->vocab_update_given)
			return ks_err_set(err, KS_ERR_USAGE,
					  "-vocab-update: there is no vocabulary to update without "
					  "-init FILE");
	}
	if (cfg->save_model != NULL && strcmp(cfg->save_model, "-") == 0)
		return ks_err_set(err, KS_ERR_USAGE, "-save-model -: a model must go to a file");
	if (cfg->init == NULL)
		return KS_OK;
	if (strcmp(cfg->init, "-") == 0)
		return ks_err_set(err, KS_ERR_USAGE, "-init -: a model must be read from a file");
	if (cfg->init_vectors != NULL)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-init %s and -init-vectors %s: a training starts from a model or "
				  "from vectors, not both", cfg->init, cfg->init_vectors);
	if (cfg->read_vocab != NULL)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-init %s and -read-vocab %s: with -init the vocabulary is the "
				  "model's, updated from the corpus's counts (-vocab-update); drop "
				  "-read-vocab", cfg->init, cfg->read_vocab);
	if (cfg->save_model != NULL && strcmp(cfg->save_model, cfg->init) == 0)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-save-model names the -init file '%s': write the new model "
				  "beside it", cfg->init);
	return KS_OK;
}

int
ks_config_finish(struct ks_config *cfg, struct ks_err *err)
{
	size_t i, stdin_count = 0;
	int rc;

	if (cfg->n_train == 0)
		return ks_err_set(err, KS_ERR_USAGE, "no training corpus: give -train FILE (- for stdin)");
	for (i = 0; i < cfg->n_train; i++)
		stdin_count += strcmp(cfg->train[i], "-") == 0;
	if (stdin_count > 1)
		return ks_err_set(err, KS_ERR_USAGE, "-train -: standard input can be given only once");
	if (stdin_count > 0 && cfg->read_vocab != NULL && strcmp(cfg->read_vocab, "-") == 0)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-train - and -read-vocab -: standard input can hold the corpus or "
				  "the vocabulary, not both; give one of them as a file");
	if (cfg->init_vectors != NULL && strcmp(cfg->init_vectors, "-") == 0 &&
	    (stdin_count > 0 || (cfg->read_vocab != NULL && strcmp(cfg->read_vocab, "-") == 0)))
		return ks_err_set(err, KS_ERR_USAGE,
				  "-init-vectors -: standard input already holds the corpus or the "
				  "vocabulary; give the vectors as a file");
	if (cfg->output == NULL && cfg->save_context == NULL && cfg->save_vocab == NULL &&
	    cfg->save_model == NULL)
		return ks_err_set(err, KS_ERR_USAGE,
				  "nothing to write: give -output FILE (or -save-model, -save-vocab, "
				  "-save-context)");
	if ((rc = config_check_init(cfg, err)) != KS_OK)
		return rc;
	if (cfg->output != NULL && cfg->save_context != NULL &&
	    strcmp(cfg->output, cfg->save_context) == 0 && strcmp(cfg->output, "-") != 0)
		return ks_err_set(err, KS_ERR_USAGE, "-output and -save-context name the same file '%s'",
				  cfg->output);
	if (cfg->checkpoint != NULL) {
		const char *outs[KS_CONFIG_OUTPUTS], *names[KS_CONFIG_OUTPUTS];

		if (strcmp(cfg->checkpoint, "-") == 0)
			return ks_err_set(err, KS_ERR_USAGE,
					  "-checkpoint -: a checkpoint must go to a file");
		ks_config_outputs(cfg, outs, names);
		for (i = 0; i < KS_CONFIG_OUTPUTS; i++)
			if (outs[i] != NULL && strcmp(outs[i], cfg->checkpoint) == 0)
				return ks_err_set(err, KS_ERR_USAGE,
						  "-checkpoint names an output file too: '%s'",
						  cfg->checkpoint);
	}
	/*
	 * The CBOW-only options do nothing for skip-gram: they are noted for a
	 * warning and reset, so they are neither echoed nor compared on resume.
	 */
	if (!cfg->cbow) {
		/* Indexed by which were given: 1 -cbow-update, 2 -input-rate-scale, 4 -positions. */
		static const char *const given[8] = {
			NULL, "-cbow-update", "-input-rate-scale", "-cbow-update and -input-rate-scale",
			"-positions", "-cbow-update and -positions",
			"-input-rate-scale and -positions",
			"-cbow-update, -input-rate-scale and -positions"
		};

		cfg->sg_ignored = given[(cfg->cbow_update_given ? 1 : 0) |
					(cfg->alpha_in_scale >= 0 ? 2 : 0) |
					(cfg->positions != KS_POSITIONS_OFF ? 4 : 0)];
		cfg->cbow_update = KS_CBOW_CORRECTED;
		cfg->alpha_in_scale = 1.0;
		cfg->positions = KS_POSITIONS_OFF;
	}
	if (cfg->negative == 0 && !cfg->hs)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-negative 0 without -hs 1: nothing would be trained; give "
				  "-negative N or -hs 1");
	if (cfg->hs && cfg->positions != KS_POSITIONS_OFF)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-positions %s with -hs 1: position weights work with negative "
				  "sampling only; give -hs 0 or -positions off",
				  ks_positions_name(cfg->positions));
	if (cfg->hs && cfg->negative == 0 && cfg->save_context != NULL)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-save-context %s with -hs 1 -negative 0: hierarchical softmax trains "
				  "one vector per inner node of its tree, not per word, so there are "
				  "no context vectors to write; give -negative N to train them too",
				  cfg->save_context);
	if (cfg->output_vectors != KS_OUTPUT_WORD && cfg->output_vectors != KS_OUTPUT_DEFAULT &&
	    cfg->negative == 0)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-output-vectors %s with -negative 0: hierarchical softmax trains "
				  "no context vector per word; give -output-vectors word, or "
				  "-negative N to train them too",
				  ks_config_output_vectors_name(cfg->output_vectors));
	/* Only what -output holds: without it the option changes nothing (train.c warns). */
	cfg->output_vectors_ignored = cfg->output_vectors != KS_OUTPUT_DEFAULT && cfg->output == NULL;
	if (cfg->output_vectors == KS_OUTPUT_DEFAULT)
		cfg->output_vectors = cfg->cbow && cfg->negative > 0 ? KS_OUTPUT_MEAN :
			KS_OUTPUT_WORD;
	if (cfg->classes > 0 && cfg->output == NULL)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-classes %ld: the classes are written to -output; give -output FILE",
				  cfg->classes);
	if (cfg->save_positions != NULL && cfg->positions == KS_POSITIONS_OFF)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-save-positions %s: there are no position weights to write; "
				  "give -positions vector or -positions scalar (CBOW only)",
				  cfg->save_positions);
	if (cfg->alpha < 0)
		cfg->alpha = ks_config_default_alpha(cfg->cbow, cfg->cbow_update);
	if (cfg->iter < 0)
		cfg->iter = cfg->cbow ? ITER_CBOW : ITER_SKIPGRAM;
	if (cfg->window < 0)
		cfg->window = cfg->cbow ? WINDOW_CBOW : WINDOW_SKIPGRAM;
	if (cfg->alpha_in_scale < 0)
		cfg->alpha_in_scale = config_default_input_scale(cfg->cbow, cfg->cbow_update);
	return KS_OK;
}

/* The mode-dependent default of an option, as --help shows it. */
static void
config_mode_value(const char *name, char *buf, size_t cap)
{
	if (strcmp(name, "iter") == 0)
		snprintf(buf, cap, "%d CBOW, %d skip-gram", ITER_CBOW, ITER_SKIPGRAM);
	else if (strcmp(name, "window") == 0)
		snprintf(buf, cap, "%d CBOW, %d skip-gram", WINDOW_CBOW, WINDOW_SKIPGRAM);
	else
		buf[0] = '\0';
}

static void
config_value(const struct ks_config *cfg, const struct opt *o, char *buf, size_t cap)
{
	const char *base = (const char *)cfg;
	const char *s;

	buf[0] = '\0';
	switch (o->type) {
	case OPT_LONG:
		if (strcmp(o->name, "debug") == 0)
			snprintf(buf, cap, "%d", cfg->debug);
		else if (*(const long *)(base + o->offset) < 0)
			config_mode_value(o->name, buf, cap);
		else
			snprintf(buf, cap, "%ld", *(const long *)(base + o->offset));
		break;
	case OPT_DOUBLE:
		if (strcmp(o->name, "alpha") == 0 && cfg->alpha < 0)
			snprintf(buf, cap, "%g CBOW corrected, %g CBOW word2vec, %g skip-gram",
				 ALPHA_CBOW_CORRECTED, ALPHA_CBOW_WORD2VEC, ALPHA_SKIPGRAM);
		else if (strcmp(o->name, "input-rate-scale") == 0 && cfg->alpha_in_scale < 0)
			snprintf(buf, cap, INPUT_SCALE_CBOW_CORRECTED == 1.0 ? "%g" :
				 "%g corrected CBOW, 1 otherwise", INPUT_SCALE_CBOW_CORRECTED);
		else
			snprintf(buf, cap, "%g", *(const double *)(base + o->offset));
		break;
	case OPT_BOOL:
		snprintf(buf, cap, "%d", *(const int *)(base + o->offset));
		break;
	case OPT_STRING:
		s = *(const char *const *)(base + o->offset);
		if (s != NULL)
			snprintf(buf, cap, "%s", s);
		break;
	case OPT_SEED:
		snprintf(buf, cap, "%llu", (unsigned long long)cfg->seed);
		break;
	case OPT_CBOW_UPDATE:
		snprintf(buf, cap, "%s", cfg->cbow_update == KS_CBOW_CORRECTED ? "corrected" : "word2vec");
		break;
	case OPT_POSITIONS:
		snprintf(buf, cap, "%s", ks_positions_name(cfg->positions));
		break;
	case OPT_VOCAB_UPDATE:
		snprintf(buf, cap, "%s", cfg->vocab_grow ? "grow" : "keep");
		break;
	case OPT_KERNEL:
		snprintf(buf, cap, "%s", cfg->kernel == KS_KERNEL_FAST ? "fast" : "reference");
		break;
	case OPT_OUTPUT_VECTORS:
		if (cfg->output_vectors == KS_OUTPUT_DEFAULT)
			snprintf(buf, cap, "mean CBOW, word skip-gram and -negative 0");
		else
			snprintf(buf, cap, "%s", ks_config_output_vectors_name(cfg->output_vectors));
		break;
	default:
		break;
	}
}

void
ks_config_help(const struct ks_config *cfg, const char *prog, FILE *out)
{
	struct ks_config defaults;
	size_t i;

	ks_config_defaults(&defaults);
	fprintf(out,
		"Usage: %s -train FILE -output FILE [options]\n"
		"Train word vectors with CBOW (corrected gradient) or skip-gram with\n"
		"negative sampling. Options take one dash or two; values follow as the\n"
		"next argument or after '='.\n\n", prog);
	for (i = 0; i < N_OPTS; i++) {
		const struct opt *o = &opts[i];
		char head[64], def[128], now[128];

		snprintf(head, sizeof(head), "-%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-22s %s", head, o->help);
		config_value(&defaults, o, def, sizeof(def));
		config_value(cfg, o, now, sizeof(now));
		if (o->type == OPT_TRAIN)
			def[0] = now[0] = '\0';
		/* Options given before --help show their value beside the default. */
		if (def[0] != '\0' && now[0] != '\0' && strcmp(def, now) != 0)
			fprintf(out, " (default: %s; given: %s)", def, now);
		else if (def[0] != '\0')
			fprintf(out, " (default: %s)", def);
		else if (now[0] != '\0')
			fprintf(out, " (given: %s)", now);
		fputc('\n', out);
	}
	fprintf(out, "\nExit status: 0 on success; see kensho(1) for the error codes.\n");
}

void
ks_config_free(struct ks_config *cfg)
{
	free(cfg->train);
	cfg->train = NULL;
	cfg->n_train = 0;
}
