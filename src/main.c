/*
 * kensho: the trainer's command line. It parses the arguments, hands the
 * config to the library and turns the returned status into a message on
 * stderr and the exit code listed in kensho(1).
 *
 * SIGINT and SIGTERM raise a flag the library polls between batches
 * (cli_signals.h): the workers stop, a checkpoint is written and ks_train
 * returns KS_ERR_INTERRUPTED; a second signal ends the process at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_signals.h"
#include "config.h"
#include "log.h"
#include "status.h"
#include "train.h"

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
	fprintf(stderr, "%s%s\n", level == KS_LOG_WARN ? "kensho: warning: " : "", msg);
}

int
main(int argc, char **argv)
{
	struct ks_config cfg;
	struct ks_err err;
	struct cli_log cl = { isatty(STDERR_FILENO), 0 };
	struct ks_log log = { cli_log_fn, &cl, 0 };
	enum ks_config_action action;
	int rc;

	ks_err_clear(&err);
	ks_config_defaults(&cfg);
	rc = ks_config_parse(&cfg, argc, argv, &action, &err);
	if (rc == KS_OK)
		rc = ks_cli_stop_hook(&cfg, &err);
	if (rc != KS_OK) {
		fprintf(stderr, "kensho: %s\nTry 'kensho --help' for the options.\n", err.msg);
		ks_config_free(&cfg);
		return ks_status_exit_code(rc);
	}
	if (action == KS_ACTION_HELP) {
		ks_config_help(&cfg, "kensho", stdout);
		ks_config_free(&cfg);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : ks_status_exit_code(KS_ERR_WRITE);
	}
	if (action == KS_ACTION_VERSION) {
		printf("kensho %s\n", PACKAGE_VERSION);
		ks_config_free(&cfg);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : ks_status_exit_code(KS_ERR_WRITE);
	}
	/* -debug 0: errors only; 1: warnings and summaries; 2: progress; 3: details. */
	log.max_level = cfg.debug == 0 ? -1 : cfg.debug;
	cfg.interrupt = ks_cli_catch_signals(0);
	rc = ks_train(&cfg, &log, NULL, &err);
	if (cl.line_open)
		fputc('\n', stderr);
	if (rc != KS_OK)
		fprintf(stderr, "kensho: %s\n", err.msg[0] ? err.msg : ks_status_str(rc));
	ks_config_free(&cfg);
	return ks_status_exit_code(rc);
}
