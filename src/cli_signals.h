/*
 * The command-line tools' stop signals and stop hook: SIGINT and SIGTERM (and, for
 * kensho-mpi, SIGUSR1, the signal mpirun passes on to every rank) raise one
 * flag that the library polls between batches (ks_config.interrupt). The
 * handlers are installed with SA_RESETHAND, so a second signal ends the
 * process at once. The flag is the tools' one mutable global: a signal
 * handler has no other way to reach the run. Linked into each tool, not
 * into the library.
 */
#ifndef KS_CLI_SIGNALS_H
#define KS_CLI_SIGNALS_H

#include <stdatomic.h>

#include "config.h"
#include "status.h"

/*
 * Installs the handlers (SIGUSR1's too when usr1 is nonzero) and returns
 * the flag they raise. A failure to install one only costs what the flag
 * would have saved (a checkpoint, or the removal of a temporary file).
 */
const atomic_int *ks_cli_catch_signals(int usr1);

/*
 * The test hook KENSHO_STOP_AFTER_WORDS=N: stop as if by a signal after N
 * words (ks_config.stop_after_words). KS_OK, or KS_ERR_USAGE in err for a
 * malformed value.
 */
int ks_cli_stop_hook(struct ks_config *cfg, struct ks_err *err);

#endif
