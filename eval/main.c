/*
 * kensho-eval: the evaluation tool's command line. It parses the
 * arguments, loads the vectors and the test sets through the library,
 * and prints the library's results as tables or JSON. Every figure is
 * computed in src/eval.c, convert is src/vecconvert.c, plot src/plot.c
 * and plot-loss src/lossplot.c; this file only formats. Each command is a line of the table `commands` and a body that
 * run(), the one frame, calls between loading and finishing the output.
 * Errors go to stderr with the exit status listed in kensho-eval(1) (the
 * library's status codes; 2 for a bad command line).
 *
 * The JSON of analogy and similarity is one document, so it is built in a
 * memory stream and written only once every file has been evaluated:
 * standard output then holds the whole document or, after a failure,
 * nothing, never a fragment a JSON parser would choke on. Tables and the
 * JSON lines of neighbors are for reading as they come, so they stream;
 * every line of them is complete before the next failure can happen.
 * open_memstream is POSIX 2008; Makefile.am defines _GNU_SOURCE for every
 * file, which exposes it along with getline and strdup.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval.h"
#include "log.h"
#include "lossplot.h"
#include "outfile.h"
#include "plot.h"
#include "status.h"
#include "vecconvert.h"
#include "vecfile.h"

#define PROG "kensho-eval"

/* Defaults of -restrict per command; see kensho-eval(1) for why. */
#define ANALOGY_RESTRICT 30000
#define SIMILARITY_RESTRICT 300000
#define NEIGHBORS_K 10

struct command;

enum opt_id {
	OPT_RESTRICT, OPT_METHOD, OPT_K, OPT_THREADS, OPT_LIMIT, OPT_REJECT_DUPS,
	OPT_FORMAT, OPT_BINARY, OPT_NO_HEADER, OPT_WORDS, OPT_NEIGHBORS, OPT_ANALOGIES, OPT_FIT, OPT_JSON, OPT_QUIET,
	OPT_HELP, OPT_VERSION
};

#define OPT_BIT(id) (1UL << (id))
/* The options of the evaluating commands, and of convert. */
#define EVAL_OPTIONS (OPT_BIT(OPT_RESTRICT) | OPT_BIT(OPT_METHOD) | OPT_BIT(OPT_K) | \
		      OPT_BIT(OPT_THREADS) | OPT_BIT(OPT_LIMIT) | OPT_BIT(OPT_REJECT_DUPS) | \
		      OPT_BIT(OPT_FORMAT) | OPT_BIT(OPT_JSON) | OPT_BIT(OPT_QUIET))
#define CONVERT_OPTIONS (OPT_BIT(OPT_THREADS) | OPT_BIT(OPT_LIMIT) | OPT_BIT(OPT_REJECT_DUPS) | \
			 OPT_BIT(OPT_FORMAT) | OPT_BIT(OPT_BINARY) | OPT_BIT(OPT_NO_HEADER) | \
			 OPT_BIT(OPT_QUIET))
#define PLOT_LOSS_OPTIONS OPT_BIT(OPT_QUIET)
#define PLOT_OPTIONS (OPT_BIT(OPT_K) | OPT_BIT(OPT_LIMIT) | OPT_BIT(OPT_REJECT_DUPS) | \
		      OPT_BIT(OPT_FORMAT) | OPT_BIT(OPT_WORDS) | OPT_BIT(OPT_NEIGHBORS) | \
		      OPT_BIT(OPT_ANALOGIES) | OPT_BIT(OPT_FIT) | OPT_BIT(OPT_QUIET))

struct cli {
	const struct command *cmd;
	size_t restrict_n;
	int restrict_set;
	enum ks_eval_method method;
	size_t k;
	unsigned threads;
	size_t limit;
	int reject_dups;
	enum ks_vecfile_read_format format;
	int to_binary;		/* convert: -binary, or -1 when not given */
	int no_header;
	const char *words_file;	/* plot: -words */
	const char *neighbors_of; /* plot: -neighbors */
	const char *analogies_file; /* plot: -analogies */
	size_t fit;		/* plot: -fit */
	int json;
	int quiet;
	unsigned long seen;	/* OPT_BIT of every option given */
	char **operands;
	size_t n_operands;
};

/*
 * What the frame (run) prepares for a command's body and finishes after
 * it: the vectors, loaded and reported, and the stream its results go to.
 */
struct frame {
	struct ks_eval_vectors *ev;	/* NULL unless the command has CMD_LOADS */
	struct ks_vecfile_info info;
	double load_s;
	FILE *out;			/* standard output, or the JSON memory stream */
	int soft_status;		/* KS_OK, or the status to exit with once all is printed */
};

/* What the frame does for a command before its body runs. */
enum {
	CMD_TEST_FILES = 1,	/* operands after the first are test files, checked before the load */
	CMD_LOADS = 2,		/* the first operand is loaded into frame.ev */
	CMD_DOC = 4		/* -json output is one document (see output_open) */
};

/*
 * A command's body: given the frame, prints its results to fr->out and
 * returns a status (err filled on failure). The frame reports the error,
 * frees the vectors and ends the output.
 */
typedef int command_body(const struct cli *c, struct frame *fr, struct ks_err *err);

static command_body body_analogy, body_similarity, body_neighbors, body_convert, body_plot,
	body_plot_loss;

/*
 * Checks the operands of a command beyond their count; returns -1 to go on
 * or the exit status of the usage error it reported.
 */
typedef int command_check(const struct cli *c);

static command_check check_inputs_once, check_neighbors_stdin, check_convert, check_plot,
	check_plot_loss;

