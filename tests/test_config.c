/* The command line: defaults, both dash styles, values, and every reject. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "suites.h"

/* Parses a NULL-terminated argument list (argv[0] included). */
static int
parse(struct ks_config *cfg, enum ks_config_action *action, struct ks_err *err, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	ks_config_defaults(cfg);
	ks_err_clear(err);
	return ks_config_parse(cfg, argc, argv, action, err);
}

START_TEST(test_defaults_and_word2vec_names)
{
	struct ks_config cfg;
	struct ks_err err;
	enum ks_config_action act;

	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "c.txt", "-output", "v.txt",
			       NULL), KS_OK);
	ck_assert_int_eq(act, KS_ACTION_TRAIN);
	ck_assert_int_eq(cfg.size, 100);
	/* CBOW's defaults (kensho(1), DEFAULTS): 10 epochs, window 8. */
	ck_assert_int_eq(cfg.window, 8);
	ck_assert_int_eq(cfg.negative, 5);
	ck_assert_int_eq(cfg.iter, 10);
	ck_assert_int_eq(cfg.min_count, 5);
	ck_assert_int_eq(cfg.cbow, 1);
	ck_assert_int_eq(cfg.binary, 0);
	ck_assert_int_eq(cfg.max_sentence, 1000);
	ck_assert(cfg.sample == 1e-4);
	ck_assert(cfg.ns_exponent == 0.75);
	ck_assert_int_eq(cfg.cbow_update, KS_CBOW_CORRECTED);
	ck_assert_int_eq(cfg.kernel, KS_KERNEL_FAST);
	ck_assert(cfg.alpha == ks_config_default_alpha(1, KS_CBOW_CORRECTED));
	ck_assert(cfg.threads >= 1);
	ck_assert_uint_eq(cfg.n_train, 1);
	ck_assert_str_eq(cfg.train[0], "c.txt");
	ck_assert_str_eq(cfg.output, "v.txt");
	ks_config_free(&cfg);

	/* Skip-gram keeps word2vec.c's epochs and window; a given value wins over either. */
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "c.txt", "-output", "v.txt",
			       "-cbow", "0", NULL), KS_OK);
	ck_assert_int_eq(cfg.iter, 5);
	ck_assert_int_eq(cfg.window, 5);
	ck_assert(cfg.alpha == ks_config_default_alpha(0, KS_CBOW_CORRECTED));
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "c.txt", "-output", "v.txt",
			       "-iter", "3", "-window", "2", NULL), KS_OK);
	ck_assert_int_eq(cfg.iter, 3);
	ck_assert_int_eq(cfg.window, 2);
	ks_config_free(&cfg);

	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "--train", "a", "-train=b", "--train=-",
			       "--output=-", "-size", "50", "--window=8", "-cbow", "0", "-sample", "0",
			       "-hs", "0", "-classes", "0", "-seed", "18446744073709551615",
			       "-cbow-update", "word2vec", "-kernel", "reference", "-quiet", NULL), KS_OK);
	ck_assert_int_eq(cfg.kernel, KS_KERNEL_REFERENCE);
	ck_assert_uint_eq(cfg.n_train, 3);
	ck_assert_str_eq(cfg.train[1], "b");
	ck_assert_str_eq(cfg.train[2], "-");
	ck_assert_int_eq(cfg.size, 50);
	ck_assert_int_eq(cfg.window, 8);
	ck_assert_int_eq(cfg.cbow, 0);
	ck_assert_int_eq(cfg.debug, 0);
	ck_assert(cfg.seed == UINT64_MAX);
	ck_assert(cfg.alpha == ks_config_default_alpha(0, KS_CBOW_CORRECTED));
	ck_assert(cfg.alpha_in_scale == 1.0);
	ks_config_free(&cfg);

	/* Non-default counts within range are taken as given. */
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-min-count", "1", "-max-vocab", "1000000000000", NULL), KS_OK);
	ck_assert_int_eq(cfg.min_count, 1);
	ck_assert(cfg.max_vocab == 1000000000000L);
	ks_config_free(&cfg);

	/* An explicit -alpha wins over the mode's default. */
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-alpha", "0.1", "-cbow-update", "word2vec", NULL), KS_OK);
	ck_assert(cfg.alpha == 0.1);
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-cbow-update", "word2vec", NULL), KS_OK);
	ck_assert(cfg.alpha == ks_config_default_alpha(1, KS_CBOW_WORD2VEC));
	ck_assert(cfg.alpha_in_scale == 1.0);
	ks_config_free(&cfg);
}
END_TEST

static const char *const rejects[][4] = {
	/* argument, value, text the message must contain */
	{ "-size", "abc", "-size" },
	{ "-size", "0", "-size" },
	{ "-size", "12x", "-size" },
	{ "-size", "99999999999999999999999", "-size" },
	{ "-window", "0", "-window" },
	{ "-window", "-3", "-window" },
	{ "-alpha", "nan", "-alpha" },
	{ "-alpha", "inf", "-alpha" },
	{ "-alpha", "0", "-alpha" },
	{ "-alpha", "", "-alpha" },
	{ "-sample", "-1", "-sample" },
	{ "-negative", "0", "-negative" },
	{ "-iter", "0", "-iter" },
	{ "-threads", "0", "-threads" },
	{ "-cbow", "2", "-cbow" },
	{ "-binary", "yes", "-binary" },
	{ "-cbow-update", "mean", "-cbow-update" },
	{ "-kernel", "simd", "-kernel" },
	{ "-positions", "1", "-positions" },
	{ "-save-positions", "p.txt", "-positions vector" },
	{ "-hs", "2", "-hs" },
	{ "-negative", "-1", "-negative" },
	{ "-classes", "-1", "-classes" },
	{ "-classes", "2x", "-classes" },
	{ "-seed", "-1", "-seed" },
	{ "-ns-exponent", "1e400", "-ns-exponent" },
	{ "-max-sentence", "0", "-max-sentence" },
	{ "-min-count", "-1", "-min-count" },
	{ "-min-count", "9223372036854775807", "1000000000000000]" },
	{ "-max-vocab", "1e3", "-max-vocab" },
	{ "-output", "", "-output" },
};

