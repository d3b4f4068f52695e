/*
 * kensho-phrases: the command line of the phrase joiner (phrases.h), the
 * word2phrase replacement. It parses the arguments into a
 * ks_phrases_config, runs the library and turns the returned status into
 * a message on stderr and the exit code listed in kensho-phrases(1).
 *
 * One table lists every option; the parser and --help both read it, and
 * tests/phrases.sh compares --help with the man page.
 *
 * SIGINT and SIGTERM raise a flag the library polls between batches
 * (cli_signals.h), so the temporary output file is removed before the tool
 * exits; a second signal ends the process at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_signals.h"
#include "log.h"
#include "mem.h"
#include "optarg.h"
#include "phrases.h"
#include "status.h"

enum opt_type {
	OPT_TRAIN,		/* a path, may repeat */
	OPT_OUTPUT,		/* a path */
	OPT_COUNT,		/* min-count: an integer in [min, max] */
	OPT_THRESHOLD,		/* a finite double in [min, max] */
	OPT_MB,			/* vocab-mb: an integer in [min, max] */
	OPT_BOOL,		/* read-ahead: 0 or 1 */
	OPT_DEBUG,		/* an integer in [min, max] */
	OPT_QUIET,
	OPT_HELP,
	OPT_VERSION
};

struct opt {
	const char *name;
	enum opt_type type;
	double min, max;
	const char *arg;	/* the value's name in --help */
	const char *help;
};

static const struct opt opts[] = {
	{ "train", OPT_TRAIN, 0, 0, "FILE",
	  "input text: plain or gzip, - for stdin; repeat for several" },
	{ "output", OPT_OUTPUT, 0, 0, "FILE",
	  "write the text with phrases joined to FILE (- for stdout, *.gz as gzip)" },
	{ "min-count", OPT_COUNT, 0, 1e15, "N",
	  "words and pairs seen fewer than N times are never joined" },
	{ "threshold", OPT_THRESHOLD, 0, 1e300, "X",
	  "join a pair whose score (c(ab) - min-count) / (c(a) c(b)) * N is above X" },
	{ "vocab-mb", OPT_MB, 1, 1L << 30, "MB",
	  "memory budget of the counting table; past it rare words and pairs are pruned" },
	{ "read-ahead", OPT_BOOL, 0, 1, "0|1",
	  "1: read and inflate the input in a second thread" },
	{ "debug", OPT_DEBUG, 0, 3, "N",
	  "0 errors only, 1 summary, 2 progress, 3 details" },
	{ "quiet", OPT_QUIET, 0, 0, NULL,
	  "same as -debug 0" },
	{ "help", OPT_HELP, 0, 0, NULL,
	  "print this help and exit" },
	{ "version", OPT_VERSION, 0, 0, NULL,
	  "print the version and exit" },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

enum cli_action { CLI_RUN, CLI_HELP, CLI_VERSION };

struct cli {
	struct ks_phrases_config cfg;
	const char **train;	/* owned array of argv's strings */
	long vocab_mb;
	int debug;
};

static void
cli_defaults(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	ks_phrases_defaults(&c->cfg);
	c->vocab_mb = (long)(c->cfg.budget_bytes >> 20);
	c->debug = 2;
}

static const struct opt *
cli_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_OPTS; i++)
		if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

static int
cli_apply(struct cli *c, const struct opt *o, const char *val, struct ks_err *err)
{
	const char **grown;
	long lv = 0;
	int rc;

	switch (o->type) {
	case OPT_TRAIN:
	case OPT_OUTPUT:
		if (val[0] == '\0')
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: empty file name", o->name);
		if (o->type == OPT_OUTPUT) {
			c->cfg.output = val;
			return KS_OK;
		}
		grown = ks_realloc_array(c->train, c->cfg.n_train + 1, sizeof(*grown));
		if (grown == NULL)
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		c->train = grown;
		c->train[c->cfg.n_train++] = val;
		c->cfg.train = c->train;
		return KS_OK;
	case OPT_COUNT:
		if ((rc = ks_optarg_long(o->name, val, (long)o->min, (long)o->max, &lv, err)) == KS_OK)
			c->cfg.min_count = (uint64_t)lv;
		return rc;
	case OPT_THRESHOLD:
		return ks_optarg_double(o->name, val, o->min, o->max, &c->cfg.threshold, err);
	case OPT_MB:
		if ((rc = ks_optarg_long(o->name, val, (long)o->min, (long)o->max, &lv, err)) != KS_OK)
			return rc;
		if (ks_mul_size((size_t)lv, (size_t)1 << 20, &c->cfg.budget_bytes) != 0)
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: %s MB do not fit this "
					  "machine's address space", o->name, val);
		c->vocab_mb = lv;
		return KS_OK;
	case OPT_BOOL:
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
			return ks_err_set(err, KS_ERR_USAGE, "option -%s: '%s' must be 0 or 1",
					  o->name, val);
		c->cfg.read_ahead = val[0] == '1';
		return KS_OK;
	case OPT_DEBUG:
		if ((rc = ks_optarg_long(o->name, val, (long)o->min, (long)o->max, &lv, err)) == KS_OK)
			c->debug = (int)lv;
		return rc;
	default:
		return ks_err_set(err, KS_ERR_INTERNAL, "option -%s: bad table entry", o->name);
	}
}