/* One line per command drives the parser, --help and the frame. */
static const struct command {
	const char *name;
	const char *alias;		/* another accepted spelling, or NULL */
	const char *operands;		/* for the usage line */
	const char *what;		/* for --help, continued lines indented by 14 */
	const char *first;		/* what the first operand is, for "no ... file given" */
	size_t min_operands;		/* the first file and what else must be there */
	const char *missing;		/* what is missing below min_operands after the first */
	size_t default_restrict;
	unsigned long options;		/* OPT_BIT of each option it takes */
	unsigned flags;
	command_check *check;
	command_body *body;
} commands[] = {
	{ "analogy", NULL, "VECTORS QUESTIONS...",
	  "accuracy on analogy questions (Google or MSR format)", "vector",
	  2, "question", ANALOGY_RESTRICT, EVAL_OPTIONS, CMD_TEST_FILES | CMD_LOADS | CMD_DOC,
	  check_inputs_once, body_analogy },
	{ "similarity", NULL, "VECTORS PAIRS...",
	  "Spearman and Pearson correlation with word-pair scores", "vector",
	  2, "word-pair", SIMILARITY_RESTRICT, EVAL_OPTIONS, CMD_TEST_FILES | CMD_LOADS | CMD_DOC,
	  check_inputs_once, body_similarity },
	{ "neighbors", "neighbours", "VECTORS [QUERY...]",
	  "nearest words of each QUERY (a word, or \"a b c\" for a:b :: c:?),\n"
	  "              read line by line from stdin when no QUERY is given", "vector",
	  1, NULL, 0, EVAL_OPTIONS, CMD_LOADS, check_neighbors_stdin, body_neighbors },
	{ "convert", NULL, "IN OUT",
	  "IN's vectors in OUT, text <-> binary (gzip if OUT ends in .gz)", "vector",
	  2, "output", 0, CONVERT_OPTIONS, 0, check_convert, body_convert },
	{ "plot", NULL, "VECTORS SVG [WORD...]",
	  "a map of the WORDs in SVG: PCA to 2-D, axes by explained variance", "vector",
	  2, "SVG", 0, PLOT_OPTIONS, CMD_LOADS, check_plot, body_plot },
	{ "plot-loss", NULL, "LOSS_LOG SVG",
	  "the training curve of a kensho -loss-log file in SVG: mean loss\n"
	  "              and words/s against words processed", "loss log",
	  2, "SVG", 0, PLOT_LOSS_OPTIONS, 0, check_plot_loss, body_plot_loss },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* One table drives the parser and --help (and tests/eval-cli.sh compares it with the man page). */
static const struct cli_option {
	enum opt_id id;
	const char *name;	/* without dashes */
	const char *arg;	/* NULL for a flag */
	const char *help;
} cli_options[] = {
	{ OPT_RESTRICT, "restrict", "N", "use only the first N vectors of the file, 0 = all\n"
	  "                        (default: 30000 analogy, 300000 similarity, 0 neighbors)" },
	{ OPT_METHOD, "method", "add|mul", "analogy objective: 3CosAdd or 3CosMul (default add)" },
	{ OPT_K, "k", "N", "neighbors, plot -neighbors: how many to list (default 10)" },
	{ OPT_THREADS, "threads", "N", "analogy, convert to text: threads, 0 = one per processor\n"
	  "                        (default 0)" },
	{ OPT_LIMIT, "limit", "N", "read only the first N vectors of the file, 0 = all (default 0)" },
	{ OPT_REJECT_DUPS, "reject-duplicates", NULL,
	  "fail on a repeated word instead of keeping its first vector" },
	{ OPT_FORMAT, "format", "FMT",
	  "vector file format: auto (told from the data), text or binary\n"
	  "                        (default auto)" },
	{ OPT_BINARY, "binary", "0|1", "convert: write binary (1) or text (0)\n"
	  "                        (default: the other format than IN's; text with -no-header)" },
	{ OPT_NO_HEADER, "no-header", NULL, "convert: write text without its `V D` header line" },
	{ OPT_WORDS, "words", "FILE", "plot: also the words of FILE (white-space separated)" },
	{ OPT_NEIGHBORS, "neighbors", "WORD", "plot: also WORD and its -k nearest neighbours" },
	{ OPT_ANALOGIES, "analogies", "FILE", "plot: also the questions a b c d of FILE (Google format),\n"
	  "                        with arrows a -> b and c -> d" },
	{ OPT_FIT, "fit", "N", "plot: fit the PCA on the first N vectors of the file,\n"
	  "                        0 = on the words drawn (default 0)" },
	{ OPT_JSON, "json", NULL, "print JSON (neighbors: one object per query and line)" },
	{ OPT_QUIET, "quiet", NULL, "no information lines on stderr, only warnings and errors" },
	{ OPT_HELP, "help", NULL, "print this help and exit" },
	{ OPT_VERSION, "version", NULL, "print the version and exit" },
};

#define N_OPTIONS (sizeof(cli_options) / sizeof(cli_options[0]))

/*
 * Every status kensho-eval can end with, in the order of src/status.h; the
 * numbers come from ks_status_exit_code, and tests/eval-cli.sh checks the
 * list against the man page's EXIT STATUS.
 */
static const struct {
	int status;
	const char *what;
} exit_statuses[] = {
	{ KS_OK, "success" },
	{ KS_ERR_INTERNAL, "internal error" },
	{ KS_ERR_USAGE, "bad command line" },
	{ KS_ERR_NOMEM, "out of memory" },
	{ KS_ERR_OPEN, "cannot open a file" },
	{ KS_ERR_READ, "read error" },
	{ KS_ERR_WRITE, "write error" },
	{ KS_ERR_FORMAT, "malformed file" },
	{ KS_ERR_THREAD, "cannot start a thread" },
	{ KS_ERR_NOT_FOUND, "a neighbors query word not found" },
	{ KS_ERR_LIMIT, "a limit exceeded" },
};

/* Prints "N what" for each exit status, comma-separated, in lines of at most 78 columns. */
static void
print_exit_statuses(FILE *out)
{
	size_t i, n = sizeof(exit_statuses) / sizeof(exit_statuses[0]), col = 0;
	char item[80];

	for (i = 0; i < n; i++) {
		int len = snprintf(item, sizeof(item), "%d %s%s",
				   ks_status_exit_code(exit_statuses[i].status), exit_statuses[i].what,
				   i + 1 < n ? "," : "");

		if (col > 0 && col + 1 + (size_t)len > 78) {
			fputc('\n', out);
			col = 0;
		}
		fprintf(out, "%s%s", col ? " " : "  ", item);
		col += (size_t)len + (col ? 1 : 2);
	}
	fputc('\n', out);
}

static void
usage(FILE *out)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "%s " PROG " %s [OPTIONS] %s\n", i ? "      " : "Usage:", commands[i].name,
			commands[i].operands);
	fputs("\nEvaluates, converts and plots word vectors (word2vec text or binary, gzip or\n"
	      "not, \"-\" = stdin) and plots training curves:\n", out);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].what);
	fputs("\nOptions (one or two dashes; --name=VALUE also works):\n", out);
	for (i = 0; i < N_OPTIONS; i++) {
		const struct cli_option *o = &cli_options[i];
		char left[40];

		snprintf(left, sizeof(left), "-%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-22s%s\n", left, o->help);
	}
	fputs("\nExit status (see " PROG "(1)):\n", out);
	print_exit_statuses(out);
}