/*
 * -positions takes its three names; skip-gram resets it with a warning
 * (and then has no weights for -save-positions).
 */
START_TEST(test_positions_option)
{
	static const char *const names[] = { "off", "vector", "scalar" };
	struct ks_config cfg;
	struct ks_err err;
	enum ks_config_action act;
	size_t i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
				       "-positions", names[i], NULL), KS_OK);
		ck_assert_int_eq(cfg.positions, (int)i);
		ck_assert_str_eq(ks_positions_name(cfg.positions), names[i]);
		ck_assert_ptr_null(cfg.sg_ignored);
		ks_config_free(&cfg);
	}
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-positions", "scalar", "-save-positions", "p", NULL), KS_OK);
	ck_assert_str_eq(cfg.save_positions, "p");
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-cbow", "0", "-positions", "vector", "-input-rate-scale", "2", NULL),
			 KS_OK);
	ck_assert_int_eq(cfg.positions, KS_POSITIONS_OFF);
	ck_assert_str_eq(cfg.sg_ignored, "-input-rate-scale and -positions");
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-cbow", "0", "-positions", "vector", "-save-positions", "p", NULL),
			 KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-save-positions p"));
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       "-positions", "vector", "-save-positions", "p", "-checkpoint", "p",
			       NULL), KS_ERR_USAGE);
	ks_config_free(&cfg);
}
END_TEST

START_TEST(test_rejects_bad_values)
{
	struct ks_config cfg;
	struct ks_err err;
	enum ks_config_action act;
	const char *const *r = rejects[_i];
	char opt[64], val[64];

	snprintf(opt, sizeof(opt), "%s", r[0]);
	snprintf(val, sizeof(val), "%s", r[1]);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b",
			       opt, val, NULL), KS_ERR_USAGE);
	ck_assert_msg(strstr(err.msg, r[2]) != NULL, "message '%s' does not name %s", err.msg, r[2]);
	ks_config_free(&cfg);
}
END_TEST

START_TEST(test_rejects_structure)
{
	struct ks_config cfg;
	struct ks_err err;
	enum ks_config_action act;

	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b", "-bogus", "1",
			       NULL), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-bogus"));
	ks_config_free(&cfg);
	/* No abbreviations: -it is not -iter. */
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b", "-it", "3",
			       NULL), KS_ERR_USAGE);
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", NULL),
			 KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-output"));
	ck_assert_ptr_nonnull(strstr(err.msg, "needs a value"));
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-output", "b", NULL), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-train"));
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", NULL), KS_ERR_USAGE);
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "-", "-train", "-", "-output", "b",
			       NULL), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "standard input"));
	ks_config_free(&cfg);
	/* Standard input holds the corpus or the vocabulary, not both. */
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "-", "-read-vocab", "-",
			       "-output", "b", NULL), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-read-vocab -"));
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-read-vocab", "-",
			       "-output", "b", NULL), KS_OK);
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "b", "stray",
			       NULL), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "stray"));
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-train", "a", "-output", "v",
			       "-save-context", "v", NULL), KS_ERR_USAGE);
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-quiet=1", NULL), KS_ERR_USAGE);
	ks_config_free(&cfg);
}
END_TEST

START_TEST(test_help_lists_every_option)
{
	static const char *const names[] = {
		"train", "output", "save-context", "save-positions", "save-vocab", "read-vocab", "cbow",
		"cbow-update", "positions", "kernel",
		"size", "window", "negative", "ns-exponent", "sample", "alpha", "input-rate-scale",
		"iter", "min-count", "max-vocab", "threads", "seed", "max-sentence", "cache-mb",
		"vocab-mb", "binary", "debug", "quiet", "hs", "classes", "help", "version"
	};
	struct ks_config cfg;
	struct ks_err err;
	enum ks_config_action act;
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem;

	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-size", "42", "--help", NULL), KS_OK);
	ck_assert_int_eq(act, KS_ACTION_HELP);
	mem = open_memstream(&text, &len);
	ks_config_help(&cfg, "kensho", mem);
	fclose(mem);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "  -%s ", names[i]);
		ck_assert_msg(strstr(text, needle) != NULL, "--help misses -%s", names[i]);
	}
	/* The help labels the built-in default as such, and a given value as given. */
	ck_assert_ptr_nonnull(strstr(text, "(default: 100; given: 42)"));
	ck_assert_ptr_null(strstr(text, "(default: 42)"));
	ck_assert_ptr_nonnull(strstr(text, "(default: 5)"));
	free(text);
	ks_config_free(&cfg);
	ck_assert_int_eq(parse(&cfg, &act, &err, "kensho", "-version", NULL), KS_OK);
	ck_assert_int_eq(act, KS_ACTION_VERSION);
	ks_config_free(&cfg);
}
END_TEST

Suite *
ks_suite_config(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults_and_word2vec_names);
	tcase_add_loop_test(tc, test_rejects_bad_values, 0, sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(tc, test_rejects_structure);
	tcase_add_test(tc, test_positions_option);
	tcase_add_test(tc, test_help_lists_every_option);
	suite_add_tcase(s, tc);
	return s;
}
