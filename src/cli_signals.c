/* The tools' stop signals (cli_signals.h). */
#include "cli_signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static atomic_int cli_interrupted;

static void
cli_on_signal(int sig)
{
	(void)sig;
	atomic_store(&cli_interrupted, 1);
}

const atomic_int *
ks_cli_catch_signals(int usr1)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cli_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	if (usr1)
		(void)sigaction(SIGUSR1, &sa, NULL);
	return &cli_interrupted;
}

int
ks_cli_stop_hook(struct ks_config *cfg, struct ks_err *err)
{
	const char *v = getenv("KENSHO_STOP_AFTER_WORDS");
	unsigned long long n;
	char *end;

	if (v == NULL || *v == '\0')
		return KS_OK;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end != '\0' || errno == ERANGE || v[0] == '-' || n == 0)
		return ks_err_set(err, KS_ERR_USAGE,
				  "KENSHO_STOP_AFTER_WORDS: '%s' is not a positive integer", v);
	cfg->stop_after_words = (uint64_t)n;
	return KS_OK;
}