/* "analogy, similarity or neighbors": the commands for a message, in buf. */
static const char *
command_names(char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < N_COMMANDS && n < size; i++) {
		int len = snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : i + 1 < N_COMMANDS ? ", "
				   : " or ", commands[i].name);

		if (len < 0)
			break;
		n += (size_t)len;
	}
	return buf;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports a bad command line; returns its exit status. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " --help' for the usage.\n");
	return ks_status_exit_code(KS_ERR_USAGE);
}

/* Parses a whole decimal number into a size_t. */
static int
parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

/*
 * Fills c from argv. Returns -1 to go on, or an exit status (help, version
 * and usage errors are fully handled here).
 */
static int
parse_args(struct cli *c, int argc, char **argv)
{
	int i, only_operands = 0;

	c->n_operands = 0;
	c->operands = calloc((size_t)argc, sizeof(*c->operands));
	if (c->operands == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return ks_status_exit_code(KS_ERR_NOMEM);
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *value = NULL, *eq;
		const struct cli_option *o = NULL;
		size_t j, nlen;

		if (only_operands || a[0] != '-' || a[1] == '\0') {
			if (c->cmd == NULL) {
				char names[128];

				for (j = 0; j < N_COMMANDS; j++)
					if (strcmp(a, commands[j].name) == 0 ||
					    (commands[j].alias != NULL && strcmp(a, commands[j].alias) == 0))
						c->cmd = &commands[j];
				if (c->cmd == NULL)
					return usage_error("unknown command '%s' (%s)", a,
							   command_names(names, sizeof(names)));
				continue;
			}
			c->operands[c->n_operands++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_operands = 1;
			continue;
		}
		name = a + 1 + (a[1] == '-');
		eq = a[1] == '-' ? strchr(name, '=') : NULL;
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		if (strcmp(a, "-h") == 0) {
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? 0 : ks_status_exit_code(KS_ERR_WRITE);
		}
		for (j = 0; j < N_OPTIONS; j++)
			if (strlen(cli_options[j].name) == nlen && strncmp(cli_options[j].name, name, nlen) == 0)
				o = &cli_options[j];
		if (o == NULL)
			return usage_error("unknown option '%s'", a);
		if (o->arg != NULL) {
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return usage_error("-%s needs a value", o->name);
		} else if (eq != NULL) {
			return usage_error("-%s takes no value", o->name);
		}
		c->seen |= OPT_BIT(o->id);
		switch (o->id) {
		case OPT_RESTRICT:
			if (parse_size(value, &c->restrict_n) != 0)
				return usage_error("-restrict: '%s' is not a count", value);
			c->restrict_set = 1;
			break;
		case OPT_METHOD:
			if (strcmp(value, "add") == 0)
				c->method = KS_EVAL_ADD;
			else if (strcmp(value, "mul") == 0)
				c->method = KS_EVAL_MUL;
			else
				return usage_error("-method: '%s' is neither add nor mul", value);
			break;
		case OPT_K:
			if (parse_size(value, &c->k) != 0 || c->k == 0 || c->k > 1000000)
				return usage_error("-k: '%s' is not a count in 1..1000000", value);
			break;
		case OPT_THREADS: {
			size_t t;

			if (parse_size(value, &t) != 0 || t > 1024)
				return usage_error("-threads: '%s' is not a count in 0..1024", value);
			c->threads = (unsigned)t;
			break;
		}
		case OPT_LIMIT:
			if (parse_size(value, &c->limit) != 0)
				return usage_error("-limit: '%s' is not a count", value);
			break;
		case OPT_REJECT_DUPS:
			c->reject_dups = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(value, "auto") == 0)
				c->format = KS_VECFILE_READ_AUTO;
			else if (strcmp(value, "text") == 0)
				c->format = KS_VECFILE_READ_TEXT;
			else if (strcmp(value, "binary") == 0)
				c->format = KS_VECFILE_READ_BINARY;
			else
				return usage_error("-format: '%s' is not auto, text or binary", value);
			break;
		case OPT_BINARY:
			if (strcmp(value, "0") == 0)
				c->to_binary = 0;
			else if (strcmp(value, "1") == 0)
				c->to_binary = 1;
			else
				return usage_error("-binary: '%s' is neither 0 nor 1", value);
			break;
		case OPT_NO_HEADER:
			c->no_header = 1;
			break;
		case OPT_WORDS:
			c->words_file = value;
			break;
		case OPT_NEIGHBORS:
			c->neighbors_of = value;
			break;
		case OPT_ANALOGIES:
			c->analogies_file = value;
			break;
		case OPT_FIT:
			if (parse_size(value, &c->fit) != 0)
				return usage_error("-fit: '%s' is not a count", value);
			break;
		case OPT_JSON:
			c->json = 1;
			break;
		case OPT_QUIET:
			c->quiet = 1;
			break;
		case OPT_HELP:
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? 0 : ks_status_exit_code(KS_ERR_WRITE);
		case OPT_VERSION:
			printf(PROG " %s\n", PACKAGE_VERSION);
			return fflush(stdout) == 0 && !ferror(stdout) ? 0 : ks_status_exit_code(KS_ERR_WRITE);
		}
	}
	if (c->cmd == NULL) {
		char names[128];

		return usage_error("no command given (%s)", command_names(names, sizeof(names)));
	}
	for (i = 0; i < (int)N_OPTIONS; i++)
		if ((c->seen & OPT_BIT(cli_options[i].id)) != 0 &&
		    (c->cmd->options & OPT_BIT(cli_options[i].id)) == 0)
			return usage_error("-%s does not apply to %s", cli_options[i].name, c->cmd->name);
	if (c->n_operands == 0)
		return usage_error("no %s file given", c->cmd->first);
	if (c->n_operands < c->cmd->min_operands)
		return usage_error("no %s file given", c->cmd->missing);
	if (c->cmd->check != NULL && (i = c->cmd->check(c)) >= 0)
		return i;
	if (!c->restrict_set)
		c->restrict_n = c->cmd->default_restrict;
	return -1;
}