static int
cli_parse(struct cli *c, int argc, char **argv, enum cli_action *action, struct ks_err *err)
{
	int i, rc;

	*action = CLI_RUN;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *val;
		const struct opt *o;
		size_t len;

		if (arg[0] != '-' || arg[1] == '\0')
			return ks_err_set(err, KS_ERR_USAGE,
					  "unexpected argument '%s' (options start with -)", arg);
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = cli_find(name, len);
		if (o == NULL && len == 1 && name[0] == 'h' && eq == NULL)
			o = cli_find("help", 4);
		if (o == NULL)
			return ks_err_set(err, KS_ERR_USAGE, "unknown option '%s'", arg);
		if (o->type == OPT_HELP || o->type == OPT_VERSION || o->type == OPT_QUIET) {
			if (eq != NULL)
				return ks_err_set(err, KS_ERR_USAGE, "option -%s takes no value", o->name);
			if (o->type == OPT_QUIET)
				c->debug = 0;
			else
				*action = o->type == OPT_HELP ? CLI_HELP : CLI_VERSION;
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
		if ((rc = cli_apply(c, o, val, err)) != KS_OK)
			return rc;
	}
	if (*action != CLI_RUN)
		return KS_OK;
	return ks_phrases_check(&c->cfg, err);
}

/* The value of option o in c as --help shows it ("" for none). */
static void
cli_value(const struct cli *c, const struct opt *o, char *buf, size_t cap)
{
	buf[0] = '\0';
	switch (o->type) {
	case OPT_COUNT:
		snprintf(buf, cap, "%llu", (unsigned long long)c->cfg.min_count);
		break;
	case OPT_THRESHOLD:
		snprintf(buf, cap, "%g", c->cfg.threshold);
		break;
	case OPT_MB:
		snprintf(buf, cap, "%ld", c->vocab_mb);
		break;
	case OPT_BOOL:
		snprintf(buf, cap, "%d", c->cfg.read_ahead);
		break;
	case OPT_DEBUG:
		snprintf(buf, cap, "%d", c->debug);
		break;
	case OPT_OUTPUT:
		if (c->cfg.output != NULL)
			snprintf(buf, cap, "%s", c->cfg.output);
		break;
	default:
		break;
	}
}

static void
cli_help(const struct cli *c, FILE *out)
{
	struct cli defaults;
	size_t i;

	cli_defaults(&defaults);
	fprintf(out,
		"Usage: kensho-phrases -train FILE -output FILE [options]\n"
		"Join word pairs that occur together more often than chance into one token\n"
		"(new york -> new_york), as word2phrase does. Run it again on its output for\n"
		"phrases of up to four words. Options take one dash or two; values follow as\n"
		"the next argument or after '='.\n\n");
	for (i = 0; i < N_OPTS; i++) {
		const struct opt *o = &opts[i];
		char head[64], def[128], now[128];

		snprintf(head, sizeof(head), "-%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-22s %s", head, o->help);
		cli_value(&defaults, o, def, sizeof(def));
		cli_value(c, o, now, sizeof(now));
		if (def[0] != '\0' && now[0] != '\0' && strcmp(def, now) != 0)
			fprintf(out, " (default: %s; given: %s)", def, now);
		else if (def[0] != '\0')
			fprintf(out, " (default: %s)", def);
		else if (now[0] != '\0')
			fprintf(out, " (given: %s)", now);
		fputc('\n', out);
	}
	fprintf(out, "\nExit status: 0 on success; see kensho-phrases(1) for the error codes.\n");
}

struct cli_log {
	int tty;		/* stderr is a terminal: progress redraws one line */
	int line_open;		/* a progress line awaits its newline */
};

static void
cli_log_fn(void *ctx, enum ks_log_level level, const char *msg)
{
	struct cli_log *cl = ctx;

	if (level == KS_LOG_PROGRESS && cl->tty) {
		fprintf(stderr, "\r%s\033[K", msg);
		cl->line_open = 1;
		return;
	}
	if (cl->line_open) {
		fputc('\n', stderr);
		cl->line_open = 0;
	}
	fprintf(stderr, "%s%s\n", level == KS_LOG_WARN ? "kensho-phrases: warning: " : "", msg);
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct ks_err err;
	struct cli_log cl = { isatty(STDERR_FILENO), 0 };
	struct ks_log log = { cli_log_fn, &cl, 0 };
	enum cli_action action;
	int rc;

	ks_err_clear(&err);
	cli_defaults(&c);
	rc = cli_parse(&c, argc, argv, &action, &err);
	if (rc != KS_OK) {
		fprintf(stderr, "kensho-phrases: %s\nTry 'kensho-phrases --help' for the options.\n",
			err.msg);
		free(c.train);
		return ks_status_exit_code(rc);
	}
	if (action != CLI_RUN) {
		if (action == CLI_HELP)
			cli_help(&c, stdout);
		else
			printf("kensho-phrases %s\n", PACKAGE_VERSION);
		free(c.train);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : ks_status_exit_code(KS_ERR_WRITE);
	}
	/* -debug 0: errors only; 1: warnings and summaries; 2: progress; 3: details. */
	log.max_level = c.debug == 0 ? -1 : c.debug;
	c.cfg.interrupt = ks_cli_catch_signals(0);
	rc = ks_phrases_run(&c.cfg, &log, NULL, &err);
	if (cl.line_open)
		fputc('\n', stderr);
	if (rc != KS_OK)
		fprintf(stderr, "kensho-phrases: %s\n", err.msg[0] ? err.msg : ks_status_str(rc));
	free(c.train);
	return ks_status_exit_code(rc);
}