/* Refuses "-" among the input operands more than once: stdin can be read only once. */
static int
check_inputs_once(const struct cli *c)
{
	size_t f, stdin_uses = 0;

	for (f = 0; f < c->n_operands; f++)
		stdin_uses += strcmp(c->operands[f], "-") == 0;
	if (stdin_uses > 1)
		return usage_error("'-' (standard input) is given %zu times, but stdin can be read only once",
				   stdin_uses);
	return -1;
}

/* Takes exactly IN and OUT, and -no-header only for text. */
static int
check_convert(const struct cli *c)
{
	if (c->n_operands > 2)
		return usage_error("convert takes two files, IN and OUT, but %zu are given",
				   c->n_operands);
	if (c->no_header && c->to_binary == 1)
		return usage_error("-no-header is for text output; it cannot go with -binary 1");
	return -1;
}

static int fail(int status, const struct ks_err *err);

/*
 * Wants words to draw, stdin used once, and an SVG file that can be
 * written and words and questions files that can be read, before the
 * vectors load.
 */
static int
check_plot(const struct cli *c)
{
	struct ks_err err;
	size_t stdin_uses;
	int rc;

	if (c->n_operands == 2 && c->words_file == NULL && c->neighbors_of == NULL &&
	    c->analogies_file == NULL)
		return usage_error("no words to plot: give WORD..., -words FILE, -neighbors WORD "
				   "or -analogies FILE");
	stdin_uses = (strcmp(c->operands[0], "-") == 0) +
		(c->words_file != NULL && strcmp(c->words_file, "-") == 0) +
		(c->analogies_file != NULL && strcmp(c->analogies_file, "-") == 0);
	if (stdin_uses > 1)
		return usage_error("'-' (standard input) is given %zu times, but stdin can be read only once",
				   stdin_uses);
	ks_err_clear(&err);
	rc = ks_outfile_check(c->operands[1], &err);
	if (rc == KS_OK && c->words_file != NULL)
		rc = ks_eval_file_check(c->words_file, &err);
	if (rc == KS_OK && c->analogies_file != NULL)
		rc = ks_eval_file_check(c->analogies_file, &err);
	return rc == KS_OK ? -1 : fail(rc, &err);
}

/* Takes exactly LOG and SVG, and checks both before anything is read. */
static int
check_plot_loss(const struct cli *c)
{
	struct ks_err err;
	int rc;

	if (c->n_operands > 2)
		return usage_error("plot-loss takes two files, LOSS_LOG and SVG, but %zu are given",
				   c->n_operands);
	ks_err_clear(&err);
	rc = ks_outfile_check(c->operands[1], &err);
	if (rc == KS_OK)
		rc = ks_eval_file_check(c->operands[0], &err);
	return rc == KS_OK ? -1 : fail(rc, &err);
}

/* Refuses vectors from stdin when the queries are to come from there too. */
static int
check_neighbors_stdin(const struct cli *c)
{
	if (c->n_operands == 1 && strcmp(c->operands[0], "-") == 0)
		return usage_error("neighbors reads its queries from stdin, so the vectors cannot come from there");
	return -1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
fail(int status, const struct ks_err *err)
{
	fprintf(stderr, PROG ": %s\n", err->msg[0] ? err->msg : ks_status_str(status));
	return ks_status_exit_code(status);
}

/* Prints s as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static void
json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putc('"', out);
	while (*p) {
		unsigned char ch = *p;
		size_t n = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3
			: (ch & 0xf8) == 0xf0 ? 4 : 0;
		size_t i;

		if (ch == '"' || ch == '\\') {
			fprintf(out, "\\%c", ch);
			p++;
			continue;
		}
		if (ch < 0x20) {
			fprintf(out, "\\u%04x", ch);
			p++;
			continue;
		}
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				break;
		if (n == 0 || i < n || (n == 2 && ch < 0xc2)) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
	putc('"', out);
}

static void
json_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.10g", v);
	else
		fputs("null", out);
}

static const char *
format_name(const struct ks_vecfile_info *info)
{
	if (info->format == KS_VECFILE_BINARY)
		return info->gzip ? "binary, gzip" : "binary";
	if (!info->header)
		return info->gzip ? "text without header, gzip" : "text without header";
	return info->gzip ? "text, gzip" : "text";
}

/* Loads the vectors and reports what was read; returns a status. */
static int
load(const struct cli *c, struct ks_eval_vectors **ev, struct ks_vecfile_info *info,
     double *seconds, struct ks_err *err)
{
	struct ks_vecfile_read_opts ro = { c->limit, c->reject_dups, c->format };
	struct ks_vecset *vs;
	double t0 = now();
	int rc;

	rc = ks_vecfile_read_opts(&vs, c->operands[0], &ro, info, err);
	if (rc != KS_OK)
		return rc;
	if (info->duplicates > 0)
		fprintf(stderr, PROG ": warning: %s: %zu repeated word%s ignored (first: '%s' again at %s %zu)\n",
			c->operands[0], info->duplicates, info->duplicates == 1 ? "" : "s",
			vs->words[info->first_duplicate_row],
			info->format == KS_VECFILE_BINARY ? "record" : "line", info->first_duplicate_at);
	if (vs->n_words == 0) {
		ks_vecset_destroy(vs);
		return ks_err_set(err, KS_ERR_FORMAT, "%s: the file holds no vectors", c->operands[0]);
	}
	rc = ks_eval_vectors_create(ev, vs, err);
	*seconds = now() - t0;
	if (rc == KS_OK && !c->quiet)
		fprintf(stderr, PROG ": %s: %zu words x %zu dimensions (%s), read in %.2f s\n",
			c->operands[0], ks_eval_vectors_set(*ev)->n_words, ks_eval_vectors_set(*ev)->dim,
			format_name(info), *seconds);
	return rc;
}

static void
json_vectors(FILE *out, const struct cli *c, const struct ks_eval_vectors *ev,
	     const struct ks_vecfile_info *info, double seconds)
{
	const struct ks_vecset *vs = ks_eval_vectors_set(ev);

	fputs("{\"vectors\": {\"file\": ", out);
	json_str(out, c->operands[0]);
	fprintf(out, ", \"words\": %zu, \"dim\": %zu, \"format\": \"%s\", \"gzip\": %s, "
		"\"header\": %s, \"duplicates\": %zu, \"seconds\": %.3f}", vs->n_words, vs->dim,
		info->format == KS_VECFILE_BINARY ? "binary" : "text", info->gzip ? "true" : "false",
		info->header ? "true" : "false", info->duplicates, seconds);
}

static double
pct(size_t a, size_t b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : NAN;
}

static void
table_row(FILE *out, const char *name, const struct ks_analogy_tally *t)
{
	char acc[16], cov[16];

	if (t->covered > 0)
		snprintf(acc, sizeof(acc), "%.2f%%", pct(t->correct, t->covered));
	else
		snprintf(acc, sizeof(acc), "-");
	snprintf(cov, sizeof(cov), "%.2f%%", pct(t->covered, t->questions));
	fprintf(out, "%-30s %8zu %8zu %9zu %9s %9s\n", name, t->correct, t->covered, t->questions,
		acc, cov);
}

static void
json_tally(FILE *out, const struct ks_analogy_tally *t)
{
	fprintf(out, "\"correct\": %zu, \"covered\": %zu, \"questions\": %zu, \"accuracy\": ",
		t->correct, t->covered, t->questions);
	json_num(out, t->covered ? (double)t->correct / (double)t->covered : NAN);
	fputs(", \"coverage\": ", out);
	json_num(out, (double)t->covered / (double)t->questions);
}

/*
 * Picks where analogy and similarity print: standard output for tables, a
 * new memory stream over *doc and *len for JSON (see the top of the file).
 * Returns a status; on success output_close must be called with *out.
 */
static int
output_open(const struct cli *c, FILE **out, char **doc, size_t *len, struct ks_err *err)
{
	*doc = NULL;
	*len = 0;
	if (!c->json) {
		*out = stdout;
		return KS_OK;
	}
	*out = open_memstream(doc, len);
	if (*out == NULL)
		return ks_err_errno(err, KS_ERR_NOMEM, errno, "cannot buffer the JSON output");
	return KS_OK;
}

/*
 * Ends what output_open began. rc is the run's status so far. A JSON
 * document is written to standard output in one piece if rc is KS_OK and
 * every write into the memory stream succeeded (its error flag is sticky,
 * so one check covers them all), and dropped otherwise; either way the
 * stream and *doc are freed. Returns the exit status, reporting any error.
 */
static int
output_close(FILE *out, char **doc, size_t *len, int rc, struct ks_err *err)
{
	if (out != stdout) {
		int bad = ferror(out);

		/* fclose sets *doc and *len; it fails only if the last growth did. */
		if ((fclose(out) != 0 || bad) && rc == KS_OK)
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory while building the JSON output");
		if (rc == KS_OK)
			fwrite(*doc, 1, *len, stdout);
		free(*doc);
		*doc = NULL;
	}
	if (rc != KS_OK)
		return fail(rc, err);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": cannot write the results: %s\n", strerror(errno));
		return ks_status_exit_code(KS_ERR_WRITE);
	}
	return 0;
}

/* Evaluates each question file in turn. */
static int
body_analogy(const struct cli *c, struct frame *fr, struct ks_err *err)
{
	const struct ks_eval_vectors *ev = fr->ev;
	FILE *out = fr->out;
	size_t f;
	int rc = KS_OK;

	if (c->json) {
		json_vectors(out, c, ev, &fr->info, fr->load_s);
		fprintf(out, ", \"method\": \"%s\", \"restrict\": %zu, \"results\": [",
			c->method == KS_EVAL_MUL ? "3CosMul" : "3CosAdd", c->restrict_n);
	}
	for (f = 1; f < c->n_operands; f++) {
		struct ks_analogy_opts ao = { c->restrict_n, c->method, c->threads };
		struct ks_analogy_result res;
		struct ks_analogy_set *set;
		double t0 = now(), secs;
		size_t s;

		rc = ks_analogy_set_read(&set, c->operands[f], err);
		if (rc != KS_OK)
			break;
		if (set->skipped > 0)
			fprintf(stderr, PROG ": warning: %s: %zu line%s skipped, not four words "
				"(the first is line %zu)\n", c->operands[f], set->skipped,
				set->skipped == 1 ? "" : "s", set->first_skipped);
		rc = ks_analogy_eval(ev, set, &ao, &res, err);
		secs = now() - t0;
		if (rc != KS_OK) {
			ks_analogy_result_free(&res);
			ks_analogy_set_destroy(set);
			break;
		}
		if (c->json) {
			fputs(f > 1 ? ", {\"file\": " : "{\"file\": ", out);
			json_str(out, c->operands[f]);
			fprintf(out, ", \"searched\": %zu, \"skipped_lines\": %zu, \"seconds\": %.3f, "
				"\"sections\": [", res.restrict_n, set->skipped, secs);
			for (s = 0; s < set->n_sections; s++) {
				fputs(s ? ", {\"name\": " : "{\"name\": ", out);
				json_str(out, set->sections[s].name);
				fputs(", ", out);
				json_tally(out, &res.sections[s]);
				fputs("}", out);
			}
			fputs("], \"total\": {", out);
			json_tally(out, &res.total);
			fputs("}", out);
			if (res.has_split) {
				fputs(", \"semantic\": {", out);
				json_tally(out, &res.semantic);
				fputs("}, \"syntactic\": {", out);
				json_tally(out, &res.syntactic);
				fputs("}", out);
			}
			fputs("}", out);
		} else {
			fprintf(out, "%s%s: %s over the first %zu words, %.2f s\n", f > 1 ? "\n" : "",
				c->operands[f], c->method == KS_EVAL_MUL ? "3CosMul" : "3CosAdd",
				res.restrict_n, secs);
			fprintf(out, "%-30s %8s %8s %9s %9s %9s\n", "section", "correct", "covered",
				"questions", "accuracy", "coverage");
			for (s = 0; s < set->n_sections; s++)
				table_row(out, set->sections[s].name[0] ? set->sections[s].name
					  : "(no section)", &res.sections[s]);
			if (res.has_split) {
				table_row(out, "semantic", &res.semantic);
				table_row(out, "syntactic", &res.syntactic);
			}
			table_row(out, "total", &res.total);
		}
		ks_analogy_result_free(&res);
		ks_analogy_set_destroy(set);
	}
	if (c->json && rc == KS_OK)
		fputs("]}\n", out);
	return rc;
}

/* Scores each word-pair file in turn. */
static int
body_similarity(const struct cli *c, struct frame *fr, struct ks_err *err)
{
	const struct ks_eval_vectors *ev = fr->ev;
	FILE *out = fr->out;
	size_t f;
	int rc = KS_OK;

	if (c->json) {
		json_vectors(out, c, ev, &fr->info, fr->load_s);
		fprintf(out, ", \"restrict\": %zu, \"results\": [", c->restrict_n);
	} else {
		fprintf(out, "%-30s %7s %7s %9s %9s\n", "file", "pairs", "found", "spearman", "pearson");
	}
	for (f = 1; f < c->n_operands; f++) {
		struct ks_similarity_result res;
		struct ks_simset *set;
		const char *base;

		rc = ks_simset_read(&set, c->operands[f], err);
		if (rc != KS_OK)
			break;
		if (set->skipped > 0)
			fprintf(stderr, PROG ": warning: %s: %zu line%s skipped, not `word word score` "
				"(the first is line %zu)\n", c->operands[f], set->skipped,
				set->skipped == 1 ? "" : "s", set->first_skipped);
		rc = ks_similarity_eval(ev, set, c->restrict_n, &res, err);
		if (rc != KS_OK) {
			ks_similarity_result_free(&res);
			ks_simset_destroy(set);
			break;
		}
		if (c->json) {
			fputs(f > 1 ? ", {\"file\": " : "{\"file\": ", out);
			json_str(out, c->operands[f]);
			fprintf(out, ", \"pairs\": %zu, \"found\": %zu, \"skipped_lines\": %zu, "
				"\"spearman\": ", res.pairs, res.found, set->skipped);
			json_num(out, res.spearman);
			fputs(", \"pearson\": ", out);
			json_num(out, res.pearson);
			fputs("}", out);
		} else {
			base = strrchr(c->operands[f], '/');
			base = base ? base + 1 : c->operands[f];
			if (res.defined)
				fprintf(out, "%-30s %7zu %7zu %9.4f %9.4f\n", base, res.pairs, res.found,
					res.spearman, res.pearson);
			else
				fprintf(out, "%-30s %7zu %7zu %9s %9s\n", base, res.pairs, res.found, "-", "-");
		}
		ks_similarity_result_free(&res);
		ks_simset_destroy(set);
	}
	if (c->json && rc == KS_OK)
		fputs("]}\n", out);
	return rc;
}

/*
 * Answers one query line (split at blanks in place). The answer is printed
 * only once the search has succeeded, so nothing but the writing itself can
 * fail in the middle of a line, and is flushed at once: standard output
 * gets complete lines (one JSON object each with -json). Returns KS_OK,
 * KS_ERR_NOT_FOUND (reported, the caller goes on), KS_ERR_WRITE or another
 * error.
 */
static int
neighbors_query(const struct cli *c, const struct ks_eval_vectors *ev, char *line,
		struct ks_neighbor *nb, struct ks_err *err)
{
	const struct ks_vecset *vs = ks_eval_vectors_set(ev);
	char *words[64];
	size_t n = 0, i, found;
	char *p = line;
	int rc;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		if (n == sizeof(words) / sizeof(words[0]))
			return ks_err_set(err, KS_ERR_LIMIT, "a query has more than %zu words",
					  sizeof(words) / sizeof(words[0]));
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 0)
		return KS_OK;
	rc = ks_eval_neighbors(ev, (const char *const *)words, n, c->method, c->restrict_n, c->k,
			       nb, &found, err);
	if (rc == KS_ERR_NOT_FOUND) {
		fprintf(stderr, PROG ": %s\n", err->msg);
		if (c->json) {
			fputs("{\"query\": [", stdout);
			for (i = 0; i < n; i++) {
				fputs(i ? ", " : "", stdout);
				json_str(stdout, words[i]);
			}
			fputs("], \"error\": ", stdout);
			json_str(stdout, err->msg);
			fputs("}\n", stdout);
		}
		if (fflush(stdout) != 0)
			return ks_err_errno(err, KS_ERR_WRITE, errno, "cannot write the results");
		return rc;
	}
	if (rc != KS_OK)
		return rc;
	if (c->json) {
		fputs("{\"query\": [", stdout);
		for (i = 0; i < n; i++) {
			fputs(i ? ", " : "", stdout);
			json_str(stdout, words[i]);
		}
		fprintf(stdout, "], \"kind\": \"%s\", \"neighbors\": [",
			n == 1 ? "word" : n == 3 ? "analogy" : "sum");
		for (i = 0; i < found; i++) {
			fputs(i ? ", {\"word\": " : "{\"word\": ", stdout);
			json_str(stdout, vs->words[nb[i].row]);
			fputs(", \"score\": ", stdout);
			json_num(stdout, nb[i].score);
			fputs("}", stdout);
		}
		fputs("]}\n", stdout);
	} else {
		if (n == 3)
			printf("%s : %s :: %s : ?\n", words[0], words[1], words[2]);
		else {
			for (i = 0; i < n; i++)
				printf("%s%s", i ? " + " : "", words[i]);
			putchar('\n');
		}
		for (i = 0; i < found; i++)
			printf("%4zu  %-30s %9.6f\n", i + 1, vs->words[nb[i].row], nb[i].score);
		putchar('\n');
	}
	if (fflush(stdout) != 0)
		return ks_err_errno(err, KS_ERR_WRITE, errno, "cannot write the results");
	return KS_OK;
}

/*
 * Answers the queries of the command line, or of standard input line by
 * line. A query with an unknown word is reported and the others go on; the
 * frame then exits with KS_ERR_NOT_FOUND's status.
 */
static int
body_neighbors(const struct cli *c, struct frame *fr, struct ks_err *err)
{
	const struct ks_eval_vectors *ev = fr->ev;
	struct ks_neighbor *nb;
	int rc = KS_OK, missing = 0;
	size_t i;

	nb = calloc(c->k, sizeof(*nb));
	if (nb == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	if (c->n_operands > 1) {
		for (i = 1; i < c->n_operands && rc == KS_OK; i++) {
			char *q = strdup(c->operands[i]);

			if (q == NULL) {
				rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
				break;
			}
			rc = neighbors_query(c, ev, q, nb, err);
			free(q);
			if (rc == KS_ERR_NOT_FOUND) {
				missing = 1;
				rc = KS_OK;
			}
		}
	} else {
		char *line = NULL;
		size_t cap = 0;
		int tty = isatty(STDIN_FILENO) && !c->json;

		if (tty)
			fprintf(stderr, "Enter a word, or three words a b c for a:b :: c:? (Ctrl-D ends).\n> ");
		while (rc == KS_OK && getline(&line, &cap, stdin) >= 0) {
			rc = neighbors_query(c, ev, line, nb, err);
			if (rc == KS_ERR_NOT_FOUND) {
				missing = 1;
				rc = KS_OK;
			}
			if (tty)
				fputs("> ", stderr);
		}
		if (rc == KS_OK && ferror(stdin))
			rc = ks_err_errno(err, KS_ERR_READ, errno, "standard input");
		free(line);
	}
	free(nb);
	if (missing)
		fr->soft_status = KS_ERR_NOT_FOUND;
	return rc;
}

/* Prints the library's warnings as kensho-eval's. */
static void
log_stderr(void *ctx, enum ks_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, PROG ": %s%s\n", level == KS_LOG_WARN ? "warning: " : "", msg);
}

/* Writes the vectors of the first operand to the second (src/vecconvert.h). */
static int
body_convert(const struct cli *c, struct frame *fr, struct ks_err *err)
{
	struct ks_log log = { log_stderr, NULL, KS_LOG_WARN };
	struct ks_vecconvert_opts co;
	struct ks_vecconvert_report rep;
	struct ks_vecfile_info out_info;
	double t0 = now();
	int rc;

	(void)fr;
	memset(&co, 0, sizeof(co));
	co.read.max_words = c->limit;
	co.read.reject_duplicates = c->reject_dups;
	co.read.format = c->format;
	co.to = c->to_binary < 0 ? KS_VECCONVERT_OTHER
		: c->to_binary ? KS_VECCONVERT_BINARY : KS_VECCONVERT_TEXT;
	co.no_header = c->no_header;
	co.threads = c->threads;
	co.log = &log;
	rc = ks_vecconvert(c->operands[0], c->operands[1], &co, &rep, err);
	if (rc == KS_OK && !c->quiet) {
		memset(&out_info, 0, sizeof(out_info));
		out_info.format = rep.out_format;
		out_info.gzip = rep.out_gzip;
		out_info.header = rep.out_header;
		fprintf(stderr, PROG ": %s: %zu words x %zu dimensions (%s) -> ", c->operands[0],
			rep.n_words, rep.dim, format_name(&rep.in));
		fprintf(stderr, "%s (%s), %.2f s\n", c->operands[1], format_name(&out_info), now() - t0);
	}
	return rc;
}

/* Draws the chosen words into the SVG file (src/plot.h). */
static int
body_plot(const struct cli *c, struct frame *fr, struct ks_err *err)
{
	struct ks_log log = { log_stderr, NULL, KS_LOG_WARN };
	struct ks_plot_report rep;
	struct ks_plot_opts po;
	int rc;

	memset(&po, 0, sizeof(po));
	po.words = (const char *const *)c->operands + 2;
	po.n_words = c->n_operands - 2;
	po.words_file = c->words_file;
	po.neighbors_of = c->neighbors_of;
	po.analogies_file = c->analogies_file;
	po.k = c->k;
	po.fit_rows = c->fit;
	po.title = strrchr(c->operands[0], '/') ? strrchr(c->operands[0], '/') + 1 : c->operands[0];
	po.log = &log;
	rc = ks_plot(fr->ev, c->operands[1], &po, &rep, err);
	if (rc == KS_OK && !c->quiet) {
		fprintf(stderr, PROG ": %s: %zu word%s drawn (%zu not found), PCA fitted on %zu: "
			"%.1f%% and %.1f%% of the variance\n", c->operands[1], rep.drawn,
			rep.drawn == 1 ? "" : "s", rep.missing, rep.fitted, 100 * rep.explained[0],
			100 * rep.explained[1]);
		if (c->analogies_file != NULL)
			fprintf(stderr, PROG ": %s: %zu of %zu question%s drawn, %zu arrow%s\n",
				c->operands[1], rep.questions_drawn, rep.questions,
				rep.questions == 1 ? "" : "s", rep.arrows, rep.arrows == 1 ? "" : "s");
	}
	return rc;
}

/* Draws the loss log of the first operand into the SVG file (src/lossplot.h). */
static int
body_plot_loss(const struct cli *c, struct frame *fr, struct ks_err *err)
{
	struct ks_losscurve *curve;
	const char *title = strrchr(c->operands[0], '/') ? strrchr(c->operands[0], '/') + 1
		: c->operands[0];
	int rc;

	(void)fr;
	rc = ks_losscurve_read(&curve, c->operands[0], err);
	if (rc != KS_OK)
		return rc;
	rc = ks_lossplot_write(curve, c->operands[1], title, err);
	if (rc == KS_OK && !c->quiet) {
		fprintf(stderr, PROG ": %s: %zu interval%s up to word %.0f, %zu resume%s", c->operands[1],
			curve->n, curve->n == 1 ? "" : "s", curve->words[curve->n - 1], curve->n_resumes,
			curve->n_resumes == 1 ? "" : "s");
		if (curve->non_finite > 0)
			fprintf(stderr, ", diverged: %zu interval%s with a nan or infinite loss",
				curve->non_finite, curve->non_finite == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	ks_losscurve_destroy(curve);
	return rc;
}

/*
 * Checks every question or pair file before the vectors are loaded, which
 * can take a minute: a mistyped name should not cost the load. Returns -1
 * to go on or the exit status of the error it reported.
 */
static int
check_test_files(const struct cli *c, struct ks_err *err)
{
	size_t f;
	int rc;

	for (f = 1; f < c->n_operands; f++) {
		rc = ks_eval_file_check(c->operands[f], err);
		if (rc != KS_OK)
			return rc;
	}
	return KS_OK;
}

/*
 * The frame every command runs in: checks its test files, loads its
 * vectors, opens its output, runs its body, then frees the vectors and
 * ends the output (output_close), reporting any failure. Returns the exit
 * status.
 */
static int
run(const struct cli *c)
{
	const struct command *cmd = c->cmd;
	struct frame fr;
	struct ks_err err;
	char *doc = NULL;
	size_t doc_len = 0;
	int rc;

	memset(&fr, 0, sizeof(fr));
	fr.out = stdout;
	ks_err_clear(&err);
	if (cmd->flags & CMD_TEST_FILES) {
		rc = check_test_files(c, &err);
		if (rc != KS_OK)
			return fail(rc, &err);
	}
	if (cmd->flags & CMD_LOADS) {
		rc = load(c, &fr.ev, &fr.info, &fr.load_s, &err);
		if (rc != KS_OK)
			return fail(rc, &err);
	}
	if (cmd->flags & CMD_DOC) {
		rc = output_open(c, &fr.out, &doc, &doc_len, &err);
		if (rc != KS_OK) {
			ks_eval_vectors_destroy(fr.ev);
			return fail(rc, &err);
		}
	}
	rc = cmd->body(c, &fr, &err);
	ks_eval_vectors_destroy(fr.ev);
	rc = output_close(fr.out, &doc, &doc_len, rc, &err);
	if (rc == 0 && fr.soft_status != KS_OK)
		return ks_status_exit_code(fr.soft_status);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.method = KS_EVAL_ADD;
	c.k = NEIGHBORS_K;
	c.to_binary = -1;
	rc = parse_args(&c, argc, argv);
	if (rc < 0)
		rc = run(&c);
	free(c.operands);
	return rc;
}
